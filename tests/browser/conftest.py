"""A live Samplan on its own SQLite file, and real headless Chromium (Debian's) to drive it."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app, migrations
from app.db import database, session_scope
from app.demo.seed import seed_demo

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serve(folder: Path, **config: object) -> Iterator[tuple[str, Flask]]:
    """A live Samplan on its own SQLite file in `folder`, with the demo world, in a thread:
    (its address, the app). `config` adds to or overrides the test settings."""
    url = f"sqlite:///{folder / 'samplan-live.db'}"
    unlimited = "100000 per minute"
    app = create_app(
        {
            "TESTING": True,
            "DEMO_MODE": True,
            "DATABASE_URL": url,
            "RATELIMIT_WRITE": unlimited,
            "RATELIMIT_SIGN_IN": unlimited,
            "RATELIMIT_REFUSALS": unlimited,
            **config,
        }
    )
    migrations.upgrade(url)
    with session_scope(app) as session:
        seed_demo(session)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    try:
        yield base, app
    finally:
        server.shutdown()
        database(app).engine.dispose()


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo world that most browser tests share (tests that change it start their own)."""
    with serve(tmp_path_factory.mktemp("live")) as (base, _app):
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: apt-get install chromium")
        pytest.skip("Chromium is not installed (/usr/bin/chromium); browser tests skipped.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def new_page(browser, viewport: dict[str, int] = PHONE, **options):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport=viewport, **{"locale": "sv-SE", **options})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def phone(browser, live_url: str) -> Iterator[object]:  # noqa: ANN001 - a Playwright browser
    page = new_page(browser)
    yield page
    page.context.close()


def watch(page, base: str) -> list[str]:  # noqa: ANN001 - a Playwright page
    """Every console error, page error and CSP violation on Samplan's pages from now on (the
    identity provider's own pages are not Samplan's). A form sent back with a Swedish message
    answers 400 by design, which Chromium also reports: not counted."""
    problems: list[str] = []
    expected = "the server responded with a status of 400"

    def console(message) -> None:  # noqa: ANN001 - a Playwright console message
        where = (message.location or {}).get("url", "")
        if message.type == "error" and where.startswith(base) and expected not in message.text:
            problems.append(f"{message.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (e) =>
             console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));"""
    )
    return problems


def sign_in(  # noqa: ANN001 - a Playwright page
    page, live_url: str, persona: str, simple: bool | None = False, language: str = "sv"
) -> None:
    """Sign in through the demo page by pressing the persona's button, as a person would; then
    (unless simple is None) choose the view and language, since the choice is remembered."""
    page.goto(f"{live_url}/demo")
    worker_in_control(page)
    heard: list[str] = []

    def note(response) -> None:  # noqa: ANN001 - a Playwright response
        cookie = "set-cookie" in response.headers
        through = "service worker" if response.from_service_worker else "network"
        heard.append(f"{response.request.method} {response.url} {response.status} ({through})")
        if cookie:
            heard.append("  sets the session cookie")

    page.on("response", note)
    page.locator(f"form:has(input[value='{persona}']) button").click()
    # everyone lands on the start page; an administrator on the directory, and whoever
    # follows up on the figures
    landing = f"{live_url}/"
    if persona.startswith("admin-"):
        landing = f"{live_url}/katalog"
    elif persona.startswith("followup-"):
        landing = f"{live_url}/uppfoljning"
    try:
        page.wait_for_url(landing)
    except Exception as error:  # noqa: BLE001 - said again with what the browser heard
        raise AssertionError(f"{persona} did not reach {landing}:\n" + "\n".join(heard)) from error
    finally:
        page.remove_listener("response", note)
    if simple is not None:
        choose_view(page, live_url, simple, language)
        page.goto(f"{live_url}/")


def worker_in_control(page, seconds: float = 30) -> None:  # noqa: ANN001
    """Wait, on a page that registers Samplan's service worker, until the worker is active and
    controls the page: as when a person reads the page before pressing anything. Pressing during
    the worker's very first start races its claim of the page with the navigation."""
    registers = (
        "'serviceWorker' in navigator && !!document.getElementById('app')?.dataset.serviceWorker"
    )
    if not page.evaluate(registers):
        return
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(page, "navigator.serviceWorker.controller !== null", seconds=seconds)


def choose_view(page, live_url: str, simple: bool, language: str = "sv") -> None:  # noqa: ANN001
    """Set the view and language through the page's own controls, as a person would."""
    pressed = page.locator("form[action='/enkel-vy'] button").get_attribute("aria-pressed")
    if (pressed == "true") != simple:
        with page.expect_navigation():
            page.locator("form[action='/enkel-vy'] button").click()
    if page.locator("html").get_attribute("lang") != language:
        page.select_option("#lang", language)
        with page.expect_navigation():
            page.locator("form.language button").click()


def wait_until(page, script: str, arg: object = None, seconds: float = 15) -> None:  # noqa: ANN001
    """Poll an (async) script until it answers true. Not page.wait_for_function: it would take a
    promise itself for a true answer, and its polling runs the script through eval(), which
    Samplan's Content Security Policy refuses."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def click_menu(page, name: str) -> None:  # noqa: ANN001 - a Playwright page
    """Follow a link in the main menu as a person would: the less used ones are under "Mer"."""
    link = page.locator("nav.main-nav").get_by_role("link", name=name)
    if not link.is_visible():
        page.locator("nav.main-nav summary").click()
    link.click()


def told(page) -> str:  # noqa: ANN001 - a Playwright page
    """The confirmation a page announces after an action, once it has focus (static/js/page.js)."""
    page.locator("[data-confirmation]").wait_for()
    wait_until(page, "document.activeElement?.hasAttribute('data-confirmation')")
    return page.locator("[data-confirmation]").inner_text()


def kind_of(path: str) -> str:
    """Addresses that differ only by an id lead to the same kind of page."""
    return re.sub(r"\d+", "N", path)
