"""Vad är viktigt för mig? One answer at a time."""

from __future__ import annotations

from app.web.forms import Form, TextField


class AnswerForm(Form):
    """One question's answer; `go` is the button pressed, `autosave` set when saved while typing."""

    # Longer than any answer may be, so that the service can say it is too long.
    answer = TextField(filters=[lambda text: (text or "")[:20000]])
    go = TextField(filters=[lambda text: (text or "")[:10]])
    autosave = TextField(filters=[lambda text: (text or "")[:10]])
