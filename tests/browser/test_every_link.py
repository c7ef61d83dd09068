"""Every link a person meets, clicked, on a phone (for staff on a desktop): from the start
page, each link in the menu and the page is pressed as a person would (inside "Mer" and folded
sections too), and each page it leads to is followed in turn. Every click must land on a page
of Samplan with its heading, through htmx's in-app navigation, without a console error or a CSP
violation. Downloads are clicked in test_phone.py; forms are sent in the tests of each task."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    kind_of,
    new_page,
    serve,
    sign_in,
    wait_until,
    watch,
)

pytestmark = pytest.mark.browser

# Not pages to walk: signing out or in, the demo's own page, files to download.
SKIP = re.compile(r"^/(logga-ut|logga-in|demo)|\.(ics|pdf)$|^/static/")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo world of its own: opening messages marks them read."""
    with serve(tmp_path_factory.mktemp("links")) as (address, _app):
        yield address


def links_on(page) -> list[str]:  # noqa: ANN001 - a Playwright page
    """The in-app links of the menu and the page's content that a person can see or unfold,
    in the order they stand (a layout for another screen size hides the rest)."""
    hrefs = page.eval_on_selector_all(
        "nav.main-nav a[href^='/'], main a[href^='/']",
        """links => links
             .filter((a) => a.checkVisibility() || (a.closest('details:not([open])')
                                                    && !a.closest('[hidden]')))
             .map((a) => a.getAttribute('href'))""",
    )
    return [href.split("#")[0] for href in hrefs if href and not SKIP.search(href.split("#")[0])]


def press(page, href: str) -> None:  # noqa: ANN001
    """Press a visible link to `href`, first opening what it is folded into (the menu's "Mer",
    or a folded section of the page) as a person would."""
    link = page.locator(f"main a[href='{href}'], nav.main-nav a[href='{href}']")
    visible = link.locator("visible=true")
    folded = link.locator("xpath=ancestor::details[not(@open)]/summary")
    # the link, or what it is folded into; some parts of a page arrive by htmx after it loads
    visible.or_(folded).first.wait_for()
    if visible.count() == 0:
        folded.first.click()
    # htmx swaps the page in place: wait until this page's <main> has been replaced
    page.evaluate("document.getElementById('main').dataset.walked = 'yes'")
    visible.first.click()
    wait_until(page, "!document.querySelector('#main[data-walked]')")


@pytest.mark.parametrize(
    ("persona", "viewport"),
    [
        ("patient-maja", PHONE),
        ("patient-ali", PHONE),
        ("patient-greta", PHONE),
        ("proxy-anna", PHONE),
        ("guardian-sara", PHONE),
        ("staff-karin", DESKTOP),
        ("admin-region", DESKTOP),
    ],
)
def test_every_link_a_person_meets_leads_to_a_page(browser, base, persona, viewport) -> None:  # noqa: ANN001
    """Each kind of link (two of each, for links that differ only by an id) is pressed where the
    person met it. A page may change once seen (what is new since the last visit, an unread
    count): a link gone from where it was met is pressed from another page that has it, and in
    the end every kind of link met has been pressed."""
    page = new_page(browser, viewport)
    problems = watch(page, base)
    try:
        sign_in(page, base, persona, simple=None)
        start = page.url.removeprefix(base)
        waiting = [(start, href) for href in links_on(page)]
        met = {kind_of(href) for _source, href in waiting}
        pressed: dict[str, int] = {}
        opened: set[str] = set()
        while waiting:
            source, href = waiting.pop(0)
            if href in opened or pressed.get(kind_of(href), 0) >= 2:
                continue
            page.goto(base + source)
            link = page.locator(f"main a[href='{href}'], nav.main-nav a[href='{href}']")
            try:
                link.first.wait_for(state="attached", timeout=2_000)
            except PlaywrightTimeout:
                continue  # gone since it was met here; pressed from another page that has it
            press(page, href)
            opened.add(href)
            pressed[kind_of(href)] = pressed.get(kind_of(href), 0) + 1
            landed = page.url.removeprefix(base).split("#")[0]
            assert page.locator("main h1").count() == 1, f"{source} → {href}: {landed}"
            assert not page.title().startswith("Något gick fel"), f"{source} → {href}"
            found = links_on(page)
            met |= {kind_of(each) for each in found}
            waiting += [(landed, each) for each in found if each not in opened]
        assert met - set(pressed) == set(), sorted(met - set(pressed))
        assert len(pressed) >= 8, sorted(pressed)
        assert problems == [], problems
    finally:
        page.context.close()
