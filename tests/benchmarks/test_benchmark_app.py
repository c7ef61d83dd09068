"""The load test's app (benchmarks/load/server.py): production settings, and the bare route that
serves as the ceiling exists there and nowhere else."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from benchmarks.load.server import create_benchmark_app

BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/samplan_bench_region"


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAMPLAN_DEMO", raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("DATABASE_URL", BENCH_URL)
    for provider in ("EID", "STAFF"):
        monkeypatch.setenv(f"SAMPLAN_OIDC_{provider}_ISSUER", "https://idp.samplan.invalid")
        monkeypatch.setenv(f"SAMPLAN_OIDC_{provider}_CLIENT_ID", "samplan")
        monkeypatch.setenv(f"SAMPLAN_OIDC_{provider}_CLIENT_SECRET", "not-used")


def test_the_benchmark_app_is_production_with_the_demo_sign_in_and_the_bare_route(
    production_env: None,
) -> None:
    app = create_benchmark_app()
    assert not app.config["DEMO_MODE"]
    assert not app.debug
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-samplan"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "demo.sign_in_as" in app.view_functions
    response = app.test_client().get("/_bare/")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "Hej")
    # Samplan's hooks do not run for the bare route: no security headers, no session cookie.
    assert "Content-Security-Policy" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_the_benchmark_app_refuses_demo_mode_and_other_databases(
    production_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/samplan")
    with pytest.raises(SystemExit, match="bench"):
        create_benchmark_app()
    monkeypatch.setenv("DATABASE_URL", BENCH_URL)
    monkeypatch.setenv("SAMPLAN_DEMO", "1")
    with pytest.raises(SystemExit, match="production"):
        create_benchmark_app()


def test_the_production_app_has_no_bare_route(client: FlaskClient) -> None:
    assert client.get("/_bare/").status_code == 404
