"""The world the demo is built in: what the builders share, and the organisations, people, staff
and delegations that the plans refer to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.accounts.identity import make_test_number
from app.accounts.models import (
    CareUnit,
    Person,
    Practitioner,
    Principal,
    PrincipalKind,
    StaffRole,
)
from app.messages.models import Wait
from app.plans.models import CarePlan
from app.proxies.models import GrantRelation, Guardianship, ProxyGrant, Scope

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The organisations' HSA-ids: SE and their organisation numbers.
REGION_HSA, KOMMUN_HSA = "SE2321000230", "SE2120002817"

T = TypeVar("T")


@dataclass
class _World:
    """What the helpers share while the world is built."""

    session: Session
    today: date
    now: datetime
    units: dict[str, CareUnit] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    staff: dict[str, Practitioner] = field(default_factory=dict)
    plans: dict[str, CarePlan] = field(default_factory=dict)
    message_count: int = 0
    waits: dict[int, Wait] = field(default_factory=dict)  # by id(thread): its open wait

    def add(self, obj: T) -> T:
        self.session.add(obj)
        return obj

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def workday(self, offset: int) -> date:
        """The day `offset` days away, moved on to Monday if it falls on a weekend."""
        day = self.day(offset)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def at(self, day: date | int, hour: int, minute: int = 0) -> datetime:
        """A Stockholm clock time on a day (or `today + offset`), as an aware UTC datetime."""
        if isinstance(day, int):
            day = self.day(day)
        return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM).astimezone(UTC)


def _organisations(w: _World) -> None:
    region = w.add(
        Principal(name="Region Norrbotten", kind=PrincipalKind.REGION, hsa_id=REGION_HSA)
    )
    municipality = w.add(
        Principal(name="Luleå kommun", kind=PrincipalKind.MUNICIPALITY, hsa_id=KOMMUN_HSA)
    )
    sunderby = "Sunderby sjukhus, Sjukhusvägen 10, 954 42 Södra Sunderbyn"
    rows = (
        ("kvarnen", region, "Hälsocentralen Kvarnen", "0920-28 40 00",
         "Kvarngatan 7, 972 33 Luleå", 2),
        ("hemsjukvarden", municipality, "Hemsjukvården Luleå", "0920-45 37 00",
         "Hemsjukvården, Smedjegatan 12, 972 32 Luleå", 2),
        ("onkologi", region, "Onkologkliniken, Sunderby sjukhus", "0920-28 21 50", sunderby, 1),
        ("barn", region, "Barn- och ungdomskliniken, Sunderby sjukhus", "0920-28 23 40",
         sunderby, 2),
        ("ortopedi", region, "Ortopedkliniken, Sunderby sjukhus", "0920-28 24 10", sunderby, 3),
        # Where the directory's administrators work: no patients are cared for there.
        ("regionkansli", region, "Regionens kansli, Hälso- och sjukvårdsförvaltningen",
         "0920-28 40 80", "Robertsviksgatan 7, 971 89 Luleå", 2),
        ("socialforvaltningen", municipality, "Socialförvaltningen, Luleå kommun",
         "0920-45 30 00", "Stadshuset, Stationsgatan 14, 972 33 Luleå", 2),
    )  # fmt: skip
    for key, principal, name, phone, address, days in rows:
        w.units[key] = w.add(
            CareUnit(
                principal=principal,
                name=name,
                phone=phone,
                address=address,
                response_working_days=days,
                hsa_id=f"{principal.hsa_id}-{key.upper()}",
            )
        )
    w.session.flush()


def _born(today: date, years: int, months: int) -> date:
    """A birth date `years` and `months` before today: the person is exactly `years` old."""
    total = today.year * 12 + today.month - 1 - years * 12 - months
    return date(total // 12, total % 12 + 1, min(today.day, 28))


def _people(w: _World) -> None:
    # Telephone numbers 070-174 06 xx are set aside by PTS for fiction.
    rows = (
        # key, given, family, (years, months), serial, phone, email, language, simple view
        ("patient-maja", "Maja", "Lind", (81, 3), 982, "070-174 06 11", "maja.lind@example.org",
         "sv", False),
        ("proxy-anna", "Anna", "Lind", (54, 7), 984, "070-174 06 12", "anna.lind@example.org",
         "sv", False),
        ("patient-per", "Per", "Nilsson", (62, 2), 981, "070-174 06 13",
         "per.nilsson@example.org", "sv", False),
        ("patient-elias", "Elias", "Svensson", (11, 4), 993, None, None, "sv", False),
        ("guardian-sara", "Sara", "Svensson", (41, 5), 986, "070-174 06 14",
         "sara.svensson@example.org", "sv", False),
        ("patient-ali", "Ali", "Hassan", (45, 8), 985, "070-174 06 15", "ali.hassan@example.org",
         "ar", True),
        # No plan yet: she has asked Hälsocentralen Kvarnen for one (app/demo/seed/requests.py).
        ("patient-greta", "Greta", "Lundqvist", (74, 1), 987, None, None, "sv", False),
    )  # fmt: skip
    for key, given, family, (years, months), serial, phone, email, language, simple in rows:
        birth = _born(w.today, years, months)
        w.persons[key] = w.add(
            Person(
                personal_number=make_test_number(birth, serial),
                given_name=given,
                family_name=family,
                birth_date=birth,
                phone=phone,
                email=email,
                preferred_language=language,
                simple_view=simple,
                demo_key=key,
                created_at=w.now - timedelta(days=400),
                name_confirmed_at=w.now - timedelta(days=400),
            )
        )
    w.session.flush()


def _practitioners(w: _World) -> None:
    region, kommun = REGION_HSA, KOMMUN_HSA
    rows = (
        ("staff-karin", f"{region}-KB01", "Karin", "Berg", "Distriktssköterska", "kvarnen",
         "0920-28 40 12"),
        ("staff-erik", f"{region}-EO01", "Erik", "Olsson", "Distriktsläkare, specialist i "
         "allmänmedicin", "kvarnen", "0920-28 40 20"),
        ("staff-lena", f"{kommun}-LH01", "Lena", "Holm", "Sjuksköterska", "hemsjukvarden",
         "0920-45 37 14"),
        ("staff-sofia", f"{region}-SE01", "Sofia", "Ek", "Kontaktsjuksköterska", "onkologi",
         "0920-28 21 55"),
        ("staff-amir", f"{region}-AH01", "Amir", "Haddad", "Diabetessjuksköterska", "barn",
         "0920-28 23 47"),
        ("staff-jonas", f"{region}-JA01", "Jonas", "Åberg", "Läkare", "ortopedi",
         "0920-28 24 18"),
        ("admin-region", f"{region}-ES01", "Eva", "Strand", "Systemförvaltare", "regionkansli",
         "0920-28 40 81"),
        ("admin-kommun", f"{kommun}-ON01", "Olle", "Nyström", "Systemförvaltare",
         "socialforvaltningen", "0920-45 30 12"),
        ("followup-region", f"{region}-BW01", "Britt", "Wallin", "Utvecklingsledare",
         "regionkansli", "0920-28 40 85"),
    )  # fmt: skip
    for key, hsa_id, given, family, title, unit, phone in rows:
        # The administrators keep the directory and care for nobody.
        roles = StaffRole.ADMIN if key.startswith("admin-") else StaffRole.CARE
        if key.startswith("followup-"):
            roles = StaffRole.FOLLOW_UP  # reads the region's figures, cares for nobody
        email_name = f"{given}.{family}".lower().replace("å", "a")
        w.staff[key] = w.add(
            Practitioner(
                hsa_id=hsa_id,
                given_name=given,
                family_name=family,
                title=title,
                unit_id=w.units[unit].id,
                phone=phone,
                email=f"{email_name}@example.org",
                roles=roles.value,
                demo_key=key,
            )
        )
    w.session.flush()


def _delegations(w: _World) -> None:
    maja, anna = w.persons["patient-maja"], w.persons["proxy-anna"]
    scopes = (Scope.READ_PLANS, Scope.READ_MESSAGES, Scope.WRITE_MESSAGES)
    w.add(
        ProxyGrant(
            patient_id=maja.id,
            proxy_id=anna.id,
            relation=GrantRelation.PROXY,
            relation_label="dotter",
            scopes=" ".join(scope.value for scope in scopes),
            valid_from=w.now - timedelta(days=30),
            valid_until=w.now + timedelta(days=335),
            granted_by_person_id=maja.id,
            created_at=w.now - timedelta(days=30),
        )
    )
    w.add(
        Guardianship(
            child_id=w.persons["patient-elias"].id, guardian_id=w.persons["guardian-sara"].id
        )
    )
