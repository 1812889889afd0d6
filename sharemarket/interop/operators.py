"""Partner operators and their API keys: created by the CLI (stored hashed) or configured.

A key is 32 random bytes, URL-safe; only its SHA-256 is stored, like our bearer tokens.
Configured keys (SHAREMARKET_INTEROP_KEYS) are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sharemarket.errors import Conflict, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.interop import rules
from sharemarket.interop.models import InteropOperator

KEY_MAX = 200


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def our_operator_id() -> str:
    """How partners know us: the host name of our public address (the standard asks for a
    domain name the operator owns), unless INTEROP_OPERATOR_ID says otherwise."""
    configured = current_app.config.get("INTEROP_OPERATOR_ID")
    if configured:
        return configured
    return urlsplit(current_app.config["SHAREMARKET_BASE_URL"]).hostname or "localhost"


def add_operator(*, name: str, now: datetime) -> tuple[InteropOperator, str]:
    """A new operator and its key, shown once: the key is not kept, only its hash."""
    name = (name or "").strip()
    if not rules.OPERATOR_NAME.match(name):
        raise ValidationFailed.field(
            "name", _l("Use letters, digits, dots, dashes or underscores (at most 100), e.g. partner.example.")
        )
    if db.session.scalar(select(InteropOperator.id).where(InteropOperator.name == name)) is not None:
        raise Conflict(_l("An operator named %(name)s already exists.", name=name))
    key = secrets.token_urlsafe(32)
    operator = InteropOperator(name=name, key_hash=_hash(key), created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(operator)
    except IntegrityError:
        raise Conflict(_l("An operator named %(name)s already exists.", name=name)) from None
    return operator, key


def revoke_operator(*, name: str, now: datetime) -> InteropOperator:
    operator = db.session.scalar(select(InteropOperator).where(InteropOperator.name == name))
    if operator is None:
        raise NotFound(_l("No operator named %(name)s.", name=name))
    if operator.revoked_at is None:
        operator.revoked_at = now
        db.session.flush()
    return operator


def list_operators() -> list[InteropOperator]:
    return list(db.session.scalars(select(InteropOperator).order_by(InteropOperator.name)))


def operator_for_key(key: str | None) -> str | None:
    """The name of the operator holding this key, or None."""
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX:
        return None
    found = None
    for name, configured in rules.parse_keys(current_app.config.get("SHAREMARKET_INTEROP_KEYS")):
        # Every configured key is compared, so the time taken does not tell which one nearly matched.
        if hmac.compare_digest(configured.encode(), key.encode()) and found is None:
            found = name
    if found is not None:
        return found
    return db.session.scalar(
        select(InteropOperator.name).where(InteropOperator.key_hash == _hash(key), InteropOperator.revoked_at.is_(None))
    )
