"""Per Nilsson, 62, having chemotherapy for colon cancer: his care plan and a thread about
nausea."""

from __future__ import annotations

from app.demo.seed.builders import (
    ONGOING,
    PATIENT,
    PLANNED,
    PRACTITIONER,
    UNIT,
    _activities,
    _goal,
    _member,
    _message,
    _plan,
    _publish,
    _thread,
)
from app.demo.seed.world import _World
from app.goals.models import ProposedBy
from app.plans.models import PlanKind, TeamRole


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
