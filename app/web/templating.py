"""Rendering: one URL, two renderings (whole page, or one named block for htmx)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any, cast

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from flask import Flask, Response, current_app, make_response, render_template, request, url_for
from flask_babel import format_decimal, get_locale, get_translations, gettext
from jinja2 import Template
from jinja2.ext import _make_new_gettext, _make_new_ngettext
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from app.clock import here, local_date
from app.web.menu import menu_care, menu_directory, menu_followup, menu_may, menu_own


def wants_fragment() -> bool:
    """An htmx request for part of a page: not boosted, not a history restore."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def render(templates: str | list[str], block: str | None = None, **context: Any) -> Response:
    """The full page, or only `block` of the same template when htmx asks for a fragment."""
    names = [templates] if isinstance(templates, str) else list(templates)
    from app.web.preferences import simple_view_on

    if simple_view_on():
        names = [f"simple/{name}" for name in names] + names
    if block is not None and wants_fragment():
        body = render_block(names[-1], block, **context)
    else:
        body = render_template(cast("list[str | Template]", names), **context)
    response = make_response(body)
    response.headers.add("Vary", "HX-Request")
    return response


@lru_cache(maxsize=8192)
def _day_text(day: date, fmt: str, locale: str) -> str:
    """A calendar day in words: the same inputs always give the same text, so it is kept."""
    return babel_format_date(day, fmt, locale=locale)


def _locale_code() -> str:
    locale = get_locale()
    return str(locale) if locale else "sv"


def local_day(value: date | datetime | None, fmt: str = "long") -> str:
    """The calendar day only (a moment in time becomes its day in Stockholm)."""
    if value is None:
        return ""
    day = local_date(value) if isinstance(value, datetime) else value
    return _day_text(day, fmt, _locale_code())


def local_datetime(value: datetime | None, date_format: str = "EEEE d MMMM") -> str:
    """A date and clock time in Stockholm time, worded for the reader's language."""
    if value is None:
        return ""
    local = here(value)
    return gettext(
        "%(day)s kl. %(time)s",
        day=_day_text(local.date(), date_format, _locale_code()),
        time=f"{local:%H:%M}",
    )


def local_time(value: datetime | None) -> str:
    return "" if value is None else f"{here(value):%H:%M}"


def _iso(value: date | datetime | None) -> str:
    return "" if value is None else value.isoformat()


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def _as_written(text: object, lang: str = "sv") -> Markup | object:
    """What care or the patient wrote, shown as written: always marked as such (class "content":
    not Samplan's own words, which the easy-to-read checks measure), and with its language when
    the page is in another one (so screen readers pronounce it right, and RTL pages keep it
    LTR)."""
    if text is None or text == "":
        return text
    locale = get_locale()
    if locale is not None and locale.language == lang:
        return Markup('<span class="content">{}</span>').format(text)
    return Markup('<span class="content" lang="{}" dir="ltr">{}</span>').format(lang, text)


def _language_name(code: str) -> str:
    """A language's name in the page's language ("arabiska" on a Swedish page)."""
    locale = get_locale()
    try:
        name = Locale.parse(code).get_display_name(locale or "sv")
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


def field_aria(errors: dict[str, str], name: str, hint: object = None) -> Markup:
    """aria-invalid and aria-describedby for a form field with an error and/or a hint; the ids
    are the field's name with -error and -hint (escaped, like any value in an attribute)."""
    ids = [f"{name}-error"] * bool(errors.get(name)) + [f"{name}-hint"] * bool(hint)
    invalid = Markup(' aria-invalid="true"') if errors.get(name) else Markup("")
    described = Markup(' aria-describedby="{}"').format(" ".join(ids)) if ids else Markup("")
    return invalid + described


def path_for(endpoint: str) -> str:
    """The URL of a page that takes no arguments (the menu's links on every page), built once
    per app and script root."""
    paths: dict[tuple[str, str], str] = current_app.extensions.setdefault("samplan_paths", {})
    key = (request.script_root, endpoint)
    path = paths.get(key)
    if path is None:
        path = paths[key] = url_for(endpoint)
    return path


def _page_globals() -> dict[str, Any]:
    locale = get_locale()
    code = locale.language if locale else "sv"
    from app.i18n import LANGUAGE_NAMES
    from app.web.confirmations import confirmation
    from app.web.preferences import simple_view_on

    # The page's catalogue, bound once per render: Flask-Babel's own template callables look
    # it up through several context-local proxies on each of a page's fifty-odd strings.
    # Jinja's i18n extension takes `gettext` and `ngettext` from the context before its globals.
    translations = get_translations()
    return {
        "gettext": _make_new_gettext(translations.ugettext),
        "ngettext": _make_new_ngettext(translations.ungettext),
        "current_locale_code": lambda: code,
        "text_direction": lambda: "rtl" if code in RTL_LANGUAGES else "ltr",
        # The list separator of the page's language (Arabic writes "،", not ",").
        "comma": "، " if code == "ar" else ", ",
        "language_names": LANGUAGE_NAMES,
        "simple_view": simple_view_on(),
        "confirmation": confirmation(),
    }


def init_app(app: Flask) -> None:
    app.context_processor(_page_globals)
    app.jinja_env.globals["field_aria"] = field_aria
    app.jinja_env.globals["path_for"] = path_for
    app.jinja_env.globals["menu_may"] = menu_may
    app.jinja_env.globals["menu_directory"] = menu_directory
    app.jinja_env.globals["menu_followup"] = menu_followup
    app.jinja_env.globals["menu_own"] = menu_own
    app.jinja_env.globals["menu_care"] = menu_care
    app.jinja_env.filters.update(
        as_written=_as_written,
        day=local_day,
        when=local_datetime,
        clock=local_time,
        iso=_iso,
        number=format_decimal,
        language_name=_language_name,
    )
    app.jinja_env.add_extension("jinja2.ext.loopcontrols")
    app.jinja_env.policies["ext.i18n.trimmed"] = True
