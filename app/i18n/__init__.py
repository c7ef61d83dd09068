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
    chosen_by_person = getattr(current_user, "preferred_language", None)
    if chosen_by_person in languages:
        return str(chosen_by_person)
    chosen = session.get(LANGUAGE_KEY)
    if chosen in languages:
        return str(chosen)
    return str(request.accept_languages.best_match(languages) or languages[0])


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]
