"""WCAG 2.2 AA in real Chromium: axe on every page, both views, every persona, phone and
desktop; and what axe cannot see: keyboard flows, reflow, zoom, focus, skip link, RTL."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import DESKTOP, PHONE, choose_view, new_page, sign_in
from tests.browser.test_scripts import VOICES
from tests.helpers import PERSONAS, STAFF_PREFIXES

pytestmark = pytest.mark.browser
ARTIFACTS = Path(os.environ.get("SAMPLAN_ARTIFACTS", "test-artifacts"))
AXE = Axe()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

PERSON_PAGES = [
    "/",
    "/sju-fragor",
    "/meddelanden",
    "/meddelanden/nytt",
    "/tider",
    "/viktigt",
    "/viktigt/0",
    "/ombud",
    "/vem-har-tittat",
    "/sessioner",
    "/tillganglighet",
]
# The directory's pages, for its administrators (who care for nobody).
FOLLOWUP_PAGES = ["/uppfoljning", "/uppfoljning?manad=2026-09", "/sessioner"]
ADMIN_PAGES = [
    "/katalog",
    "/katalog/personal",
    "/katalog/personal/ny",
    "/katalog/enheter/ny",
    "/sessioner",
]
STAFF_PAGES = [
    "/",
    "/inkorg",
    "/inkorg?flik=enheten",
    "/arbetslista",
    "/sessioner",
    "/installningar",
]
# Care's work on the first plan a practitioner can open: the same templates for every plan.
WORK_PAGES = ["redigera", "publicera", "overlamning", "avsluta"]
SHARED_PAGES = {"/sessioner", "/tillganglighet", "/installningar"}


def pages_for(page, live_url: str, persona: str) -> list[str]:  # noqa: ANN001
    """The persona's pages: the fixed ones that exist for them, plus every plan, and up to two
    threads and appointments (the same template with other data), linked from them."""
    fixed = STAFF_PAGES if persona.startswith(STAFF_PREFIXES) else PERSON_PAGES
    if persona.startswith("admin-"):
        return ADMIN_PAGES
    if persona.startswith("followup-"):
        return FOLLOWUP_PAGES
    if persona not in ("patient-maja", "staff-karin"):  # the same for everyone: checked once
        fixed = [path for path in fixed if path not in SHARED_PAGES]
    found: list[str] = []
    for path in fixed:
        response = page.goto(live_url + path)
        if response is not None and response.status == 200:
            found.append(path)
            for href in page.eval_on_selector_all(
                "a[href^='/plan/'], a[href^='/meddelanden/'], a[href^='/tider/'],"
                " a[href^='/sip-mote/']",
                "links => links.map(a => a.getAttribute('href'))",
            ):
                kind = re.fullmatch(r"/(plan|meddelanden|tider|sip-mote)/\d+", href)
                same_kind = [p for p in found if kind and p.startswith(f"/{kind.group(1)}/")]
                if kind and href not in found and (kind.group(1) == "plan" or len(same_kind) < 2):
                    found.append(href)
    plans = [path for path in found if re.fullmatch(r"/plan/\d+", path)]
    if persona in ("staff-karin", "staff-sofia") and plans:
        found += [f"{plans[0]}/{work}" for work in WORK_PAGES]
        page.goto(live_url + plans[0])
        patient = page.locator("a[href$='/ny-plan']").first.get_attribute("href")
        found += [patient, patient.replace("ny-plan", "dodsfall")]
    if persona == "staff-karin":  # a SIP's meetings and the call, on Ali's SIP
        page.goto(live_url + "/arbetslista")
        meeting = page.locator("main a[href^='/sip-mote/']").first.get_attribute("href")
        page.goto(live_url + meeting)
        sip = page.locator("nav.breadcrumb a").first.get_attribute("href")
        found += [meeting, f"{sip}/sip-moten", f"{sip}/sip-mote/ny"]
    return found


def violations(page, simple: bool) -> list[str]:  # noqa: ANN001
    rules = {"color-contrast-enhanced": {"enabled": True}} if simple else {}
    result = AXE.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_AA},
            "rules": rules,
            "resultTypes": ["violations"],
        },
    )
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result.response["violations"]]


@pytest.mark.parametrize("persona", PERSONAS)
def test_axe_finds_nothing_on_any_page_in_either_view(browser, live_url, persona) -> None:
    problems: list[str] = []
    for viewport in (PHONE, DESKTOP):
        page = new_page(browser, viewport)
        try:
            sign_in(page, live_url, persona)
            paths = pages_for(page, live_url, persona)
            assert len(paths) >= 3, paths
            for simple in (False, True):
                page.goto(live_url + "/sessioner")
                choose_view(page, live_url, simple, "sv")
                for path in paths:
                    page.goto(live_url + path)
                    assert page.locator("footer a[href='/tillganglighet']").count() == 1, path
                    for problem in violations(page, simple):
                        problems.append(f"{viewport['width']}px simple={simple} {path}: {problem}")
        finally:
            page.context.close()
    assert not problems, "\n".join(problems)


def tab_to(page, selector: str, limit: int = 120) -> None:  # noqa: ANN001
    """Press Tab until the element matching `selector` has focus (the keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"never reached {selector} with Tab")


def test_keyboard_only_read_plan_write_answer_switch_sign_out(phone, live_url) -> None:
    page = phone
    sign_in(page, live_url, "patient-maja")
    tab_to(page, "a.skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to(page, "a[href^='/plan/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/plan/\d+(#answer-heading)?$"))  # or the answer it waits for
    assert page.locator("h1").count() == 1

    page.goto(live_url + "/")
    tab_to(page, "a[href='/meddelanden/nytt']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/meddelanden/nytt$"))
    tab_to(page, "#subject")
    page.keyboard.type("Med tangentbordet")
    tab_to(page, "#body")
    page.keyboard.type("Hej Karin, jag skriver utan mus.")
    tab_to(page, "form.form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/meddelanden/\d+$"))
    assert "jag skriver utan mus" in page.locator("main").inner_text()

    page.goto(live_url + "/viktigt/4")
    tab_to(page, "#answer")
    page.keyboard.type("Förmiddagar passar bäst.")
    tab_to(page, "button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/viktigt/5$"))

    tab_to(page, "form[action='/enkel-vy'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#app.simple").count() == 1

    tab_to(page, "form[action='/logga-ut'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/logga-in$"))


def no_horizontal_scroll(page) -> bool:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_reflow_at_320_px_and_text_at_200_percent(browser, live_url) -> None:
    page = new_page(browser, {"width": 320, "height": 640})
    try:
        sign_in(page, live_url, "patient-maja")
        for path in ("/", "/meddelanden", "/ombud", "/viktigt/0"):
            page.goto(live_url + path)
            assert no_horizontal_scroll(page), path
        page.set_viewport_size({"width": 1280, "height": 900})
        for path in ("/", "/meddelanden/nytt"):
            page.goto(live_url + path)
            page.evaluate("document.documentElement.style.fontSize = '200%'")
            assert no_horizontal_scroll(page), path
            assert page.locator("h1").bounding_box()["height"] > 40
    finally:
        page.context.close()


def test_focus_is_visible(phone, live_url) -> None:
    sign_in(phone, live_url, "patient-maja")
    tab_to(phone, "a[href^='/plan/']")
    outline = phone.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
        "getComputedStyle(document.activeElement).outlineWidth"
    )
    assert outline.startswith("solid")
    assert not outline.endswith(" 0px")


def test_form_errors_are_announced_and_linked(phone, live_url) -> None:
    sign_in(phone, live_url, "patient-maja")
    phone.goto(live_url + "/meddelanden/nytt")
    phone.fill("#subject", "Fråga")
    phone.locator("form.form button[type=submit]").click()
    alert = phone.locator("[role=alert]")
    assert "Skriv ditt meddelande innan du skickar." in alert.inner_text()
    assert alert.locator("a[href='#body']").count() == 1
    assert phone.locator("#body").get_attribute("aria-invalid") == "true"
    assert "body-error" in phone.locator("#body").get_attribute("aria-describedby")
    assert phone.input_value("#subject") == "Fråga"


def test_reduced_motion_and_more_contrast_are_honoured(browser, live_url) -> None:
    page = new_page(browser, PHONE, reduced_motion="reduce")
    try:
        page.emulate_media(forced_colors="none")
        sign_in(page, live_url, "patient-maja")
        meta = page.locator(".meta").first
        normal = meta.evaluate("e => getComputedStyle(e).color")
        page.emulate_media(contrast="more")
        assert meta.evaluate("e => getComputedStyle(e).color") != normal
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        assert page.locator("a").first.evaluate("e => getComputedStyle(e).transitionDuration") in (
            "0s",
            "",
        )
    finally:
        page.context.close()


def test_ali_in_arabic_is_right_to_left_and_mirrored(browser, live_url) -> None:
    page = new_page(browser, PHONE, locale="ar")
    page.add_init_script(VOICES)  # read-aloud is offered where the browser has an Arabic voice
    try:
        sign_in(page, live_url, "patient-ali", simple=True, language="ar")
        html = page.locator("html")
        assert html.get_attribute("lang") == "ar"
        assert html.get_attribute("dir") == "rtl"
        assert page.locator("#app.simple").count() == 1
        brand = page.locator(".brand").bounding_box()
        assert brand["x"] > PHONE["width"] / 2  # the header starts on the right
        heading = page.locator("h1").bounding_box()
        assert heading["x"] + heading["width"] > PHONE["width"] - 40  # text hugs the right edge
        assert "Samordnad individuell plan efter stroke" in page.locator("main").inner_text()
        page.evaluate("window.__setVoices(['ar-SA'])")
        assert page.locator("#read-aloud").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "start-patient-ali-ar-simple.png"), full_page=True)
        assert violations(page, simple=True) == []
    finally:
        page.context.close()
