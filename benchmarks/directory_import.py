"""Directory import benchmark: a region's directory file of 2 000 staff in 150 units, imported
into an empty database and then imported again (the second run must change nothing).

``write_directory`` writes the file (CSV with semicolons, HSA's attribute names, as
app/directory/importing.py reads it) into a folder; the units and people are those of Region
Norrbotten (HSA-id SE2321000230), the only principal in the database. Each run goes through the
same code as ``flask directory-import``: ``import_directory`` in one transaction, committed at the
end. Wall seconds (``perf_counter``) and this process's CPU seconds (``process_time``: the app's
own work; PostgreSQL's server time is in the wall time only) are printed for both runs, with rows
per second.

SQLite (a fresh file in a temporary folder, always)::

    .venv/bin/python benchmarks/directory_import.py

PostgreSQL as well (its public schema is dropped and rebuilt: give a database of its own, never
one that holds anything you need)::

    .venv/bin/python benchmarks/directory_import.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_directory

``TEST_DATABASE_URL`` is used when ``--database-url`` is not given.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, process_time

from sqlalchemy import text

# Run as a script, Python puts benchmarks/ on sys.path but not the repository: put it first, as the
# other benchmarks do, so that the app imports from this checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app, migrations
from app.accounts.models import Principal, PrincipalKind
from app.clock import now
from app.db import database, make_engine, session_scope
from app.directory.importing import COLUMNS_READ, ImportResult, import_directory

REGION_HSA = "SE2321000230"
STAFF, UNITS = 2_000, 150
GIVEN = (
    "Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Nils", "Emma", "Ali", "Fatima",
    "Olle", "Ida", "Jonas", "Lena", "Amir", "Sofia", "Per", "Elin", "Hassan",
)  # fmt: skip
FAMILY = ("Lind", "Berg", "Nilsson", "Holm", "Ek", "Haddad", "Åberg", "Strand", "Nyström",
          "Lundqvist", "Mäkinen", "Sandberg", "Öhman", "Isaksson", "Pekkari", "Hassan")  # fmt: skip
TITLES = ("Sjuksköterska", "Distriktssköterska", "Läkare", "Undersköterska", "Fysioterapeut",
          "Arbetsterapeut", "Kurator", "Dietist", "Kontaktsjuksköterska")  # fmt: skip
KINDS = ("Hälsocentralen", "Vårdcentralen", "Mottagningen", "Kliniken", "Hemsjukvården")
TOWNS = (
    ("Luleå", "972"), ("Piteå", "941"), ("Boden", "961"), ("Kiruna", "981"),
    ("Gällivare", "982"), ("Kalix", "952"), ("Haparanda", "953"), ("Jokkmokk", "962"),
)  # fmt: skip


def write_directory(folder: Path, staff: int = STAFF, units: int = UNITS, seed: int = 1) -> Path:
    """Write a directory file of `units` units and `staff` people (spread over the units) into
    `folder`; return its path."""
    rng = random.Random(seed)
    path = folder / f"katalog-{staff}-{units}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS_READ, delimiter=";")
        writer.writeheader()
        for n in range(1, units + 1):
            town, prefix = TOWNS[n % len(TOWNS)]
            writer.writerow(
                {
                    "objectClass": "organizationalUnit",
                    "hsaIdentity": f"{REGION_HSA}-E{n:04d}",
                    "ou": f"{KINDS[n % len(KINDS)]} {town} {n}",
                    "street": f"Storgatan {n}",
                    "postalCode": f"{prefix} {30 + n % 60:02d}",
                    "l": town,
                    "telephoneNumber": f"0920-{20 + n % 70:02d} {n % 100:02d} 00",
                }
            )
        for n in range(1, staff + 1):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            writer.writerow(
                {
                    "objectClass": "organizationalPerson",
                    "hsaIdentity": f"{REGION_HSA}-P{n:05d}",
                    "givenName": given,
                    "sn": family,
                    "title": rng.choice(TITLES),
                    "telephoneNumber": f"0920-{rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)}",
                    "mail": f"{given}.{family}.{n}@example.org".lower(),
                    "unitHsaIdentity": f"{REGION_HSA}-E{1 + (n - 1) % units:04d}",
                }
            )
    return path


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    result: ImportResult


def prepare(url: str) -> None:
    """An empty schema at the newest migration, with Region Norrbotten as its one principal."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    with engine.begin() as connection:
        migrations.upgrade(url, connection)
        connection.execute(
            Principal.__table__.insert().values(
                name="Region Norrbotten", kind=PrincipalKind.REGION.value, hsa_id=REGION_HSA
            )
        )
    engine.dispose()


def run_import(url: str, path: Path) -> Run:
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    data = path.read_bytes()
    with app.test_request_context():
        wall, cpu = perf_counter(), process_time()
        with session_scope(app) as session:
            result = import_directory(session, path.name, data, now())
        run = Run(perf_counter() - wall, process_time() - cpu, result)
    database(app).engine.dispose()
    if result.errors:
        raise SystemExit("\n".join(result.errors[:10]))
    return run


def measure(url: str, path: Path, rows: int) -> list[str]:
    prepare(url)
    first, second = run_import(url, path), run_import(url, path)
    assert first.result.created == rows, first.result  # noqa: S101 - a benchmark's own check
    assert second.result.changed == 0, second.result  # noqa: S101
    assert second.result.unchanged == rows, second.result  # noqa: S101
    backend = make_engine(url).dialect.name
    return [
        f"| {backend} | {name} | {r.wall:.2f} | {r.cpu:.2f} | {rows / r.wall:,.0f} | "
        f"{r.result.created} created, {r.result.unchanged} unchanged |"
        for name, r in (("first import", first), ("same file again", second))
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--staff", type=int, default=STAFF)
    parser.add_argument("--units", type=int, default=UNITS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = write_directory(Path(folder), args.staff, args.units)
        rows = args.staff + args.units
        print(f"{args.staff} staff in {args.units} units ({rows} rows), {path.stat().st_size:,} B")
        print("| Database | Run | Wall (s) | CPU (s) | Rows/s | Result |")
        print("|---|---|---:|---:|---:|---|")
        for line in measure(f"sqlite:///{folder}/directory.db", path, rows):
            print(line, flush=True)
        if args.database_url:
            url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
            for line in measure(url, path, rows):
                print(line, flush=True)


if __name__ == "__main__":
    main()
