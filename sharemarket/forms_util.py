"""Small helpers shared by the HTML views of every feature."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm

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
