"""Does a patient's start page cost more in a bigger region? In-process timings, interleaved.

Takes two or more databases filled by ``benchmarks/region.py`` (say, 1 000 and 200 000
patients), signs in as random region patients in each through the demo sign-in and times
``GET /`` and ``GET /plan/<id>`` with Flask's test client (server time only; and the CPU time
of the Python process, which is what limits throughput and varies less on a busy machine),
taking turns between the databases request by request, so that whatever else the shared
machine is doing falls on all of them alike::

    .venv/bin/python benchmarks/region_pages.py \\
        postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench_region1k \\
        postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench_region

Prints a Markdown table (median and p95 per database and page) and writes
benchmarks/out/region-pages.json. Only reads, apart from what signing in and the access log write.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from flask import Flask
from sqlalchemy import make_url, text
from werkzeug.test import TestResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from app.db import database
from benchmarks import common

PLAN_LINK = re.compile(r'href="/plan/(\d+)"')
PAGES = ("GET /", "GET /plan/<id>")
CPU = ("GET / (CPU)", "GET /plan/<id> (CPU)")


def app_for(url: str) -> Flask:
    if "bench" not in (make_url(url).database or ""):
        sys.exit(f"Refusing {url}: the database's name must contain 'bench'.")
    return create_app({"DEMO_MODE": True, "DATABASE_URL": url, "RATELIMIT_ENABLED": False})


def patients(app: Flask) -> int:
    with database(app).engine.connect() as conn:
        query = "SELECT count(*) FROM person WHERE demo_key LIKE 'region-patient-%'"
        return conn.scalar(text(query)) or 0


def timed(call: Callable[[], TestResponse]) -> tuple[float, float, TestResponse]:
    """Wall-clock and this process's CPU milliseconds (Python's share: not PostgreSQL's)."""
    cpu = time.process_time()
    wall, response = common.timed(call)
    return wall, (time.process_time() - cpu) * 1000, response


def visit(app: Flask, key: str, rng: random.Random) -> dict[str, float]:
    """Sign in as the patient; time their start page and one of their open plans."""
    client = app.test_client()
    common.sign_in(client, key)
    start, start_cpu, response = timed(lambda: client.get("/"))
    plans = PLAN_LINK.findall(response.get_data(as_text=True))
    if response.status_code != 200:
        sys.exit(f"GET / as {key} answered {response.status_code}")
    if not plans:  # only closed plans, in the archive without links
        return {PAGES[0]: start, CPU[0]: start_cpu}
    plan, plan_cpu, response = timed(lambda: client.get(f"/plan/{rng.choice(plans)}"))
    if response.status_code != 200:
        sys.exit(f"GET /plan as {key} answered {response.status_code}")
    return dict(zip(PAGES + CPU, (start, plan, start_cpu, plan_cpu), strict=True))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("urls", nargs="+", help="databases filled by benchmarks/region.py")
    parser.add_argument("--requests", type=int, default=300, help="timed visits per database")
    args = parser.parse_args(argv)
    apps = [app_for(url) for url in args.urls]
    sizes = [patients(app) for app in apps]
    rng = random.Random(20261202)
    timings: list[dict[str, list[float]]] = [{page: [] for page in PAGES + CPU} for _ in apps]
    for number in range(common.WARM_UP + args.requests):
        for app, size, found in zip(apps, sizes, timings, strict=True):
            measured = visit(app, f"region-patient-{rng.randint(1, size)}", rng)
            if number >= common.WARM_UP:
                for page, ms in measured.items():
                    found[page].append(ms)
    result = {
        **common.environment(database(apps[0]).engine),
        "requests": args.requests,
        "regions": [
            {"patients": size, "pages": {p: common.summarise(ms) for p, ms in found.items()}}
            for size, found in zip(sizes, timings, strict=True)
        ],
    }
    lines = ["| Patients in the region | Page | Median (ms) | p95 (ms) |", "|---:|---|---:|---:|"]
    for region in result["regions"]:
        for page, stats in region["pages"].items():
            lines.append(
                f"| {common.thousands(region['patients'])} | `{page}` "
                f"| {stats['median_ms']:.1f} | {stats['p95_ms']:.1f} |"
            )
    common.OUT.mkdir(parents=True, exist_ok=True)
    path = common.OUT / "region-pages.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("\n".join(lines))
    common.log(f"Written to {path}.")


if __name__ == "__main__":
    main()
