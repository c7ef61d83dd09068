"""The forms of signing in and out and of staff's own settings."""

from __future__ import annotations

from app.web.forms import Form, TextField


class NextForm(Form):
    """Where to go afterwards (checked with safe_next before use)."""

    next = TextField(filters=[lambda text: (text or "")[:2000]])


class NotifyForm(Form):
    """How staff hear about patients' messages: "each" or "daily"."""

    notify = TextField(filters=[lambda text: (text or "")[:10]])
