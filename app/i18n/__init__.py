"""Locale and time zone: the person's choice, then this browser session's, then the browser's.
Swedish is the source language."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

LANGUAGE_NAMES = {
    "sv": "Svenska",
    "en": "English",
    "ar": "العربية",
    "fi": "Suomi",
    "so": "Soomaali",
}
LANGUAGE_KEY = "language"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    person = getattr(current_user, "person", None)
    if person is not None and person.preferred_language in languages:
        return person.preferred_language
    chosen = session.get(LANGUAGE_KEY)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]
