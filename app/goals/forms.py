"""The forms of goals: the patient's proposal, how it is going, and care's decision."""

from __future__ import annotations

from typing import Any

from app.web.forms import DayField, Form, TextField


def _clip(length: int) -> Any:
    return lambda text: (text or "")[:length]


class ProposeForm(Form):
    """A goal in the patient's own words, and when they want to have reached it (optional)."""

    goal = TextField(filters=[_clip(4000)])
    target = DayField()


class ProgressForm(Form):
    """How a goal, or an activity the patient does, is going."""

    state = TextField(filters=[_clip(40)])
    note = TextField(filters=[_clip(4000)])


class DecideForm(Form):
    """Care's decision on a proposed goal: accept, reword, or decline with a reason."""

    decision = TextField(filters=[_clip(40)])
    text = TextField(filters=[_clip(4000)])
    reason = TextField(filters=[_clip(4000)])
