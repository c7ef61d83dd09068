"""The demo's start: links in its mail follow the address it listens on, and --reset starts
the demo world afresh."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.accounts.models import Person
from app.cli import demo_app
from app.db import database, session_scope


@pytest.fixture
def demo_env(tmp_path, monkeypatch) -> str:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SAMPLAN_VAPID_PRIVATE_KEY", "unused-in-this-test")
    monkeypatch.delenv("SAMPLAN_BASE_URL", raising=False)
    return url


def people(app) -> int:  # noqa: ANN001
    with session_scope(app) as session:
        return session.scalar(select(func.count(Person.id))) or 0


def test_mail_links_follow_the_port_the_demo_listens_on(demo_env, monkeypatch) -> None:
    app = demo_app("127.0.0.1", 5123)
    assert app.config["BASE_URL"] == "http://127.0.0.1:5123"
    monkeypatch.setenv("SAMPLAN_BASE_URL", "https://samplan.example.se")
    assert demo_app("0.0.0.0", 8080).config["BASE_URL"] == "https://samplan.example.se"  # noqa: S104


def test_reset_starts_the_demo_world_afresh(demo_env) -> None:
    app = demo_app("127.0.0.1", 5123)
    seeded = people(app)
    assert seeded > 0
    with session_scope(app) as session:
        session.add(
            Person(
                personal_number="199001019802",
                given_name="Extra",
                family_name="Ny",
                birth_date=date(1990, 1, 1),
            )
        )
    assert people(app) == seeded + 1
    assert people(demo_app("127.0.0.1", 5123)) == seeded + 1  # kept without --reset
    fresh = demo_app("127.0.0.1", 5123, reset=True)
    assert people(fresh) == seeded
    database(fresh).engine.dispose()
