"""A whole region's worth of patients, plans and messages, for measuring Samplan under load.

``generate_region`` fills an empty database with one region in Norrbotten: health centres,
hospital clinics and the municipalities' home care, their staff, and patients with plans, care
teams, goals, activities, versions, answers, what matters, appointments and message threads. The
distributions are per patient, so a region of 1 000 patients looks like a tenth of a region of
10 000: most patients have one plan and a few have many; most threads are short and handled, a
few are long; a few members of staff coordinate many plans and so have large inboxes.

Every row is valid for the app: each plan has a current care team with exactly one coordinator
from the plan's unit, threads belong to a plan of their patient and are held by its coordinator,
care's messages are written by the thread's holder, a SIP has recorded consent and a home-care
actor, a self-care plan states the seven points. Everyone can sign in through the demo sign-in
(in demo mode): patients as ``region-patient-<n>`` and staff as ``staff-region-<n>``;
``WELL_KNOWN`` names the few that benchmarks and tests refer to.

On PostgreSQL the rows go in with COPY (ids assigned here, sequences moved on after); elsewhere
with executemany inserts. Either way only into the connection's transaction: the caller commits.

Run as a script, it fills a database named for benchmarks (``--database-url``, else
``DATABASE_URL``)::

    .venv/bin/python benchmarks/region.py --patients 200000 [--seed N] [--reset] \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench_region
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Connection, Engine, Table, func, insert, make_url, select, text

# Run as a script, Python puts benchmarks/ on sys.path but not the repository: put it first, as the
# other benchmarks do, so that the app imports from this checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import migrations
from app.accounts.identity import TEST_SERIALS, make_test_number
from app.db import Base, make_engine
from app.messages.workdays import add_working_days, working_days_between

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PATIENT_KEY = "region-patient-{}"
STAFF_KEY = "staff-region-{}"

#: The people benchmarks and tests sign in as.
WELL_KNOWN = {
    "region-patient-1": "a patient with one active plan and a thread with replies",
    "region-patient-2": "a patient with six plans, one of them closed",
    "staff-region-1": "the busiest care contact at the largest health centre: a large inbox",
}

# Per patient and per plan, the same at every size.
PLANS_PER_PATIENT = 2
ACTIVITIES_PER_PLAN = 5
THREADS_PER_PLAN = 0.75
MESSAGES_PER_THREAD = 10
PATIENTS_PER_STAFF = 100
PATIENTS_PER_UNIT = 200_000 / 150
BATCH = 2_000  # patients generated, then written, at a time

# How many plans a patient has (most have one), how many messages a thread has (most are short).
ACTIVITY_COUNT_WEIGHTS = {2: 1, 3: 1, 4: 1, 5: 2, 6: 1, 7: 1, 8: 1}
PLAN_COUNT_WEIGHTS = {1: 58, 2: 16, 3: 9, 4: 6, 5: 4, 6: 3, 7: 2, 8: 1, 10: 0.6, 14: 0.3, 20: 0.1}
MESSAGE_COUNT_WEIGHTS = {
    1: 6, 2: 14, 3: 10, 4: 10, 5: 8, 6: 7, 7: 6, 8: 5, 10: 8, 12: 6, 15: 6, 20: 5, 30: 4,
    45: 3, 60: 2,
}  # fmt: skip

MUNICIPALITIES = (
    "Luleå", "Piteå", "Boden", "Kiruna", "Gällivare", "Kalix", "Älvsbyn", "Haparanda",
    "Arvidsjaur", "Jokkmokk", "Pajala", "Överkalix", "Övertorneå", "Arjeplog",
)  # fmt: skip
HOSPITALS = ("Sunderby sjukhus", "Piteå älvdals sjukhus", "Kiruna sjukhus", "Gällivare sjukhus")
CLINICS = (
    "Onkologkliniken", "Medicinkliniken", "Kardiologkliniken", "Barn- och ungdomskliniken",
    "Ortopedkliniken", "Geriatriska kliniken", "Strokeenheten", "Njurmedicinska kliniken",
    "Psykiatriska kliniken", "Lungkliniken", "Diabetesmottagningen", "Rehabiliteringskliniken",
)  # fmt: skip
GIVEN = (
    "Anders", "Astrid", "Birgitta", "Bo", "Elsa", "Eva", "Gunnar", "Hanna", "Ingrid", "Johan",
    "Karl", "Kerstin", "Lars", "Leila", "Linnea", "Magnus", "Margareta", "Mohammed", "Nils",
    "Olof", "Rut", "Sven", "Tove", "Ulla", "Yusuf", "Aino", "Pekka", "Sirpa", "Amina", "Hodan",
    "Ahmed", "Fatima", "Göran", "Maria", "Erik", "Sara", "Per", "Lena", "Jonas", "Sofia",
)  # fmt: skip
FAMILY = (
    "Andersson", "Berglund", "Björk", "Dahl", "Ekström", "Forsberg", "Granberg", "Holmgren",
    "Isaksson", "Jonsson", "Karlsson", "Lundberg", "Lundström", "Marklund", "Nordin",
    "Nyström", "Öberg", "Persson", "Sandberg", "Sundqvist", "Wikström", "Lindqvist", "Niemi",
    "Hassan", "Mohamed", "Ali", "Kuoppa", "Lantto", "Nilsson", "Eriksson", "Johansson",
)  # fmt: skip
LANGUAGES = ("sv",) * 90 + ("fi",) * 4 + ("ar",) * 3 + ("so",) * 2 + ("en",)

PLAN_TEXTS = {
    "care_treatment": (
        ("Vård- och behandlingsplan vid diabetes typ 2",
         "Du och hälsocentralen arbetar tillsammans för jämna blodsocker och god ork."),
        ("Vård- och behandlingsplan vid hjärtsvikt",
         "Vi följer din vikt, ditt blodtryck och hur du orkar, och justerar läkemedlen."),
        ("Vård- och behandlingsplan vid KOL",
         "Du tränar andningen och vet vad du gör när du blir sämre."),
        ("Vård- och behandlingsplan efter höftfraktur",
         "Du tränar upp gången så att du kan gå ut på egen hand igen."),
    ),
    "my_care_plan": (
        ("Min vårdplan cancer",
         "Här står din behandling, vem du kontaktar och vad som händer härnäst."),
        ("Min vårdplan efter stroke",
         "Rehabilitering hemma och på mottagningen, och vad du kan göra själv."),
    ),
    "sip": (
        ("Samordnad individuell plan – trygg hemma",
         "Hälsocentralen och kommunen hjälper dig att bo kvar hemma."),
        ("Samordnad individuell plan – tillbaka till arbetet",
         "Regionen, kommunen och Försäkringskassan hjälper dig tillbaka till arbetet."),
    ),
    "self_care": (
        ("Egenvård vid hjärtsvikt: daglig vägning",
         "Du väger dig varje morgon och vet vad du gör om vikten ökar för snabbt."),
        ("Egenvård vid diabetes: insulin och blodsocker",
         "Du mäter blodsockret och tar insulin enligt ordinationen."),
    ),
}  # fmt: skip
SELF_CARE = {
    "measure": "Daglig mätning och ändring av dosen enligt ordinationen.",
    "performer": "Du gör det själv. En närstående hjälper till vid behov.",
    "instructions": "Sjuksköterskan har visat hur det går till; skriftliga instruktioner finns.",
    "if_harm": "Ring mottagningen på vardagar, 1177 på kvällar och helger, 112 vid fara.",
    "if_changed": "Kontakta din fasta vårdkontakt om du inte längre klarar det själv.",
    "follow_up": "Vi följer upp vid nästa besök om tre månader.",
    "reassessment": "Bedömningen görs om senast om ett år.",
}
GOALS = (
    "Jag vill orka gå till affären och tillbaka själv.",
    "Jag vill gå en promenad på en halvtimme varje dag.",
    "Jag vill sova bättre på nätterna.",
    "Jag vill kunna bo kvar hemma.",
    "Jag vill förstå mina läkemedel.",
    "Jag vill kunna arbeta halvtid igen.",
)
ACTIVITIES = (
    ("patient", "Gå en promenad efter lunch", "Varje dag"),
    ("unit", "Kontroll av blodtryck och blodsocker", "Var tredje månad"),
    ("patient", "Skriva upp vikten varje morgon", "Varje morgon"),
    ("practitioner", "Genomgång av läkemedlen", "Vid nästa besök"),
    ("relative", "Följa med på besöken", "När det passar"),
    ("external", "Handläggning av ansökan om sjukpenning", "Inom en månad"),
    ("patient", "Ta tabletterna enligt dosetten", "Morgon och kväll"),
    ("unit", "Hembesök av hemsjukvården", "Varje vecka"),
)
SUBJECTS = (
    "Fråga om provsvaren", "Fråga om läkemedlen", "Ny tid", "Hur det går med träningen",
    "Fråga om min plan", "Biverkningar", "Intyg", "Recept",
)  # fmt: skip
PATIENT_BODY = "Hej! Jag undrar över provsvaren från förra veckan och om jag ska ändra något."
CARE_BODY = "Hej! Tack för ditt meddelande. Provsvaren ser bra ut, fortsätt som vanligt."
WHAT_MATTERS = (
    "Att få bo kvar hemma och träffa barnbarnen.",
    "Att kunna åka till stugan på sommaren.",
    "Att orka arbeta och vara med mina barn.",
)


@dataclass(frozen=True)
class RegionSize:
    """How much to generate: everything follows from the number of patients."""

    patients: int

    @property
    def plans(self) -> int:
        return self.patients * PLANS_PER_PATIENT

    @property
    def activities(self) -> int:
        return self.plans * ACTIVITIES_PER_PLAN

    @property
    def threads(self) -> int:
        return round(self.plans * THREADS_PER_PLAN)

    @property
    def messages(self) -> int:
        return self.threads * MESSAGES_PER_THREAD

    @property
    def units(self) -> int:
        return max(6, round(self.patients / PATIENTS_PER_UNIT))

    @property
    def staff(self) -> int:
        return max(3 * self.units, round(self.patients / PATIENTS_PER_STAFF))


@dataclass
class Unit:
    id: int
    kind: str  # "health_centre", "clinic" or "home_care"
    municipality: int
    weight: float
    name: str
    doctors: list[int] = field(default_factory=list)
    contacts: list[int] = field(default_factory=list)  # nurses and others who coordinate
    contact_weights: list[float] = field(default_factory=list)


@dataclass
class Organisation:
    units: list[Unit]

    def of_kind(self, kind: str) -> list[Unit]:
        return [unit for unit in self.units if unit.kind == kind]


@dataclass
class Counts:
    """What was generated, by table."""

    rows: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, table: str) -> int:
        return self.rows.get(table, 0)


# --- Writing rows -----------------------------------------------------------------------------

# Parents before children, so that each flush satisfies the foreign keys.
ORDER = (
    "principal", "care_unit", "practitioner", "person", "care_plan", "care_team_member",
    "plan_version", "agreement", "goal", "activity", "what_matters", "appointment", "thread",
    "message", "message_wait",
)  # fmt: skip


class Writer:
    """Buffers rows by table and writes them in ORDER: COPY on PostgreSQL, else executemany.

    Rows are given as keyword arguments; a column left out is NULL, and a column that may not be
    NULL and was left out stops the run at the first row (so the generator cannot drift from the
    schema unnoticed).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.copy = conn.dialect.name == "postgresql"
        self.tables = {name: cast(Table, Base.metadata.tables[name]) for name in ORDER}
        self.columns = {name: [c.name for c in t.columns] for name, t in self.tables.items()}
        self.json = {
            name: [i for i, c in enumerate(t.columns) if isinstance(c.type, JSON)]
            for name, t in self.tables.items()
        }
        self.buffers: dict[str, list[tuple[Any, ...]]] = {name: [] for name in ORDER}
        self.checked: set[str] = set()
        self.counts = Counts()
        self.next_ids = {name: self._first_id(name) for name in ORDER}

    def _first_id(self, name: str) -> int:
        return (self.conn.scalar(select(func.max(self.tables[name].c.id))) or 0) + 1

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table: str, **values: Any) -> int:
        """Queue one row; gives it the next id unless one is given. Returns the id."""
        if "id" not in values:
            values["id"] = self.new_id(table)
        if table not in self.checked:
            self._check(table, values)
        self.buffers[table].append(tuple(values.get(c) for c in self.columns[table]))
        return values["id"]

    def _check(self, table: str, values: dict[str, Any]) -> None:
        unknown = set(values) - set(self.columns[table])
        missing = [
            c.name
            for c in self.tables[table].columns
            if not c.nullable and c.server_default is None and c.name not in values
        ]
        if unknown or missing:
            raise ValueError(f"{table}: unknown columns {unknown}, missing {missing}")
        self.checked.add(table)

    def flush(self) -> None:
        for table in ORDER:
            rows = self.buffers[table]
            if not rows:
                continue
            self.counts.rows[table] = self.counts[table] + len(rows)
            if self.copy:
                self._copy(table, rows)
            else:
                columns = self.columns[table]
                self.conn.execute(
                    insert(self.tables[table]), [dict(zip(columns, r, strict=True)) for r in rows]
                )
            rows.clear()

    def _copy(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        json_at = self.json[table]
        columns = ", ".join(self.columns[table])
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                if json_at:
                    values = list(row)
                    for i in json_at:
                        if values[i] is not None:
                            values[i] = json.dumps(values[i], ensure_ascii=False)
                    row = tuple(values)
                copy.write_row(row)

    def finish(self) -> Counts:
        """Write what is left; on PostgreSQL, move each id sequence past the ids used."""
        self.flush()
        if self.copy:
            for table in ORDER:  # table names from ORDER, never from input
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                highest = f"(SELECT max(id) FROM {table})"  # noqa: S608
                self.conn.execute(text(f"SELECT setval({sequence}, GREATEST({highest}, 1))"))
        return self.counts


# --- Distributions ----------------------------------------------------------------------------


def spread(
    rng: random.Random, total: int, n: int, weights: Mapping[int, float], least: int
) -> list[int]:
    """n counts drawn from `weights` (count -> weight), then nudged to add up to `total` exactly,
    none below `least`."""
    if n == 0:
        return []
    counts = rng.choices(list(weights), list(weights.values()), k=n)
    difference = total - sum(counts)
    while difference > 0:
        counts[rng.randrange(n)] += 1
        difference -= 1
    while difference < 0:
        i = rng.randrange(n)
        if counts[i] > least:
            counts[i] -= 1
            difference += 1
    return counts


def zipf_weights(n: int) -> list[float]:
    """The k-th of n gets 1/k: the first is busiest."""
    return [1 / (k + 1) for k in range(n)]


class Births:
    """Birth dates weighted towards the old (those with plans), each with a free test-series
    personal number (20 a day)."""

    AGE_WEIGHTS = ((0, 10, 4), (10, 20, 4), (20, 40, 10), (40, 60, 18), (60, 75, 30), (75, 95, 34))

    def __init__(self, rng: random.Random, today: date, taken: set[str]) -> None:
        self.rng = rng
        self.today = today
        self.taken = taken
        self.used: dict[date, int] = {}

    def next(self) -> tuple[date, str]:
        low, high, _ = self.rng.choices(self.AGE_WEIGHTS, [w for *_, w in self.AGE_WEIGHTS])[0]
        day = self.today - timedelta(days=self.rng.randrange(low * 365 + 30, high * 365))
        while True:
            serial = self.used.get(day, 0)
            if serial >= len(TEST_SERIALS):
                day -= timedelta(days=1)
                continue
            self.used[day] = serial + 1
            number = make_test_number(day, TEST_SERIALS[serial])
            if number not in self.taken:
                return day, number


# --- The region -------------------------------------------------------------------------------


@dataclass
class Region:
    """The generator's state while it writes."""

    w: Writer
    rng: random.Random
    size: RegionSize
    now: datetime
    today: date
    org: Organisation = field(init=False)
    promises: dict[int, int] = field(default_factory=dict)  # each unit's days to answer
    activity_counts: list[int] = field(default_factory=list)  # by plan, in the order made
    slots: list[PlanSlot] = field(default_factory=list)

    def at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0), tzinfo=STOCKHOLM).astimezone(UTC)


def generate_region(
    conn: Connection, patients: int, seed: int = 1, now: datetime | None = None
) -> Counts:
    """Fill the connection's database with a region of `patients` patients (see the module).

    Meant for a database without region data (it may hold the demo world). Only writes into the
    connection's transaction; the caller commits. Returns the rows written by table.
    """
    if patients < 2:
        raise ValueError("a region needs at least two patients")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    taken = set(conn.scalars(text("SELECT personal_number FROM person")))
    rng = random.Random(seed)  # noqa: S311 - made-up data, the same for the same seed
    today = now.astimezone(STOCKHOLM).date()
    region = Region(Writer(conn), rng, RegionSize(patients), now, today)
    region.org = _organisation(region)
    region.w.flush()
    births = Births(region.rng, region.today, taken)
    size = region.size
    plan_counts = spread(region.rng, size.plans, patients, PLAN_COUNT_WEIGHTS, 1)
    plan_counts[0], plan_counts[1] = 1, 6
    _rebalance(plan_counts, size.plans, least=1, skip=lambda k: k < 2)
    region.activity_counts = spread(
        region.rng, size.activities, size.plans, ACTIVITY_COUNT_WEIGHTS, 1
    )
    for first in range(0, patients, BATCH):
        for index in range(first, min(first + BATCH, patients)):
            _patient(region, index, plan_counts[index], births.next())
        region.w.flush()
    _threads(region)
    return region.w.finish()


def _rebalance(counts: list[int], total: int, *, least: int, skip: Callable[[int], bool]) -> None:
    """Bring the sum back to `total` after some counts were set by hand, leaving those
    (`skip`) and keeping every count at `least` or more."""
    difference = total - sum(counts)
    k = 0
    while difference != 0:
        if not skip(k):
            if difference > 0:
                counts[k] += 1
                difference -= 1
            elif counts[k] > least:
                counts[k] -= 1
                difference += 1
        k = (k + 1) % len(counts)


def _organisation(r: Region) -> Organisation:
    region_id = r.w.add("principal", name="Region Norrbotten", kind="region")
    municipality_ids = [
        r.w.add("principal", name=f"{name} kommun", kind="municipality") for name in MUNICIPALITIES
    ]
    n = r.size.units
    n_home = max(1, round(n * 0.25))
    n_clinics = max(1, round(n * 0.35))
    kinds = ["health_centre"] * (n - n_home - n_clinics) + ["clinic"] * n_clinics
    kinds += ["home_care"] * n_home
    units: list[Unit] = []
    for k, kind in enumerate(kinds):
        place = k % len(MUNICIPALITIES)
        town = MUNICIPALITIES[place]
        if kind == "health_centre":
            name, principal = f"Hälsocentralen {town} {k // len(MUNICIPALITIES) + 1}", region_id
        elif kind == "clinic":
            clinic = CLINICS[k % len(CLINICS)]
            name, principal = f"{clinic}, {HOSPITALS[k % len(HOSPITALS)]}", region_id
        else:
            name = f"Hemsjukvården {town} {k // len(MUNICIPALITIES) + 1}"
            principal = municipality_ids[place]
        # The first unit is the largest health centre, home of staff-region-1.
        weight = 4.0 if k == 0 else r.rng.uniform(0.4, 2.5)
        unit_id = r.w.add(
            "care_unit",
            principal_id=principal,
            name=name,
            phone=f"0920-{10 + k % 90:02d} {k % 100:02d} 00",
            address=f"{town}gatan {k + 1}, {town}",
            response_working_days=(promise := r.rng.choice((1, 2, 2, 2, 3))),
            reminder_working_days=1,
        )
        r.promises[unit_id] = promise
        units.append(Unit(unit_id, kind, place, weight, name))
    _staff(r, units)
    return Organisation(units)


def _staff(r: Region, units: list[Unit]) -> None:
    """Staff in proportion to each unit's size, at least three a unit; about a fifth doctors
    outside home care. Within a unit the first care contacts coordinate the most plans."""
    total_weight = sum(u.weight for u in units)
    spare = r.size.staff - 3 * len(units)
    shares = [3 + int(spare * u.weight / total_weight) for u in units]
    shares[0] += r.size.staff - sum(shares)
    number = 0
    for unit, count in zip(units, shares, strict=True):
        doctors = 0 if unit.kind == "home_care" else max(1, count // 5)
        for k in range(count):
            number += 1
            doctor = k >= count - doctors
            title = _title(unit.kind, doctor, k)
            given, family = GIVEN[(number * 7) % len(GIVEN)], FAMILY[(number * 3) % len(FAMILY)]
            staff_id = r.w.add(
                "practitioner",
                hsa_id=f"SE2321000230-R{number:06d}",
                given_name=given,
                family_name=family,
                title=title,
                unit_id=unit.id,
                phone=None,
                email=f"{given.lower()}.{family.lower()}.{number}@region.invalid",
                notify_each_message=number % 4 != 0,
                roles="care",
                demo_key=STAFF_KEY.format(number),
            )
            (unit.doctors if doctor else unit.contacts).append(staff_id)
        unit.contact_weights = zipf_weights(len(unit.contacts))


def _title(kind: str, doctor: bool, k: int) -> str:
    if doctor:
        return "Specialistläkare" if kind == "clinic" else "Allmänläkare"
    if kind == "clinic":
        return ("Kontaktsjuksköterska", "Sjuksköterska", "Fysioterapeut")[k % 3]
    if kind == "home_care":
        return ("Sjuksköterska", "Arbetsterapeut", "Fysioterapeut")[k % 3]
    return ("Distriktssköterska", "Sjuksköterska", "Arbetsterapeut")[k % 3]


def _pick_unit(r: Region, kind: str) -> Unit:
    units = r.org.of_kind(kind)
    return r.rng.choices(units, [u.weight for u in units])[0]


def _patient(r: Region, index: int, plan_count: int, birth: tuple[date, str]) -> None:
    rng = r.rng
    born, number = birth
    language = rng.choice(LANGUAGES)
    patient_id = r.w.add(
        "person",
        personal_number=number,
        given_name=GIVEN[index % len(GIVEN)],
        family_name=FAMILY[(index // len(GIVEN)) % len(FAMILY)],
        birth_date=born,
        protected_identity=False,
        phone=f"070-{index % 1000:03d} {index // 1000 % 100:02d} {index % 97:02d}",
        email=f"patient{index + 1}@example.invalid",
        preferred_language=language,
        simple_view=rng.random() < 0.05,
        notify_topics="reply plan appointment reminder request",
        notify_channels="email sms push",
        demo_key=PATIENT_KEY.format(index + 1),
        created_at=(created := r.now - timedelta(days=rng.randrange(30, 1500))),
        name_confirmed_at=created,
    )
    home = r.org.units[0] if index == 0 else _pick_unit(r, "health_centre")
    home_care = [u for u in r.org.of_kind("home_care") if u.municipality == home.municipality]
    for n in range(plan_count):
        # The well-known patients: one active plan; six plans, the last one closed.
        closed = (index == 1 and n == plan_count - 1) or (index > 1 and rng.random() < 0.12)
        _plan(r, patient_id, home, home_care, n, closed, well_known=index == 0)
    if rng.random() < 0.65:
        _what_matters(r, patient_id)


def _plan(
    r: Region,
    patient_id: int,
    home: Unit,
    home_care: list[Unit],
    n: int,
    closed: bool,
    *,
    well_known: bool,
) -> None:
    rng = r.rng
    kind = "care_treatment" if n == 0 else rng.choice(list(PLAN_TEXTS))
    unit = home if kind in ("sip", "self_care") or (n == 0 and rng.random() < 0.7) else None
    unit = home if well_known else unit or _pick_unit(r, "clinic")
    title, summary = rng.choice(PLAN_TEXTS[kind])
    created = r.now - timedelta(days=rng.randrange(20, 1100), hours=rng.randrange(24))
    versions = rng.choices((1, 2, 3), (75, 20, 5))[0]
    coordinator = rng.choices(unit.contacts, unit.contact_weights)[0]
    if well_known:
        coordinator = unit.contacts[0]  # staff-region-1
    status = "closed" if closed else "active"
    plan_id = r.w.new_id("care_plan")
    explicit_next = not closed and rng.random() < 0.15
    r.w.add(
        "care_plan",
        id=plan_id,
        patient_id=patient_id,
        kind=kind,
        title=title,
        summary=summary,
        unit_id=unit.id,
        status=status,
        closed_reason=_close_reason(rng, kind) if closed else None,
        closed_at=r.now - timedelta(days=rng.randrange(1, 15)) if closed else None,
        follow_up_on=None if closed else r.today + timedelta(days=rng.randrange(7, 365)),
        follow_up_how="Besök hos din fasta vårdkontakt.",
        next_step_what="Ring mottagningen för att boka provtagning." if explicit_next else None,
        next_step_on=r.today + timedelta(days=rng.randrange(1, 30)) if explicit_next else None,
        next_step_where=unit.name if explicit_next else None,
        next_step_who=None,
        self_care=SELF_CARE if kind == "self_care" else None,
        consent_given_on=created.date() if kind == "sip" else None,
        consent_how="Muntligt vid SIP-möte" if kind == "sip" else None,
        consent_recorded_by_id=coordinator if kind == "sip" else None,
        version=versions,
        published_version=versions,
        created_at=created,
        updated_at=created + timedelta(days=versions - 1),
    )
    team = _team(r, plan_id, kind, unit, home_care, coordinator, created.date())
    for number in range(1, versions + 1):
        r.w.add(
            "plan_version",
            plan_id=plan_id,
            number=number,
            published_at=created + timedelta(days=number - 1),
            published_by_id=coordinator,
            change_summary="Ny plan upprättad." if number == 1 else "Planen uppdaterad.",
            snapshot={"title": title, "summary": summary},
        )
    if rng.random() < 0.6:
        r.w.add(
            "agreement",
            plan_id=plan_id,
            plan_version=versions,
            answer="agree" if rng.random() < 0.9 else "questions",
            comment="",
            answered_by_id=patient_id,
            answered_at=created + timedelta(days=versions),
        )
    _goals_and_activities(r, plan_id, unit, team, created)
    if not closed and rng.random() < 0.25:
        _appointment(r, patient_id, plan_id, unit, coordinator)
    r.slots.append(PlanSlot(patient_id, plan_id, unit.id, coordinator, closed, well_known))


def _close_reason(rng: random.Random, kind: str) -> str:
    reasons = ["goals_met", "no_longer_needed"] + (["consent_withdrawn"] if kind == "sip" else [])
    return rng.choice(reasons)


def _team(
    r: Region,
    plan_id: int,
    kind: str,
    unit: Unit,
    home_care: list[Unit],
    coordinator: int,
    since: date,
) -> list[tuple[int, int]]:
    """The plan's current team: one coordinator from the plan's unit, often a doctor, and for a
    SIP the municipality's home care and sometimes Försäkringskassan. (practitioner, unit) pairs."""
    role = "contact_nurse" if kind == "my_care_plan" else "care_contact"
    members = [(role, coordinator, unit.id, True, "Fast vårdkontakt och samordnare.")]
    if unit.doctors and r.rng.random() < 0.6:
        doctor = r.rng.choice(unit.doctors)
        members.append(("doctor", doctor, unit.id, False, "Fast läkarkontakt."))
    if kind == "sip":
        municipal = r.rng.choice(home_care) if home_care else r.org.of_kind("home_care")[0]
        actor = r.rng.choices(municipal.contacts, municipal.contact_weights)[0]
        members.append(("sip_actor", actor, municipal.id, False, "Hemsjukvård och hemtjänst."))
    for position, (role_, practitioner, unit_id, coordinates, what) in enumerate(members):
        r.w.add(
            "care_team_member",
            plan_id=plan_id,
            role=role_,
            practitioner_id=practitioner,
            unit_id=unit_id,
            is_coordinator=coordinates,
            responsibility=what,
            valid_from=since,
            valid_until=None,
            position=position,
        )
    if kind == "sip" and r.rng.random() < 0.3:
        r.w.add(
            "care_team_member",
            plan_id=plan_id,
            role="external",
            external_name="Försäkringskassan",
            external_contact="Handläggare, 0771-524 524",
            is_coordinator=False,
            responsibility="Sjukpenning och samordning mot arbetsgivaren.",
            valid_from=since,
            position=len(members),
        )
    return [(practitioner, unit_id) for _, practitioner, unit_id, _, _ in members]


def _goals_and_activities(
    r: Region, plan_id: int, unit: Unit, team: list[tuple[int, int]], created: datetime
) -> None:
    rng = r.rng
    goal_ids: list[int] = []
    main_goals = rng.choices((1, 2, 3), (40, 45, 15))[0]
    for position in range(main_goals):
        goal_ids.append(_goal(r, plan_id, None, position, created))
    if rng.random() < 0.4:
        goal_ids.append(_goal(r, plan_id, goal_ids[0], main_goals, created))
    for position in range(r.activity_counts[len(r.slots)]):
        who, what, when = ACTIVITIES[(plan_id + position) % len(ACTIVITIES)]
        practitioner, practitioner_unit = rng.choice(team)
        r.w.add(
            "activity",
            plan_id=plan_id,
            goal_id=rng.choice(goal_ids) if rng.random() < 0.9 else None,
            text=what,
            responsible=who,
            responsible_unit_id=practitioner_unit if who == "unit" else None,
            responsible_practitioner_id=practitioner if who == "practitioner" else None,
            responsible_name={"relative": "Min dotter", "external": "Försäkringskassan"}.get(who),
            when_text=when,
            due_on=r.today + timedelta(days=rng.randrange(1, 90)) if who == "unit" else None,
            status=rng.choices(("planned", "ongoing", "done"), (30, 55, 15))[0],
            position=position,
        )


def _goal(r: Region, plan_id: int, parent: int | None, position: int, created: datetime) -> int:
    status = r.rng.choices(("ongoing", "reached", "proposed"), (75, 20, 5))[0]
    return r.w.add(
        "goal",
        plan_id=plan_id,
        parent_id=parent,
        text=GOALS[(plan_id + position) % len(GOALS)],
        target_date=r.today + timedelta(days=r.rng.randrange(30, 365)),
        status=status,
        proposed_by="patient" if status == "proposed" or position % 2 == 0 else "care",
        position=position,
        created_at=created,
    )


def _what_matters(r: Region, patient_id: int) -> None:
    versions = 2 if r.rng.random() < 0.2 else 1
    for version in range(1, versions + 1):
        r.w.add(
            "what_matters",
            patient_id=patient_id,
            version=version,
            what_matters=r.rng.choice(WHAT_MATTERS),
            expectations="Att jag vet vem jag ska ringa.",
            relatives="Min dotter får gärna vara med på möten.",
            treatment_wishes="Så få tabletter som möjligt.",
            visit_wishes="Förmiddagar.",
            resources_physical="Jag går med rollator.",
            resources_psychological="Jag tar en dag i taget.",
            resources_existential="Kören på torsdagar.",
            resources_social="Grannarna och barnen.",
            written_by_id=patient_id,
            created_at=r.now - timedelta(days=r.rng.randrange(1, 400) * (3 - version)),
        )


def _appointment(r: Region, patient_id: int, plan_id: int, unit: Unit, practitioner: int) -> None:
    day = r.today + timedelta(days=r.rng.randrange(2, 60))
    accepted = r.rng.random() < 0.7
    r.w.add(
        "appointment",
        patient_id=patient_id,
        plan_id=plan_id,
        unit_id=unit.id,
        practitioner_id=practitioner,
        starts_at=r.at(day, r.rng.randrange(8, 16)),
        duration_minutes=30,
        mode=r.rng.choice(("visit", "visit", "phone", "video")),
        location=unit.name,
        purpose="Uppföljning av planen",
        status="accepted" if accepted else "proposed",
        patient_note="",
        answered_at=r.now - timedelta(days=1) if accepted else None,
        answered_by_id=patient_id if accepted else None,
        accepted_at=r.now - timedelta(days=1) if accepted else None,
        # care has confirmed the agreed ones (a region's queue is empty on an ordinary day)
        handled_at=r.now - timedelta(hours=20) if accepted else None,
        offered_by_id=practitioner,
        meeting_url="",
        attendees="",
        interpreter_booked=False,
        preparation="",
        care_note="",
        cancelled_by_care=False,
        sequence=0,
        created_at=r.now - timedelta(days=r.rng.randrange(2, 20)),
    )


THREAD_COUNT_WEIGHTS = {0: 45, 1: 40, 2: 10, 3: 5}  # threads a plan: 0.75 on average
STATE_WEIGHTS = {"waiting_for_care": 8, "answered": 22, "handled": 70}


@dataclass(frozen=True)
class PlanSlot:
    """What a plan's threads need to know about it."""

    patient_id: int
    plan_id: int
    unit_id: int
    holder: int  # the coordinator, who holds the plan's threads
    closed: bool
    well_known: bool


def _threads(r: Region) -> None:
    """Every plan's threads and messages, with counts adding up to the region's totals: on
    average 0.75 threads a plan and ten messages a thread, most threads short."""
    rng = r.rng
    slots = r.slots
    per_plan = spread(rng, r.size.threads, len(slots), THREAD_COUNT_WEIGHTS, 0)
    for k, slot in enumerate(slots):
        if slot.well_known and per_plan[k] == 0:
            per_plan[k] = 1
    _rebalance(per_plan, r.size.threads, least=0, skip=lambda k: slots[k].well_known)
    owners = [slot for slot, count in zip(slots, per_plan, strict=True) for _ in range(count)]
    lengths = spread(rng, r.size.messages, len(owners), MESSAGE_COUNT_WEIGHTS, 1)
    # The well-known patient's thread has replies: four messages at least, taken from a long one.
    for k, slot in enumerate(owners):
        if slot.well_known and lengths[k] < 4:
            donor = lengths.index(max(lengths))
            lengths[donor] -= 4 - lengths[k]
            lengths[k] = 4
    for first in range(0, len(owners), BATCH * 2):
        for k in range(first, min(first + BATCH * 2, len(owners))):
            _thread(r, owners[k], lengths[k])
        r.w.flush()


def _thread(r: Region, slot: PlanSlot, length: int) -> None:
    """One thread with the plan's coordinator, patient and care taking turns, the patient
    first. Waiting for care (recent; the patient wrote last), answered (care wrote last) or
    handled (older). Care's newest reply is sometimes unread, as are the patient's newest
    messages in most waiting threads."""
    rng = r.rng
    if slot.well_known:
        state = "answered"
    elif slot.closed:
        state = "handled"
    else:
        state = rng.choices(list(STATE_WEIGHTS), list(STATE_WEIGHTS.values()))[0]
    # Who wrote each message: alternate, and make the last one fit the state.
    authors = [n % 2 == 1 for n in range(length)]  # True: care
    if state == "waiting_for_care":
        authors[-1] = False
    elif state == "answered":
        authors[-1] = True
    if state == "waiting_for_care":
        ends = r.now - timedelta(minutes=rng.randrange(30, 60 * 24 * 12))
    elif state == "answered":
        ends = r.now - timedelta(minutes=rng.randrange(60, 60 * 24 * 45))
    else:
        ends = r.now - timedelta(minutes=rng.randrange(60 * 24 * 3, 60 * 24 * 700))
    times = [ends]
    for _ in range(length - 1):
        times.append(times[-1] - timedelta(minutes=rng.randrange(20, 60 * 72)))
    times.reverse()
    # The patient's messages since care last wrote: what care has yet to answer.
    last_care = max((n for n, care in enumerate(authors) if care), default=-1)
    waiting_since = times[last_care + 1] if state == "waiting_for_care" else None
    unread_by_care = state == "waiting_for_care" and rng.random() < 0.7
    unread_reply = state == "answered" and rng.random() < 0.3
    thread_id = r.w.add(
        "thread",
        patient_id=slot.patient_id,
        plan_id=slot.plan_id,
        unit_id=slot.unit_id,
        assigned_to_id=slot.holder,
        subject=rng.choice(SUBJECTS),
        status=state,
        waiting_since=waiting_since,
        last_message_at=times[-1],
        created_at=times[0],
    )
    for n, (care, at) in enumerate(zip(authors, times, strict=True)):
        message_id = r.w.new_id("message")
        unread = not care and n > last_care and unread_by_care
        if care:
            seen = None if n == last_care and unread_reply else at + timedelta(hours=2)
        else:
            seen = at  # the patient has read what they wrote
        r.w.add(
            "message",
            id=message_id,
            thread_id=thread_id,
            author_person_id=None if care else slot.patient_id,
            author_practitioner_id=slot.holder if care else None,
            body=CARE_BODY if care else PATIENT_BODY,
            idempotency_key=f"region-{message_id}",
            created_at=at,
            read_by_care_at=None if unread else at,
            read_by_care_id=None if unread else slot.holder,
            read_by_patient_at=seen,
        )
    _waits(r, slot, thread_id, authors, times, state)


def _waits(
    r: Region,
    slot: PlanSlot,
    thread_id: int,
    authors: list[bool],
    times: list[datetime],
    state: str,
) -> None:
    """The thread's waits for care, as Samplan keeps them: each begun by the patient's message
    after care's, ended by care's next (a handled thread's last one a few hours after it)."""
    promise = r.promises[slot.unit_id]
    for n, (care, at) in enumerate(zip(authors, times, strict=True)):
        if care or (n > 0 and not authors[n - 1]):
            continue
        answer = next((times[k] for k in range(n + 1, len(times)) if authors[k]), None)
        if answer is None and state == "handled":
            answer = at + timedelta(hours=r.rng.randrange(1, 30))
        started = at.astimezone(STOCKHOLM).date()
        r.w.add(
            "message_wait",
            thread_id=thread_id,
            unit_id=slot.unit_id,
            patient_id=slot.patient_id,
            started_at=at,
            due_on=add_working_days(started, promise),
            ended_at=answer,
            working_days=(
                working_days_between(started, answer.astimezone(STOCKHOLM).date())
                if answer
                else None
            ),
        )


# --- The command ------------------------------------------------------------------------------


def seed_region(
    url: str,
    patients: int,
    seed: int = 1,
    *,
    reset: bool = False,
    echo: Callable[[str], Any] = print,
) -> Counts:
    """Migrate, then generate a region in one transaction.

    Only into a database whose name contains "bench" (so it can never fill or empty a real or
    test database), and only one without region data; `reset` empties it first. On PostgreSQL
    the tables are vacuumed and analysed afterwards, as autovacuum soon would.
    """
    parsed = make_url(url)
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"Refusing {parsed.database!r}: a region goes only into a database "
                         "whose name contains 'bench'.")  # fmt: skip
    engine = make_engine(url)
    if reset:
        _empty(engine, parsed.database or "")
    migrations.upgrade(url)
    with engine.connect() as conn:
        existing = conn.scalar(
            text("SELECT count(*) FROM person WHERE demo_key LIKE 'region-patient-%'")
        )
    if existing:
        raise SystemExit(f"The database already has {existing} region patients (use --reset).")
    started = monotonic()
    with engine.begin() as conn:
        counts = generate_region(conn, patients, seed)
    written = monotonic() - started
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    for table in ORDER:
        echo(f"{table:>18} {counts[table]:>10}")
    echo(f"Written in {written:.0f} s, ready in {monotonic() - started:.0f} s.")
    return counts


def _empty(engine: Engine, database: str) -> None:
    if engine.dialect.name == "sqlite":
        engine.dispose()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
        return
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--patients", type=int, default=200_000, help="patients to generate")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
    parser.add_argument("--reset", action="store_true", help="empty the database first")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="a database whose name contains 'bench' (default: DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    seed_region(args.database_url, args.patients, args.seed, reset=args.reset)


if __name__ == "__main__":
    main()
