"""Small helpers shared by the HTML views of every feature."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from sharemarket.errors import DomainError


def apply_errors(form: FlaskForm, exc: DomainError, default_field: str | None = None) -> None:
    """Show a service's field errors beside the fields; the rest at the form's top."""
    placed = False
    for name, messages in exc.errors.items():
        field = getattr(form, name, None) or (getattr(form, default_field, None) if default_field else None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
            placed = True
    if not placed:
        form.form_errors.append(exc.detail)


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


def safe_next(target: str | None) -> str | None:
    """Only local paths: an open redirect would let a link send people elsewhere after login."""
    if not target:
        return None
    # Browsers read "/\\evil.example" as "//evil.example" and drop tabs and newlines in URLs.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
