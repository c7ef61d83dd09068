"""Rendering: one URL, two renderings (whole page, or one named block for htmx)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, Response, make_response, render_template, request
from flask_babel import format_date, format_time, get_locale, gettext
from jinja2_fragments.flask import render_block
from markupsafe import Markup


def wants_fragment() -> bool:
    """An htmx request for part of a page: not boosted, not a history restore."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(templates: str | list[str], block: str | None = None, **context: Any) -> Response:
    """The full page, or only `block` of the same template when htmx asks for a fragment."""
    names = [templates] if isinstance(templates, str) else templates
    from app.web.preferences import simple_view_on

    if simple_view_on():
        names = [f"simple/{name}" for name in names] + names
    if block is not None and wants_fragment():
        body = render_block(names[-1], block, **context)
    else:
        body = render_template(names, **context)
    response = make_response(body)
    response.headers.add("Vary", "HX-Request")
    return response


def _local_date(value: date | datetime | None, fmt: str = "long") -> str:
    """The calendar day only (a moment in time becomes its day in Stockholm)."""
    if value is None:
        return ""
    return format_date(value, fmt)


def _local_datetime(value: datetime | None, date_format: str = "EEEE d MMMM") -> str:
    """A date and clock time in Stockholm time, worded for the reader's language."""
    if value is None:
        return ""
    return gettext(
        "%(day)s kl. %(time)s",
        day=format_date(value, date_format),
        time=format_time(value, "HH:mm"),
    )


def _local_time(value: datetime | None) -> str:
    return "" if value is None else format_time(value, "HH:mm")


def _iso(value: date | datetime | None) -> str:
    return "" if value is None else value.isoformat()


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def _as_written(text: object, lang: str = "sv") -> Markup | object:
    """What care or the patient wrote, shown as written and marked with its language when the
    page is in another one (so screen readers pronounce it right, and RTL pages keep it LTR)."""
    if text is None or text == "":
        return text
    locale = get_locale()
    if locale is not None and locale.language == lang:
        return text
    return Markup('<span class="content" lang="{}" dir="ltr">{}</span>').format(lang, text)


def field_aria(errors: dict[str, str], name: str, hint: object = None) -> Markup:
    """aria-invalid and aria-describedby for a form field with an error and/or a hint; the ids
    are the field's name with -error and -hint (escaped, like any value in an attribute)."""
    ids = [f"{name}-error"] * bool(errors.get(name)) + [f"{name}-hint"] * bool(hint)
    invalid = Markup(' aria-invalid="true"') if errors.get(name) else Markup("")
    described = Markup(' aria-describedby="{}"').format(" ".join(ids)) if ids else Markup("")
    return invalid + described


def _page_globals() -> dict[str, Any]:
    locale = get_locale()
    code = locale.language if locale else "sv"
    from app.i18n import LANGUAGE_NAMES
    from app.web.preferences import simple_view_on

    return {
        "current_locale_code": lambda: code,
        "text_direction": lambda: "rtl" if code in RTL_LANGUAGES else "ltr",
        "language_names": LANGUAGE_NAMES,
        "simple_view": simple_view_on(),
    }


def init_app(app: Flask) -> None:
    app.context_processor(_page_globals)
    app.jinja_env.globals["field_aria"] = field_aria
    app.jinja_env.filters.update(
        as_written=_as_written, day=_local_date, when=_local_datetime, clock=_local_time, iso=_iso
    )
    app.jinja_env.add_extension("jinja2.ext.loopcontrols")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
