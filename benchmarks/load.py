"""Load test: Samplan under gunicorn with the production configuration, on a generated region.

Fill a database named for benchmarks with a region first (``benchmarks/region.py``; see
benchmarks/RESULTS.md), then::

    .venv/bin/python benchmarks/load.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench_region

It starts gunicorn on 127.0.0.1 (``benchmarks/load/server.py``: the production app with the demo
sign-in, and a bare Flask route beside it), waits for ``/healthz``, and runs locust headless
(``benchmarks/load/locustfile.py``) in phases against the same server, one after the other:

1. ``warm-up``: the mixed workload, not reported;
2. ``bare``: the bare Flask route, no think time: the ceiling, in requests per second;
3. ``start``: patients opening only their start page, no think time: its throughput;
4. ``mixed``: patients (start page, a plan, their messages and a thread, writing) and staff
   (inbox, a thread, replying), four patients to one member of staff, each waiting
   ``--think`` seconds between requests: the latency of each page under a realistic load;
5. ``saturated``: the same mix with no think time: where latency goes when the server is full.

Each phase has ``--users`` concurrent users (32 by default). The report gives requests per second
and p50/p95/p99 per page for each phase, the load average before and after each (the machine is
shared), and the server's settings; it is printed as Markdown and written as JSON to
``benchmarks/out/load-<label>.json``. Every request has a bounded time and the whole run stops by
itself; only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load import profile

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
UNLIMITED = "1000000 per minute"  # every virtual user comes from 127.0.0.1

PHASES = {
    # name: (user classes, think seconds or None for --think, seconds or None for --duration)
    "warm-up": (("Patient", "Staff"), None, 15),
    "bare": (("Bare",), "0 0", None),
    "start": (("StartPage",), "0 0", None),
    "mixed": (("Patient", "Staff"), None, None),
    "saturated": (("Patient", "Staff"), "0 0", None),
}
REPORTED = ("bare", "start", "mixed", "saturated")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    parser.add_argument("--label", default="", help="names the report (default: the database)")
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--duration", type=int, default=60, help="seconds per reported phase")
    parser.add_argument("--think", default="1 3", help="min and max seconds between requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=5201)
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated")
    parser.add_argument("--profile", default="", help="record the workers with py-spy in PHASE")
    args = parser.parse_args(argv)
    if not args.database_url or "bench" not in (make_url(args.database_url).database or ""):
        parser.error("--database-url must name a PostgreSQL database whose name contains 'bench'")
    return args


def region(url: str) -> dict[str, int]:
    """How many of the region's patients and staff there are to sign in as, and the totals."""
    engine = create_engine(url)
    queries = {
        "patients": "SELECT count(*) FROM person WHERE demo_key LIKE 'region-patient-%'",
        "staff": "SELECT count(*) FROM practitioner WHERE demo_key LIKE 'staff-region-%'",
        "plans": "SELECT count(*) FROM care_plan",
        "activities": "SELECT count(*) FROM activity",
        "threads": "SELECT count(*) FROM thread",
        "messages": "SELECT count(*) FROM message",
    }
    with engine.connect() as conn:
        found = {name: conn.scalar(text(sql)) or 0 for name, sql in queries.items()}
    engine.dispose()
    if not found["patients"]:
        sys.exit("No region in that database: run benchmarks/region.py first.")
    return found


def server_environment(url: str) -> dict[str, str]:
    """The production configuration: no demo mode, a fresh SECRET_KEY, PostgreSQL; the OIDC
    settings production requires (never contacted here); rate limits lifted, since every virtual
    user comes from one address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPLAN_")}
    env |= {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        # production keeps rate limits in Redis (shared by every host); a database of its own
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "SAMPLAN_RATELIMIT_SIGN_IN": UNLIMITED,
        "SAMPLAN_RATELIMIT_WRITE": UNLIMITED,
        "PYTHONPATH": str(ROOT),
    }
    for provider in ("EID", "STAFF"):
        env[f"SAMPLAN_OIDC_{provider}_ISSUER"] = "https://idp.samplan.invalid"
        env[f"SAMPLAN_OIDC_{provider}_CLIENT_ID"] = "samplan"
        env[f"SAMPLAN_OIDC_{provider}_CLIENT_SECRET"] = secrets.token_hex(16)
    return env


def start_server(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        "--workers", str(args.workers),
        "--worker-class", "gthread",
        "--threads", str(args.threads),
        "--bind", f"127.0.0.1:{args.port}",
        "--timeout", "30",
        "--keep-alive", "5",
        "benchmarks.load.server:create_benchmark_app()",
    ]  # fmt: skip
    log = (OUT / f"gunicorn-{args.label}.log").open("wb")
    server = subprocess.Popen(command, cwd=ROOT, env=server_environment(args.database_url),
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as r:  # noqa: S310 - our own server on the loopback
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit(f"gunicorn did not answer /healthz in 30 s; see {log.name}")


def run_phase(args: argparse.Namespace, name: str, counts: dict[str, int]) -> dict[str, Any] | None:
    classes, think, seconds = PHASES[name]
    prefix = OUT / f"load-{args.label}-{name}"
    env = os.environ | {
        "REGION_PATIENTS": str(counts["patients"]),
        "REGION_STAFF": str(counts["staff"]),
        "THINK_SECONDS": think or args.think,
    }
    command = [
        str(BIN / "locust"),
        "-f", str(ROOT / "benchmarks" / "load" / "locustfile.py"),
        "--headless", "--only-summary", "--reset-stats",
        "--users", str(args.users), "--spawn-rate", str(args.users),
        "--run-time", f"{seconds or args.duration}s", "--stop-timeout", "10",
        "--host", f"http://127.0.0.1:{args.port}",
        "--csv", str(prefix), "--loglevel", "WARNING",
        *classes,
    ]  # fmt: skip
    before = os.getloadavg()
    log(f"phase {name}: {' '.join(classes)}, {args.users} users, think {think or args.think} s")
    spy = start_profile(args, name, seconds or args.duration) if args.profile == name else None
    subprocess.run(command, cwd=ROOT, env=env, check=False, timeout=(seconds or args.duration) + 60)
    after = os.getloadavg()
    if spy is not None:
        spy.wait(timeout=60)
        log(profile.markdown(profile_path(args, name)))
    if name not in REPORTED:
        return None
    return {
        "users": classes,
        "think_seconds": think or args.think,
        "load_before": [round(x, 2) for x in before],
        "load_after": [round(x, 2) for x in after],
        "pages": read_stats(Path(f"{prefix}_stats.csv")),
        "failures": read_failures(Path(f"{prefix}_failures.csv")),
    }


def profile_path(args: argparse.Namespace, phase: str) -> Path:
    return OUT / f"profile-{args.label}-{phase}.txt"


def start_profile(args: argparse.Namespace, phase: str, seconds: int) -> subprocess.Popen[bytes]:
    """py-spy on the gunicorn workers for the phase's steady part (after 5 s of spawning)."""
    command = [
        str(BIN / "py-spy"), "record", "--pid", str(args.server_pid), "--subprocesses", "--gil",
        "--format", "raw", "--duration", str(max(seconds - 10, 5)), "--rate", "200",
        "--output", str(profile_path(args, phase)),
    ]  # fmt: skip
    time.sleep(5)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_stats(path: Path) -> dict[str, dict[str, float]]:
    pages = {}
    with path.open(encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            pages[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
            }
    return pages


def read_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as failures:
        return [f"{r['Occurrences']}× {r['Name']}: {r['Error']}" for r in csv.DictReader(failures)]


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"Region: {result['region']['patients']:,} patients, {result['region']['plans']:,} plans, "
        f"{result['region']['messages']:,} messages; gunicorn {result['server']}; "
        f"{result['users']} users; {result['date']}.".replace(",", " "),
        "",
        "| Phase | Page | Requests | Failures | req/s | p50 (ms) | p95 (ms) | p99 (ms) | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, phase in result["phases"].items():
        load = f"{phase['load_before'][0]:.1f} → {phase['load_after'][0]:.1f}"
        for page, s in phase["pages"].items():
            if "sign-in" in page:
                continue
            lines.append(
                f"| {name} | `{page}` | {s['requests']} | {s['failures']} | {s['rps']:.1f} "
                f"| {s['p50_ms']:.0f} | {s['p95_ms']:.0f} | {s['p99_ms']:.0f} | {load} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    args.label = args.label or (make_url(args.database_url).database or "bench")
    OUT.mkdir(parents=True, exist_ok=True)
    counts = region(args.database_url)
    server = start_server(args)
    args.server_pid = server.pid
    phases: dict[str, Any] = {}
    try:
        for name in args.phases.split(","):
            measured = run_phase(args, name, counts)
            if measured is not None:
                phases[name] = measured
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "server": f"{args.workers} workers × {args.threads} threads (gthread)",
        "users": args.users,
        "duration_seconds": args.duration,
        "region": counts,
        "phases": phases,
    }
    path = OUT / f"load-{args.label}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(result))
    log(f"Written to {path}.")


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
