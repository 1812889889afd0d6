"""Which language and timezone a request is served in."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "nl": "Nederlands",
    "pt": "Português",
    "sv": "Svenska",
}


@cache
def _locale(code: str) -> Locale:
    """Parsed once per language and process: Flask-Babel parses what the selector returns on every
    request, unless it is already a Locale."""
    return Locale.parse(code)


def select_locale() -> Locale:
    return _locale(_locale_code())


def _locale_code() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and jobs: messages choose their locale explicitly
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = g.get("api_user") or current_user
    user_locale = getattr(user, "locale", None) if user else None
    if user_locale in languages:
        return user_locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["SHAREMARKET_TIMEZONE"]
