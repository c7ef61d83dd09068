"""The notification worker is killed (SIGKILL) in the middle of its batch, several times.

Queues --items notifications, then starts `flask --app app outbox-work` against a real SMTP
server (aiosmtpd, slowed down so each send takes a while) and kills it with SIGKILL after a
random moment, --kills times, and finally lets one worker finish. Every queued notification
must be delivered at least once (its Message-ID reached the SMTP server) and recorded once
(one outbox row, marked delivered); a mail sent twice can only come from a kill between the
SMTP server's answer and the commit, so there are never more repeats than kills.

    python benchmarks/faults/worker_kill.py [--items 300] [--kills 6] [--smtp-port 5302]
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402


def queue_items(url: str, count: int) -> list[int]:
    from app.accounts.models import Person
    from app.db import make_engine
    from app.notifications.models import OutboxItem
    from app.notifications.services import queue

    engine = make_engine(url)
    with Session(engine) as session:
        people = list(session.scalars(select(Person.id).where(Person.email.is_not(None))))
        for n in range(count):
            queue(session, "new_reply", f"fault:{n}", person_id=people[n % len(people)])
        session.commit()
        ids = list(session.scalars(select(OutboxItem.id).order_by(OutboxItem.id)))
    engine.dispose()
    return ids


def outbox_state(url: str) -> tuple[int, int, int]:
    """(rows, delivered rows, rows delivered without an address)."""
    from app.db import make_engine
    from app.notifications.models import OutboxItem

    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.scalar(select(func.count(OutboxItem.id)))
        delivered = session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.delivered_at.is_not(None))
        )
        no_address = session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.last_error == "no address")
        )
    engine.dispose()
    return rows or 0, delivered or 0, no_address or 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--smtp-port", type=int, default=5302)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - when to kill, not a secret

    url = harness.fresh_database("worker_kill")
    ids = queue_items(url, args.items)
    mailbox = harness.Mailbox(args.smtp_port, delay=0.02)
    mailbox.start()
    env = harness.app_env(url, SAMPLAN_SMTP_HOST="127.0.0.1", SAMPLAN_SMTP_PORT=str(args.smtp_port))
    kills: list[tuple[float, int]] = []  # (seconds alive, delivered when killed)
    started = time.monotonic()
    with harness.stopping(mailbox):
        for _ in range(args.kills):
            before = outbox_state(url)[1]
            worker = harness.start_worker(env)
            born = time.monotonic()
            while outbox_state(url)[1] == before and time.monotonic() - born < 60:
                time.sleep(0.05)  # until it is sending (starting takes a while on a busy machine)
            time.sleep(rng.uniform(0.1, 1.0))
            alive = time.monotonic() - born
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            delivered = outbox_state(url)[1]
            kills.append((round(alive, 2), delivered))
            harness.log(f"killed the worker after {alive:.1f} s; {delivered} delivered")
        worker = harness.start_worker(env)
        deadline = time.monotonic() + 120
        while outbox_state(url)[1] < len(ids) and time.monotonic() < deadline:
            time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
    elapsed = time.monotonic() - started

    rows, delivered, no_address = outbox_state(url)
    received = mailbox.message_ids()
    expected = {f"<outbox-{i}@samplan>" for i in ids}
    missing = expected - set(received)
    repeats = sum(count - 1 for count in received.values())
    mid_batch = sum(1 for _, done in kills if 0 < done < len(ids))
    figures = {
        "queued": len(ids),
        "kills (seconds alive, delivered by then)": kills,
        "kills while the batch was under way": mid_batch,
        "outbox rows afterwards": rows,
        "marked delivered": delivered,
        "delivered without an address (must be 0)": no_address,
        "distinct mails received": len(set(received) & expected),
        "mails received twice (sent, then killed before the commit)": repeats,
        "seconds in all": round(elapsed, 1),
    }
    checks = [
        ("the worker was killed mid-batch at least 3 times", mid_batch >= 3),
        ("every notification reached the SMTP server at least once", not missing),
        (
            "every notification is recorded once (one row each, delivered)",
            rows == delivered == len(ids),
        ),
        ("nothing was skipped as undeliverable", no_address == 0),
        ("repeats only from kills (at most one per kill)", repeats <= len(kills)),
        ("no mail the outbox did not queue", set(received) <= expected),
    ]
    return harness.verdict("Notification worker killed mid-batch", checks, figures)


if __name__ == "__main__":
    sys.exit(main())
