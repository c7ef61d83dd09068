"""The start page and a plan page on a 360 px phone in real Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import click_menu, new_page, sign_in, wait_until

pytestmark = pytest.mark.browser
ARTIFACTS = Path(os.environ.get("SAMPLAN_ARTIFACTS", "test-artifacts"))


def no_horizontal_scroll(page) -> bool:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_maja_sees_her_next_step_first_on_a_phone(phone, live_url) -> None:
    sign_in(phone, live_url, "patient-maja")
    assert phone.locator("h1").inner_text() == "Min överenskommelse"
    first_section = phone.locator("main section").first
    assert "Nästa steg" in first_section.inner_text()
    assert phone.get_by_role("link", name="Ring 0920-28 40 12").first.is_visible()
    assert no_horizontal_scroll(phone)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "start-patient-maja.png"), full_page=True)


def test_maja_opens_her_plan_with_the_keyboard_and_back(phone, live_url) -> None:
    sign_in(phone, live_url, "patient-maja")
    link = phone.get_by_role("link", name="Samordnad individuell plan – trygg hemma", exact=True)
    link.focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url(f"{live_url}/plan/*")
    assert phone.locator("h1").inner_text() == "Samordnad individuell plan – trygg hemma"
    assert phone.get_by_text("Det här gör du").is_visible()
    assert no_horizontal_scroll(phone)
    phone.screenshot(path=str(ARTIFACTS / "plan-patient-maja.png"), full_page=True)


def test_no_csp_violation_and_htmx_loads(phone, live_url) -> None:
    messages: list[str] = []
    phone.on("console", lambda message: messages.append(message.text))
    sign_in(phone, live_url, "patient-per")
    assert phone.evaluate("typeof window.htmx") == "object"
    assert not [m for m in messages if "Content Security Policy" in m], messages


def test_sign_out_returns_to_sign_in(phone, live_url) -> None:
    sign_in(phone, live_url, "proxy-anna")
    assert "Du agerar för Maja Lind" in phone.locator("body").inner_text()
    phone.get_by_role("button", name="Logga ut").click()
    phone.wait_for_url(f"{live_url}/logga-in")
    phone.goto(f"{live_url}/")
    assert phone.url.startswith(f"{live_url}/logga-in")


def test_maja_downloads_her_plan_and_a_calendar_file_by_clicking(phone, live_url) -> None:
    """The site boosts every link with htmx; a download must still arrive as a file, not as bytes
    swapped into the page."""
    errors: list[str] = []
    phone.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    sign_in(phone, live_url, "patient-maja")
    phone.get_by_role("link", name="Samordnad individuell plan – trygg hemma", exact=True).click()
    phone.wait_for_url(f"{live_url}/plan/*")
    with phone.expect_download() as pdf:
        phone.get_by_role("link", name="Ladda ner planen som PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    assert phone.locator("h1").inner_text() == "Samordnad individuell plan – trygg hemma"
    phone.goto(f"{live_url}/tider")
    phone.locator("main a[href^='/tider/']").first.click()
    phone.wait_for_url(f"{live_url}/tider/*")
    with phone.expect_download() as calendar:
        phone.get_by_role("link", name="Lägg in i min kalender (.ics)").click()
    assert Path(calendar.value.path()).read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VCALENDAR" not in phone.locator("body").inner_text()
    assert errors == []


def test_the_menu_leads_with_messages_times_and_plans_and_the_rest_is_under_mer(
    phone, live_url
) -> None:
    sign_in(phone, live_url, "patient-maja")
    menu = phone.locator("nav.main-nav")
    visible = [
        link.inner_text().strip() for link in menu.get_by_role("link").all() if link.is_visible()
    ]
    assert visible[0] == "Översikt"
    assert visible[1].startswith("Meddelanden")
    assert visible[2] == "Tider"
    # The count of unread answers (none, once another test has read them) comes by htmx.
    wait_until(phone, "document.querySelector('.main-nav__count[hx-get]') !== null")
    assert re.fullmatch(
        r"Meddelanden(\s+\d+ olästa?)?", menu.get_by_role("link").nth(1).inner_text().strip()
    )
    assert not menu.get_by_role("link", name="Den här telefonen").is_visible()
    box = menu.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < 300, "the menu sits in the first screen"
    click_menu(phone, "Den här telefonen")
    phone.wait_for_url(f"{live_url}/den-har-telefonen")
    assert phone.locator("h1").inner_text() == "Den här telefonen"
    current = phone.locator("nav.main-nav [aria-current='page']")
    assert current.text_content() == "Den här telefonen"


def _luminance(rgb: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(part) for part in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_the_headers_focus_ring_stands_out_on_teal(phone, live_url) -> None:
    sign_in(phone, live_url, "patient-maja")
    button = phone.get_by_role("button", name="Logga ut")
    button.focus()
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    ring, bar = phone.evaluate(
        """() => [getComputedStyle(document.activeElement).outlineColor,
                  getComputedStyle(document.querySelector('.site-header__bar')).backgroundColor]"""
    )
    light, dark = sorted((_luminance(ring), _luminance(bar)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 3, (ring, bar)


@pytest.mark.parametrize("language", ["sv", "fi"])
def test_the_accessibility_page_does_not_scroll_sideways_at_320_px(
    browser, live_url, language
) -> None:
    page = new_page(browser, {"width": 320, "height": 640})
    try:
        sign_in(page, live_url, "patient-maja", language=language)
        page.goto(f"{live_url}/tillganglighet")
        assert no_horizontal_scroll(page)
    finally:
        page.context.close()
