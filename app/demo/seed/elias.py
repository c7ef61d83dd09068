"""Elias Svensson, 11, with type 1 diabetes: a plan he shares with his mother Sara, his
guardian, and his school."""

from __future__ import annotations

from app.demo.seed.builders import (
    EXTERNAL,
    ONGOING,
    PATIENT,
    PLANNED,
    RELATIVE,
    UNIT,
    _activities,
    _goal,
    _member,
    _plan,
    _publish,
)
from app.demo.seed.world import _World
from app.plans.models import PlanKind, TeamRole


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
