"""Locale and time zone: the person's choice, then the browser; Swedish is the source."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    person = getattr(current_user, "person", None)
    if person is not None and person.preferred_language in languages:
        return person.preferred_language
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]
