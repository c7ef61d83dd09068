"""Care's workspace in real Chromium: two people editing one plan at once, and the patient's
reading of a text shown as staff type it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, new_page, sign_in

pytestmark = pytest.mark.browser


def test_karin_and_erik_edit_one_plan_at_once_and_neither_edit_is_lost(browser, live_url):
    karin = new_page(browser, DESKTOP)
    erik = new_page(browser, DESKTOP)
    try:
        sign_in(karin, live_url, "staff-karin")
        karin.get_by_role(
            "link", name="Samordnad individuell plan – trygg hemma", exact=True
        ).first.click()
        karin.get_by_role("link", name="Ny plan", exact=True).click()
        karin.get_by_label("Vård- och behandlingsplan").check()
        karin.get_by_role("button", name="Skapa utkast").click()
        karin.wait_for_url("**/redigera")
        editor = karin.url

        sign_in(erik, live_url, "staff-erik")
        erik.goto(editor)  # both have the same version open now

        karin.get_by_label("Rubrik").fill("Vård- och behandlingsplan – hjärtsvikt")
        karin.get_by_label("Kort om planen, med patientens ord").fill("Karin skrev det här.")
        # the patient's reading of the text appears beside the field as she types (htmx)
        preview = karin.locator("#summary-lix")
        preview.get_by_text("Så här läser patienten texten:").wait_for()
        assert "Karin skrev det här." in preview.inner_text()
        karin.get_by_role("button", name="Spara utkast").click()
        karin.locator("main").get_by_text("Utkastet är sparat.").wait_for()

        erik.get_by_label("Hur planen följs upp").fill("Erik: återbesök om tre månader.")
        erik.get_by_role("button", name="Spara utkast").click()
        erik.get_by_text("Någon annan sparade planen medan du skrev").wait_for()
        compare = erik.locator(".compare").inner_text()
        assert "Karin skrev det här." in compare
        assert "Erik: återbesök om tre månader." in compare
        # his input is still in the form; he keeps Karin's words too and saves again
        assert erik.get_by_label("Hur planen följs upp").input_value().startswith("Erik:")
        erik.get_by_label("Rubrik").fill("Vård- och behandlingsplan – hjärtsvikt")
        erik.get_by_label("Kort om planen, med patientens ord").fill("Karin skrev det här.")
        erik.get_by_role("button", name="Spara utkast").click()
        erik.locator("main").get_by_text("Utkastet är sparat.").wait_for()

        karin.reload()
        assert karin.get_by_label("Hur planen följs upp").input_value().startswith("Erik:")
        assert karin.get_by_label("Kort om planen, med patientens ord").input_value() == (
            "Karin skrev det här."
        )
    finally:
        karin.context.close()
        erik.context.close()


def test_karin_finds_her_way_in_the_editor_and_the_inbox_on_a_desktop(browser, live_url):
    karin = new_page(browser, DESKTOP)
    problems: list[str] = []
    karin.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        sign_in(karin, live_url, "staff-karin")
        karin.get_by_role(
            "link", name="Samordnad individuell plan – trygg hemma", exact=True
        ).first.click()
        karin.wait_for_url("**/plan/*")
        karin.get_by_role("link", name="Redigera planen").first.click()
        karin.wait_for_url("**/redigera")
        menu = karin.get_by_role("navigation", name="Planens delar")
        menu_box = menu.bounding_box()
        form_box = karin.locator("form.editor").bounding_box()
        assert menu_box is not None
        assert form_box is not None
        assert menu_box["x"] + menu_box["width"] <= form_box["x"], "the menu sits beside the form"
        assert karin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        menu.get_by_role("link", name="Uppföljning").click()
        heading = karin.locator("#followup-heading")
        top = heading.bounding_box()
        assert top is not None
        assert 0 <= top["y"] < DESKTOP["height"] / 2
        save = karin.get_by_role("button", name="Spara utkast")
        box = save.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= DESKTOP["height"], "save stays in reach"

        karin.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Inkorg").click()
        karin.wait_for_url("**/inkorg")
        table = karin.get_by_role("table")
        headers = [h.inner_text() for h in table.locator("thead th").all()]
        assert headers == ["Ärende", "Patient", "Skrivet av", "Svar", "Hos"]
        assert problems == []
    finally:
        karin.context.close()
