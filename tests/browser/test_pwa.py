"""Samplan as an installed app in real Chromium: installable, offline only by choice, nothing left
after sign-out, honest forms offline, no web storage, and the page-weight budget."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    FLAGS,
    PHONE,
    click_menu,
    new_page,
    sign_in,
    wait_until,
    worker_in_control,
)

pytestmark = pytest.mark.browser
PLAN = "Samordnad individuell plan – trygg hemma"
FIRST_LOAD_BUDGET = 60 * 1024
REPEAT_LOAD_BUDGET = 10 * 1024


@pytest.fixture
def page(browser, live_url: str) -> Iterator[object]:  # noqa: ANN001
    page = new_page(browser)
    yield page
    page.context.close()


def cached_urls(page) -> list[str]:  # noqa: ANN001
    return page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) urls.push(name + " " + request.url);
          }
          return urls;
        }"""
    )


def plan_url(page, live_url: str) -> str:  # noqa: ANN001
    href = page.get_by_role("link", name=PLAN, exact=True).first.get_attribute("href")
    return f"{live_url}{href}"


def turn_on_offline_reading(page, live_url: str) -> None:  # noqa: ANN001
    page.goto(f"{live_url}/den-har-telefonen")
    page.get_by_role("button", name="Spara min plan på den här telefonen").click()
    page.wait_for_url(f"{live_url}/den-har-telefonen?sparat=offline-1")
    assert page.get_by_text("Din plan sparas på den här telefonen.").first.is_visible()


def plan_links(page) -> list[str]:  # noqa: ANN001
    links = page.eval_on_selector_all(
        "a[href^='/plan/']", "links => [...new Set(links.map(a => a.href))]"
    )
    assert links
    return links


def wait_for_copies(page, links: list[str]) -> None:  # noqa: ANN001
    """Wait until the start page and every plan it links to have their copies (saved one after
    another by the service worker, once the setting is turned on)."""
    links = [links[0].split("/plan/")[0] + "/", *links]
    wait_until(page, "caches.has('samplan-copies')")
    wait_until(
        page,
        """async urls => {
          const cache = await caches.open('samplan-copies');
          const hits = await Promise.all(urls.map(url => cache.match(url)));
          return hits.every(Boolean);
        }""",
        links,
    )


def test_samplan_is_installable(browser, tmp_path, live_url: str) -> None:  # noqa: ANN001
    # A persistent profile: an incognito one always answers "in-incognito".
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=FLAGS, viewport=PHONE
    )
    try:
        page = context.new_page()
        page.goto(f"{live_url}/demo")
        worker_in_control(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_without_the_setting_nothing_of_majas_is_kept_and_offline_shows_the_offline_page(
    page, live_url: str
) -> None:
    sign_in(page, live_url, "patient-maja")
    worker_in_control(page)
    plan = plan_url(page, live_url)
    page.goto(plan)
    assert page.locator("h1").inner_text() == PLAN
    urls = cached_urls(page)
    assert urls, "the service worker stored its shell"
    assert all(re.search(r"/(offline|static/.+\.[0-9a-f]{12}\.\w+)$", u) for u in urls), urls
    page.context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "Du är inte ansluten"
    assert "Maja" not in page.locator("body").inner_text()


def test_maja_reads_her_plan_offline_signs_out_and_nothing_of_it_remains(
    page, live_url: str
) -> None:
    sign_in(page, live_url, "patient-maja")
    worker_in_control(page)
    plan, links = plan_url(page, live_url), plan_links(page)
    turn_on_offline_reading(page, live_url)
    wait_for_copies(page, links)  # the start page and its plans are saved at once

    page.context.set_offline(True)  # airplane mode
    page.goto(plan)
    assert page.locator("h1").inner_text() == PLAN
    note = page.locator("#offline-note")
    assert note.is_visible()
    assert re.search(r"Sparad på den här telefonen .+ kl\. \d\d:\d\d\.", note.inner_text())
    # One banner on a saved copy: its note says it is offline; forms are marked as not sendable.
    assert not page.locator("#offline-status").is_visible()
    page.goto(f"{live_url}/")
    assert page.locator("h1").inner_text() == "Min överenskommelse"
    assert page.locator("#offline-note").is_visible()
    page.goto(f"{live_url}/meddelanden/nytt")  # never saved: the offline page says what works
    assert page.locator("h1").inner_text() == "Du är inte ansluten"

    page.context.set_offline(False)
    page.goto(f"{live_url}/")
    page.get_by_role("button", name="Logga ut").click()
    # Chromium holds the load event while Clear-Site-Data empties its caches: wait for the page.
    page.wait_for_url(f"{live_url}/logga-in", wait_until="domcontentloaded")
    worker_in_control(page)
    urls = cached_urls(page)
    assert not [u for u in urls if "samplan-copies" in u or "/plan/" in u], urls
    assert all(re.search(r"/(offline|static/.+\.[0-9a-f]{12}\.\w+)$", u) for u in urls), urls
    page.context.set_offline(True)
    page.goto(plan)
    assert page.locator("h1").inner_text() == "Du är inte ansluten"
    assert PLAN not in page.locator("body").inner_text()


def test_turning_the_setting_off_deletes_the_copies(page, live_url: str) -> None:
    sign_in(page, live_url, "patient-maja")
    worker_in_control(page)
    links = plan_links(page)
    turn_on_offline_reading(page, live_url)
    wait_for_copies(page, links)
    page.goto(f"{live_url}/den-har-telefonen")
    page.get_by_role("button", name="Sluta spara och ta bort kopian").click()
    page.wait_for_url(f"{live_url}/den-har-telefonen?sparat=offline-0")
    wait_until(page, "caches.has('samplan-copies').then(has => !has)")
    page.context.set_offline(True)
    page.goto(f"{live_url}/")
    assert page.locator("h1").inner_text() == "Du är inte ansluten"


def test_a_message_is_not_sent_offline_and_the_text_stays(page, live_url: str) -> None:
    sign_in(page, live_url, "patient-maja")
    page.goto(f"{live_url}/meddelanden/nytt")
    page.fill("#body", "Jag väger 72 kilo i dag.")
    page.context.set_offline(True)
    status = page.locator("#offline-status")
    status.wait_for(state="visible")
    assert "inte skicka" in status.inner_text()
    page.get_by_role("button", name="Skicka").click(force=True)  # marked aria-disabled
    assert page.url == f"{live_url}/meddelanden/nytt"
    assert page.input_value("#body") == "Jag väger 72 kilo i dag."
    page.context.set_offline(False)
    status.wait_for(state="hidden")


def test_no_patient_data_in_web_storage(page, live_url: str) -> None:
    sign_in(page, live_url, "patient-maja")
    page.get_by_role("link", name=PLAN, exact=True).first.click()
    page.wait_for_url(f"{live_url}/plan/*")
    page.go_back()
    page.wait_for_url(f"{live_url}/")
    click_menu(page, "Vem har tittat?")
    page.wait_for_url(f"{live_url}/vem-har-tittat")
    page.goto(f"{live_url}/meddelanden")
    stored = page.evaluate(
        "[localStorage.length, sessionStorage.length, Object.keys(sessionStorage).join()]"
    )
    assert stored == [0, 0, ""]


def transferred(page, action) -> int:  # noqa: ANN001
    """Bytes on the wire (headers and compressed bodies) for what `action` loads."""
    cdp = page.context.new_cdp_session(page)
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    cdp.send("Network.enable")
    action()
    page.wait_for_load_state("networkidle")
    cdp.detach()
    return sum(sizes.values())


def test_the_start_page_fits_the_page_weight_budget(browser, live_url: str) -> None:  # noqa: ANN001
    signing = new_page(browser)
    sign_in(signing, live_url, "patient-maja")
    state = signing.context.storage_state()
    signing.context.close()
    page = new_page(browser, storage_state=state)  # a fresh cache, signed in
    try:
        first = transferred(page, lambda: page.goto(f"{live_url}/"))
        assert page.locator("h1").inner_text() == "Min överenskommelse"
        repeat = transferred(page, lambda: page.goto(f"{live_url}/"))
        print(f"start page: first load {first} bytes, repeat load {repeat} bytes")
        assert first <= FIRST_LOAD_BUDGET, first
        assert repeat <= REPEAT_LOAD_BUDGET, repeat
    finally:
        page.context.close()
