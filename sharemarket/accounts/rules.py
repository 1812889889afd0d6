"""Pure checks on account fields; services turn failures into ValidationFailed."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

PASSWORD_MIN = 10
PASSWORD_MAX = 200
NAME_MAX = 60
BIO_MAX = 1000


def normalise_email(raw: str) -> str | None:
    """The e-mail as we store it, or None when it is not a valid address."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 254:
        return None
    # Imported on first use (some 50 ms of regular expressions to build): not at start-up of every
    # worker and job run.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def password_problem(password: str) -> str | None:
    if len(password or "") < PASSWORD_MIN:
        return _l("Use at least %(n)s characters.", n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _l("Use at most %(n)s characters.", n=PASSWORD_MAX)
    return None


def clean_text(value: str | None, limit: int) -> str:
    """Trimmed text without control characters (newlines kept)."""
    value = (value or "").strip()
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")[: limit + 1]


def name_problem(name: str) -> str | None:
    if not name:
        return _l("Give a name others will see.")
    if len(name) > NAME_MAX:
        return _l("Use at most %(n)s characters.", n=NAME_MAX)
    return None
