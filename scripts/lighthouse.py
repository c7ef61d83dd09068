"""Lighthouse (mobile) on a demo Samplan: the demo sign-in page, and Maja's start and plan pages.

Starts its own demo server on a fresh SQLite file, signs in as `patient-maja` through the demo
sign-in, runs the pinned `lighthouse` npm package (node_modules/.bin/lighthouse, `npm ci`) in
Debian's Chromium, prints the scores and the transferred bytes, keeps the JSON reports, and exits
non-zero when a target is missed: Performance 95, Accessibility 100, Best Practices 100.
A page whose first run misses a target is run twice more and judged by the median of the three
runs by Performance, as Lighthouse's documentation advises for a machine whose load varies.

    .venv/bin/python scripts/lighthouse.py [--port 5101] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --no-first-run"


def start_server(port: int, folder: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SAMPLAN_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'samplan.db'}",
        "SAMPLAN_MAIL_FOLDER": str(folder / "mail"),
    }
    python = ROOT / ".venv" / "bin"
    subprocess.run([python / "flask", "--app", "app", "demo-seed"], env=env, check=True, cwd=ROOT)
    server = subprocess.Popen(
        [python / "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "4"]
        + ["-k", "gthread", "app:create_app()"],
        env=env,
        cwd=ROOT,
    )
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the demo server did not start")


def sign_in_cookie(base: str, persona: str) -> tuple[str, str]:
    """The session cookie header after the demo sign-in, and the first plan's path."""
    browser = requests.Session()
    page = browser.get(f"{base}/demo", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on /demo"  # noqa: S101 - a broken demo page stops the run
    browser.post(
        f"{base}/demo", data={"persona": persona, "csrf_token": token.group(1)}, timeout=10
    )
    start = browser.get(f"{base}/", timeout=10).text
    plan = re.search(r'href="(/plan/\d+)"', start)
    assert plan, "no plan on the start page"  # noqa: S101
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    return cookie, plan.group(1)


def lighthouse(url: str, out: Path, cookie: str | None) -> dict:
    command = [
        str(ROOT / "node_modules" / ".bin" / "lighthouse"),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=performance,accessibility,best-practices",
        "--quiet",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for attempt in range(3):
        # Lighthouse sometimes fails to record a trace on a busy machine (NO_NAVSTART): that run
        # measured nothing, so it is made again; a third failure stops CI.
        if subprocess.run(command, env=env, cwd=ROOT).returncode == 0:
            return json.loads(out.read_text())
        print(f"lighthouse failed on {url} (attempt {attempt + 1}); trying again", flush=True)
    raise SystemExit(f"lighthouse could not measure {url}")


def meets_targets(report: dict) -> bool:
    return all(
        round((report["categories"][key]["score"] or 0) * 100) >= target
        for key, target in TARGETS.items()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5101)
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "lighthouse")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{args.port}"
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(args.port, Path(folder))
        try:
            cookie, plan = sign_in_cookie(base, "patient-maja")
            pages = [("sign-in", "/demo", None), ("start", "/", cookie), ("plan", plan, cookie)]
            print(f"{'page':<8} {'perf':>5} {'a11y':>5} {'best':>5} {'bytes':>8}  url (each run)")
            for name, path, page_cookie in pages:
                runs = []
                for run in range(3):
                    out = args.out / f"{name}-run{run + 1}.json"
                    report = lighthouse(f"{base}{path}", out, page_cookie)
                    runs.append((report["categories"]["performance"]["score"] or 0, out, report))
                    if run == 0 and meets_targets(report):
                        break
                runs.sort(key=lambda item: item[0])
                _score, median_out, report = runs[len(runs) // 2]
                (args.out / f"{name}.json").write_text(median_out.read_text())
                if report.get("finalDisplayedUrl", "").rstrip("/") != f"{base}{path}".rstrip("/"):
                    missed.append(f"{name}: ended at {report.get('finalDisplayedUrl')}")
                scores = {k: round((report["categories"][k]["score"] or 0) * 100) for k in TARGETS}
                weight = int(report["audits"]["total-byte-weight"]["numericValue"])
                each = ", ".join(str(round(score * 100)) for score, _out, _r in runs)
                print(
                    f"{name:<8} {scores['performance']:>5} {scores['accessibility']:>5} "
                    f"{scores['best-practices']:>5} {weight:>8}  {path} ({each})"
                )
                for key, target in TARGETS.items():
                    if scores[key] < target:
                        failing = [
                            audit["id"]
                            for ref in report["categories"][key]["auditRefs"]
                            if ref["weight"]
                            and (audit := report["audits"][ref["id"]])["score"] is not None
                            and audit["score"] < 1
                        ]
                        missed.append(f"{name}: {key} {scores[key]} < {target} ({failing})")
        finally:
            server.terminate()
            server.wait(timeout=20)
    for line in missed:
        print("MISSED", line)
    print(f"Lighthouse reports: {args.out}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
