"""Where the app servers spend their time: py-spy's samples, summed by what was running.

``benchmarks/load.py --profile PHASE`` records the gunicorn workers with py-spy (``--gil``: only
samples holding Python's lock, so time waiting for PostgreSQL or the network is not counted) while
that phase runs, writes the raw stacks to ``benchmarks/out/profile-<label>-<phase>.txt`` and sums
them here. Each sample goes to the innermost frame that belongs to Samplan, a template or a
library; the standard library's frames count for whoever called them.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

# The first pattern found in a frame's file names its part, innermost frame first.
PARTS = (
    ("psycopg (PostgreSQL driver)", re.compile(r"(^|/)psycopg")),
    ("SQLAlchemy (SQL building, compiling, loading objects)", re.compile(r"(^|/)sqlalchemy/")),
    ("Jinja (templates)", re.compile(r"(^|/)(jinja2|markupsafe|templates)/|\.html$")),
    ("Babel (translations, dates)", re.compile(r"(^|/)(babel|flask_babel)/")),
    ("Flask extensions (WTF, Login, Limiter), itsdangerous",
     re.compile(r"(^|/)(flask_wtf|flask_login|flask_limiter|limits|itsdangerous|wtforms)/")),
    ("Werkzeug, Flask", re.compile(r"(^|/)(werkzeug|flask)/")),
    ("gunicorn", re.compile(r"(^|/)gunicorn/")),
    ("Samplan (app/)", re.compile(r"(^|/)app/")),
)  # fmt: skip
FRAME_FILE = re.compile(r"\(([^():]+)(?::\d+)?\)")


def part_of(stack: str) -> str:
    for frame in reversed(stack.split(";")):
        match = FRAME_FILE.search(frame)
        if not match:
            continue
        for name, pattern in PARTS:
            if pattern.search(match.group(1)):
                return name
    return "other (standard library, interpreter)"


def summarise(raw: Path) -> list[tuple[str, int, float]]:
    """(part, samples, share) from py-spy's raw output, largest first."""
    counts: Counter[str] = Counter()
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, number = line.rpartition(" ")
        if stack and number.isdigit():
            counts[part_of(stack)] += int(number)
    total = sum(counts.values()) or 1
    return [(name, n, n / total) for name, n in counts.most_common()]


def markdown(raw: Path) -> str:
    rows = summarise(raw)
    lines = ["| Where | Samples | Share |", "|---|---:|---:|"]
    lines += [f"| {name} | {n} | {share:.0%} |" for name, n, share in rows]
    return "\n".join(lines)
