"""A region's first day, clicked through in real Chromium: the region's administrator adds a
nurse who starts today, the nurse signs in with her own SITHS (the staff identity provider),
finds a new patient by personal number, states the care relationship, starts and publishes a
first plan; the patient signs in with e-legitimation for the first time, confirms her e-mail
address with the code mailed to it and reads the plan; the nurse publishes a change, and the
patient gets a mail about it (and no health content in it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask import Flask

from app.accounts.identity import make_test_number
from app.accounts.oidc import LOA3, PNR_CLAIM
from app.notifications.worker import channel_for, deliver_one
from tests.browser.conftest import DESKTOP, PHONE, new_page, serve, sign_in, watch

pytestmark = pytest.mark.browser

NEW = make_test_number(date(1961, 9, 2), 991)
SARA_HSA = "SE2321000230-SARA01"
ADDRESS = "ingrid.sjoberg@example.se"


@pytest.fixture(scope="module")
def region(idp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask, Path]]:  # noqa: ANN001
    """A live Samplan of its own that signs people in through the test identity provider and
    writes its mail to a folder: (its address, the app, the mail folder)."""
    folder = tmp_path_factory.mktemp("region")
    mail = folder / "mail"
    with serve(folder, MAIL_FOLDER=str(mail), OIDC_PROVIDERS=idp.settings()) as (base, app):
        yield base, app, mail


def deliver_all(app) -> None:  # noqa: ANN001 - the live Flask app
    while deliver_one(app, channel_for(app)):
        pass


def sign_in_with_eid(page, base: str, idp, sub: str, number: str, **claims: str) -> None:  # noqa: ANN001
    """Through the sign-in page and the identity provider's own form, as a person would."""
    idp.set_user(sub, {PNR_CLAIM: number, "acr": LOA3, **claims})
    _provider(page, base, "Logga in med e-legitimation (BankID eller Freja)", sub)


def sign_in_as_staff(page, base: str, idp, sub: str, hsa_id: str) -> None:  # noqa: ANN001
    idp.set_user(sub, {"hsa_id": hsa_id, "acr": LOA3})
    _provider(page, base, "Logga in som personal", sub)


def _provider(page, base: str, button: str, sub: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/logga-in")
    page.get_by_role("link", name=button).click()
    page.locator("input[name='sub']").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base}/**")


def mails_to(folder: Path, address: str) -> list[tuple[str, str]]:
    """(subject, body) of every mail in the folder to `address`, oldest first."""
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda each: each.stat().st_mtime_ns):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == address:
            body = message.get_body(preferencelist=("plain",))
            found.append((str(message["Subject"]), body.get_content() if body else ""))
    return found


def add_nurse(browser, base: str) -> None:  # noqa: ANN001
    """The region's administrator adds Sara Lind, a nurse at Kvarnen who starts today."""
    admin = new_page(browser, DESKTOP)
    problems = watch(admin, base)
    try:
        sign_in(admin, base, "admin-region")
        admin.get_by_role("link", name="Lägg till en medarbetare").click()
        admin.get_by_label("Förnamn").fill("Sara")
        admin.get_by_label("Efternamn").fill("Lind")
        admin.get_by_label("Befattning").fill("Sjuksköterska")
        # A malformed HSA-id is refused in Swedish, and nobody is added.
        admin.get_by_label("HSA-id").fill("SE2321000231-SARA01")
        admin.get_by_label("Enhet").select_option(label="Hälsocentralen Kvarnen")
        admin.get_by_role("button", name="Spara").click()
        admin.locator(".error-summary, [role=alert]").first.wait_for()
        assert admin.get_by_label("Förnamn").input_value() == "Sara"
        admin.get_by_label("HSA-id").fill(SARA_HSA)
        admin.get_by_role("button", name="Spara").click()
        admin.locator("main").get_by_text("Sparat.").wait_for()
        assert admin.locator("h1").inner_text() == "Sara Lind"
        assert problems == [], problems
    finally:
        admin.context.close()


def test_a_first_plan_for_a_patient_samplan_has_never_seen(browser, region, idp) -> None:  # noqa: ANN001
    base, app, mail = region
    add_nurse(browser, base)

    nurse = new_page(browser, DESKTOP)
    problems = watch(nurse, base)
    try:
        sign_in_as_staff(nurse, base, idp, "sara", SARA_HSA)
        nurse.get_by_role("link", name="Ny patient, med personnummer").click()
        nurse.get_by_label("Personnummer eller samordningsnummer").fill(f"{NEW[:8]}-{NEW[8:]}")
        nurse.get_by_label("Förnamn").fill("Ingrid")
        nurse.get_by_label("Efternamn").fill("Sjöberg")
        nurse.get_by_role("button", name="Intyga och fortsätt").click()
        # Without the statement nothing is shown; the error summary takes focus.
        nurse.get_by_text("Intyga att du har en vårdrelation med personen").first.wait_for()
        nurse.get_by_label("Vi har fått en remiss").check()
        nurse.get_by_label("Jag intygar att jag har en vårdrelation med personen").check()
        nurse.get_by_role("button", name="Intyga och fortsätt").click()
        nurse.wait_for_url("**/ny-plan")
        assert "Patient: Ingrid Sjöberg" in nurse.locator("main").inner_text()
        nurse.get_by_label("Plan för egenvård").check()
        nurse.get_by_role("button", name="Skapa utkast").click()
        nurse.wait_for_url("**/redigera")
        nurse.get_by_label("Rubrik").fill("Egenvård vid högt blodtryck")
        nurse.get_by_role("button", name="Spara och granska inför publicering").click()
        nurse.wait_for_url("**/publicera")
        nurse.get_by_role("button", name="Publicera").click()
        nurse.locator("main").get_by_text("Version 1 är publicerad", exact=False).wait_for()
        plan_url = nurse.url.split("?")[0]
        assert problems == [], problems
    finally:
        nurse.context.close()
    deliver_all(app)

    patient = new_page(browser, PHONE)
    problems = watch(patient, base)
    try:
        sign_in_with_eid(
            patient, base, idp, "ingrid", NEW, given_name="Ingrid", family_name="Sjöberg Lind"
        )
        assert "Egenvård vid högt blodtryck" in patient.locator("main").inner_text()
        # Samplan cannot reach her yet, and says so.
        patient.get_by_role("link", name="Lägg till e-post eller mobilnummer").click()
        patient.get_by_label("E-postadress").fill(ADDRESS)
        patient.get_by_role("button", name="Skicka kod").first.click()
        patient.get_by_label(f"Koden som skickades till {ADDRESS}").wait_for()
        deliver_all(app)
        ((subject, body),) = mails_to(mail, ADDRESS)
        code = re.search(r"\b(\d{6})\b", body)
        assert code, body
        # A wrong code is refused with a Swedish message and changes nothing.
        wrong = "000000" if code.group(1) != "000000" else "111111"
        patient.get_by_label(f"Koden som skickades till {ADDRESS}").fill(wrong)
        patient.get_by_role("button", name="Bekräfta e-postadressen").click()
        patient.get_by_text("Koden stämmer inte", exact=False).first.wait_for()
        patient.get_by_label(f"Koden som skickades till {ADDRESS}").fill(code.group(1))
        patient.get_by_role("button", name="Bekräfta e-postadressen").click()
        patient.locator("main").get_by_text(f"Samplan mejlar till {ADDRESS}.").wait_for()

        patient.get_by_role("link", name="Översikt").first.click()
        patient.wait_for_url(f"{base}/")
        assert patient.locator("#reach-notice").count() == 0
        patient.get_by_role("link", name="Egenvård vid högt blodtryck", exact=True).click()
        patient.wait_for_url(f"{base}/plan/*")
        assert "Egenvård vid högt blodtryck" in patient.locator("h1").inner_text()
        # Her name is the one her e-legitimation gives.
        assert "Ingrid Sjöberg Lind" in patient.locator("header").inner_text()
        assert problems == [], problems
    finally:
        patient.context.close()

    # The nurse changes the plan; the patient is told by mail, without what changed.
    nurse = new_page(browser, DESKTOP)
    problems = watch(nurse, base)
    try:
        sign_in_as_staff(nurse, base, idp, "sara", SARA_HSA)
        nurse.goto(plan_url)
        nurse.get_by_role("link", name="Redigera planen").click()
        nurse.wait_for_url("**/redigera")
        nurse.get_by_label("Rubrik").fill("Egenvård vid högt blodtryck och yrsel")
        nurse.get_by_role("button", name="Spara och granska inför publicering").click()
        nurse.wait_for_url("**/publicera")
        nurse.get_by_role("button", name="Publicera").click()
        nurse.locator("main").get_by_text("Version 2 är publicerad", exact=False).wait_for()
        assert problems == [], problems
    finally:
        nurse.context.close()
    deliver_all(app)
    subjects = [subject for subject, _body in mails_to(mail, ADDRESS)]
    assert subjects[-1] == "Din plan i Samplan är uppdaterad", subjects
    assert all("blodtryck" not in body for _subject, body in mails_to(mail, ADDRESS))
