"""Ali's SIP has a follow-up meeting called (app/sip): Karin called it yesterday, with everyone on
the plan; Ali has yet to answer."""

from __future__ import annotations

from sqlalchemy import select

from app.demo.seed.world import _World
from app.plans.models import CareTeamMember
from app.sip.deadlines import Rules
from app.sip.models import MeetingMode, SipMeeting
from app.sip.services import actor_invitee


def _ali_meeting(w: _World) -> None:
    w.session.flush()
    plan, karin = w.plans["ali"], w.staff["staff-karin"]
    need = w.day(-2)
    rules = Rules()
    day = w.workday(9)
    meeting = w.add(
        SipMeeting(
            plan_id=plan.id,
            patient_id=plan.patient_id,
            unit_id=karin.unit_id,
            called_by_id=karin.id,
            need_known_on=need,
            call_due_on=rules.call_due(need),
            meet_by=rules.meet_by(need),
            called_at=w.at(-1, 10, 15),
            mode=MeetingMode.IN_PERSON,
            place="Hälsocentralen Kvarnen, rum 12. Tolk på arabiska är bokad.",
            starts_at=w.at(day, 13, 0),
            ends_at=w.at(day, 14, 30),
            client_key="demo-sip-ali",
        )
    )
    w.session.flush()
    members = w.session.scalars(
        select(CareTeamMember)
        .where(CareTeamMember.plan_id == plan.id)
        .order_by(CareTeamMember.position, CareTeamMember.id)
    ).all()
    for member in members:
        w.add(actor_invitee(meeting.id, member, meeting.called_at))
