"""The simple view as Chromium lays it out on a phone: on every page a person reaches from the
start page, all visible text in the content is at least 20 px, and everything to press (links,
buttons, fields, and boxes to tick with their label) is at least 48 px high."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import PHONE, kind_of, new_page, serve, sign_in, watch

pytestmark = pytest.mark.browser

SKIP = re.compile(r"^/(logga-ut|logga-in|demo|static/)|\.(ics|pdf)$")

TOO_SMALL = """() => {
  const found = [];
  const main = document.getElementById('main');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.checkVisibility()) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (size < 19.5) found.push(`text ${size}px: ${node.textContent.trim().slice(0, 50)}`);
  }
  for (const element of main.querySelectorAll('a, button, input, select, textarea, summary')) {
    if (element.type === 'hidden' || !element.checkVisibility()) continue;
    const label = element.closest('label')
      || (element.id && document.querySelector(`label[for="${element.id}"]`));
    const height = Math.max(element.getBoundingClientRect().height,
                            label ? label.getBoundingClientRect().height : 0);
    if (height < 47.5) {
      const name = (element.textContent || element.name || '').trim().slice(0, 50);
      found.push(`target ${Math.round(height)}px: ${element.tagName} ${name}`);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("simple")) as (address, _app):
        yield address


@pytest.mark.parametrize(
    ("persona", "language"),
    [
        ("patient-maja", "sv"),
        ("patient-ali", "ar"),
        ("patient-greta", "sv"),
        ("proxy-anna", "sv"),
        ("guardian-sara", "sv"),
    ],
)
def test_simple_view_text_is_20_px_and_targets_48_px(browser, base, persona, language) -> None:  # noqa: ANN001
    page = new_page(browser, PHONE)
    problems = watch(page, base)
    try:
        sign_in(page, base, persona, simple=True, language=language)
        waiting, seen, kinds = ["/"], set(), {}
        found: list[str] = []
        while waiting:
            path = waiting.pop(0)
            if path in seen or SKIP.search(path) or kinds.get(kind_of(path), 0) >= 2:
                continue
            seen.add(path)
            kinds[kind_of(path)] = kinds.get(kind_of(path), 0) + 1
            response = page.goto(base + path)
            if response is None or response.status != 200:
                continue
            assert page.locator("#app.simple").count() == 1, path
            found += [f"{path}: {problem}" for problem in page.evaluate(TOO_SMALL)]
            waiting += [
                href.split("?")[0].split("#")[0]
                for href in page.eval_on_selector_all(
                    "main a[href^='/'], nav.main-nav a[href^='/']",
                    "links => links.map((a) => a.getAttribute('href'))",
                )
            ]
        assert len(seen) >= 8, sorted(seen)
        assert found == [], "\n".join(found)
        assert problems == [], problems
    finally:
        page.context.close()
