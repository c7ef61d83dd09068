"""Samplan's scripts keep working after in-app links (htmx replaces the body on each one): the
idle-sign-out warning, focus and announcements after a new page, read-aloud with the right
voices, and not one console error or CSP violation on the way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import click_menu, new_page, sign_in, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def watched(browser) -> Iterator[tuple[object, list[str]]]:  # noqa: ANN001
    """A phone page that keeps every console error, page error and CSP violation."""
    page = new_page(browser)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) =>
             console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));"""
    )
    yield page, problems
    page.context.close()


def test_the_idle_warning_comes_after_in_app_links_and_keeps_maja_signed_in(
    watched, live_url: str
) -> None:
    page, problems = watched
    page.clock.install()
    sign_in(page, live_url, "patient-maja")
    click_menu(page, "Vem har tittat?")
    page.wait_for_url(f"{live_url}/vem-har-tittat")
    click_menu(page, "Översikt")
    page.wait_for_url(f"{live_url}/")
    dialog = page.locator("#idle-warning")
    assert not dialog.is_visible()
    page.clock.fast_forward("13:01")  # 15 minutes' idle sign-out, warned two minutes before
    assert dialog.is_visible()
    assert "Du loggas snart ut" in dialog.inner_text()
    dialog.get_by_role("button", name="Fortsätt vara inloggad").click()
    wait_until(page, "!document.getElementById('idle-warning').open")
    page.clock.fast_forward("01:30")  # past the old sign-out time: the wait began anew
    assert page.url == f"{live_url}/"
    assert not dialog.is_visible()
    assert problems == []


def test_focus_lands_on_the_new_pages_heading_and_the_page_is_announced(
    watched, live_url: str
) -> None:
    page, problems = watched
    sign_in(page, live_url, "patient-maja")
    click_menu(page, "Vem har tittat?")
    page.wait_for_url(f"{live_url}/vem-har-tittat")
    wait_until(page, "document.activeElement && document.activeElement.tagName === 'H1'")
    heading = page.locator("main h1").inner_text()
    assert page.evaluate("document.activeElement.textContent.trim()") == heading
    announcer = page.locator("#announcer")
    wait_until(page, "document.getElementById('announcer').textContent !== ''")
    assert announcer.get_attribute("aria-live") == "polite"
    assert page.title() in announcer.inner_text()
    assert problems == []


VOICES = """
(() => {
  const spoken = [];
  window.__spoken = spoken;
  const voices = (window.__voices || []).map((lang) => ({ lang, name: lang, default: false }));
  Object.defineProperty(window, "__setVoices", { value: (langs) => {
    voices.splice(0, voices.length, ...langs.map((lang) => ({ lang, name: lang })));
    window.speechSynthesis.dispatchEvent(new Event("voiceschanged"));
  }});
  const synth = window.speechSynthesis;
  synth.getVoices = () => voices;
  synth.speak = (utterance) => spoken.push({ lang: utterance.lang, text: utterance.text });
  window.SpeechSynthesisUtterance = class {
    constructor(text) { this.text = text; this.lang = ""; this.voice = null; }
  };
})();
"""


def test_read_aloud_is_offered_only_with_a_voice_and_survives_in_app_links(
    watched, live_url: str
) -> None:
    page, problems = watched
    page.add_init_script(VOICES)
    sign_in(page, live_url, "patient-maja", simple=True)
    button = page.locator("#read-aloud")
    assert button.is_hidden(), "no voice for Swedish, so nothing to offer"
    page.evaluate("window.__setVoices(['sv-SE'])")
    assert button.is_visible()
    click_menu(page, "Vem har tittat?")
    page.wait_for_url(f"{live_url}/vem-har-tittat")
    page.evaluate("window.__setVoices(['sv-SE'])")  # a new page: voices are read again
    button = page.locator("#read-aloud")
    assert button.is_visible()
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken, "the page was read"
    assert {item["lang"] for item in spoken} == {"sv-SE"}
    heading = page.locator("main h1").inner_text()
    assert heading in spoken[0]["text"]
    assert problems == []


def test_care_text_in_swedish_is_not_read_with_an_arabic_voice(watched, live_url: str) -> None:
    page, problems = watched
    page.add_init_script(VOICES)
    sign_in(page, live_url, "patient-ali", simple=True, language="ar")
    page.evaluate("window.__setVoices(['ar-SA'])")
    page.locator("#read-aloud").click()
    spoken = page.evaluate("window.__spoken")
    assert spoken
    assert {item["lang"] for item in spoken} == {"ar-SA"}
    swedish = page.evaluate(
        """[...document.querySelectorAll('#main [lang="sv"]')]
             .map((node) => node.textContent.trim()).filter(Boolean)"""
    )
    # What the page says outside care's Swedish text may name the same person ("Karin Berg"
    # as the contact, and in care's "who will be there"): only Swedish text found nowhere else
    # must be missing from what was read.
    rest = page.evaluate(
        """(() => { const main = document.getElementById('main').cloneNode(true);
                    main.querySelectorAll('[lang="sv"]').forEach((node) => node.remove());
                    return main.textContent; })()"""
    )
    read = " ".join(item["text"] for item in spoken)
    only_swedish = [text for text in swedish if text not in rest]
    assert only_swedish
    assert [text for text in only_swedish if text in read] == [], read
    assert problems == []


def test_after_reporting_progress_maja_is_told_it_is_saved_and_focus_is_on_it(
    watched, live_url: str
) -> None:
    page, problems = watched
    sign_in(page, live_url, "patient-maja")
    page.get_by_role(
        "link", name="Samordnad individuell plan – trygg hemma", exact=True
    ).first.click()
    page.wait_for_url(f"{live_url}/plan/*")
    page.get_by_role("link", name="Berätta hur det går").first.click()
    page.wait_for_url(f"{live_url}/**/lage")
    page.locator("input[name='state']").first.check()
    page.get_by_label("Vill du berätta mer? (valfritt)").fill("Det går bra.")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"{live_url}/plan/*?klart=lage")
    done = page.locator("[data-confirmation]")
    assert done.get_attribute("role") == "status"
    assert (
        done.inner_text() == "Tack! Det du skrev om hur det går är sparat. Ditt vårdteam ser det."
    )
    wait_until(
        page, "document.activeElement && document.activeElement.hasAttribute('data-confirmation')"
    )
    wait_until(page, "document.getElementById('announcer').textContent.includes('Tack!')")
    assert problems == []


def test_maja_sees_how_much_she_may_still_write_as_she_writes(watched, live_url: str) -> None:
    page, problems = watched
    sign_in(page, live_url, "patient-maja")
    click_menu(page, "Meddelanden")
    page.wait_for_url(f"{live_url}/meddelanden")
    page.get_by_role("link", name="Skriv till vården").first.click()
    page.wait_for_url(f"{live_url}/meddelanden/nytt*")
    body = page.locator("#body")
    body.fill("Hej Karin!")
    count = page.locator("#body-count")
    assert count.inner_text() == "3\u00a0990 tecken kvar"
    body.fill("x" * 4005)
    assert count.inner_text() == "5 tecken för mycket"
    assert count.get_attribute("aria-live") == "polite"
    assert problems == []


def test_a_poll_after_signing_out_leaves_the_page_as_it_was(watched, live_url: str) -> None:
    """Signed out (here: the cookie gone) the unread count's poll is answered by the sign-in
    page after a redirect; none of it lands inside the menu."""
    page, problems = watched
    sign_in(page, live_url, "patient-maja")
    page.context.clear_cookies()
    with page.expect_response(lambda response: "/logga-in" in response.url):
        page.evaluate(
            """() => { const badge = document.querySelector('[data-poll]');
                       htmx.ajax('GET', badge.getAttribute('hx-get'),
                                 {source: badge, target: badge}); }"""
        )
    page.wait_for_timeout(300)
    assert page.locator("form[action='/enkel-vy']").count() == 1
    assert "Logga in" not in page.locator("nav.main-nav").inner_text()
    assert problems == []
