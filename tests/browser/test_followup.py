"""Follow-up in Chromium: Per answers his plan, is offered the seven questions on his start
page, answers two of them by tapping, and is not asked again; Britt, who follows up for the
region, reads the figures on a desktop, chooses a month and downloads them as a file. No page
logs a console error or a CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import session_scope
from app.followup.models import Reply, SevenQuestions
from tests.browser.conftest import DESKTOP, PHONE, new_page, serve, sign_in, watch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    with serve(tmp_path_factory.mktemp("followup")) as live:
        yield live


def test_per_answers_his_plan_and_then_two_of_the_seven_questions(browser, world) -> None:  # noqa: ANN001
    base, app = world
    per = new_page(browser, PHONE)
    problems = watch(per, base)
    sign_in(per, base, "patient-per", simple=False)
    assert "Hur fungerar det för dig?" not in per.locator("main").inner_text()
    per.locator("main .plan-card__title a").first.click()
    per.wait_for_url(f"{base}/plan/*")
    per.get_by_role("button", name="Ja, jag håller med").click()
    per.wait_for_url(f"{base}/plan/*?klart=svar")  # the answer's page, not the one before it
    per.locator("nav.main-nav").get_by_role("link", name="Översikt").click()
    per.wait_for_url(f"{base}/")
    offer = per.locator("section", has_text="Hur fungerar det för dig?")
    offer.get_by_role("link", name="Svara på frågorna").click()
    per.wait_for_url(f"{base}/sju-fragor")
    per.locator("#next_step").get_by_label("Ja").check()
    per.locator("#easy_contact").get_by_label("Delvis").check()
    per.get_by_role("button", name="Skicka svaren").click()
    per.wait_for_url(f"{base}/sju-fragor?tack=1")
    assert "Tack för dina svar." in per.locator("main").inner_text()
    assert "Ditt vårdteam ser inte dina svar." in per.locator("main").inner_text()
    per.get_by_role("button", name="Dela de här svaren med mitt vårdteam").click()
    per.wait_for_url(f"{base}/sju-fragor")
    assert "Ditt vårdteam kan se dina svar från" in per.locator("main").inner_text()
    per.locator("nav.main-nav").get_by_role("link", name="Översikt").click()
    per.wait_for_url(f"{base}/")
    assert "Hur fungerar det för dig?" not in per.locator("main").inner_text()
    per.context.close()
    with session_scope(app) as session:
        row = session.scalars(select(SevenQuestions)).one()
        assert (row.next_step, row.easy_contact, row.agreement) == (Reply.YES, Reply.PARTLY, None)
        assert row.shared_at is not None
    assert problems == []


def test_britt_reads_the_figures_for_a_month_and_downloads_them(browser, world) -> None:  # noqa: ANN001
    base, _app = world
    britt = new_page(browser, DESKTOP)
    problems = watch(britt, base)
    sign_in(britt, base, "followup-region", simple=False)
    britt.wait_for_url(f"{base}/uppfoljning")
    assert britt.locator("h1").inner_text() == "Uppföljning"
    britt.locator("#manad").fill("2026-09")
    britt.get_by_role("button", name="Visa").click()
    britt.wait_for_url(f"{base}/uppfoljning?manad=2026-09*")
    assert "september 2026" in britt.locator("main").inner_text()
    with britt.expect_download() as download:
        britt.get_by_role("link", name="Ladda ner siffrorna (CSV)").click()
    assert download.value.suggested_filename == "samplan-uppfoljning-2026-09.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("Månad;Enhet;Mått;Patienter;Värde")
    assert britt.locator("h1").inner_text() == "Uppföljning"  # the page stays
    britt.context.close()
    assert problems == []
