"""Maja Lind, 81, at home with heart failure and diabetes: a SIP with the municipality's home
care, a self-care plan for daily weighing, a closed plan from her hip fracture, and two threads
(one written by her daughter Anna, her proxy)."""

from __future__ import annotations

from datetime import date, timedelta

from app.demo.seed.builders import (
    DONE,
    ONGOING,
    PATIENT,
    PLANNED,
    PRACTITIONER,
    RELATIVE,
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
from app.goals.models import GoalStatus, ProposedBy
from app.plans.models import SELF_CARE_POINTS, CarePlan, CloseReason, PlanKind, PlanStatus, TeamRole


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
