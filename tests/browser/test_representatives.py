"""A förvaltare for Maja, clicked through in real Chromium: Karin registers one from the court's
decision, Erik (who saw the decision) confirms it, Maja reads who registered what and objects,
and Karin ends the registration. Every step says it is done, and no page of Samplan logs a
console error or a CSP violation on the way."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from app.accounts.identity import make_test_number
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    click_menu,
    new_page,
    serve,
    sign_in,
    told,
    watch,
)

pytestmark = pytest.mark.browser

REPRESENTATIVE = make_test_number(date(1958, 4, 17), 987)
REFERENCE = "Luleå tingsrätt Ä 1234-26"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo world of its own: the registration changes Maja's pages for the rest of the run."""
    with serve(tmp_path_factory.mktemp("representatives")) as (address, _app):
        yield address


def open_representatives(page, base: str) -> None:  # noqa: ANN001
    """From Maja's plan, by the staff line's link, as care would."""
    page.goto(f"{base}/plan/1")
    page.get_by_role("link", name="Vem agerar för patienten").click()
    page.wait_for_url(f"{base}/patient/*/foretradare")


def test_a_forvaltare_is_registered_confirmed_objected_to_and_ended(browser, base) -> None:  # noqa: ANN001
    today = date.today()
    karin = new_page(browser, DESKTOP)
    problems = watch(karin, base)
    try:
        sign_in(karin, base, "staff-karin")
        open_representatives(karin, base)
        karin.get_by_label("Företrädarens personnummer").fill(REPRESENTATIVE)
        karin.get_by_label("Förnamn").fill("Bo")
        karin.get_by_label("Efternamn").fill("Ek")
        karin.get_by_label("Typ").select_option(label="Förvaltare")
        karin.get_by_label("Beslutets referens").fill(REFERENCE)
        karin.get_by_label("Beslutsdatum").fill((today - timedelta(days=10)).isoformat())
        karin.get_by_label("Se patientens planer").check()
        karin.get_by_label("Gäller till och med").fill((today + timedelta(days=365)).isoformat())
        # Without a reason nothing is stored, and what was typed stays.
        karin.get_by_role("button", name="Registrera", exact=True).click()
        karin.get_by_text("Skriv varför företrädaren registreras.").first.wait_for()
        assert karin.get_by_label("Beslutets referens").input_value() == REFERENCE
        assert karin.get_by_text("Väntar på bekräftelse").count() == 0
        karin.get_by_label("Varför registreras företrädaren?").fill(
            "Tingsrätten har förordnat förvaltare; han sköter kontakten med vården."
        )
        karin.get_by_role("button", name="Registrera", exact=True).click()
        assert "patienten har fått besked" in told(karin)
        card = karin.locator("li.card", has_text="Bo Ek")
        assert "Väntar på bekräftelse" in card.inner_text()
        assert "En kollega som har sett beslutet behöver bekräfta" in card.inner_text()
        assert problems == [], problems
    finally:
        karin.context.close()

    erik = new_page(browser, DESKTOP)
    problems = watch(erik, base)
    try:
        sign_in(erik, base, "staff-erik")
        open_representatives(erik, base)
        erik.get_by_role("button", name="Bekräfta registreringen").click()
        assert "gäller nu" in told(erik)
        card = erik.locator("li.card", has_text="Bo Ek")
        assert "Bekräftad" in card.inner_text()
        assert "Väntar på bekräftelse" not in card.inner_text()
        assert problems == [], problems
    finally:
        erik.context.close()

    maja = new_page(browser, PHONE)
    problems = watch(maja, base)
    try:
        sign_in(maja, base, "patient-maja")
        click_menu(maja, "Ombud och närstående")
        maja.wait_for_url(f"{base}/ombud")
        card = maja.locator("li.card", has_text="Bo Ek")
        text = card.inner_text()
        assert REFERENCE in text
        assert "Registrerad" in text
        assert "Karin Berg" in text
        card.get_by_role("button", name="Skicka invändning").click()
        maja.get_by_text("Skriv vad du invänder mot innan du skickar.").first.wait_for()
        card = maja.locator("li.card", has_text="Bo Ek")
        card.get_by_label("Stämmer inte det här? Skriv vad som är fel.").fill(
            "Jag känner inte Bo Ek."
        )
        card.get_by_role("button", name="Skicka invändning").click()
        assert "Din invändning är skickad" in told(maja)
        assert "Jag känner inte Bo Ek." in maja.locator("li.card", has_text="Bo Ek").inner_text()
        assert problems == [], problems
    finally:
        maja.context.close()

    karin = new_page(browser, DESKTOP)
    problems = watch(karin, base)
    try:
        sign_in(karin, base, "staff-karin")
        open_representatives(karin, base)
        card = karin.locator("li.card", has_text="Bo Ek")
        assert "Jag känner inte Bo Ek." in card.inner_text()
        card.get_by_label("Varför avslutas registreringen?").fill(
            "Maja invände; beslutet gäller en annan person."
        )
        card.get_by_role("button", name="Avsluta registreringen").click()
        assert "Registreringen är avslutad" in told(karin)
        ended = karin.get_by_role("heading", name="Avslutade registreringar")
        assert ended.is_visible()
        assert "Maja invände" in karin.locator("li.card", has_text="Bo Ek").inner_text()
        assert problems == [], problems
    finally:
        karin.context.close()
