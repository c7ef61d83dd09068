"""Every user-facing string goes through Babel, and every shipped catalogue is complete."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ROOT

LANGUAGES = ["en", "ar", "fi", "so"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# Words that are names, not language: they read the same in every language.
ALLOWED_TEXT = {"Samplan", "·", "–", "(", ")", ":", ",", ".", "*", "—", "|"}


def catalogue(lang: str):  # noqa: ANN201
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_the_source_catalogue_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(  # noqa: S603 - our own venv's pybabel on our own files
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--ignore-dirs",
            ".* node_modules",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        shipped = {m.id for m in read_po(handle) if m.id}
    assert extracted - shipped == set(), "run the catalogue update (see README)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete_without_fuzzy_entries(lang: str) -> None:
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    cat = catalogue(lang)
    problems = []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(("untranslated or fuzzy", message.id))
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            if not found <= expected or expected - found - {"%(num)d"}:
                problems.append(("placeholders", message.id))
    missing = wanted - {m.id for m in cat if m.id}
    assert not missing, f"{lang}: not in the catalogue: {sorted(map(str, missing))[:5]}"
    assert not problems, f"{lang}: {problems[:5]}"


JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
TEXT_ATTRIBUTE = re.compile(r'\s(?:alt|title|aria-label|placeholder)="([^"{]*[A-Za-zÅÄÖåäö][^"]*)"')


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html"))
)
def test_no_template_text_outside_babel(template: Path) -> None:
    source = (ROOT / template).read_text()
    for match in TEXT_ATTRIBUTE.finditer(JINJA.sub("", source)):
        pytest.fail(f"{template}: untranslated attribute text {match.group(1)!r}")
    text = TAG.sub(" ", JINJA.sub(" ", source))
    leftovers = [
        word
        for word in text.split()
        if word not in ALLOWED_TEXT and re.search(r"[A-Za-zÅÄÖåäö]", word)
    ]
    assert not leftovers, f"{template}: text outside Babel: {leftovers[:8]}"
