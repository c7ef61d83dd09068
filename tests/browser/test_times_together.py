"""A time agreed together, clicked through in Chromium: Karin offers Maja three times from the
SIP's page; Maja, on her phone, asks for another time; Karin finds the answer on her work list
and offers a new time; Maja accepts; the reminder reaches Maja's inbox (a real SMTP server)
when its day comes; and the calendar file downloads with the new time. No page logs a console
error or a CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from app.db import session_scope
from app.notifications.models import OutboxItem
from app.notifications.worker import channel_for, deliver_one
from tests.browser.conftest import DESKTOP, PHONE, click_menu, new_page, serve, sign_in, told, watch
from tests.web.test_outbox import Inbox, free_port

pytestmark = pytest.mark.browser
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def world(smtp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:  # noqa: ANN001
    """A demo world of its own that sends its mail to the SMTP server above."""
    _inbox, port = smtp
    with serve(tmp_path_factory.mktemp("times"), SMTP_HOST="127.0.0.1", SMTP_PORT=port) as live:
        yield live


def weekday_ahead(days: int) -> date:
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_a_time_agreed_together(browser, world, smtp) -> None:  # noqa: ANN001
    base, app = world
    inbox, _port = smtp
    karin = new_page(browser, DESKTOP)
    maja = new_page(browser, PHONE, accept_downloads=True)
    problems = watch(karin, base) + []
    maja_problems = watch(maja, base)
    first = weekday_ahead(10)
    try:
        sign_in(karin, base, "staff-karin", simple=False)
        click_menu(karin, "Mina patienter")
        karin.get_by_role("link", name="trygg hemma", exact=False).first.click()
        karin.get_by_role("link", name="Erbjud en tid").click()
        karin.get_by_label("Besök på mottagningen").check()
        karin.get_by_label("Vad gäller tiden?").fill("Genomgång av vikten")
        karin.get_by_label("Hur förbereder sig patienten? (valfritt)").fill("Ta med viktdagboken.")
        for index, (day, clock) in enumerate(
            [(first, "09:00"), (first, "13:30"), (first + timedelta(days=1), "10:00")]
        ):
            karin.locator(f"#slots-{index}-day").fill(day.isoformat())
            karin.locator(f"#slots-{index}-clock").fill(clock)
        karin.get_by_role("button", name="Erbjud tiden").click()
        assert "Tiden är erbjuden" in told(karin)

        sign_in(maja, base, "patient-maja", simple=False)
        maja.locator("nav.main-nav").get_by_role("link", name="Tider").click()
        maja.wait_for_url(f"{base}/tider")
        maja.locator("li.card", has_text="Genomgång av vikten").get_by_role("link").first.click()
        maja.wait_for_url(f"{base}/tider/*")
        assert "Vården föreslår 3 tider" in maja.locator("main").inner_text()
        maja.get_by_label("Vilka dagar och tider passar dig bättre?").fill(
            "Tisdagar efter lunch passar bäst."
        )
        maja.get_by_role("button", name="Be om en annan tid").click()
        assert "Din önskan om en annan tid är skickad" in told(maja)

        click_menu(karin, "Arbetslista")
        karin.get_by_role("link", name="Maja Lind: Patienten vill ha en annan tid").click()
        karin.wait_for_url(f"{base}/tider/*")
        assert "Tisdagar efter lunch passar bäst." in karin.locator("main").inner_text()
        karin.get_by_role("link", name="Erbjud nya tider").click()
        tuesday = weekday_ahead(14)
        while tuesday.weekday() != 1:
            tuesday += timedelta(days=1)
        karin.locator("#slots-0-day").fill(tuesday.isoformat())
        karin.locator("#slots-0-clock").fill("13:15")
        karin.get_by_role("button", name="Erbjud tiden").click()
        assert "Tiden är erbjuden" in told(karin)

        maja.locator("nav.main-nav").get_by_role("link", name="Tider").click()
        maja.wait_for_url(f"{base}/tider")
        maja.locator("li.card", has_text="Genomgång av vikten").get_by_role("link").first.click()
        maja.wait_for_url(f"{base}/tider/*")
        maja.get_by_role("button", name="Ja, tiden passar").click()
        assert "Du har tackat ja till tiden" in told(maja)

        # The reminder goes out on its day (the worker's clock moved there), to Maja's inbox.
        with session_scope(app) as session:
            reminder = session.scalars(
                select(OutboxItem).where(
                    OutboxItem.template == "appointment_reminder", OutboxItem.channel == "email"
                )
            ).one()
            due = reminder.next_attempt_at
        channel = channel_for(app)
        while deliver_one(app, channel, lambda: due - timedelta(minutes=5)):
            pass
        subjects = [message_from_bytes(m, policy=policy.default)["Subject"] for m in inbox.mails]
        assert "Påminnelse om en tid i Samplan" not in subjects
        while deliver_one(app, channel, lambda: due):
            pass
        mails = [message_from_bytes(m, policy=policy.default) for m in inbox.mails]
        reminders = [m for m in mails if m["Subject"] == "Påminnelse om en tid i Samplan"]
        assert len(reminders) == 1
        assert reminders[0]["To"] == "maja.lind@example.org"
        assert "vikten" not in reminders[0].get_content()

        with maja.expect_download() as download:
            maja.get_by_role("link", name="Lägg in i min kalender (.ics)").click()
        event = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")[0]
        agreed = datetime.combine(tuesday, time(13, 15), STOCKHOLM)
        assert event.decoded("dtstart") == agreed.astimezone(UTC)
        assert event.decoded("dtstart").astimezone(STOCKHOLM).hour == 13
        assert "BEGIN:VCALENDAR" not in maja.locator("body").inner_text()
    finally:
        karin.context.close()
        maja.context.close()
    assert problems == []
    assert maja_problems == []
