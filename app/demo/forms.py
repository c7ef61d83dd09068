"""The demo sign-in: which persona."""

from __future__ import annotations

from app.web.forms import Form, TextField


class DemoForm(Form):
    persona = TextField(filters=[lambda text: (text or "")[:40]])
