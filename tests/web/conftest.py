"""Fixtures for the web tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def push_on(app, monkeypatch, tmp_path) -> str:  # noqa: ANN001
    """Push switched on: a fresh VAPID key; returns its application server key."""
    from app.pwa.push import application_server_key, generate_key_file

    key = tmp_path / "vapid.pem"
    generate_key_file(key)
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", str(key))
    return application_server_key(app)
