"""What does a page cost Samplan's Python, against Flask itself? In-process CPU per request.

In one process, request by request in turn, it times with Flask's test client:

* a bare Flask route (a separate, empty Flask app answering "Hej": the ceiling);
* a trivial Jinja page of about 3 KB (the same bare app rendering a template with a loop);
* Samplan's patient start page, plan page and message thread, and the staff inbox.

CPU time of this process (``time.process_time``) is what limits a gunicorn worker's throughput
and varies far less than wall time on a shared machine; the ratios to the bare route, measured in
the same run and interleaved, carry the comparison. The database server's own CPU is not in it.

On the demo world (a fresh SQLite database seeded like the demo, in a temporary folder)::

    .venv/bin/python benchmarks/cpu_ratio.py

On the 200 000-patient region made by ``benchmarks/region.py`` (random region patients; staff
``staff-region-1``)::

    .venv/bin/python benchmarks/cpu_ratio.py --region \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench_region

Prints a Markdown table and writes benchmarks/out/cpu-ratio-<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from flask import Flask, render_template
from flask.testing import FlaskClient
from jinja2 import DictLoader
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app, migrations
from app.db import database, make_engine
from benchmarks import common

PLAN_LINK = re.compile(r'href="/plan/(\d+)"')
THREAD_LINK = re.compile(r'href="/meddelanden/(\d+)"')
PAGES = ("bare route", "trivial Jinja page", "start page", "plan page", "thread", "staff inbox")

TRIVIAL = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
{% for n in items %}<section class="card"><h2>Rubrik {{ n }}</h2>
<p>Det här är en enkel sida med lite text som ska likna en vanlig sida i storlek, med ett
stycke per kort och en länk <a href="/plats/{{ n }}">till plats {{ n }}</a>.</p></section>
{% endfor %}</main></body></html>"""


def bare_app() -> Flask:
    bare = Flask("bare")
    bare.jinja_loader = DictLoader({"sida.html": TRIVIAL})  # compiled once, cached like any

    @bare.get("/")
    def hello() -> str:
        return "Hej"

    @bare.get("/sida")
    def page() -> str:
        return render_template("sida.html", title="En enkel sida", items=range(12))

    return bare


def demo_database(folder: Path) -> str:
    """A fresh SQLite database with the demo world, as `samplan demo` makes it."""
    from app.demo.seed import seed_demo

    url = f"sqlite:///{folder / 'samplan.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        migrations.upgrade(url, connection)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    engine.dispose()
    return url


def cpu_ms(call: Callable[[], object]) -> float:
    started = time.process_time()
    call()
    return (time.process_time() - started) * 1000


def signed_in(app: Flask, key: str) -> FlaskClient:
    client = app.test_client()
    common.sign_in(client, key)
    return client


def first(pattern: re.Pattern[str], client: FlaskClient, path: str) -> str | None:
    response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"GET {path} answered {response.status_code}")
    found = pattern.findall(response.get_data(as_text=True))
    return found[0] if found else None


def patient_pages(app: Flask, key: str) -> dict[str, tuple[FlaskClient, str]] | None:
    """The patient's start page, an open plan and a thread, or None if they lack one."""
    client = signed_in(app, key)
    plan = first(PLAN_LINK, client, "/")
    thread = first(THREAD_LINK, client, "/meddelanden")
    if plan is None or thread is None:
        return None
    return {
        "start page": (client, "/"),
        "plan page": (client, f"/plan/{plan}"),
        "thread": (client, f"/meddelanden/{thread}"),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--database-url", help="default: a fresh demo database (SQLite)")
    parser.add_argument("--region", action="store_true", help="region patients and staff")
    parser.add_argument("--requests", type=int, default=400, help="timed rounds")
    parser.add_argument("--patients", type=int, default=20, help="region patients to rotate")
    args = parser.parse_args(argv)
    folder = tempfile.TemporaryDirectory()
    url = args.database_url or demo_database(Path(folder.name))
    if args.database_url and "bench" not in (make_url(url).database or ""):
        sys.exit(f"Refusing {url}: the database's name must contain 'bench'.")
    os.environ.setdefault("SAMPLAN_DEMO", "1")
    app = create_app({"DEMO_MODE": True, "DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    bare = bare_app().test_client()
    rng = random.Random(20261202)
    sets: list[dict[str, tuple[FlaskClient, str]]] = []
    if args.region:
        with database(app).engine.connect() as conn:
            size = conn.scalar(
                text("SELECT count(*) FROM person WHERE demo_key LIKE 'region-patient-%'")
            )
        while len(sets) < args.patients:
            found = patient_pages(app, f"region-patient-{rng.randint(1, size or 1)}")
            if found:
                sets.append(found)
        staff = signed_in(app, "staff-region-1")
    else:
        found = patient_pages(app, "patient-maja")
        assert found is not None  # noqa: S101 - Maja has plans and threads in the demo
        sets.append(found)
        staff = signed_in(app, "staff-karin")
    timings: dict[str, list[float]] = {page: [] for page in PAGES}
    load_before = os.getloadavg()
    for number in range(common.WARM_UP + args.requests):
        pages = rng.choice(sets)
        calls: dict[str, Callable[[], object]] = {
            "bare route": lambda: bare.get("/"),
            "trivial Jinja page": lambda: bare.get("/sida"),
            "staff inbox": lambda: staff.get("/inkorg"),
        }
        for page, (client, path) in pages.items():
            calls[page] = lambda client=client, path=path: client.get(path)
        for page in PAGES:
            spent = cpu_ms(calls[page])
            if number >= common.WARM_UP:
                timings[page].append(spent)
    load_after = os.getloadavg()
    bare_median = statistics.median(timings["bare route"])
    result = {
        **common.environment(database(app).engine),
        "requests": args.requests,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "pages": {
            page: {
                "cpu_median_ms": statistics.median(ms),
                "cpu_p95_ms": sorted(ms)[int(len(ms) * 0.95) - 1],
                "ratio_to_bare": statistics.median(ms) / bare_median,
            }
            for page, ms in timings.items()
        },
    }
    lines = [
        f"{common.backend_label(database(app).engine)}, {args.requests} rounds, load average "
        f"{load_before[0]:.2f} → {load_after[0]:.2f}",
        "",
        "| Page | CPU median (ms) | CPU p95 (ms) | × bare route |",
        "|---|---:|---:|---:|",
    ]
    for page, stats in result["pages"].items():
        lines.append(
            f"| {page} | {stats['cpu_median_ms']:.2f} | {stats['cpu_p95_ms']:.2f} "
            f"| {stats['ratio_to_bare']:.1f} |"
        )
    common.OUT.mkdir(parents=True, exist_ok=True)
    backend = database(app).engine.dialect.name
    path = common.OUT / f"cpu-ratio-{backend}{'-region' if args.region else ''}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("\n".join(lines))
    common.log(f"Written to {path}.")
    folder.cleanup()


if __name__ == "__main__":
    main()
