"""The self-care diary in Chromium, on a phone, over three mornings (the server's clock moved
a day at a time): Maja writes in her weight, which rises more than 2 kg in three days; on the
third morning the plan's instruction appears at once; Karin, on a desktop, finds Maja on her
work list and sees to it. No page logs a console error or a CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.db import session_scope, utcnow
from app.diary.models import Entry
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    click_menu,
    new_page,
    serve,
    sign_in,
    watch,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    with serve(tmp_path_factory.mktemp("diary")) as live:
        yield live


def test_maja_weighs_herself_three_mornings_and_karin_sees_the_rule_met(browser, world) -> None:  # noqa: ANN001
    base, app = world
    start = utcnow()
    problems: list[str] = []
    try:
        for days, kilos in ((0, "72,0"), (1, "72,6"), (2, "73,5")):
            morning = start + timedelta(days=days)
            app.config["NOW_FUNC"] = lambda morning=morning: morning
            maja = new_page(browser, PHONE)
            problems += watch(maja, base)
            sign_in(maja, base, "patient-maja", simple=False)
            click_menu(maja, "Dagbok")
            maja.wait_for_url(f"{base}/dagbok")
            maja.get_by_role("link", name="Vikt").click()
            maja.wait_for_url(f"{base}/dagbok/*")
            maja.get_by_label("Vikt (kg)").fill(kilos)
            maja.get_by_role("button", name="Spara", exact=True).click()
            maja.wait_for_url(f"{base}/dagbok/*?sparat=*")
            main = maja.locator("main").inner_text()
            if days < 2:
                assert "Sparat. Tack!" in main
                assert "Gör så här nu" not in main
            else:
                alert = maja.get_by_role("alert")
                assert "Ta en extra tablett furosemid i dag och ring Karin" in alert.inner_text()
            assert f"{kilos} kg" in main  # in the table of values
            maja.context.close()

        karin = new_page(browser, DESKTOP)
        problems += watch(karin, base)
        sign_in(karin, base, "staff-karin", simple=False)
        click_menu(karin, "Arbetslista")
        item = karin.locator("li.card", has_text="Maja Lind: Vikt")
        assert "Ta en extra tablett furosemid" in item.inner_text()
        item.get_by_role("button", name="Jag har tagit hand om det").click()
        karin.locator("[data-confirmation]").wait_for()
        assert "Maja Lind: Vikt" not in karin.locator("main").inner_text()
        karin.context.close()
    finally:
        app.config.pop("NOW_FUNC", None)
    assert problems == []


def test_a_weight_recorded_without_a_connection_is_sent_once_when_it_returns(
    browser,
    tmp_path_factory: pytest.TempPathFactory,  # noqa: ANN001
) -> None:
    """Maja's phone loses its connection on the diary page: the value waits on the phone and the
    page says so. When the connection returns it is sent; the first answer is lost on the way
    (Samplan kept the value, the phone never heard), so the phone sends it again and Samplan keeps
    it once. The plan's instruction then appears at once (yesterday 71,3 kg; now 73,6 kg)."""
    with serve(tmp_path_factory.mktemp("waiting")) as (base, app):
        maja = new_page(browser, PHONE)
        problems = watch(maja, base)
        sign_in(maja, base, "patient-maja", simple=False)
        click_menu(maja, "Dagbok")
        maja.wait_for_url(f"{base}/dagbok")
        maja.get_by_role("link", name="Vikt").click()
        maja.wait_for_url(f"{base}/dagbok/*")
        diary_page = maja.url

        maja.context.set_offline(True)
        maja.locator("#waiting-offline").wait_for()
        maja.get_by_label("Vikt (kg)").fill("736")
        maja.get_by_role("button", name="Spara", exact=True).click()
        assert "Stämmer det?" in maja.locator("#waiting-unusual").inner_text()
        maja.get_by_label("Vikt (kg)").fill("73,6")
        maja.get_by_role("button", name="Spara", exact=True).click()
        maja.locator("#waiting-kept").wait_for()
        assert "Inte skickat än" in maja.locator("#waiting-kept").inner_text()
        assert "skickas av sig självt" in maja.locator("#waiting-status").inner_text()
        assert maja.input_value("#value") == ""
        assert kept(app, "73.60") == 0

        # Samplan keeps the first sending, but its answer never reaches the phone.
        lost: list[str] = []

        def lose_the_answer(route) -> None:  # noqa: ANN001 - a Playwright route
            if route.request.method == "POST" and not lost:
                route.fetch(max_redirects=0)

                lost.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()

        maja.route(f"{base}/dagbok/*", lose_the_answer)
        maja.context.set_offline(False)  # the phone is told: it sends what waits
        for _ in range(150):
            if lost:
                break
            maja.wait_for_timeout(100)
        assert lost
        assert kept(app, "73.60") == 1
        maja.unroute(f"{base}/dagbok/*")

        # Opened again, Samplan answers the second sending with the value it already has.
        maja.goto(f"{base}/")
        maja.wait_for_url(f"{diary_page}?sparat=*")
        alert = maja.get_by_role("alert")
        assert "Ta en extra tablett furosemid i dag och ring Karin" in alert.inner_text()
        assert "73,6 kg" in maja.locator("main").inner_text()
        assert kept(app, "73.60") == 1
        assert maja.evaluate(WAITING_COUNT) == 0
        maja.context.close()
    # Without a connection the unread-count poll and the lost answer fail, and say so; nothing else.
    cut = (
        "ERR_INTERNET_DISCONNECTED",
        "ERR_CONNECTION_RESET",
        "htmx:sendError",
        "htmx:afterRequest",
    )
    assert [problem for problem in problems if not any(word in problem for word in cut)] == []


WAITING_COUNT = """() => new Promise((resolve) => {
  const open = indexedDB.open("samplan-waiting", 1);
  open.onsuccess = () => {
    const count = open.result.transaction("values").objectStore("values").count();
    count.onsuccess = () => resolve(count.result);
  };
})"""


def kept(app: Flask, kilos: str) -> int:
    """How many of Maja's weights Samplan holds with this value."""
    with session_scope(app) as session:
        return (
            session.scalar(
                select(func.count()).select_from(Entry).where(Entry.value == Decimal(kilos))
            )
            or 0
        )
