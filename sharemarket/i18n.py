"""Which language and timezone a request is served in."""

from __future__ import annotations

from functools import cache

import flask_babel
from babel import Locale, support
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from flask_login import current_user
from wtforms.i18n import messages_path

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


def text_in(translations: support.NullTranslations, text: object) -> str:
    """`str(text)` where the locale in force is that of `translations`: a `lazy_gettext` text is
    looked up in that catalogue at once, as Flask-Babel's `gettext` does after finding the catalogue
    again on every call (a job tells thousands of people); any other text is made a string as usual.
    The values it holds are made strings by `%`, in the locale in force, as `gettext` does."""
    # Flask-Babel's LazyString keeps its call in private attributes: read with getattr, so that a
    # release that renames them only loses the shortcut.
    call, args = getattr(text, "_func", None), getattr(text, "_args", ())
    if isinstance(text, LazyString) and call is flask_babel.gettext and len(args) == 1:
        message = translations.ugettext(args[0])
        values = getattr(text, "_kwargs", None)
        return message % values if values else message
    return str(text)


def select_timezone() -> str:
    return current_app.config["SHAREMARKET_TIMEZONE"]


@cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WtformsMessages:
    """WTForms' own messages in the request's language, each catalogue read once per process
    (Flask-WTF reads it from disk again on every request). For a form's `Meta.get_translations`."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_MESSAGES = WtformsMessages()
