"""The self-care diary in Chromium, on a phone, over three mornings (the server's clock moved
a day at a time): Maja writes in her weight, which rises more than 2 kg in three days; on the
third morning the plan's instruction appears at once; Karin, on a desktop, finds Maja on her
work list and sees to it. No page logs a console error or a CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from app.db import utcnow
from tests.browser.conftest import DESKTOP, PHONE, click_menu, new_page, serve, sign_in, watch

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
