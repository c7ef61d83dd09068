"""The shape that keeps Samplan safe, checked on the source: one place commits a web request's
transaction, and no view reads a form field by hand (every form is a class)."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# Outside a web request a transaction has its own owner: the CLI's session scope and the outbox
# worker, which commits each delivery as it goes.
COMMITTERS = {"web/transaction.py", "db.py", "notifications/worker.py"}


def _lines(pattern: str) -> list[str]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        name = path.relative_to(APP).as_posix()
        if name.startswith("migrations/"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{name}:{number}")
    return found


def test_only_the_transaction_boundary_commits_a_request() -> None:
    places = _lines(r"\.(commit|rollback)\(\)")
    assert [place for place in places if place.split(":")[0] not in COMMITTERS] == []
    # and the boundary is where it says it is
    assert any(place.startswith("web/transaction.py") for place in places)


def test_views_read_no_form_field_by_hand() -> None:
    """Views and services get their input from form classes (the security headers' check of
    every field for NUL characters is the one reader of the raw form)."""
    readers = _lines(r"request\.form\b")
    assert [place for place in readers if not place.startswith("web/security.py")] == []
