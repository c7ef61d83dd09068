"""The database is unreachable (restarting, failing over): a Swedish "try again" page with 503,
never a 500 or a stack trace; once it is back the same session carries on.

benchmarks/faults/postgres_restart.py does the same against a real PostgreSQL restart."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.db import database
from tests.conftest import csrf_token
from tests.helpers import visible_text

TRY_AGAIN = "Samplan är inte tillgängligt just nu"


@pytest.fixture
def database_down(app, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    def go_down() -> None:
        # A database file in a folder that does not exist: every connection attempt fails
        # with OperationalError, as when PostgreSQL refuses connections.
        broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
        monkeypatch.setattr(database(app), "session_factory", sessionmaker(bind=broken))

    return go_down


def test_pages_and_forms_answer_503_while_the_database_is_down(
    auth, client, database_down, monkeypatch
) -> None:
    auth.sign_in("patient-maja")
    token = csrf_token(client, "/sessioner")
    database_down()
    for response in (
        client.get("/"),
        client.get("/meddelanden"),
        client.post("/meddelanden/nytt", data={"csrf_token": token, "body": "Hej"}),
        client.post("/meddelanden/nytt", data={"csrf_token": "stale", "body": "Hej"}),
    ):
        text = visible_text(response)
        assert response.status_code == 503, text[:200]
        assert TRY_AGAIN in text
        assert "Försök igen om en liten stund" in text
        assert "Traceback" not in response.get_data(as_text=True)
        assert response.headers["Retry-After"] == "5"
    monkeypatch.undo()  # the database is back
    response = client.get("/")
    assert response.status_code == 200
    assert "Maja" in visible_text(response)  # the same session, still signed in
