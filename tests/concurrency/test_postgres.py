"""Real concurrent transactions on PostgreSQL, in a database of their own (made and dropped here),
so committed rows never leak into other tests."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from app import create_app, migrations
from app.access.actor import Actor
from app.accounts.models import Person
from app.db import database, make_engine, utcnow
from app.demo.seed import seed_demo
from app.messages import services
from app.messages.models import Message, Thread
from app.notifications.models import OutboxItem
from app.notifications.services import queue
from app.notifications.worker import deliver_one

pytestmark = pytest.mark.postgres_only
URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def pg() -> Iterator[tuple[object, sessionmaker[Session], dict[str, int]]]:
    if not URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL) for real concurrent transactions")
    from tests.conftest import worker_database

    url = make_url(worker_database(URL))
    name = f"{url.database}_concurrency"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    own_url = url.set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(own_url)
    engine = make_engine(own_url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        ids = seed_demo(session)
        session.commit()
    app = create_app({"TESTING": True, "DATABASE_URL": own_url})
    database(app).engine.dispose()
    database(app).engine = engine
    database(app).session_factory = factory
    yield app, factory, ids
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def in_parallel(count: int, work: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(count)

    def run() -> object:
        barrier.wait()
        return work()

    with ThreadPoolExecutor(count) as pool:
        return [f.result() for f in [pool.submit(run) for _ in range(count)]]


def test_parallel_duplicate_sends_store_one_message(pg) -> None:
    app, factory, ids = pg
    key = "parallel-key-1"

    def send() -> int:
        with factory() as session:
            maja = session.get(Person, ids["patient-maja"])
            actor = Actor.of(maja)
            thread = session.scalars(
                select(Thread).where(Thread.subject.contains("Min vikt"))
            ).one()
            with app.app_context():
                message = services.reply(session, actor, thread, "Samma text", key, utcnow())
            session.commit()
            return message.id

    results = in_parallel(8, send)
    assert len(set(results)) == 1
    with factory() as session:
        stored = session.scalar(
            select(func.count(Message.id)).where(Message.idempotency_key == key)
        )
        assert stored == 1
        items = session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.dedupe_key.like(f"%:{results[0]}:%"))
        )
        assert items == 1


def test_two_workers_never_send_the_same_notification(pg) -> None:
    app, factory, ids = pg
    with factory() as session:
        for n in range(40):
            queue(session, "new_reply", f"workers:{n}", person_id=ids["patient-maja"])
        session.commit()
    sent: list[str] = []
    lock = threading.Lock()

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            with lock:
                sent.append(message["Message-ID"])

    def work() -> int:
        count = 0
        with app.app_context():
            while deliver_one(app, Recorder()):
                count += 1
        return count

    counts = in_parallel(4, work)
    with factory() as session:
        left = session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.delivered_at.is_(None))
        )
    assert left == 0
    assert len(sent) == len(set(sent))
    assert sum(counts) >= 40
    assert sum(1 for c in counts if c) >= 2  # the work really was shared


def _staff_actor(session: Session, ids: dict[str, int], key: str) -> Actor:
    from app.accounts.models import Practitioner

    practitioner = session.get(Practitioner, ids[key])
    return Actor.of(practitioner)


def test_two_staff_saving_one_plan_at_once_never_lose_an_edit(pg) -> None:
    """Karin and Erik open Maja's SIP at the same version and save at the same moment in two
    real transactions: one save lands, the other is refused (nothing silently overwritten)."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.planning import services as planning
    from app.planning.drafts import doc_from_plan
    from app.plans.models import CarePlan

    app, factory, ids = pg
    with factory() as session:
        plan_id = session.scalars(
            select(CarePlan.id).where(CarePlan.title.contains("trygg hemma"))
        ).one()
    loaded = threading.Barrier(2)

    def save(key: str) -> str:
        with app.app_context(), factory() as session:
            actor = _staff_actor(session, ids, key)
            plan = planning.plan_to_edit(session, actor, plan_id, utcnow())
            seen = plan.version
            doc = doc_from_plan(plan, utcnow().date())
            doc["summary"] = f"Ändrat av {key}"
            loaded.wait()  # both have read the same version before either saves
            try:
                planning.save_draft(session, actor, plan, doc, seen, utcnow())
                session.commit()
            except (planning.Conflict, StaleDataError):
                session.rollback()
                return "refused"
            return "saved"

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(save, ["staff-karin", "staff-erik"]))
    assert results == ["refused", "saved"]
    with factory() as session:
        plan = session.get(CarePlan, plan_id)
        assert plan.draft["summary"] in {"Ändrat av staff-karin", "Ändrat av staff-erik"}
        saved_by = "staff-karin" if plan.draft_by_id == ids["staff-karin"] else "staff-erik"
        assert plan.draft["summary"] == f"Ändrat av {saved_by}"


def test_publishing_one_draft_twice_at_once_makes_one_version(pg) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    from app.planning import services as planning
    from app.planning.drafts import doc_from_plan
    from app.plans.models import CarePlan, PlanVersion

    app, factory, ids = pg
    with app.app_context(), factory() as session:
        plan_id = session.scalars(
            select(CarePlan.id).where(CarePlan.title.contains("efter stroke"))
        ).one()
        actor = _staff_actor(session, ids, "staff-karin")
        plan = planning.plan_to_edit(session, actor, plan_id, utcnow())
        doc = doc_from_plan(plan, utcnow().date())
        doc["summary"] = "Ny beskrivning"
        planning.save_draft(session, actor, plan, doc, plan.version, utcnow())
        session.commit()
        before = plan.published_version

    def publish() -> str:
        with app.app_context(), factory() as session:
            actor = _staff_actor(session, ids, "staff-karin")
            plan = planning.plan_to_edit(session, actor, plan_id, utcnow())
            try:
                planning.publish(session, actor, plan, plan.version, "Ny text", False, utcnow())
                session.commit()
            except (planning.Conflict, planning.PlanningError, StaleDataError):
                session.rollback()
                return "refused"
            except Exception as error:  # the unique (plan, number) index as the last guard
                session.rollback()
                return f"refused: {type(error).__name__}"
            return "published"

    results = in_parallel(2, publish)
    assert sorted(str(r)[:7] for r in results) == ["publish", "refused"]
    with factory() as session:
        versions = session.scalars(select(PlanVersion).where(PlanVersion.plan_id == plan_id)).all()
        assert len(versions) == before + 1
        assert session.get(CarePlan, plan_id).published_version == before + 1


def test_parallel_saves_of_what_matters_make_one_version(pg) -> None:
    from app.whatmatters.models import WhatMatters
    from app.whatmatters.services import save_answer

    app, factory, ids = pg
    with factory() as session:
        before = session.scalar(
            select(func.count(WhatMatters.id)).where(WhatMatters.patient_id == ids["patient-ali"])
        )

    def save() -> object:
        with factory() as session:
            ali = session.get(Person, ids["patient-ali"])
            actor = Actor.of(ali)
            with app.app_context():
                save_answer(session, actor, ali.id, "expectations", "Att gå till moskén", utcnow())
            session.commit()
            return True

    assert in_parallel(6, save) == [True] * 6  # none fails on the unique version number
    with factory() as session:
        after = session.scalar(
            select(func.count(WhatMatters.id)).where(WhatMatters.patient_id == ids["patient-ali"])
        )
    assert after - before == 1


def _offer(session: Session, ids: dict[str, int], patient: str, plan_title: str, starts, group):  # noqa: ANN001, ANN202
    from app.appointments.models import Appointment, AppointmentMode, AppointmentStatus
    from app.plans.models import CarePlan

    plan = session.scalars(select(CarePlan).where(CarePlan.title.contains(plan_title))).first()
    made = []
    for moment in starts:
        appointment = Appointment(
            patient_id=ids[patient],
            plan_id=plan.id,
            unit_id=plan.unit_id,
            practitioner_id=ids["staff-karin"],
            offered_by_id=ids["staff-karin"],
            starts_at=moment,
            duration_minutes=30,
            mode=AppointmentMode.VISIT,
            purpose="Samtidighetsprov",
            status=AppointmentStatus.PROPOSED,
            offer_group=group,
        )
        session.add(appointment)
        made.append(appointment)
    session.flush()
    return made


def test_choosing_a_time_while_care_takes_it_back_ends_one_way_only(pg) -> None:
    """Maja chooses a time at the very moment Karin takes it back: either the choice stands and
    the taking back is refused, or the time is taken back and the choice refused; never both."""
    from datetime import timedelta

    from app.appointments import care, services
    from app.appointments.models import Appointment, AppointmentStatus

    app, factory, ids = pg
    outcomes = []
    for attempt in range(6):
        start = utcnow().replace(microsecond=0) + timedelta(days=30 + attempt)
        with factory() as session:
            first, _second = _offer(
                session, ids, "patient-maja", "trygg hemma", [start, start + timedelta(hours=2)],
                f"race-{attempt}",
            )  # fmt: skip
            session.commit()
            target = first.id

        def choose(target: int = target) -> str:
            with factory() as session, app.app_context():
                maja = Actor.of(session.get(Person, ids["patient-maja"]))
                try:
                    services.accept(session, maja, target, utcnow())
                except services.AppointmentError as error:
                    session.rollback()
                    return error.code
                session.commit()
                return "chosen"

        def take_back(target: int = target) -> str:
            with factory() as session, app.app_context():
                karin = _staff_actor(session, ids, "staff-karin")
                try:
                    care.cancel(session, karin, target, "Läkaren är sjuk.", utcnow())
                except services.AppointmentError as error:
                    session.rollback()
                    return error.code
                session.commit()
                return "taken back"

        barrier = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            futures = [
                pool.submit(lambda f=f, b=barrier: (b.wait(), f())[1]) for f in (choose, take_back)
            ]
            results = [f.result() for f in futures]
        with factory() as session:
            status = session.get(Appointment, target).status
        outcomes.append((results, status))
        if results[0] == "chosen":
            # Care's cancel ran after the choice: an agreed time is cancelled, and says so.
            assert status in (AppointmentStatus.ACCEPTED, AppointmentStatus.CANCELLED)
            if results[1] == "taken back":
                assert status == AppointmentStatus.CANCELLED
        else:
            assert results[0] == "closed"
            assert status == AppointmentStatus.WITHDRAWN
    assert outcomes


def test_two_patients_taking_one_slot_at_once_get_it_once(pg) -> None:
    from datetime import timedelta

    from app.appointments import services
    from app.appointments.models import Appointment, AppointmentStatus

    app, factory, ids = pg
    start = utcnow().replace(microsecond=0) + timedelta(days=50)
    with factory() as session:
        (mine,) = _offer(session, ids, "patient-maja", "trygg hemma", [start], None)
        (his,) = _offer(
            session, ids, "patient-ali", "stroke", [start + timedelta(minutes=10)], None
        )
        session.commit()
        offers = {"patient-maja": mine.id, "patient-ali": his.id}

    def take(persona: str) -> str:
        with factory() as session, app.app_context():
            person = Actor.of(session.get(Person, ids[persona]))
            try:
                services.accept(session, person, offers[persona], utcnow())
            except services.AppointmentError as error:
                session.rollback()
                return error.code
            session.commit()
            return "agreed"

    barrier = threading.Barrier(2)
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(lambda p=p: (barrier.wait(), take(p))[1])
            for p in ("patient-maja", "patient-ali")
        ]
        results = sorted(f.result() for f in futures)
    assert results == ["agreed", "taken"]
    with factory() as session:
        statuses = [session.get(Appointment, i).status for i in offers.values()]
    assert statuses.count(AppointmentStatus.ACCEPTED) == 1


def test_reminders_go_out_once_with_four_workers_and_one_killed_mid_batch(pg) -> None:
    from datetime import timedelta

    from app.appointments.reminders import REMINDER

    app, factory, ids = pg
    from app.appointments.models import AppointmentStatus

    due = utcnow() - timedelta(minutes=1)
    first = utcnow().replace(microsecond=0) + timedelta(days=2)
    with factory() as session:
        session.get(Person, ids["patient-maja"]).notify_channels = "email"
        times = [first + timedelta(hours=n) for n in range(30)]
        agreed = _offer(session, ids, "patient-maja", "trygg hemma", times, None)
        for n, appointment in enumerate(agreed):
            appointment.status = AppointmentStatus.ACCEPTED
            queue(
                session,
                REMINDER,
                f"reminder-race:{n}",
                person_id=ids["patient-maja"],
                payload={"appointment_id": appointment.id, "sequence": appointment.sequence},
                not_before=due,
            )
        session.commit()
    sent: list[str] = []
    lock = threading.Lock()

    class Killed(BaseException):
        pass

    class DiesOnTheFifth:
        """A worker process that dies before its fifth mail is handed over."""

        def __init__(self) -> None:
            self.count = 0

        def send(self, message) -> None:  # noqa: ANN001
            self.count += 1
            if self.count == 5:
                raise Killed
            with lock:
                sent.append(message["Message-ID"])

    class Recorder:
        def send(self, message) -> None:  # noqa: ANN001
            with lock:
                sent.append(message["Message-ID"])

    def work(channel: object) -> int:
        count = 0
        with app.app_context():
            try:
                while deliver_one(app, channel):
                    count += 1
            except Killed:
                return -1
        return count

    barrier = threading.Barrier(4)
    channels = [DiesOnTheFifth(), Recorder(), Recorder(), Recorder()]
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(lambda c=c: (barrier.wait(), work(c))[1]) for c in channels]
        counts = [f.result() for f in futures]
    with app.app_context():
        while deliver_one(app, Recorder()):  # a restarted worker picks up what was left
            pass
    with factory() as session:
        reminders = session.scalars(
            select(OutboxItem).where(OutboxItem.dedupe_key.like("reminder-race:%"))
        ).all()
    assert all(item.delivered_at is not None for item in reminders)
    mine = {f"<outbox-{item.id}@samplan>" for item in reminders}
    delivered = [message_id for message_id in sent if message_id in mine]
    assert sorted(delivered) == sorted(mine)  # each exactly once
    assert -1 in counts
