"""What patients have asked care for and not yet been answered: Greta, who has no plan, asked
Hälsocentralen Kvarnen for one (seed 001: "eget önskemål om patientkontrakt")."""

from __future__ import annotations

from datetime import date, timedelta

from app.care_requests.models import CareRequest, RequestKind, RequestStatus
from app.demo.seed.world import _World
from app.messages.workdays import add_working_days, is_working_day


def _working_days_ago(today: date, days: int) -> date:
    """The working day `days` working days before today."""
    day = today
    while days > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _requests(w: _World) -> None:
    greta, kvarnen = w.persons["patient-greta"], w.units["kvarnen"]
    asked = _working_days_ago(w.today, 1)
    w.add(
        CareRequest(
            patient_id=greta.id,
            unit_id=kvarnen.id,
            kind=RequestKind.CARE_PLAN,
            text=(
                "Jag har fått allt svårare att gå sedan i våras och har ramlat två gånger "
                "hemma. Jag vill gärna göra en plan tillsammans med er, så att jag vet vem "
                "jag ska ringa och vad vi ska göra."
            ),
            made_by_person_id=greta.id,
            created_at=w.at(asked, 9, 40),
            due_on=add_working_days(asked, kvarnen.response_working_days),
            status=RequestStatus.OPEN,
        )
    )
