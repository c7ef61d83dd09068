"""The start page and a plan page on a 360 px phone in real Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

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
    link = phone.get_by_role("link", name="Samordnad individuell plan – trygg hemma")
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
