"""How long the follow-up page takes for a whole region: `/uppfoljning` for the 200 000-patient
region on PostgreSQL (target: each dashboard page under 1 s, counted by SQL aggregation).

Takes a database filled by ``benchmarks/region.py``. Gives its region's first member of staff
the follow-up role, adds the seven questions' answers for a third of the patients who have
answered a plan (once; the generator does not make them), signs in through the demo sign-in
and times, with Flask's test client, the page for the whole region and for its largest unit,
and the CSV file, for the month whose figures are fullest: each first as a first look (the
month counted then, its kept counts removed before each request) and then as any later look
(the counts kept, app/followup/stored.py)::

    .venv/bin/python benchmarks/followup.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench_region

Prints a Markdown table (wall-clock median and worst, this process's CPU median, statements)
and writes benchmarks/out/followup.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from app.db import database

SEVEN = """
INSERT INTO seven_questions (person_id, plan_id, unit_id, answered_at, declined,
    live_and_trust, agreement, easy_contact, care_contact, next_step, next_time, overview,
    client_key)
SELECT DISTINCT ON (a.answered_by_id) a.answered_by_id, p.id, p.unit_id,
    a.answered_at + interval '2 days', false,
    (ARRAY['yes','partly','no','dont_know'])[1 + (a.id % 4)],
    (ARRAY['yes','yes','partly','no'])[1 + (a.id % 4)],
    (ARRAY['yes','partly','yes','no'])[1 + ((a.id / 4) % 4)],
    CASE WHEN a.id % 3 = 0 THEN NULL ELSE 'yes' END,
    (ARRAY['yes','no','partly','yes'])[1 + ((a.id / 2) % 4)],
    (ARRAY['no','yes','dont_know','yes'])[1 + (a.id % 4)],
    'partly',
    'bench-' || a.id
FROM agreement a JOIN care_plan p ON p.id = a.plan_id
WHERE a.answered_by_id = p.patient_id AND a.id % 3 = 0
ORDER BY a.answered_by_id, a.answered_at DESC
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    args = parser.parse_args()
    if "bench" not in (make_url(args.database_url).database or ""):
        sys.exit("Refusing: the database's name must contain 'bench'.")
    app = create_app({"DEMO_MODE": True, "DATABASE_URL": args.database_url})
    engine = database(app).engine
    with engine.begin() as conn:
        if not conn.scalar(text("SELECT count(*) FROM seven_questions")):
            conn.execute(text(SEVEN))
        conn.execute(
            text("UPDATE practitioner SET roles = 'care followup' WHERE demo_key = :key"),
            {"key": "staff-region-1"},
        )
        patients = conn.scalar(text("SELECT count(*) FROM person"))
        seven = conn.scalar(text("SELECT count(*) FROM seven_questions"))
        month = conn.scalar(
            text(
                "SELECT to_char(published_at, 'YYYY-MM') FROM plan_version "
                "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
        )
        unit = conn.scalar(
            text("SELECT unit_id FROM care_plan GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1")
        )
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = app.test_client()
    client.post(
        "/demo",
        data={"persona": "staff-region-1", "csrf_token": _token(client)},
    )
    pages = {
        "region": f"/uppfoljning?manad={month}",
        "largest unit": f"/uppfoljning?manad={month}&enhet={unit}",
        "region, CSV": f"/uppfoljning/siffror.csv?manad={month}",
    }
    rows = {}
    for kept in (False, True):
        for name, path in pages.items():
            label = f"{name}, {'kept' if kept else 'counted'}"
            rows[label] = _time(client, engine, path, args.repeat, kept, statements)
    print(f"{patients} people, {seven} answers to the seven questions, month {month}")
    print("| Page | wall ms (median) | wall ms (worst) | Python CPU ms | statements |")
    print("|---|---|---|---|---|")
    for name, row in rows.items():
        print(
            f"| {name} | {row['wall_ms_median']} | {row['wall_ms_max']} | "
            f"{row['cpu_ms_median']} | {row['statements']} |"
        )
    out = Path(__file__).with_name("out")
    out.mkdir(exist_ok=True)
    (out / "followup.json").write_text(
        json.dumps({"patients": patients, "month": month, "pages": rows}, indent=2)
    )


def _time(client, engine, path: str, repeat: int, kept: bool, statements: list) -> dict:  # noqa: ANN001
    """Wall and CPU time of `repeat` requests after one warm-up; unless `kept`, with the kept
    counts removed before each (a first look, counted then)."""

    def forget() -> None:
        if not kept:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM follow_up_count"))

    forget()
    assert client.get(path).status_code == 200, path  # warm
    walls, cpus, counts = [], [], []
    for _ in range(repeat):
        forget()
        statements.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(path)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        counts.append(len(statements))
        assert response.status_code == 200, path
    return {
        "wall_ms_median": round(statistics.median(walls), 1),
        "wall_ms_max": round(max(walls), 1),
        "cpu_ms_median": round(statistics.median(cpus), 1),
        "statements": max(counts),
    }


def _token(client) -> str:  # noqa: ANN001 - a Flask test client
    import re

    page = client.get("/demo").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


if __name__ == "__main__":
    main()
