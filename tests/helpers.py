"""Small helpers for reading what a person sees."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.plans.models import CarePlan

# The twelve persona keys of DESIGN.md's demo world, in its order.
PERSONAS = [
    "patient-maja", "proxy-anna", "patient-per", "patient-elias", "guardian-sara", "patient-ali",
    "staff-karin", "staff-erik", "staff-lena", "staff-sofia", "staff-amir", "staff-jonas",
]  # fmt: skip


def visible_text(response) -> str:  # noqa: ANN001 - a Flask test response
    """The page's text as a person reads it: tags dropped, entities decoded, spaces folded."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def plan_id(db: Session, title_part: str) -> int:
    plan = db.scalars(select(CarePlan).where(CarePlan.title.contains(title_part))).one()
    return plan.id


def thread_id(db: Session, subject_part: str) -> int:
    from app.messages.models import Thread

    return db.scalars(select(Thread).where(Thread.subject.contains(subject_part))).one().id
