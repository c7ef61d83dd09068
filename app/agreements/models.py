"""The patient's answer to a published plan version."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Person
from app.db import Base, UTCDateTime, str_enum, utcnow


class AgreementAnswer(enum.StrEnum):
    AGREE = "agree"
    QUESTIONS = "questions"


class Agreement(Base):
    """Stämmer det här med det vi kom överens om? One answer per plan version."""

    __tablename__ = "agreement"
    __table_args__ = (Index("uq_agreement_plan_version", "plan_id", "plan_version", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"))
    plan_version: Mapped[int] = mapped_column(Integer)
    answer: Mapped[AgreementAnswer] = mapped_column(str_enum(AgreementAnswer, 20))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    answered_by: Mapped[Person] = relationship()
