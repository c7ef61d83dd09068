"""Maja's day, every button she meets pressed in Chromium on a phone: she answers her plan,
proposes a goal, answers her times (yes, another time, cancel), invites a neighbour and cancels
the invitation, narrows and then removes Anna's permission, ends a sign-in on another device,
and changes what Samplan tells her about. Greta asks for a care plan and takes it back. After
each, the page says it is done (announced, with focus on it) and shows what changed; no page of
Samplan logs a console error or a CSP violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    PHONE,
    click_menu,
    new_page,
    serve,
    sign_in,
    told,
    wait_until,
    watch,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo world of its own: everything here changes Maja's and Greta's pages."""
    with serve(tmp_path_factory.mktemp("day")) as (address, _app):
        yield address


def test_maja_answers_proposes_books_and_manages_who_may_help(browser, base) -> None:  # noqa: ANN001
    other_device = new_page(browser, PHONE)
    sign_in(other_device, base, "patient-maja", simple=None)
    page = new_page(browser, PHONE)
    problems = watch(page, base)
    try:
        sign_in(page, base, "patient-maja", simple=False)

        # The next step names the plan that waits for her answer.
        page.locator(".notice--answer a").first.click()
        page.get_by_role("button", name="Ja, jag håller med").click()
        assert "Ditt svar på planen är sparat" in told(page)

        page.get_by_role("link", name="Föreslå ett mål").click()
        page.get_by_label("Mitt mål").fill("Kunna gå till kören på torsdagar igen.")
        page.get_by_role("button", name="Skicka förslaget").click()
        assert "Ditt förslag till mål är skickat" in told(page)
        assert "Kunna gå till kören på torsdagar igen." in page.locator("main").inner_text()

        click_menu(page, "Tider")
        page.locator("li.card", has_text="Förslag på tid").locator("a").first.click()
        page.get_by_role("button", name="Ja, tiden passar").click()
        assert "Du har tackat ja till tiden" in told(page)
        click_menu(page, "Tider")
        page.locator("li.card", has_text="Överenskommen tid").locator("a").first.click()
        page.get_by_label("Vilka dagar och tider passar dig bättre?").fill(
            "Förmiddagar, helst tisdag."
        )
        page.get_by_role("button", name="Be om en annan tid").click()
        assert "Din önskan om en annan tid är skickad" in told(page)
        assert "Förmiddagar, helst tisdag." in page.locator("main").inner_text()
        page.get_by_label("Varför avbokar du?").fill("Jag ligger på sjukhus den veckan.")
        page.get_by_role("button", name="Avboka tiden").click()
        assert "Tiden är avbokad" in told(page)

        click_menu(page, "Ombud och närstående")
        page.get_by_label("Vem är det? (till exempel dotter, granne)").fill("granne")
        page.get_by_role("button", name="Skapa inbjudningskod").click()
        page.locator("#ny-kod .code").wait_for()
        page.get_by_role("button", name="Avbryt inbjudan").click()
        assert "Inbjudan är avbruten" in told(page)
        anna = page.locator("li.card", has_text="Anna Lind")
        anna.get_by_label("Läsa mina meddelanden").uncheck()
        anna.get_by_role("button", name="Spara ändringen").click()
        assert "Ändringen är sparad" in told(page)
        anna = page.locator("li.card", has_text="Anna Lind")
        assert anna.get_by_label("Läsa mina meddelanden").is_checked() is False
        anna.get_by_role("button", name="Ta bort Annas behörighet nu").click()
        assert "Behörigheten är borttagen" in told(page)
        assert page.locator("li.card", has_text="Anna Lind").count() == 0

        click_menu(page, "Mina inloggningar")
        page.wait_for_url(f"{base}/sessioner")
        assert page.get_by_role("button", name="Logga ut där").count() == 2
        elsewhere = page.locator("main li.card").filter(has_not_text="du är här")
        elsewhere.get_by_role("button", name="Logga ut där").click()
        wait_until(page, "document.querySelectorAll('main button').length === 1")
        other_device.goto(base + "/")
        assert "/logga-in" in other_device.url

        click_menu(page, "Kontaktuppgifter och aviseringar")
        page.get_by_label("Påminnelser").uncheck()
        page.get_by_role("button", name="Spara val").click()
        page.locator("main").get_by_text("Dina val är sparade.").wait_for()
        assert page.get_by_label("Påminnelser").is_checked() is False
        assert problems == [], problems
    finally:
        page.context.close()
        other_device.context.close()


def test_greta_asks_for_a_care_plan_and_takes_it_back(browser, base) -> None:  # noqa: ANN001
    page = new_page(browser, PHONE)
    problems = watch(page, base)
    try:
        sign_in(page, base, "patient-greta", simple=False)
        page.get_by_role("link", name="Be om en plan").click()
        page.get_by_label("Skriv kort varför").fill("Jag har tre olika mediciner och blir yr.")
        page.get_by_role("button", name="Skicka").click()
        # Which unit is hers to choose; what she wrote stays while she does.
        page.get_by_text("Välj vilken mottagning du vill fråga.").first.wait_for()
        assert "blir yr" in page.get_by_label("Skriv kort varför").input_value()
        page.get_by_label("Vilken mottagning frågar du?").select_option(label="Hemsjukvården Luleå")
        page.get_by_role("button", name="Skicka").click()
        assert "Ditt önskemål är skickat" in told(page)
        assert "Jag har tre olika mediciner och blir yr." in page.locator("main").inner_text()
        page.get_by_role("button", name="Ta tillbaka önskemålet").click()
        assert "Du har tagit tillbaka ditt önskemål" in told(page)
        assert "Tillbakataget" in page.locator("main").inner_text()
        assert page.get_by_role("button", name="Ta tillbaka önskemålet").count() == 0
        assert problems == [], problems
    finally:
        page.context.close()
