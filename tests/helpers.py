"""Small helpers for reading what a person sees."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.plans.models import CarePlan

# The twelve persona keys of DESIGN.md's demo world, in its order.
PERSONAS = [
    "patient-maja", "proxy-anna", "patient-per", "patient-elias", "guardian-sara", "patient-ali",
    "staff-karin", "staff-erik", "staff-lena", "staff-sofia", "staff-amir", "staff-jonas",
    "patient-greta", "admin-region", "admin-kommun", "followup-region",
]  # fmt: skip
# Personas who are staff (see app/demo/views.py).
STAFF_PREFIXES = ("staff-", "admin-", "followup-")


def visible_text(response) -> str:  # noqa: ANN001 - a Flask test response
    """The page's text as a person reads it: tags dropped, entities decoded, spaces folded."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def representative_form(**changes: object) -> dict[str, object]:
    """A complete registration of a god man for an adult patient (Gun Man, a test-series number),
    dated relative to today, with `changes`."""
    from datetime import date, timedelta

    today = date.today()
    return {
        "personal_number": "19700101-9806",
        "given_name": "Gun",
        "family_name": "Man",
        "kind": "god man",
        "decision_reference": "ÖF 2026-12",
        "decision_date": (today - timedelta(days=10)).isoformat(),
        "authority": "overformyndare",
        "scopes": "read_plans",
        "until": (today + timedelta(days=365)).isoformat(),
        "reason": "Godmanskap enligt beslutet.",
        **changes,
    }


def plan_id(db: Session, title_part: str) -> int:
    plan = db.scalars(select(CarePlan).where(CarePlan.title.contains(title_part))).one()
    return plan.id


def thread_id(db: Session, subject_part: str) -> int:
    from app.messages.models import Thread

    return db.scalars(select(Thread).where(Thread.subject.contains(subject_part))).one().id


class _FormParser:
    """Collects what a browser would submit from one form: inputs, checked boxes and radios,
    selected options, textareas (no submit buttons)."""

    def __init__(self, action: str) -> None:
        from html.parser import HTMLParser

        self.action = action
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        parser = HTMLParser(convert_charrefs=True)
        parser.handle_starttag = self._start  # type: ignore[method-assign]
        parser.handle_endtag = self._end  # type: ignore[method-assign]
        parser.handle_data = self._data  # type: ignore[method-assign]
        self.parser = parser

    def _start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("action") == self.action
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind != "submit":
                self.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self._first_option = None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.fields.setdefault(self._select, self._first_option)
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")

    def _end(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def _data(self, data: str) -> None:
        if self._textarea and self._in_form:
            self.fields[self._textarea] += data


def form_fields(response, action: str) -> dict[str, str]:  # noqa: ANN001 - a test response
    """The fields of the form posting to `action`, as a browser would send them unchanged."""
    parser = _FormParser(action)
    parser.parser.feed(response.get_data(as_text=True))
    if not parser.fields:
        raise AssertionError(f"no form posting to {action}")
    return parser.fields
