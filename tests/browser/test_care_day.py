"""Karin's day at Hälsocentralen Kvarnen, her buttons pressed in Chromium on a desktop: she
answers Greta's request, approves the goal Maja proposed, closes a plan that is no longer
needed, hands the coordination of Maja's SIP to Erik, who takes it over, offers another role
and takes the offer back, and throws away changes she had not published. Sofia, at oncology,
registers that Per has died. After each, the page says it is done (announced, with focus on
it) and shows what changed; no page of Samplan logs a console error or a CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

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


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo world of its own: everything here changes the team's and the patients' pages."""
    with serve(tmp_path_factory.mktemp("care")) as (address, _app):
        yield address


def hand_over(page, plan_title: str) -> None:  # noqa: ANN001
    """From the plan's page: hand a role over to Erik Olsson."""
    click_menu(page, "Mina patienter")
    page.get_by_role("link", name=plan_title).first.click()
    page.get_by_role("link", name="Lämna över").click()
    roles = page.locator("input[name='role']")
    if not roles.first.is_checked():
        roles.first.check()
    page.get_by_label("Erik Olsson", exact=False).check()
    page.get_by_role("button", name="Lämna över").click()


def test_karin_answers_approves_closes_and_hands_over(browser, base) -> None:  # noqa: ANN001
    maja = new_page(browser, PHONE)
    sign_in(maja, base, "patient-maja", simple=False)
    maja.locator(".plan-list a", has_text="trygg hemma").first.click()
    maja.get_by_role("link", name="Föreslå ett mål").click()
    maja.get_by_label("Mitt mål").fill("Gå till affären själv en gång i veckan.")
    maja.get_by_role("button", name="Skicka förslaget").click()
    maja.locator("[data-confirmation]").wait_for()
    maja.context.close()

    karin = new_page(browser, DESKTOP)
    problems = watch(karin, base)
    try:
        sign_in(karin, base, "staff-karin", simple=False)
        click_menu(karin, "Arbetslista")
        karin.get_by_role("link", name="Greta Lundqvist", exact=False).first.click()
        karin.get_by_label("Ja", exact=True).check()
        karin.get_by_label("Skriv till patienten").fill("Välkommen på ett första samtal.")
        karin.get_by_role("button", name="Skicka svaret").click()
        assert "Svaret är skickat" in told(karin)

        click_menu(karin, "Mina patienter")
        karin.get_by_role("link", name="trygg hemma", exact=False).first.click()
        proposal = karin.locator("form", has_text="Gå till affären själv en gång i veckan.")
        proposal.get_by_role("button", name="Godkänn", exact=True).click()
        assert "Beslutet om målet är sparat" in told(karin)

        click_menu(karin, "Mina patienter")
        karin.get_by_role("link", name="Egenvård vid hjärtsvikt", exact=False).first.click()
        karin.get_by_role("link", name="Avsluta planen").click()
        karin.get_by_label("Planen behövs inte längre").check()
        karin.get_by_role("button", name="Avsluta planen").click()
        assert "Planen är avslutad" in told(karin)

        hand_over(karin, "trygg hemma")
        assert "Överlämningen är skickad" in told(karin)
        assert problems == [], problems
    finally:
        karin.context.close()

    erik = new_page(browser, DESKTOP)
    problems = watch(erik, base)
    try:
        sign_in(erik, base, "staff-erik", simple=False)
        click_menu(erik, "Arbetslista")
        erik.get_by_role("button", name="Bekräfta att jag tar över").first.click()
        assert "Du har tagit över" in told(erik)
        assert problems == [], problems
    finally:
        erik.context.close()

    karin = new_page(browser, DESKTOP)
    problems = watch(karin, base)
    try:
        sign_in(karin, base, "staff-karin", simple=False)
        hand_over(karin, "efter stroke")
        assert "Överlämningen är skickad" in told(karin)
        click_menu(karin, "Arbetslista")
        karin.get_by_role("button", name="Ta tillbaka överlämningen").first.click()
        assert "Överlämningen är tillbakatagen" in told(karin)

        click_menu(karin, "Mina patienter")
        karin.get_by_role("link", name="efter stroke", exact=False).first.click()
        karin.wait_for_url("**/plan/*")
        title = karin.locator("h1").inner_text()
        karin.get_by_role("link", name="Redigera planen").click()
        karin.get_by_label("Rubrik").fill("En rubrik som aldrig publiceras")
        karin.get_by_role("button", name="Spara utkast").first.click()
        karin.get_by_role("button", name="Släng utkastet").click()
        assert "Ändringarna är borttagna" in told(karin)
        assert karin.locator("h1").inner_text() == title
        assert problems == [], problems
    finally:
        karin.context.close()

    sofia = new_page(browser, DESKTOP)
    problems = watch(sofia, base)
    try:
        sign_in(sofia, base, "staff-sofia", simple=False)
        click_menu(sofia, "Mina patienter")
        sofia.locator("main a[href^='/plan/']").first.click()
        sofia.get_by_role("link", name="Avsluta planen").click()
        sofia.get_by_role("link", name="Registrera dödsfall").click()
        sofia.get_by_label("Dödsdag").fill(date.today().isoformat())
        sofia.get_by_label("Jag har kontrollerat uppgiften om dödsfallet").check()
        sofia.get_by_role("button", name="Registrera dödsfall").click()
        assert "Dödsfallet är registrerat" in told(sofia)
        assert problems == [], problems
    finally:
        sofia.context.close()
