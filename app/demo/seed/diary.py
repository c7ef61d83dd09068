"""The self-care diaries: Maja weighs herself every morning (her self-care plan's rule: more than
2 kg in 3 days means an extra tablet and a call to Karin), and Elias checks his glucose before
football (under 4 means something sweet at once)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.demo.seed.world import _World
from app.diary.models import Entry, Measure, MeasureKind, Rule, RuleKind
from app.goals.models import Activity


def _activity(w: _World, plan_key: str, starts: str) -> Activity:
    plan = w.plans[plan_key]
    return w.session.scalars(
        select(Activity).where(Activity.plan_id == plan.id, Activity.text.startswith(starts))
    ).one()


def _diaries(w: _World) -> None:
    w.session.flush()
    kvarnen = w.units["kvarnen"].phone
    weighing = _activity(w, "maja-self-care", "Väga mig på morgonen")
    weight = w.add(
        Measure(
            plan_id=weighing.plan_id,
            activity_id=weighing.id,
            kind=MeasureKind.WEIGHT,
            label="Vikt",
            every_days=1,
            time_of_day="07:30",
            low=Decimal(55),
            high=Decimal(95),
            created_by_id=w.staff["staff-karin"].id,
            created_at=w.now - timedelta(days=40),
        )
    )
    w.session.flush()
    w.add(
        Rule(
            measure_id=weight.id,
            kind=RuleKind.RISE,
            threshold=Decimal(2),
            window_days=3,
            instruction="Ta en extra tablett furosemid i dag och ring Karin samma dag, "
            f"{kvarnen}. Kvällar och helger: ring 1177.",
            urgent=False,
            position=0,
        )
    )
    maja = w.persons["patient-maja"]
    # A month of mornings, steady; two missed mornings are missing, not made up.
    recent = {6: "71.2", 5: "71.0", 4: "71.4", 2: "71.1", 1: "71.3"}
    month = {day: f"{70.8 + (day * 7 % 9) / 10:.1f}" for day in range(7, 31) if day != 12}
    for days_ago, kilos in sorted({**month, **recent}.items(), reverse=True):
        w.add(
            Entry(
                measure_id=weight.id,
                patient_id=maja.id,
                value=Decimal(kilos),
                recorded_for=w.at(-days_ago, 7, 30),
                recorded_at=w.at(-days_ago, 7, 32),
                recorded_by_id=maja.id,
                client_key=f"demo-weight-{days_ago}",
            )
        )
    sensor = _activity(w, "elias", "Kolla sensorn före träningen")
    glucose = w.add(
        Measure(
            plan_id=sensor.plan_id,
            activity_id=sensor.id,
            kind=MeasureKind.GLUCOSE,
            label="Blodsocker",
            every_days=1,
            time_of_day="16:30",
            low=Decimal(2),
            high=Decimal(25),
            created_by_id=w.staff["staff-amir"].id,
            created_at=w.now - timedelta(days=2),
        )
    )
    w.session.flush()
    w.add(
        Rule(
            measure_id=glucose.id,
            kind=RuleKind.BELOW,
            threshold=Decimal(4),
            instruction="Ät eller drick något sött direkt, till exempel druvsocker eller saft. "
            "Mät igen efter 15 minuter innan du börjar träna.",
            urgent=False,
            position=0,
        )
    )
