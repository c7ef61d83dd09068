"""The demo world: a few patients, their relatives and their care teams in Luleå.

Every date is relative to the day the seed runs, so the demo never goes stale. Persona keys
(``patient-maja``, ``staff-karin``, ...) are stable; tests and documentation refer to them.
All personal identity numbers are in Skatteverket's test series and cannot belong to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.accounts.identity import make_test_number
from app.accounts.models import CareUnit, Person, Practitioner, Principal, PrincipalKind
from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
from app.goals.models import Activity, ActivityStatus, Goal, GoalStatus, ProposedBy, Responsible
from app.messages.models import Message, Thread, ThreadStatus
from app.plans.models import (
    SELF_CARE_POINTS,
    CarePlan,
    CareTeamMember,
    CloseReason,
    PlanKind,
    PlanStatus,
    PlanVersion,
    TeamRole,
)
from app.proxies.models import GrantRelation, Guardianship, ProxyGrant, Scope
from app.whatmatters.models import WhatMatters

STOCKHOLM = ZoneInfo("Europe/Stockholm")

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


def seed_demo(
    session: Session, today: date | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Create the demo world; returns {persona_key: id} for persons and practitioners.

    Only adds and flushes; the caller commits. Meant for an empty database.
    """
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("seed_demo needs a timezone-aware now")
    world = _World(session=session, today=today or date.today(), now=now.astimezone(UTC))
    _organisations(world)
    _people(world)
    _practitioners(world)
    _delegations(world)
    _maja_sip(world)
    _maja_self_care(world)
    _maja_rehab(world)
    _per(world)
    _elias(world)
    _ali(world)
    _what_matters(world)
    _appointments(world)
    _maja_threads(world)
    _per_thread(world)
    session.flush()
    ids = {key: person.id for key, person in world.persons.items()}
    ids.update({key: practitioner.id for key, practitioner in world.staff.items()})
    return ids


# --- Organisations and people ---------------------------------------------------------------


def _organisations(w: _World) -> None:
    region = w.add(Principal(name="Region Norrbotten", kind=PrincipalKind.REGION))
    municipality = w.add(Principal(name="Luleå kommun", kind=PrincipalKind.MUNICIPALITY))
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
    )  # fmt: skip
    for key, principal, name, phone, address, days in rows:
        w.units[key] = w.add(
            CareUnit(
                principal=principal,
                name=name,
                phone=phone,
                address=address,
                response_working_days=days,
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
            )
        )
    w.session.flush()


def _practitioners(w: _World) -> None:
    region, kommun = "SE2321000230", "SE2120002817"
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
    )  # fmt: skip
    for key, hsa_id, given, family, title, unit, phone in rows:
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


# --- Building blocks for plans --------------------------------------------------------------


def _plan(
    w: _World, key: str, patient: str, kind: PlanKind, unit: str, created: int, **fields: Any
) -> CarePlan:
    """A plan for a patient, created `created` days ago (a negative offset).

    Not flushed yet: publish its versions before anything flushes it, so the first INSERT
    already carries published_version and the optimistic-lock version stays at 1.
    """
    created_at = w.at(created, 9, 30)
    plan = w.add(
        CarePlan(
            patient_id=w.persons[patient].id,
            kind=kind,
            unit_id=w.units[unit].id,
            status=fields.pop("status", PlanStatus.ACTIVE),
            created_at=created_at,
            updated_at=created_at,
            **fields,
        )
    )
    w.plans[key] = plan
    return plan


def _member(
    w: _World,
    plan: CarePlan,
    role: TeamRole,
    staff: str | None,
    responsibility: str,
    *,
    coordinator: bool = False,
    **external: str,
) -> CareTeamMember:
    """A practitioner (at their own unit) or an external actor (staff None) on the plan."""
    practitioner = w.staff[staff] if staff else None
    return w.add(
        CareTeamMember(
            plan=plan,
            role=role,
            practitioner_id=practitioner.id if practitioner else None,
            unit_id=practitioner.unit_id if practitioner else None,
            external_name=external.get("name"),
            external_contact=external.get("contact"),
            is_coordinator=coordinator,
            responsibility=responsibility,
            valid_from=plan.created_at.date(),
            valid_until=None,
            position=len(plan.team),
        )
    )


def _goal(
    w: _World,
    plan: CarePlan,
    text: str,
    target: date | None,
    *,
    parent: Goal | None = None,
    by: ProposedBy = ProposedBy.PATIENT,
    status: GoalStatus = GoalStatus.ONGOING,
) -> Goal:
    goal = w.add(
        Goal(
            plan=plan,
            parent_id=parent.id if parent else None,
            text=text,
            target_date=target,
            status=status,
            proposed_by=by,
            position=len(plan.goals),
            created_at=plan.created_at,
        )
    )
    w.session.flush()
    return goal


ActivityRow = tuple[Goal | None, str, Responsible, str | None, str, date | None, ActivityStatus]

# Short names for the activity tables below.
PATIENT, RELATIVE, UNIT = Responsible.PATIENT, Responsible.RELATIVE, Responsible.UNIT
PRACTITIONER, EXTERNAL = Responsible.PRACTITIONER, Responsible.EXTERNAL
ONGOING, PLANNED, DONE = ActivityStatus.ONGOING, ActivityStatus.PLANNED, ActivityStatus.DONE


def _responsible_party(
    w: _World, responsible: Responsible, who: str | None
) -> tuple[int | None, int | None, str | None]:
    """(unit id, practitioner id, name) for a party: `who` is a unit key for UNIT, a staff key
    for PRACTITIONER, the name the patient knows for RELATIVE and EXTERNAL, None for PATIENT."""
    if responsible is Responsible.PATIENT and who is None:
        return None, None, None
    if who is None:
        raise ValueError(f"an activity with responsible {responsible.value} needs a party")
    if responsible is Responsible.UNIT:
        return w.units[who].id, None, None
    if responsible is Responsible.PRACTITIONER:
        return None, w.staff[who].id, None
    if responsible in (Responsible.RELATIVE, Responsible.EXTERNAL):
        return None, None, who
    raise ValueError(f"a patient's own activity names no other party: {who!r}")


def _activities(w: _World, plan: CarePlan, *rows: ActivityRow) -> None:
    """Activities as (goal, text, responsible, who, when, due on, status)."""
    for goal, text, responsible, who, when, due_on, status in rows:
        unit_id, practitioner_id, name = _responsible_party(w, responsible, who)
        w.add(
            Activity(
                plan=plan,
                goal_id=goal.id if goal else None,
                text=text,
                responsible=responsible,
                responsible_unit_id=unit_id,
                responsible_practitioner_id=practitioner_id,
                responsible_name=name,
                when_text=when,
                due_on=due_on,
                status=status,
                position=len(plan.activities),
            )
        )


def _publish(w: _World, plan: CarePlan, *versions: tuple[int, str, str]) -> None:
    """Published versions as (days ago as a negative offset, staff key, what changed)."""
    for number, (offset, staff, change) in enumerate(versions, start=1):
        published_at = w.at(offset, 15, 0)
        w.add(
            PlanVersion(
                plan=plan,
                number=number,
                published_at=published_at,
                published_by_id=w.staff[staff].id,
                change_summary=change,
                snapshot={"title": plan.title, "summary": plan.summary},
            )
        )
        plan.updated_at = published_at
    plan.published_version = len(versions)


# --- Maja -----------------------------------------------------------------------------------


def _maja_sip(w: _World) -> None:
    plan = _plan(
        w,
        "maja-sip",
        "patient-maja",
        PlanKind.SIP,
        "kvarnen",
        -62,
        title="Samordnad individuell plan – trygg hemma",
        summary="Hälsocentralen och kommunens hemsjukvård hjälper dig att bo kvar hemma. "
        "Karin samordnar och är den du i första hand kontaktar.",
        consent_given_on=w.day(-62),
        consent_how="Muntligt vid SIP-möte i hemmet",
        consent_given_by="Maja Lind",
        consent_recorded_by_id=w.staff["staff-karin"].id,
        follow_up_on=w.workday(35),
        follow_up_how="SIP-möte i hemmet med Karin och Lena",
    )
    _publish(
        w, plan,
        (-62, "staff-karin", "Ny plan upprättad på SIP-möte."),
        (-20, "staff-karin", "Nytt delmål: gå till brevlådan själv."),
    )  # fmt: skip
    _member(
        w,
        plan,
        TeamRole.CARE_CONTACT,
        "staff-karin",
        "Fast vårdkontakt och samordnare. Håller ihop planen och svarar på dina frågor.",
        coordinator=True,
    )
    _member(
        w,
        plan,
        TeamRole.DOCTOR,
        "staff-erik",
        "Fast läkarkontakt. Ansvarar för behandlingen av hjärtsvikten och diabetesen.",
    )
    _member(
        w,
        plan,
        TeamRole.SIP_ACTOR,
        "staff-lena",
        "Hemsjukvården: hembesök, kontroller och hjälp med läkemedlen hemma.",
    )
    _maja_sip_content(w, plan)


def _maja_sip_content(w: _World, plan: CarePlan) -> None:
    summer = date(w.today.year, 6, 20)
    if summer <= w.today + timedelta(days=30):
        summer = date(w.today.year + 1, 6, 20)
    main = _goal(
        w, plan, "Jag vill bo kvar hemma och orka vara på stugan i Kallax på sommaren.", summer
    )
    _goal(
        w,
        plan,
        "Jag vill känna mig trygg på nätterna.",
        w.day(-14),
        parent=main,
        status=GoalStatus.REACHED,
    )
    mailbox = _goal(
        w, plan, "Jag vill gå till brevlådan och tillbaka själv.", w.day(45), parent=main
    )
    mailbox.created_at = w.at(-20, 14, 0)
    sugar = _goal(
        w, plan, "Jämna blodsocker utan känningar.", w.day(90), parent=main, by=ProposedBy.CARE
    )
    _activities(
        w, plan,
        (main, "Väga mig varje morgon och skriva upp vikten", PATIENT, None, "Varje morgon",
         None, ONGOING),
        (sugar, "Gå igenom blodproverna (njurvärden och salter) och dosen vätskedrivande",
         PRACTITIONER, "staff-erik", "Efter blodprovet på hälsocentralen", w.workday(4),
         PLANNED),
        (main, "Hembesök: vikt, blodtryck och genomgång av läkemedel", UNIT, "hemsjukvarden",
         "Varannan vecka", w.workday(9), ONGOING),
        (mailbox, "Fysioterapeut tränar gång och balans med Maja hemma", UNIT, "hemsjukvarden",
         "En gång i veckan", None, ONGOING),
        (mailbox, "Gå en kort promenad med rollatorn", PATIENT, None, "Varje dag efter lunch",
         None, ONGOING),
        (main, "Lägga in läkemedlen i dosetten och följa med på läkarbesök", RELATIVE,
         "Anna Lind (dotter)", "Varje söndag", None, ONGOING),
        (main, "Ringa Maja och stämma av hur det går med vikten och orken", PRACTITIONER,
         "staff-karin", "Var tredje vecka", w.workday(16), PLANNED),
    )  # fmt: skip


def _maja_self_care(w: _World) -> None:
    plan = _plan(
        w,
        "maja-self-care",
        "patient-maja",
        PlanKind.SELF_CARE,
        "kvarnen",
        -48,
        title="Egenvård vid hjärtsvikt: daglig vägning och vätskedrivande",
        summary="Du väger dig varje morgon och tar en extra vätskedrivande tablett om vikten "
        "ökar för snabbt. Här står vad du gör och vem du ringer.",
        self_care=_maja_self_care_points(w),
        follow_up_on=w.workday(90),
        follow_up_how="Besök hos Karin på hälsocentralen. Ta med viktlistan.",
    )
    _publish(w, plan, (-48, "staff-karin", "Egenvårdsplan upprättad med Maja och Anna."))
    _member(
        w,
        plan,
        TeamRole.CARE_CONTACT,
        "staff-karin",
        "Har gjort egenvårdsbedömningen tillsammans med Erik och följer upp den.",
        coordinator=True,
    )
    _member(
        w,
        plan,
        TeamRole.DOCTOR,
        "staff-erik",
        "Har ordinerat furosemid och hur dosen ändras efter vikten.",
    )
    goal = _goal(
        w, plan, "Jag vill slippa åka in till sjukhuset för att jag samlat vätska.", w.day(180)
    )
    _activities(
        w, plan,
        (goal, "Väga mig på morgonen före frukost och skriva vikten på listan", PATIENT, None,
         "Varje morgon", None, ONGOING),
        (goal, "Ta en extra tablett furosemid om vikten ökat 2 kg på 3 dagar, och ringa Karin "
         "samma dag", PATIENT, None, "Vid behov", None, ONGOING),
        (goal, "Titta på viktlistan tillsammans med Maja", RELATIVE, "Anna Lind (dotter)",
         "Minst en gång i veckan", None, ONGOING),
        (goal, "Bedöma dosen vätskedrivande efter blodproverna", PRACTITIONER, "staff-erik",
         "Efter varje blodprov", None, ONGOING),
    )  # fmt: skip


def _maja_self_care_points(w: _World) -> dict[str, str]:
    phone = w.units["kvarnen"].phone
    texts = (
        "Daglig vägning och ändring av dosen vätskedrivande läkemedel (furosemid) efter vikten, "
        "enligt ordination från doktor Erik Olsson.",
        "Maja gör det själv. Dottern Anna hjälper till att titta på viktlistan och påminner "
        "när det behövs.",
        "Karin har visat Maja och Anna hur vägningen går till: på morgonen efter toalettbesöket, "
        "före frukost, i samma kläder varje gång. Maja har berättat med egna ord hur hon gör. "
        "Skriftliga instruktioner och viktlistan sitter på kylskåpet.",
        "Har vikten ökat 2 kg på 3 dagar: ta en extra tablett furosemid den dagen och ring Karin. "
        f"Blir du yr, mycket trött eller kissar ovanligt lite: ring Karin på vardagar ({phone}), "
        "1177 på kvällar och helger. Får du svårt att andas: ring 112.",
        "Om Maja inte längre klarar att väga sig eller hålla ordning på tabletterna, eller om "
        "Anna inte kan hjälpa till: kontakta Karin. Hon gör en ny bedömning tillsammans med "
        "hemsjukvården.",
        "Karin följer upp om tre månader vid ett besök på hälsocentralen och går igenom "
        "viktlistan. Erik bedömer blodproverna.",
        "Bedömningen görs om senast om ett år, och tidigare om hälsan eller situationen hemma "
        "förändras.",
    )
    return dict(zip(SELF_CARE_POINTS, texts, strict=True))


def _maja_rehab(w: _World) -> None:
    plan = _plan(
        w,
        "maja-rehab",
        "patient-maja",
        PlanKind.CARE_TREATMENT,
        "kvarnen",
        -480,
        title="Rehabilitering efter höftfraktur",
        summary="Träning efter operationen av höften, så att du kan gå själv igen.",
        status=PlanStatus.CLOSED,
        closed_reason=CloseReason.GOALS_MET,
        closed_at=w.at(-365, 14, 0),
        follow_up_how="Planen är avslutad: målen är nådda.",
    )
    _publish(w, plan, (-480, "staff-karin", "Ny plan upprättad efter hemgång från sjukhuset."))
    # --- Per, Elias, Ali ------------------------------------------------------------------------

    _member(
        w,
        plan,
        TeamRole.CARE_CONTACT,
        "staff-karin",
        "Fast vårdkontakt och samordnare under rehabiliteringen.",
        coordinator=True,
    )
    goal = _goal(
        w,
        plan,
        "Jag vill kunna gå med rollatorn till affären igen.",
        w.day(-380),
        status=GoalStatus.REACHED,
    )
    _activities(
        w, plan,
        (goal, "Träna gång och balans med fysioterapeuten", UNIT, "kvarnen",
         "Två gånger i veckan", None, DONE),
        (goal, "Göra träningsprogrammet hemma", PATIENT, None, "Varje dag", None, DONE),
    )  # fmt: skip


def _per(w: _World) -> None:
    plan = _plan(
        w,
        "per",
        "patient-per",
        PlanKind.MY_CARE_PLAN,
        "onkologi",
        -70,
        title="Min vårdplan cancer – tjocktarmscancer",
        summary="Du får cytostatika var fjortonde dag efter operationen. Sofia är din "
        "kontaktsjuksköterska och den du skriver eller ringer till.",
        follow_up_on=w.workday(21),
        follow_up_how="Läkarbesök på onkologmottagningen: hur behandlingen fungerar och vad "
        "som händer sedan.",
        next_step_what="Nästa cytostatikabehandling",
        next_step_on=w.workday(6),
        next_step_where="Onkologiska dagvården, Sunderby sjukhus",
        next_step_who="Sofia Ek",
    )
    _publish(
        w, plan,
        (-70, "staff-sofia", "Min vårdplan upprättad vid första besöket."),
        (-14, "staff-sofia", "Nya råd om illamående och ny tid för uppföljning."),
    )  # fmt: skip
    _member(
        w,
        plan,
        TeamRole.CONTACT_NURSE,
        "staff-sofia",
        "Kontaktsjuksköterska. Samordnar din behandling och svarar på dina frågor.",
        coordinator=True,
    )
    walk = _goal(
        w, plan, "Orka gå min promenad med hunden varje dag under behandlingen.", w.day(90)
    )
    eat = _goal(
        w, plan, "Äta lite flera gånger om dagen, även när jag mår illa.", w.day(30), parent=walk
    )
    course = _goal(w, plan, "Genomföra de planerade behandlingarna.", w.day(84), by=ProposedBy.CARE)
    _activities(
        w, plan,
        (course, "Cytostatikabehandling på onkologiska dagvården", UNIT, "onkologi",
         "Var 14:e dag", w.workday(6), ONGOING),
        (course, "Lämna blodprov två dagar före varje behandling", PATIENT, None,
         "Två dagar före varje behandling", w.day(4), ONGOING),
        (walk, "Skriva symtomdagbok: illamående, trötthet, mage och domningar i fingrarna",
         PATIENT, None, "Varje kväll", None, ONGOING),
        (eat, "Ringa Per dagen efter behandlingen och höra hur det går", PRACTITIONER,
         "staff-sofia", "Dagen efter varje behandling", w.day(7), PLANNED),
    )  # fmt: skip


def _elias(w: _World) -> None:
    plan = _plan(
        w,
        "elias",
        "patient-elias",
        PlanKind.CARE_TREATMENT,
        "barn",
        -120,
        title="Vård- och behandlingsplan – diabetes typ 1",
        summary="Här står hur du, mamma, skolan och diabetesteamet hjälps åt med insulinet och "
        "blodsockret. Amir är den ni hör av er till.",
        follow_up_on=w.workday(60),
        follow_up_how="Återbesök på diabetesmottagningen. Vi tittar på sensorkurvorna tillsammans.",
    )
    _publish(
        w, plan,
        (-120, "staff-amir", "Ny plan upprättad tillsammans med Elias och Sara."),
        (-30, "staff-amir", "Nytt mål: vara med på fotbollsträningen utan att bli låg."),
    )  # fmt: skip
    _member(
        w,
        plan,
        TeamRole.CARE_CONTACT,
        "staff-amir",
        "Fast vårdkontakt och samordnare i diabetesteamet.",
        coordinator=True,
    )
    football = _goal(
        w, plan, "Jag vill kunna vara med på fotbollsträningen utan att bli låg.", w.day(60)
    )
    carbs = _goal(
        w,
        plan,
        "Jag vill lära mig räkna kolhydrater i mellanmålet själv.",
        w.day(90),
        parent=football,
    )
    football.created_at = carbs.created_at = w.at(-30, 15, 0)
    _activities(
        w, plan,
        (football, "Kolla sensorn före träningen och äta ett extra mellanmål om värdet är lågt",
         PATIENT, None, "Före varje träning", None, ONGOING),
        (carbs, "Räkna kolhydrater och ställa in insulinet tillsammans med Elias", RELATIVE,
         "Sara Svensson (mamma)", "Varje dag", None, ONGOING),
        (football, "Gå igenom sensorkurvorna och justera insulindoserna", UNIT, "barn",
         "Var tredje månad", w.workday(21), ONGOING),
        (football, "Gå igenom med personalen vad de gör om Elias blir låg i skolan eller på "
         "idrotten", EXTERNAL, "Skolsköterskan, Björkskataskolan", "En gång per termin",
         w.workday(14), PLANNED),
    )  # fmt: skip


def _ali(w: _World) -> None:
    plan = _plan(
        w,
        "ali",
        "patient-ali",
        PlanKind.SIP,
        "kvarnen",
        -21,
        title="Samordnad individuell plan efter stroke",
        summary="Hälsocentralen, hemsjukvården och Försäkringskassan hjälper dig att träna "
        "och komma tillbaka till arbetet. Karin samordnar.",
        consent_given_on=w.day(-21),
        consent_how="Muntligt vid SIP-möte på hälsocentralen, med tolk",
        consent_given_by="Ali Hassan",
        consent_recorded_by_id=w.staff["staff-karin"].id,
        follow_up_on=w.workday(42),
        follow_up_how="SIP-möte på hälsocentralen med tolk. Försäkringskassan är med på video.",
    )
    _publish(w, plan, (-21, "staff-karin", "Ny plan upprättad på SIP-möte med tolk."))
    _member(
        w,
        plan,
        TeamRole.CARE_CONTACT,
        "staff-karin",
        "Fast vårdkontakt och samordnare. Bokar tolk till alla möten.",
        coordinator=True,
    )
    _member(
        w,
        plan,
        TeamRole.DOCTOR,
        "staff-erik",
        "Fast läkarkontakt. Följer upp blodtryck och läkemedel efter stroken.",
    )
    _member(
        w,
        plan,
        TeamRole.SIP_ACTOR,
        "staff-lena",
        "Hemsjukvården: träning av gång och balans hemma.",
    )
    _member(
        w,
        plan,
        TeamRole.EXTERNAL,
        None,
        "Handlägger sjukpenning och planerar återgång i arbete tillsammans med dig och "
        "din arbetsgivare.",
        name="Försäkringskassan",
        contact="Handläggare, tel 0771-524 524",
    )
    _ali_content(w, plan)


def _ali_content(w: _World, plan: CarePlan) -> None:
    shop = _goal(w, plan, "Jag vill kunna gå till affären själv.", w.day(90))
    bus = _goal(w, plan, "Jag vill gå med käpp till busshållplatsen.", w.day(42), parent=shop)
    work = _goal(w, plan, "Jag vill tillbaka till mitt arbete på deltid.", w.day(150))
    _goal(w, plan, "Jag vill orka vara på jobbet två timmar om dagen.", w.day(90), parent=work)
    _activities(
        w, plan,
        (bus, "Gå en promenad med käppen", PATIENT, None, "Varje dag", None, ONGOING),
        (shop, "Fysioterapeut tränar gång och balans med Ali hemma", UNIT, "hemsjukvarden",
         "Två gånger i veckan", None, ONGOING),
        (shop, "Följa upp blodtryck och läkemedel", PRACTITIONER, "staff-erik",
         "Var sjätte vecka", w.workday(12), PLANNED),
        (None, "Boka tolk på arabiska till alla möten", PRACTITIONER, "staff-karin",
         "Inför varje möte", None, ONGOING),
        (work, "Avstämningsmöte om sjukpenning och plan för att börja arbeta på deltid",
         EXTERNAL, "Försäkringskassan", "Inom en månad", w.workday(30), PLANNED),
    )  # fmt: skip


# --- What matters, appointments, messages ---------------------------------------------------

# Version 1 of each patient's own answers: (patient, written by, plan dated alike, answers).
_WHAT_MATTERS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("patient-maja", "patient-maja", "maja-sip", {
        "what_matters": "Att få bo kvar hemma och vara på stugan i Kallax på sommaren. "
        "Där har jag varit varje sommar i femtio år.",
        "expectations": "Att jag vet vem jag ska ringa och att ni kommer när ni har sagt.",
        "relatives": "Anna får gärna vara med på möten och läsa mina planer.",
        "treatment_wishes": "Så få tabletter som möjligt. Jag vill inte ligga på sjukhus.",
        "visit_wishes": "Förmiddagar. På eftermiddagen vilar jag.",
        "resources_physical": "Jag går med rollator och klarar mig själv i köket.",
        "resources_psychological": "Jag är envis och tar en dag i taget.",
        "resources_existential": "Kyrkokören på torsdagar betyder mycket för mig.",
        "resources_social": "Anna och barnbarnen, och grannen Gun som tittar in.",
    }),
    ("patient-per", "patient-per", "per", {
        "what_matters": "Promenaderna med hunden Sixten och att kunna jobba lite i "
        "snickarboden.",
        "expectations": "Raka besked, även när det är tråkigt.",
        "relatives": "Min fru Eva ska få veta allt. Hon följer gärna med på besöken.",
        "visit_wishes": "Tidiga morgnar passar bäst.",
        "resources_physical": "Jag har alltid rört på mig mycket.",
        "resources_psychological": "Jag är lugn av mig och vill veta hur saker ligger till.",
        "resources_social": "Eva, barnen och grabbarna i skoterklubben.",
    }),
    ("patient-elias", "guardian-sara", "elias", {
        "what_matters": "Fotbollen med laget och att få sova över hos kompisar.",
        "expectations": "Elias vill att ni pratar med honom, inte bara med mamma.",
        "relatives": "Mamma är med på alla besök. Mormor hämtar ibland efter skolan.",
        "visit_wishes": "Efter skolan, helst inte på träningsdagar (tisdag och torsdag).",
        "resources_physical": "Spelar fotboll tre gånger i veckan.",
        "resources_social": "Kompisarna i laget och tränaren Micke vet om diabetesen.",
    }),
    ("patient-ali", "patient-ali", "ali", {
        "what_matters": "Att klara mig själv och komma tillbaka till jobbet.",
        "expectations": "Att ni förklarar med enkla ord, och tolk på mötena.",
        "relatives": "Min fru får vara med på mötena.",
        "visit_wishes": "Tolk på arabiska vid alla besök.",
        "resources_physical": "Jag tränar varje dag. Det går lite bättre hela tiden.",
        "resources_existential": "Min tro ger mig styrka.",
        "resources_social": "Min fru, mina barn och mina arbetskamrater.",
    }),
)  # fmt: skip


def _what_matters(w: _World) -> None:
    for patient, writer, plan_key, answers in _WHAT_MATTERS:
        w.add(
            WhatMatters(
                patient_id=w.persons[patient].id,
                version=1,
                written_by_id=w.persons[writer].id,
                created_at=w.plans[plan_key].created_at,
                **answers,
            )
        )


def _appointments(w: _World) -> None:
    A, M = AppointmentStatus, AppointmentMode
    rows = (
        # plan, staff, day, (hour, minute), minutes, mode, status, location, purpose
        ("maja-sip", "staff-lena", w.workday(9), (10, 0), 45, M.HOME, A.ACCEPTED,
         "Hemma hos Maja", "Hembesök: vikt, blodtryck och genomgång av läkemedel"),
        ("maja-self-care", "staff-erik", w.workday(14), (14, 30), 20, M.PHONE, A.PROPOSED,
         "Erik ringer upp dig", "Telefonsamtal om blodproverna och dosen vätskedrivande"),
        ("per", "staff-sofia", w.workday(6), (8, 30), 240, M.VISIT, A.ACCEPTED,
         "Onkologiska dagvården, plan 3, Sunderby sjukhus", "Cytostatikabehandling"),
        ("elias", "staff-amir", w.workday(21), (15, 30), 60, M.VISIT, A.ACCEPTED,
         "Barn- och ungdomsmottagningen, entré A, Sunderby sjukhus",
         "Återbesök: sensorkurvor, insulin och hur det går på fotbollen"),
        ("ali", "staff-karin", w.workday(10), (13, 0), 30, M.VIDEO, A.ACCEPTED,
         "Videosamtal. Länken finns här i appen.",
         "Videosamtal med tolk: hur går träningen hemma?"),
    )  # fmt: skip
    for plan_key, staff, day, (hour, minute), minutes, mode, status, location, purpose in rows:
        plan, practitioner = w.plans[plan_key], w.staff[staff]
        w.add(
            Appointment(
                patient_id=plan.patient_id,
                plan_id=plan.id,
                unit_id=practitioner.unit_id,
                practitioner_id=practitioner.id,
                starts_at=w.at(day, hour, minute),
                duration_minutes=minutes,
                mode=mode,
                location=location,
                purpose=purpose,
                status=status,
                created_at=w.now - timedelta(days=3),
            )
        )


def _thread(w: _World, plan_key: str, staff: str, subject: str) -> Thread:
    plan, practitioner = w.plans[plan_key], w.staff[staff]
    thread = w.add(
        Thread(
            patient_id=plan.patient_id,
            plan_id=plan.id,
            unit_id=practitioner.unit_id,
            assigned_to_id=practitioner.id,
            subject=subject,
        )
    )
    return thread


def _message(
    w: _World,
    thread: Thread,
    at: datetime,
    body: str,
    *,
    person: str | None = None,
    staff: str | None = None,
    for_patient: str | None = None,
) -> Message:
    """A message by a person (optionally for a patient) or a practitioner, read by its author."""
    w.message_count += 1
    author = w.staff[staff] if staff else None
    message = w.add(
        Message(
            thread=thread,
            author_person_id=w.persons[person].id if person else None,
            author_practitioner_id=author.id if author else None,
            on_behalf_of_id=w.persons[for_patient].id if for_patient else None,
            body=body,
            idempotency_key=f"demo-{w.message_count}",
            created_at=at,
            read_by_care_at=at if author else None,
            read_by_care_id=author.id if author else None,
            read_by_patient_at=None if author else at,
        )
    )
    if thread.created_at is None:
        thread.created_at = at
    thread.last_message_at = at
    if author:
        thread.status, thread.waiting_since = ThreadStatus.ANSWERED, None
    elif thread.status != ThreadStatus.WAITING_FOR_CARE or thread.waiting_since is None:
        thread.status, thread.waiting_since = ThreadStatus.WAITING_FOR_CARE, at
    return message


def _maja_threads(w: _World) -> None:
    weight = _thread(w, "maja-self-care", "staff-karin", "Min vikt har ökat")
    asked = _message(
        w,
        weight,
        w.at(-3, 7, 40),
        "Hej Karin. Vikten har gått upp från 68,2 till 70,3 kilo på tre dagar. Jag har tagit en "
        "extra vattentablett som det står på lappen. Benen är lite svullna men jag andas som "
        "vanligt. Ska jag göra något mer? Hälsningar Maja",
        person="patient-maja",
    )
    asked.read_by_care_at = w.at(-2, 9, 50)
    asked.read_by_care_id = w.staff["staff-karin"].id
    reply = _message(
        w,
        weight,
        w.at(-2, 10, 5),
        "Hej Maja! Bra att du vägde dig och tog den extra tabletten, precis som vi har kommit "
        "överens om. Fortsätt att väga dig varje morgon. Jag har pratat med doktor Erik. Han vill "
        "att du lämnar blodprov hos oss i veckan, du kan komma utan tid klockan 8–10. Får du svårt "
        "att andas ska du ringa 112. Hälsningar Karin",
        staff="staff-karin",
    )
    reply.read_by_patient_at = None
    visit = _thread(w, "maja-sip", "staff-karin", "Fråga om hembesöket")
    _message(
        w,
        visit,
        w.now - timedelta(hours=4),
        "Hej Karin! Jag skriver för mammas räkning. Hon har fått en tid för hembesök klockan 10. "
        "Jag vill gärna vara med, men jobbar till klockan 14. Går det att komma på eftermiddagen "
        "i stället? Hälsningar Anna",
        person="proxy-anna",
        for_patient="patient-maja",
    )


def _per_thread(w: _World) -> None:
    thread = _thread(w, "per", "staff-sofia", "Illamående efter behandlingen")
    asked = _message(
        w,
        thread,
        w.at(-6, 18, 40),
        "Hej Sofia. Jag har mått illa sedan behandlingen i förrgår och har svårt att äta. "
        "Tabletterna mot illamående hjälper lite. Ska jag göra något mer? /Per",
        person="patient-per",
    )
    asked.read_by_care_at = w.at(-5, 8, 15)
    asked.read_by_care_id = w.staff["staff-sofia"].id
    reply = _message(
        w,
        thread,
        w.at(-5, 8, 40),
        "Hej Per! Tack för att du hör av dig. Det är vanligt att må illa de första dagarna. Ta "
        "tabletterna mot illamående på fasta tider, inte bara när det känns, och ät lite i taget "
        "ofta. Drick ordentligt. Får du feber över 38 grader, eller kan du inte behålla något du "
        "dricker, ring oss direkt, eller 1177 på kvällen. Jag ringer dig i morgon. /Sofia",
        staff="staff-sofia",
    )
    reply.read_by_patient_at = w.at(-5, 12, 10)
