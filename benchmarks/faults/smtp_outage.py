"""The mail server is down for a minute while notifications keep coming.

A worker (`flask --app app outbox-work`) runs against a real SMTP server (aiosmtpd). Half the
notifications are queued and delivered; then the SMTP server stops for --outage seconds (default
60) while the other half are queued; then it starts again. Nothing may be delivered while it is
down (the rows wait, with the error and the next attempt recorded), and afterwards every
notification must go out exactly once (no kill here, so no repeats), within the retry backoff.

    python benchmarks/faults/smtp_outage.py [--items 60] [--outage 60] [--smtp-port 5303]
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402


def queue_items(url: str, start: int, count: int) -> None:
    from app.db import make_engine
    from app.notifications.services import queue

    engine = make_engine(url)
    with Session(engine) as session:
        from app.accounts.models import Person

        people = list(session.scalars(select(Person.id).where(Person.email.is_not(None))))
        for n in range(start, start + count):
            queue(session, "new_reply", f"outage:{n}", person_id=people[n % len(people)])
        session.commit()
    engine.dispose()


def state(url: str) -> dict[str, int]:
    from app.db import make_engine
    from app.notifications.models import OutboxItem

    engine = make_engine(url)
    with Session(engine) as session:
        count = lambda *where: session.scalar(select(func.count(OutboxItem.id)).where(*where))  # noqa: E731
        result = {
            "rows": count(),
            "delivered": count(OutboxItem.delivered_at.is_not(None)),
            "waiting with an error": count(
                OutboxItem.delivered_at.is_(None), OutboxItem.last_error.is_not(None)
            ),
            "max attempts": session.scalar(select(func.max(OutboxItem.attempts))) or 0,
        }
    engine.dispose()
    return result


def wait_until(condition, timeout: float) -> float | None:  # noqa: ANN001
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--outage", type=float, default=60.0)
    parser.add_argument("--smtp-port", type=int, default=5303)
    args = parser.parse_args()
    half = args.items // 2

    url = harness.fresh_database("smtp_outage")
    mailbox = harness.Mailbox(args.smtp_port)
    mailbox.start()
    env = harness.app_env(url, SAMPLAN_SMTP_HOST="127.0.0.1", SAMPLAN_SMTP_PORT=str(args.smtp_port))
    worker = harness.start_worker(env, interval=1.0)
    with harness.stopping(mailbox, worker):
        queue_items(url, 0, half)
        before = wait_until(lambda: state(url)["delivered"] == half, 120)
        harness.log(f"first half delivered; stopping the SMTP server for {args.outage:.0f} s")
        mailbox.stop()
        down_at = time.monotonic()
        queue_items(url, half, args.items - half)
        time.sleep(args.outage)
        during = state(url)
        received_during = sum(mailbox.message_ids().values())
        harness.log(f"starting the SMTP server again: {during}")
        mailbox.start()
        up_at = time.monotonic()
        # Backoff: 30 s, then 60 s, ... so a minute's outage is over by the third attempt.
        recovered = wait_until(lambda: state(url)["delivered"] == args.items, 300)
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
    after = state(url)
    received = mailbox.message_ids()
    figures = {
        "notifications": args.items,
        "first half delivered before the outage (s)": _round(before),
        "SMTP down (s)": round(up_at - down_at, 1),
        "during the outage": during,
        "mails received during the outage": received_during - half,
        "all delivered after the SMTP server's return (s)": _round(recovered),
        "afterwards": after,
        "distinct mails received": len(received),
        "mails received more than once": sum(1 for c in received.values() if c > 1),
    }
    checks = [
        ("the first half went out before the outage", before is not None),
        ("nothing was delivered while the SMTP server was down", during["delivered"] == half),
        ("the second half waited with the error recorded", during["waiting with an error"] > 0),
        ("every notification went out after the outage", recovered is not None),
        ("none lost: every row delivered, every mail received", len(received) == args.items),
        ("none sent twice", all(c == 1 for c in received.values())),
    ]
    return harness.verdict("SMTP server down for a while", checks, figures)


def _round(value: float | None) -> float | str:
    return "never" if value is None else round(value, 1)


if __name__ == "__main__":
    sys.exit(main())
