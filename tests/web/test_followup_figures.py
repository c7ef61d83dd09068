"""The follow-up figures against hand-counted values, on a small region of known data (on
SQLite, and on PostgreSQL when TEST_DATABASE_URL is set): each figure per unit and for the
principal, the cells of 1–4 patients hidden (the edge at 4 and 5), the one more cell hidden so
that a total cannot give a hidden one back, and the Swedish day of an answer late at night.

The region, September 2026 (every plan's new version published on 10 September):
- Ankaret: 6 patients; 4 with a named fast vårdkontakt, 3 with a fast läkarkontakt. 5 of the
  6 versions answered (3 "Stämmer", 2 "Jag har frågor") after 1, 2, 3, 4 and 10 days. Two of
  the plans are SIPs from June 2025, one followed up in March 2026. 5 requests, due 8
  September: 3 answered by 23:30 that day, 1 at 00:30 the day after (late), 1 not answered.
  5 people answered the seven questions' first question (3 "Ja"), 4 the fifth.
- Björken: 5 patients, all with both contacts, all answered "Stämmer" after 1, 1, 2, 2, 2
  days. 4 requests, 2 answered in time.
- Cedern: 2 patients, 1 with a fast vårdkontakt, 1 answered "Stämmer" after 5 days. 6 requests
  from 6 other people, all answered in time.

Messages: each of Ankaret's first five patients waited once from Friday 4 September at 16:00,
due by Tuesday 8 September (two working days); answered on the Monday (1 working day), the
Tuesday at 23:30 (2), 00:30 on the Wednesday (3: late), the Saturday (0), and not at all (late
once the 8th has passed). Björken's five patients each waited once, all answered the next
working day. Handovers: six on Ankaret's plans, offered Thursday 10 September, due Monday 14
September: acknowledged on the Friday, on the Monday at 23:00, on the Monday, on the Tuesday
(late), never (late), and one withdrawn before an answer (not counted). SIP meetings: five on
Ankaret's first plans, the need known Tuesday 1 September (the call due Friday 4 September, the
meeting by 22 September): called on the 3rd three times and on the 7th twice; held on the 15th
twice, on the 23rd once, and not at all twice.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import CareUnit, Person, Practitioner, Principal, PrincipalKind, StaffRole
from app.agreements.models import Agreement, AgreementAnswer
from app.care_requests.models import CareRequest, RequestKind
from app.followup.figures import Cell, Figure, figures, protect
from app.followup.models import FollowUpCount, FollowUpView, Reply, SevenQuestions
from app.followup.views import _csv
from app.messages.models import Thread, ThreadStatus, Wait
from app.plans.models import (
    CarePlan,
    CareTeamMember,
    Handover,
    HandoverRole,
    PlanKind,
    PlanStatus,
    PlanVersion,
    TeamRole,
)
from app.sip.models import MeetingMode, MeetingStatus, SipMeeting
from app.sqltime import STOCKHOLM

SEPTEMBER = date(2026, 9, 1)
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)  # all of September's deadlines have passed
PUBLISHED = datetime(2026, 9, 10, 10, 0, tzinfo=UTC)
_numbers = count(1)


class Region:
    """A principal with three units, built row by row."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.principal = self._add(Principal(name="Region Provet", kind=PrincipalKind.REGION))
        self.units = {
            name: self._add(CareUnit(principal_id=self.principal.id, name=name, phone="010-1"))
            for name in ("Ankaret", "Björken", "Cedern")
        }
        unit = self.units["Ankaret"]
        self.staff = self._add(
            Practitioner(
                hsa_id="PROV-1", given_name="Pia", family_name="Prov", title="Sjuksköterska",
                unit_id=unit.id, roles="care followup",
            )
        )  # fmt: skip

    def _add(self, row):  # noqa: ANN001, ANN202
        self.db.add(row)
        self.db.flush()
        return row

    def person(self) -> Person:
        number = next(_numbers)
        return self._add(
            Person(
                personal_number=f"19500101{number:04d}",
                given_name="Test",
                family_name=f"Person {number}",
                birth_date=date(1950, 1, 1),
            )
        )

    def plan(
        self,
        unit: str,
        contact: bool = False,
        doctor: bool = False,
        answer: AgreementAnswer | None = None,
        days: float = 0,
        sip_followed_up: date | None = None,
        sip: bool = False,
    ) -> Person:
        patient = self.person()
        plan = self._add(
            CarePlan(
                patient_id=patient.id,
                kind=PlanKind.SIP if sip else PlanKind.CARE_TREATMENT,
                title="Plan",
                unit_id=self.units[unit].id,
                status=PlanStatus.ACTIVE,
                published_version=2 if sip else 1,
                created_at=datetime(2025, 1, 1, tzinfo=UTC),
                last_followed_up_on=sip_followed_up,
            )
        )
        versions = (
            [(1, datetime(2025, 6, 1, tzinfo=UTC)), (2, PUBLISHED)] if sip else [(1, PUBLISHED)]
        )
        for number, moment in versions:
            self._add(
                PlanVersion(
                    plan_id=plan.id, number=number, published_at=moment,
                    published_by_id=self.staff.id, change_summary="", snapshot={},
                )
            )  # fmt: skip
        for role, wanted in ((TeamRole.CARE_CONTACT, contact), (TeamRole.DOCTOR, doctor)):
            if wanted:
                self._add(
                    CareTeamMember(
                        plan_id=plan.id, role=role, practitioner_id=self.staff.id,
                        valid_from=date(2026, 1, 1),
                    )
                )  # fmt: skip
        if answer is not None:
            self._add(
                Agreement(
                    plan_id=plan.id, plan_version=versions[-1][0], answer=answer,
                    answered_by_id=patient.id,
                    answered_at=PUBLISHED + timedelta(days=days),
                )
            )  # fmt: skip
        return patient

    def request(self, unit: str, patient: Person, answered_at: datetime | None) -> None:
        self._add(
            CareRequest(
                patient_id=patient.id, unit_id=self.units[unit].id, kind=RequestKind.CARE_PLAN,
                made_by_person_id=patient.id, created_at=datetime(2026, 9, 5, 8, tzinfo=UTC),
                due_on=date(2026, 9, 8), answered_at=answered_at,
            )
        )  # fmt: skip

    def wait(self, unit: str, patient: Person, ended_at: datetime | None, days: int | None) -> None:
        thread = self._add(
            Thread(
                patient_id=patient.id, unit_id=self.units[unit].id, subject="Fråga",
                status=ThreadStatus.ANSWERED,
            )
        )  # fmt: skip
        self._add(
            Wait(
                thread_id=thread.id, unit_id=thread.unit_id, patient_id=patient.id,
                started_at=datetime(2026, 9, 4, 14, tzinfo=UTC), due_on=date(2026, 9, 8),
                ended_at=ended_at, working_days=days,
            )
        )  # fmt: skip

    def handover(
        self, patient: Person, acknowledged_at: datetime | None, cancelled: bool = False
    ) -> None:
        plan_id = self.db.scalar(select(CarePlan.id).where(CarePlan.patient_id == patient.id))
        self._add(
            Handover(
                plan_id=plan_id, role=HandoverRole.CARE_CONTACT,
                from_practitioner_id=self.staff.id, to_practitioner_id=self.staff.id,
                created_at=datetime(2026, 9, 10, 9, tzinfo=UTC), due_on=date(2026, 9, 14),
                acknowledged_at=acknowledged_at,
                cancelled_at=datetime(2026, 9, 11, 9, tzinfo=UTC) if cancelled else None,
            )
        )  # fmt: skip

    def sip_meeting(self, patient: Person, called: date, held: date | None) -> None:
        plan_id = self.db.scalar(select(CarePlan.id).where(CarePlan.patient_id == patient.id))
        self._add(
            SipMeeting(
                plan_id=plan_id, patient_id=patient.id, unit_id=self.units["Ankaret"].id,
                called_by_id=self.staff.id, need_known_on=date(2026, 9, 1),
                call_due_on=date(2026, 9, 4), meet_by=date(2026, 9, 22),
                called_at=datetime.combine(called, time(9), UTC), mode=MeetingMode.IN_PERSON,
                starts_at=datetime(2026, 9, 15, 9, tzinfo=UTC),
                ends_at=datetime(2026, 9, 15, 10, tzinfo=UTC),
                status=MeetingStatus.HELD if held else MeetingStatus.CALLED,
                held_at=datetime.combine(held, time(10), UTC) if held else None,
                client_key=f"sip-{next(_numbers)}",
            )
        )  # fmt: skip

    def seven(self, unit: str, person: Person, **replies: Reply) -> None:
        self._add(
            SevenQuestions(
                person_id=person.id, unit_id=self.units[unit].id,
                answered_at=datetime(2026, 9, 20, 12, tzinfo=UTC),
                client_key=f"seven-{next(_numbers)}", **replies,
            )
        )  # fmt: skip


@pytest.fixture
def region(db: Session) -> Region:
    region = Region(db)
    agree, questions = AgreementAnswer.AGREE, AgreementAnswer.QUESTIONS
    ankaret = [
        region.plan("Ankaret", True, True, agree, 1),
        region.plan("Ankaret", True, True, agree, 2, date(2026, 3, 1), sip=True),
        region.plan("Ankaret", True, True, agree, 3, date(2025, 6, 1), sip=True),
        region.plan("Ankaret", True, False, questions, 4),
        region.plan("Ankaret", False, False, questions, 10),
        region.plan("Ankaret"),
    ]
    for days in (1, 1, 2, 2, 2):
        region.plan("Björken", True, True, agree, days)
    cedern = [region.plan("Cedern", True, False, agree, 5), region.plan("Cedern")]
    assert len(cedern) == 2
    on_time = datetime(2026, 9, 8, 21, 30, tzinfo=UTC)  # 23:30 in Sweden, the day it was due
    late = datetime(2026, 9, 8, 22, 30, tzinfo=UTC)  # 00:30 on 9 September in Sweden
    for patient, answered in zip(ankaret, (on_time, on_time, on_time, late, None), strict=False):
        region.request("Ankaret", patient, answered)
    for answered in (on_time, on_time, None, late):
        region.request("Björken", region.person(), answered)
    for _ in range(6):
        region.request("Cedern", region.person(), on_time)
    answers = [
        (datetime(2026, 9, 7, 6, tzinfo=UTC), 1),
        (on_time, 2),
        (late, 3),
        (datetime(2026, 9, 5, 9, tzinfo=UTC), 0),
        (None, None),
    ]
    for patient, (ended, days) in zip(ankaret, answers, strict=False):
        region.wait("Ankaret", patient, ended, days)
    for _ in range(5):
        region.wait("Björken", region.person(), datetime(2026, 9, 7, 9, tzinfo=UTC), 1)
    acknowledged = [
        datetime(2026, 9, 11, 9, tzinfo=UTC),
        datetime(2026, 9, 14, 21, tzinfo=UTC),  # 23:00 in Sweden, the day it was due
        datetime(2026, 9, 14, 9, tzinfo=UTC),
        datetime(2026, 9, 15, 7, tzinfo=UTC),
        None,
    ]
    for patient, moment in zip(ankaret, acknowledged, strict=False):
        region.handover(patient, moment)
    region.handover(ankaret[5], None, cancelled=True)
    sept = [date(2026, 9, day) for day in (3, 3, 3, 7, 7)]
    held = [date(2026, 9, 15), None, date(2026, 9, 23), date(2026, 9, 15), None]
    for patient, called, was_held in zip(ankaret, sept, held, strict=False):
        region.sip_meeting(patient, called, was_held)
    yes, no = Reply.YES, Reply.NO
    for index, patient in enumerate(ankaret[:5]):
        replies = {"live_and_trust": yes if index < 3 else no}
        if index < 4:
            replies["next_step"] = yes
        region.seven("Ankaret", patient, **replies)
    region.db.add(
        SevenQuestions(
            person_id=ankaret[5].id, unit_id=region.units["Ankaret"].id, declined=True,
            answered_at=datetime(2026, 9, 21, tzinfo=UTC), client_key="declined-test",
        )
    )  # fmt: skip
    region.db.flush()
    return region


def _cells(
    region: Region, unit_id: int | None = None, now: datetime = NOW
) -> dict[str | None, dict]:
    shown = figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, now, unit_id)
    rows = {row.name: row.cells for row in shown.units}
    if shown.total is not None:
        rows[None] = shown.total.cells
    return rows


def _percent(cell: Cell) -> int | None:
    return None if cell.value is None else round(cell.value * 100)


def test_named_contacts_per_unit_and_for_the_region(region: Region) -> None:
    rows = _cells(region)
    ankaret, total = rows["Ankaret"], rows[None]
    assert ankaret[Figure.CARE_CONTACT].patients == 6
    assert _percent(ankaret[Figure.CARE_CONTACT]) == 67  # 4 of 6
    assert _percent(ankaret[Figure.DOCTOR]) == 50  # 3 of 6, under the 55 % target
    # Cedern has 2 patients: hidden; so is Björken (the smallest other), or 13 − 6 − 5 = 2.
    assert rows["Cedern"][Figure.CARE_CONTACT].hidden
    assert rows["Björken"][Figure.CARE_CONTACT].hidden
    assert rows["Björken"][Figure.CARE_CONTACT].patients is None
    assert total[Figure.CARE_CONTACT].patients == 13
    assert _percent(total[Figure.CARE_CONTACT]) == 77  # 10 of 13
    assert _percent(total[Figure.DOCTOR]) == 62  # 8 of 13


def test_plans_answered_agreed_and_the_median_days(region: Region) -> None:
    rows = _cells(region)
    ankaret, total = rows["Ankaret"], rows[None]
    assert _percent(ankaret[Figure.ANSWERED]) == 83  # 5 of 6
    assert _percent(ankaret[Figure.AGREED]) == 60  # 3 of 5
    assert _percent(ankaret[Figure.QUESTIONS]) == 40  # 2 of 5
    assert ankaret[Figure.DAYS_TO_ANSWER].value == pytest.approx(3.0)  # 1 2 [3] 4 10
    assert _percent(total[Figure.ANSWERED]) == 85  # 11 of 13
    assert _percent(total[Figure.AGREED]) == 82  # 9 of 11
    assert total[Figure.DAYS_TO_ANSWER].value == pytest.approx(2.0)  # the 6th of 11


def test_the_median_of_an_even_number_is_the_mean_of_the_middle_two(region: Region) -> None:
    def median() -> float | None:
        return _cells(region, region.units["Björken"].id)["Björken"][Figure.DAYS_TO_ANSWER].value

    region.plan("Björken", True, True, AgreementAnswer.AGREE, 7)
    assert median() == pytest.approx(2.0)  # 1 1 2 | 2 2 7
    for _ in range(4):
        region.plan("Björken", True, True, AgreementAnswer.AGREE, 9)
    assert median() == pytest.approx(4.5)  # 1 1 2 2 2 | 7 9 9 9 9: (2 + 7) / 2


def test_requests_answered_in_time_by_the_swedish_day_with_4_hidden_and_5_shown(
    region: Region,
) -> None:
    rows = _cells(region)
    # Björken's 4 are hidden, and so Ankaret's 5 (the smallest other) too; Cedern's 6 shown.
    assert rows["Björken"][Figure.REQUESTS_IN_TIME].hidden
    assert rows["Ankaret"][Figure.REQUESTS_IN_TIME].hidden
    assert rows["Cedern"][Figure.REQUESTS_IN_TIME].patients == 6
    assert _percent(rows["Cedern"][Figure.REQUESTS_IN_TIME]) == 100
    assert rows[None][Figure.REQUESTS_IN_TIME].patients == 15
    assert _percent(rows[None][Figure.REQUESTS_IN_TIME]) == 73  # 3 + 2 + 6 of 15
    # On its own, Ankaret's 5 are shown: 3 of 5 in time (00:30 on the 9th is late).
    alone = _cells(region, region.units["Ankaret"].id)
    assert alone["Ankaret"][Figure.REQUESTS_IN_TIME].patients == 5
    assert _percent(alone["Ankaret"][Figure.REQUESTS_IN_TIME]) == 60
    assert None not in alone  # one unit: no total


def test_messages_answered_within_the_units_promise_and_the_median_working_days(
    region: Region,
) -> None:
    rows = _cells(region)
    ankaret, bjorken, total = rows["Ankaret"], rows["Björken"], rows[None]
    assert ankaret[Figure.MESSAGES_IN_TIME].patients == 5
    assert _percent(ankaret[Figure.MESSAGES_IN_TIME]) == 60  # 3 of 5: 00:30 and never are late
    assert ankaret[Figure.MESSAGE_DAYS].value == pytest.approx(1.5)  # 0 1 | 2 3
    assert _percent(bjorken[Figure.MESSAGES_IN_TIME]) == 100
    assert bjorken[Figure.MESSAGE_DAYS].value == pytest.approx(1.0)
    assert rows["Cedern"][Figure.MESSAGES_IN_TIME].patients == 0
    assert total[Figure.MESSAGES_IN_TIME].patients == 10
    assert _percent(total[Figure.MESSAGES_IN_TIME]) == 80  # 8 of 10
    assert total[Figure.MESSAGE_DAYS].value == pytest.approx(1.0)  # 0 1 1 1 1 | 1 1 1 2 3


def test_a_wait_not_yet_due_counts_neither_way(region: Region) -> None:
    """On 8 September the unanswered wait is not late yet: 9 waits decided, 8 of them in time;
    Ankaret's 4 are hidden, and so Björken's 5, the smallest other unit."""
    rows = _cells(region, now=datetime(2026, 9, 8, 12, tzinfo=UTC))
    assert rows["Ankaret"][Figure.MESSAGES_IN_TIME].hidden
    assert rows["Björken"][Figure.MESSAGES_IN_TIME].hidden
    assert rows[None][Figure.MESSAGES_IN_TIME].patients == 9
    assert _percent(rows[None][Figure.MESSAGES_IN_TIME]) == 89


def test_handovers_acknowledged_in_time_by_the_swedish_day(region: Region) -> None:
    rows = _cells(region)
    ankaret = rows["Ankaret"][Figure.HANDOVERS_IN_TIME]
    assert ankaret.patients == 5  # the withdrawn one is not counted
    assert _percent(ankaret) == 60  # Friday, Monday 23:00, Monday; not Tuesday, not never
    assert rows["Björken"][Figure.HANDOVERS_IN_TIME].patients == 0
    assert rows[None][Figure.HANDOVERS_IN_TIME].patients == 5


def test_sip_meetings_called_and_held_within_their_days(region: Region) -> None:
    rows = _cells(region)
    ankaret = rows["Ankaret"]
    assert ankaret[Figure.SIP_CALLED_IN_TIME].patients == 5
    assert _percent(ankaret[Figure.SIP_CALLED_IN_TIME]) == 60  # the 3rd thrice, not the 7th
    assert _percent(ankaret[Figure.SIP_HELD_IN_TIME]) == 40  # the 15th twice of five
    assert rows["Björken"][Figure.SIP_CALLED_IN_TIME].patients == 0
    assert _percent(rows[None][Figure.SIP_HELD_IN_TIME]) == 40


def test_sips_followed_up_within_a_year_hide_a_total_of_two(region: Region) -> None:
    rows = _cells(region)
    assert rows["Ankaret"][Figure.SIP_FOLLOWED_UP].hidden
    assert rows["Björken"][Figure.SIP_FOLLOWED_UP].patients == 0  # none: shown, points at nobody
    assert rows[None][Figure.SIP_FOLLOWED_UP].hidden


def test_the_seven_questions_count_answers_not_declines(region: Region) -> None:
    shown = figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, NOW)
    rows = {row.name: row.cells for row in shown.seven}
    assert rows["Ankaret"]["live_and_trust"].patients == 5
    assert _percent(rows["Ankaret"]["live_and_trust"]) == 60
    assert rows["Ankaret"]["next_step"].hidden  # 4 answered
    assert rows["Region Provet"]["next_step"].hidden  # the same 4: the total too
    assert rows["Ankaret"]["overview"].patients == 0


def test_protect_hides_one_more_so_a_total_cannot_give_a_cell_back() -> None:
    units = {1: Cell(4, 0.5), 2: Cell(5, 0.2), 3: Cell(9, 0.1)}
    shown, total = protect(units, Cell(18, 0.2))
    assert [unit for unit, cell in shown.items() if cell.hidden] == [1, 2]
    assert total == Cell(18, 0.2)
    shown, total = protect({1: Cell(5, 0.5), 2: Cell(5, 0.5)}, Cell(10, 0.5))
    assert not any(cell.hidden for cell in shown.values())
    shown, total = protect({1: Cell(3, 1.0), 2: Cell(0, None)}, Cell(3, 1.0))
    assert shown[1].hidden
    assert total is not None
    assert total.hidden


def test_counts_are_kept_while_fresh_and_counted_again_after(region: Region, count_queries) -> None:
    from app.followup import stored

    def total_contacts(now: datetime) -> int | None:
        shown = stored.figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, now)
        assert shown.total is not None
        return shown.total.cells[Figure.CARE_CONTACT].patients

    october = datetime(2026, 10, 5, 12, tzinfo=UTC)  # September has not settled yet
    assert total_contacts(october) == 13
    region.plan("Björken", True, True)  # a fourteenth patient
    count_queries()
    assert total_contacts(october + timedelta(hours=11)) == 13  # kept: read, not counted
    assert len(count_queries()) <= 3
    later = october + stored.FRESH_FOR + timedelta(minutes=1)
    assert total_contacts(later) == 14  # counted again
    rows = region.db.scalars(select(FollowUpCount)).all()
    assert [(row.scope, row.month, row.counted_at) for row in rows] == [("all", "2026-09", later)]


def test_a_settled_month_counted_after_it_settled_is_never_counted_again(region: Region) -> None:
    from app.followup import stored

    settled = stored.settled_at(SEPTEMBER)
    assert settled == datetime(2026, 11, 1, tzinfo=STOCKHOLM)  # a month after September ended
    first = stored.figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, settled)
    region.plan("Björken", True, True)
    years_later = settled + timedelta(days=800)
    again = stored.figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, years_later)
    assert again.counted_at == first.counted_at == settled
    assert again.total == first.total


def test_the_nightly_command_counts_every_principal(app, db) -> None:
    from app.accounts.models import Principal

    result = app.test_cli_runner().invoke(args=["follow-up-count"])
    assert result.exit_code == 0, result.output
    principals = db.scalars(select(Principal.id)).all()
    assert f"{len(principals)} huvudmän räknade för 2 månader." in result.output
    scopes = db.scalars(select(FollowUpCount.principal_id).where(FollowUpCount.scope == "all"))
    assert sorted(scopes) == sorted(principals * 2)


def test_the_figures_are_a_fixed_number_of_statements(region: Region, count_queries) -> None:
    count_queries()
    figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, NOW)
    small = len(count_queries())
    for _ in range(20):
        region.plan("Björken", True, True, AgreementAnswer.AGREE, 3)
    count_queries()
    figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, NOW)
    assert len(count_queries()) == small <= 22


def test_the_csv_hides_the_same_cells(region: Region) -> None:
    shown = figures(region.db, region.principal.id, "Region Provet", SEPTEMBER, NOW)
    lines = list(csv.reader(io.StringIO(_csv(shown)), delimiter=";"))
    assert lines[0] == ["Månad", "Enhet", "Mått", "Patienter", "Värde"]
    contact = "Har en namngiven fast vårdkontakt"
    assert [line for line in lines if line[1] == "Cedern" and line[2] == contact] == [
        ["2026-09", "Cedern", contact, "färre än 5", ""]
    ]
    assert [line for line in lines if line[1] == "Region Provet" and line[2] == contact] == [
        ["2026-09", "Region Provet", contact, "13", "77 %"]
    ]


def test_someone_who_follows_up_sees_the_page_and_each_look_is_logged(
    app, db, ids, auth, client
) -> None:
    auth.sign_in("followup-region")
    page = client.get("/uppfoljning?manad=2026-09")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Fast vårdkontakt och fast läkarkontakt" in text
    assert "Region Norrbotten" in text
    download = client.get("/uppfoljning/siffror.csv?manad=2026-09")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith('samplan-uppfoljning-2026-09.csv"')
    assert download.get_data(as_text=True).startswith("Månad;Enhet;Mått;Patienter;Värde")
    looks = db.scalars(select(FollowUpView).order_by(FollowUpView.id)).all()
    assert [(look.kind, look.month) for look in looks] == [("page", "2026-09"), ("csv", "2026-09")]
    assert {look.practitioner_id for look in looks} == {ids["followup-region"]}


@pytest.mark.parametrize("month", ["2019-12", "2099-01", "2026-13", "nej"])
def test_a_month_out_of_range_gets_a_swedish_message(auth, client, month: str) -> None:
    auth.sign_in("followup-region")
    page = client.get(f"/uppfoljning?manad={month}")
    assert page.status_code == 400
    assert "Välj en månad från januari 2020 till den här månaden." in page.get_data(as_text=True)


def test_another_units_id_gets_a_swedish_message(auth, client, db) -> None:
    auth.sign_in("followup-region")
    elsewhere = db.scalar(
        select(CareUnit.id).join(Principal).where(Principal.kind == PrincipalKind.MUNICIPALITY)
    )
    page = client.get(f"/uppfoljning?enhet={elsewhere}")
    assert page.status_code == 400
    assert "Välj en av enheterna i listan." in page.get_data(as_text=True)


def test_the_follow_up_role_is_given_in_the_directory(db, ids) -> None:
    britt = db.get(Practitioner, ids["followup-region"])
    assert britt.has_role(StaffRole.FOLLOW_UP)
    assert not britt.has_role(StaffRole.CARE)
