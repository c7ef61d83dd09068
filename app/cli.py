"""Command line: `samplan demo` runs the demo; `flask --app app` has db and demo commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from sqlalchemy import func, select

from app import migrations
from app.db import database, session_scope


def register_commands(app: Flask) -> None:
    @app.cli.group("db")
    def db_group() -> None:
        """The database schema (Alembic migrations)."""

    @db_group.command("upgrade")
    def db_upgrade() -> None:
        """Bring the schema to the newest migration."""
        migrations.upgrade(app.config["DATABASE_URL"])
        click.echo("Databasen är uppdaterad.")

    @app.cli.command("demo-seed")
    @click.option("--reset", is_flag=True, help="Remove every table first (demo data only).")
    def demo_seed(reset: bool) -> None:
        """Fill an empty database with the demo world."""
        if reset:
            migrations.downgrade(app.config["DATABASE_URL"])
        migrations.upgrade(app.config["DATABASE_URL"])
        if seed_if_empty(app):
            click.echo("Demovärlden är skapad.")
        else:
            click.echo("Databasen har redan data; inget ändrat.")

    @app.cli.command("directory-import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
    @click.option(
        "--complete",
        is_flag=True,
        help="The file holds every person of its principals: deactivate those it lacks.",
    )
    def directory_import(file: Path, dry_run: bool, complete: bool) -> None:
        """Import units and staff from an HSA directory file (CSV or JSON); see
        app/directory/importing.py for the attribute names."""
        from app.clock import now
        from app.directory.importing import ImportFileError, import_directory, summary

        # A request context for Babel: the messages are in Swedish, the default locale.
        with app.test_request_context(), session_scope(app) as session:
            try:
                result = import_directory(
                    session, file.name, file.read_bytes(), now(), dry_run, complete
                )
            except ImportFileError as error:
                raise click.ClickException(str(error)) from None
            for line in result.lines if not result.errors else ():
                click.echo(line)
            for line in result.errors:
                click.echo(line, err=True)
            click.echo(summary(result, dry_run))
        if result.errors:
            sys.exit(1)

    @app.cli.command("outbox-work")
    @click.option("--once", is_flag=True, help="Stop when nothing is due.")
    @click.option("--interval", default=5.0, help="Seconds to wait when idle.")
    def outbox_work(once: bool, interval: float) -> None:
        """Deliver queued notifications (several workers may run at once)."""
        from app.notifications.worker import run

        click.echo(f"Levererade {run(app, once=once, interval=interval)} aviseringar.")

    @app.cli.command("outbox-daily-summary")
    def outbox_daily_summary() -> None:
        """Queue today's summary for staff who chose one instead of a mail per message."""
        from app.clock import today_here
        from app.notifications.services import queue_daily_summaries

        with app.app_context(), session_scope(app) as session:
            count = queue_daily_summaries(session, today_here().isoformat())
        click.echo(f"{count} sammanfattningar köade.")

    @app.cli.command("diary-reminders")
    def diary_reminders() -> None:
        """Queue today's reminders to write in the diary, at each patient's time (run daily,
        early in the morning)."""
        from app.clock import today_here, zone
        from app.diary.reminders import queue_day

        with app.app_context(), session_scope(app) as session:
            count = queue_day(session, today_here(), zone())
        click.echo(f"{count} påminnelser köade.")

    @app.cli.command("proxy-reminders")
    def proxy_reminders() -> None:
        """Queue reminders for grants that end within a month (run daily)."""
        from app.clock import now
        from app.proxies.services import queue_expiry_reminders

        with app.app_context(), session_scope(app) as session:
            count = queue_expiry_reminders(session, now())
        click.echo(f"{count} påminnelser köade.")

    @app.cli.command("follow-up-count")
    def follow_up_count() -> None:
        """Count each principal's follow-up figures for this month and the last, and store
        them (run each night, so that the follow-up page never waits for a count)."""
        from datetime import timedelta

        from app.accounts.models import Principal
        from app.clock import now, today_here
        from app.followup.stored import counted

        this_month = today_here().replace(day=1)
        months = ((this_month - timedelta(days=1)).replace(day=1), this_month)
        moment = now()
        with app.app_context(), session_scope(app) as session:
            principals = session.scalars(select(Principal.id).order_by(Principal.id)).all()
            for principal_id in principals:
                for month in months:
                    counted(session, principal_id, month, moment)
        click.echo(f"{len(principals)} huvudmän räknade för {len(months)} månader.")


def seed_if_empty(app: Flask) -> bool:
    """Seed the demo world unless there are people already. True if it seeded."""
    from app.accounts.models import Person
    from app.demo.seed import seed_demo

    with session_scope(app) as session:
        if session.scalar(select(func.count(Person.id))):
            return False
        seed_demo(session)
    return True


@click.group()
def cli() -> None:
    """Samplan. The database and demo-data commands are under `flask --app app`."""


@cli.command("demo")
@click.option("--reset", is_flag=True, help="Start afresh: remove everything and seed again.")
def demo(reset: bool) -> None:
    """Run the demo on the embedded default: SQLite, the demo world, demo sign-in."""
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    app = demo_app(host, port, reset=reset)
    _deliver_in_background(app)
    click.echo(f"Samplan körs på http://{host}:{port}/  (demo: välj en person på /demo)")
    _Server(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": 2,
            "threads": 4,
            "worker_class": "gthread",
            "accesslog": "-",
            "post_fork": _forget_inherited_connections(app),
        },
    ).run()


def demo_app(host: str, port: int, reset: bool = False) -> Flask:
    """The demo's app, its database brought up to date and seeded (afresh with `reset`).
    Links in its notifications lead to the address it listens on, unless SAMPLAN_BASE_URL says
    otherwise."""
    from app import create_app

    os.environ["SAMPLAN_DEMO"] = "1"
    overrides: dict[str, object] = {"DEMO_MODE": True}
    if not os.environ.get("SAMPLAN_BASE_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - a name only
        overrides["BASE_URL"] = f"http://{shown}:{port}"
    if not os.environ.get("SAMPLAN_VAPID_PRIVATE_KEY"):
        # The demo makes its own VAPID key once, so push notifications work out of the box.
        from app.config import ROOT
        from app.pwa.push import generate_key_file

        key = ROOT / "instance" / "vapid-private.pem"
        if not key.exists():
            generate_key_file(key)
        overrides["VAPID_PRIVATE_KEY"] = str(key)
    app = create_app(overrides)
    if reset:
        migrations.downgrade(app.config["DATABASE_URL"])
    migrations.upgrade(app.config["DATABASE_URL"])
    seed_if_empty(app)
    database(app).engine.dispose()
    return app


def _forget_inherited_connections(app: Flask) -> Callable[[object, object], None]:
    """gunicorn's post_fork hook: a worker must not use the database connections it inherits
    from the master, where the notification thread opened them (SQLite's locks belong to the
    process that took them). It drops them from its pool without closing them, as SQLAlchemy's
    "Using Connection Pools with Multiprocessing or os.fork()" says."""

    def post_fork(_server: object, _worker: object) -> None:
        database(app).engine.dispose(close=False)

    return post_fork


def _deliver_in_background(app: Flask) -> None:
    """The demo delivers its own notifications (to instance/mail/ unless SMTP is configured)."""
    import threading

    from app.notifications.worker import run

    threading.Thread(
        target=run, args=(app,), kwargs={"interval": 5.0}, name="outbox", daemon=True
    ).start()


class _Server(BaseApplication):
    """gunicorn, started from Python with an app that is already built."""

    def __init__(self, app: Flask, options: dict[str, object]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def main() -> None:
    sys.exit(cli())
