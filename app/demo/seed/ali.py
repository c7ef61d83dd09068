"""Ali Hassan, 45, after a stroke: a SIP with home care and Försäkringskassan, in Arabic with an
interpreter, seen in the simple view."""

from __future__ import annotations

from app.demo.seed.builders import (
    EXTERNAL,
    ONGOING,
    PATIENT,
    PLANNED,
    PRACTITIONER,
    UNIT,
    _activities,
    _goal,
    _member,
    _plan,
    _publish,
)
from app.demo.seed.world import _World
from app.plans.models import CarePlan, PlanKind, TeamRole


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
