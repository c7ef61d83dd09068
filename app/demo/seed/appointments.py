"""The times the patients have agreed with their care teams, or been offered."""

from __future__ import annotations

from datetime import timedelta

from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
from app.demo.seed.world import _World


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
         "Videosamtal från Hälsocentralen Kvarnen",
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
                offered_by_id=practitioner.id,
                created_at=w.now - timedelta(days=3),
                # Agreed two days ago, and confirmed by care the same day.
                accepted_at=w.now - timedelta(days=2) if status == A.ACCEPTED else None,
                meeting_url="https://video.example/kvarnen-4821" if mode == M.VIDEO else "",
                interpreter_booked=plan_key == "ali",
            )
        )
