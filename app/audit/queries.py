"""The read model of the patient's page Vem har tittat på mina uppgifter?

Two statements for each filter (everyone, care, you, your relatives, stopped attempts), built
once at import with bind parameters, however long the log: the number of rows, and one page of
rows with who did it (a person, or a practitioner and the unit they worked at then) and the
plan's title, mapped into rows the template prints as they are. A page is then grouped by day and
by who, so that one visit reads as one card with what was done, not as a page of rows.

Refused attempts that follow each other by the same actor (nobody else's entry in between) are
one row, with how many and between when: a burst of tries reads as one line, not a page of them.
The grouping is the classic "gaps and islands": an entry's number in the whole log minus its
number among the same actor's entries of the same kind stays the same while nobody else's
entry comes between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, func, select, true
from sqlalchemy.orm import Session, aliased

from app.accounts.models import CareUnit, Person, Practitioner
from app.audit.models import AccessLogEntry
from app.clock import local_date
from app.plans.models import CarePlan
from app.proxies.models import Guardianship, ProxyGrant

PAGE_SIZE = 60


@dataclass(frozen=True)
class LogRow:
    """One row as the patient reads it: when, who (already named), what, and whether allowed;
    for refused attempts, how many in a row and from when."""

    at: datetime
    action: str
    object_type: str
    object_title: str | None
    # What a practitioner searched for when the patient was among the hits.
    search_text: str | None
    allowed: bool
    own: bool
    # A practitioner's name, title and unit; or a person's name (a proxy, a guardian).
    practitioner_name: str | None
    practitioner_title: str | None
    unit_name: str | None
    person_name: str | None
    # The person is the patient's guardian, or holds or held a grant from the patient. A refused
    # person who is neither is someone the patient never let in: their name is not shown (it
    # would tell the patient who a stranger is; the entry keeps who it was, for care to look
    # into). The patient sees that someone outside care tried, and when.
    guardian: bool = False
    known: bool = False
    # Refused attempts in a row by the same actor: how many, and the first one's time.
    times: int = 1
    first_at: datetime | None = None
    # Who, as ids: rows of one person on one day are one card (see `by_day`).
    practitioner_id: int | None = None
    person_id: int | None = None

    @property
    def stranger(self) -> bool:
        """A refused person the patient has never let in (shown without a name)."""
        return not self.allowed and not self.own and self.person_name is not None and not self.known

    @property
    def over_days(self) -> bool:
        """The attempts in a row began on an earlier day than the last one."""
        return self.first_at is not None and local_date(self.first_at) != local_date(self.at)


_e = AccessLogEntry
_ORDER = (_e.at, _e.id)
_ACTOR = (_e.actor_person_id, _e.actor_practitioner_id, _e.actor_unit_id)
_PATIENT: Any = bindparam("patient_id")
# What the patient may choose to see (the query string's `vem`).
FILTERS: dict[str, ColumnElement[bool]] = {
    "alla": true(),
    "varden": and_(_e.actor_practitioner_id.is_not(None), _e.allowed.is_(True)),
    "du": and_(_e.actor_person_id == _PATIENT, _e.allowed.is_(True)),
    "narstaende": and_(
        _e.actor_person_id.is_not(None), _e.actor_person_id != _PATIENT, _e.allowed.is_(True)
    ),
    "stoppade": _e.allowed.is_(False),
}


def _statements(chosen: ColumnElement[bool]) -> tuple[Any, Any]:
    """The count and the page for one filter."""
    numbered = (
        select(
            _e.id,
            _e.at,
            _e.action,
            _e.object_type,
            _e.object_id,
            _e.search_text,
            _e.allowed,
            *_ACTOR,
            (
                func.row_number().over(order_by=_ORDER)
                - func.row_number().over(partition_by=(_e.allowed, *_ACTOR), order_by=_ORDER)
            ).label("run"),
        )
        .where(_e.patient_id == _PATIENT, chosen)
        .subquery("numbered")
    )
    n = numbered.c
    # An allowed entry is a row of its own; refused ones by one actor in a row share their run.
    rows = (
        select(
            func.max(n.id).label("last_id"),
            func.max(n.at).label("last_at"),
            func.min(n.at).label("first_at"),
            func.count().label("times"),
            func.max(n.action).label("action"),
            func.max(n.object_type).label("object_type"),
            func.max(n.object_id).label("object_id"),
            func.max(n.search_text).label("search_text"),
            n.allowed,
            n.actor_person_id,
            n.actor_practitioner_id,
            n.actor_unit_id,
        )
        .group_by(
            n.allowed,
            n.actor_person_id,
            n.actor_practitioner_id,
            n.actor_unit_id,
            case((n.allowed.is_(True), n.id), else_=n.run),
        )
        .subquery("log_rows")
    )
    r = rows.c
    actor = aliased(Person)
    count = select(func.count()).select_from(rows)
    page = (
        select(
            r.last_at,
            r.action,
            r.object_type,
            CarePlan.title,
            r.search_text,
            r.allowed,
            r.actor_person_id,
            actor.given_name,
            actor.family_name,
            Practitioner.given_name,
            Practitioner.family_name,
            Practitioner.title,
            CareUnit.name,
            exists().where(
                Guardianship.guardian_id == r.actor_person_id,
                Guardianship.child_id == _PATIENT,
            ),
            exists().where(
                ProxyGrant.proxy_id == r.actor_person_id,
                ProxyGrant.patient_id == _PATIENT,
            ),
            r.times,
            r.first_at,
            r.actor_practitioner_id,
        )
        .select_from(rows)
        .outerjoin(actor, actor.id == r.actor_person_id)
        .outerjoin(Practitioner, Practitioner.id == r.actor_practitioner_id)
        .outerjoin(CareUnit, CareUnit.id == r.actor_unit_id)
        .outerjoin(
            CarePlan,
            and_(
                r.object_type.in_(["care_plan", "care_plan_draft"]),
                CarePlan.id == r.object_id,
            ),
        )
        .order_by(r.last_at.desc(), r.last_id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return count, page


_STATEMENTS = {name: _statements(chosen) for name, chosen in FILTERS.items()}


def _name(given: str | None, family: str | None) -> str | None:
    return None if given is None else f"{given} {family}"


def pages_of_log(session: Session, patient_id: int, who: str = "alla") -> int:
    """How many pages the patient's log fills with this filter (at least one)."""
    count, _page = _STATEMENTS[who]
    total = session.connection().scalar(count, {"patient_id": patient_id}) or 0
    return max(1, -(-total // PAGE_SIZE))


def access_log_page(
    session: Session, patient_id: int, page: int, who: str = "alla"
) -> list[LogRow]:
    """One page of the patient's access log with this filter, newest first."""
    _count, statement = _STATEMENTS[who]
    params = {"patient_id": patient_id, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    return [
        LogRow(
            at=at,
            action=action,
            object_type=object_type,
            object_title=title,
            search_text=search_text,
            allowed=bool(allowed),
            own=person_id == patient_id,
            practitioner_name=_name(staff_given, staff_family),
            practitioner_title=staff_title,
            unit_name=unit,
            person_name=_name(given, family),
            guardian=bool(guardian),
            known=bool(guardian or grant),
            times=times,
            first_at=first_at if times > 1 else None,
            practitioner_id=practitioner_id,
            person_id=person_id,
        )
        for (
            at,
            action,
            object_type,
            title,
            search_text,
            allowed,
            person_id,
            given,
            family,
            staff_given,
            staff_family,
            staff_title,
            unit,
            guardian,
            grant,
            times,
            first_at,
            practitioner_id,
        ) in session.connection().execute(statement, params)
    ]


@dataclass
class Visit:
    """What one person (or practitioner, at one unit) did on one day, newest first; the same
    thing done again is one line with how many times and from when."""

    who: LogRow
    lines: list[LogRow] = field(default_factory=list)
    repeats: dict[int, int] = field(default_factory=dict)
    earliest: dict[int, datetime] = field(default_factory=dict)


@dataclass
class Day:
    day: date
    visits: list[Visit] = field(default_factory=list)


def _what(row: LogRow) -> tuple[Any, ...]:
    return (row.action, row.object_type, row.object_title, row.search_text, row.allowed)


def by_day(rows: list[LogRow]) -> list[Day]:
    """The page's rows grouped by day (Stockholm time) and by who, in the order they came."""
    days: list[Day] = []
    for row in rows:
        day = local_date(row.at)
        if not days or days[-1].day != day:
            days.append(Day(day))
        who = (row.practitioner_id, row.unit_name, row.person_id, row.allowed or row.own)
        visits = days[-1].visits
        found = next(
            (
                v
                for v in visits
                if (
                    v.who.practitioner_id,
                    v.who.unit_name,
                    v.who.person_id,
                    v.who.allowed or v.who.own,
                )
                == who
            ),
            None,
        )
        if found is None:
            found = Visit(row)
            visits.append(found)
        same = next((i for i, line in enumerate(found.lines) if _what(line) == _what(row)), None)
        if same is None:
            found.lines.append(row)
            same = len(found.lines) - 1
        found.repeats[same] = found.repeats.get(same, 0) + row.times
        found.earliest[same] = row.first_at or row.at
    return days
