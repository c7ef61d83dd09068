"""A SIP meeting in Chromium, by clicking: Karin calls a meeting on Ali's SIP from its page; Ali,
in Arabic and the simple view on his phone, opens it from his start page, says he can come and
what he wants to talk about, and names his brother, who is invited; Karin reads the answer,
marks the meeting held and publishes the new version; Ali agrees to it. No page logs a console
error or a CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.agreements.models import Agreement
from app.db import session_scope
from app.notifications.models import OutboxItem
from app.plans.models import CarePlan
from app.sip.models import InviteeKind, MeetingStatus, SipMeeting
from tests.browser.conftest import DESKTOP, PHONE, new_page, serve, sign_in, watch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    with serve(tmp_path_factory.mktemp("sip")) as live:
        yield live


def _newest_meeting(app: Flask) -> SipMeeting:
    with session_scope(app) as session:
        meeting = session.scalars(select(SipMeeting).order_by(SipMeeting.id.desc())).first()
        assert meeting is not None
        session.expunge_all()
        return meeting


def test_karin_calls_ali_answers_in_arabic_and_agrees_to_the_new_version(browser, world) -> None:  # noqa: ANN001
    base, app = world
    with session_scope(app) as session:
        plan_id = session.scalar(select(CarePlan.id).where(CarePlan.title.contains("efter stroke")))

    karin = new_page(browser, DESKTOP)
    problems = watch(karin, base)
    sign_in(karin, base, "staff-karin")
    karin.goto(f"{base}/plan/{plan_id}")
    karin.get_by_role("link", name="SIP-möten").click()
    karin.wait_for_url(f"{base}/plan/{plan_id}/sip-moten")
    karin.get_by_role("link", name="Kalla till SIP-möte").click()
    karin.wait_for_url(f"{base}/plan/{plan_id}/sip-mote/ny")
    karin.locator("#day").fill((date.today() + timedelta(days=12)).isoformat())
    karin.locator("#starts").fill("10:00")
    karin.locator("#ends").fill("11:30")
    karin.get_by_label("Plats, eller telefonnummer och möteskod").fill(
        "Hälsocentralen Kvarnen, rum 12. Tolk är bokad."
    )
    karin.get_by_role("button", name="Kalla till mötet").click()
    karin.wait_for_url("**/sip-mote/*?klart=sip-kallad")
    assert "Mötet är kallat" in karin.locator("main").inner_text()
    meeting = _newest_meeting(app)
    assert meeting.client_key != "demo-sip-ali"

    ali = new_page(browser, PHONE)
    ali_problems = watch(ali, base)
    sign_in(ali, base, "patient-ali", simple=True, language="ar")
    assert ali.locator("html").get_attribute("lang") == "ar"
    ali.locator(f"main a[href='/sip-mote/{meeting.id}']").click()
    ali.wait_for_url(f"{base}/sip-mote/{meeting.id}")
    ali.locator("#answer-coming").check()
    ali.locator("#topics").fill("أريد أن أتحدث عن العودة إلى العمل.")
    ali.locator("#relatives-0-name").fill("Omar Hassan")
    ali.locator("#relatives-0-contact").fill("omar@example.org")
    ali.locator("form[action$='/svar'] button[type=submit]").click()
    ali.wait_for_url(f"{base}/sip-mote/{meeting.id}?klart=sip-svar")
    assert "Omar Hassan" in ali.locator("main").inner_text()
    with session_scope(app) as session:
        stored = session.get(SipMeeting, meeting.id)
        assert stored is not None
        brother = [i for i in stored.invitees if i.kind == InviteeKind.RELATIVE]
        assert [(i.name, i.email) for i in brother] == [("Omar Hassan", "omar@example.org")]
        guest = session.scalars(
            select(OutboxItem).where(OutboxItem.template == "sip_meeting_guest")
        ).one()
        assert guest.payload == {"invitee_id": brother[0].id}

    karin.reload()
    text = karin.locator("main").inner_text()
    assert "Kan komma" in text
    assert "Omar Hassan, närstående (inbjuden av patienten)" in text
    karin.get_by_role("button", name="Mötet är hållet").click()
    karin.wait_for_url(f"{base}/sip-mote/{meeting.id}?klart=sip-hallet")
    karin.get_by_role("link", name="Redigera planen").click()
    karin.wait_for_url("**/redigera")
    karin.get_by_label("Rubrik").fill("Samordnad individuell plan efter stroke, uppföljd")
    karin.get_by_role("button", name="Spara och granska inför publicering").click()
    karin.wait_for_url("**/publicera")
    karin.get_by_label("Vad har ändrats? Patienten läser det här i planens historik.").fill(
        "Uppföljt på SIP-möte med tolk och Omar."
    )
    karin.get_by_role("button", name="Publicera").click()
    karin.locator("main").get_by_text("är publicerad", exact=False).wait_for()
    assert problems == [], problems
    karin.context.close()

    ali.goto(f"{base}/plan/{plan_id}")
    ali.locator("button[name=answer][value=agree]").click()
    ali.wait_for_url(f"{base}/plan/{plan_id}?klart=svar*")
    with session_scope(app) as session:
        plan = session.get(CarePlan, plan_id)
        assert plan is not None
        assert session.get(SipMeeting, meeting.id).status == MeetingStatus.HELD
        agreed = session.scalars(
            select(Agreement).where(
                Agreement.plan_id == plan_id, Agreement.plan_version == plan.published_version
            )
        ).one()
        assert agreed.answer == "agree"
    assert ali_problems == [], ali_problems
    ali.context.close()
