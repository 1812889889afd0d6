"""Account operations. Callers commit; these only flush."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from sharemarket.accounts import rules
from sharemarket.accounts.models import ApiToken, User
from sharemarket.errors import EmailTaken, NotAllowed, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place, check_coordinates
from sharemarket.moderation.rules import is_moderator, may_see

# Features add what they hold about a person: exporters return (section, data),
# erasers anonymise or delete it when the account is closed.
PersonalDataExporter = Callable[[User], tuple[str, object]]
PersonalDataEraser = Callable[[User, datetime], None]
EXPORTERS: list[PersonalDataExporter] = []
ERASERS: list[PersonalDataEraser] = []


@functools.cache
def _dummy_hash() -> str:
    """A constant hash so that an unknown e-mail costs as much time as a wrong password (made at a
    process's first login attempt, not at import: a job run or a worker nobody logs into needs none)."""
    return generate_password_hash("not-a-real-password-at-all")


def _hash_password(password: str) -> str:
    # scrypt by default; the test suite configures a cheap method to stay fast.
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_password(password: str, field: str = "password") -> None:
    problem = rules.password_problem(password)
    if problem:
        raise ValidationFailed.field(field, problem)


def _require_locale(locale: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if locale not in languages:
        raise ValidationFailed.field("locale", _l("Choose one of: %(choices)s.", choices=", ".join(languages)))
    return locale


def public_person(*, user_id: int, viewer) -> User:
    """A member as others see them. A suspended member is seen by moderators only; a profile a
    moderator hid, by its owner and moderators only."""
    user = db.session.get(User, user_id)
    if user is None or user.status == "deleted" or (user.status != "active" and not is_moderator(viewer)):
        raise NotFound(_l("No such person."))
    if not may_see(user.hidden_at, user.id, viewer):
        raise NotFound(_l("No such person."))
    return user


def user_by_email(email: str) -> User | None:
    key = (email or "").strip().lower()
    if not key:
        return None
    return db.session.scalar(select(User).where(User.email_key == key))


def _email_taken() -> EmailTaken:
    return EmailTaken(_l("An account already uses this e-mail address."), {"email": [_l("Already registered.")]})


def register_user(
    *,
    email: str,
    password: str,
    display_name: str,
    now: datetime,
    locale: str | None = None,
    home: Place | None = None,
) -> User:
    normalised = rules.normalise_email(email)
    errors: dict[str, list[str]] = {}
    if normalised is None:
        errors["email"] = [_l("Give a valid e-mail address.")]
    if problem := rules.password_problem(password):
        errors["password"] = [problem]
    name = rules.clean_text(display_name, rules.NAME_MAX)
    if problem := rules.name_problem(name):
        errors["display_name"] = [problem]
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    locale = _require_locale(locale)
    if user_by_email(normalised) is not None:
        raise _email_taken()
    user = User(
        email=normalised,
        email_key=normalised.lower(),
        password_hash=_hash_password(password),
        display_name=name,
        locale=locale,
        bio="",
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    if home is not None:
        set_home(user, home)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # Two sign-ups with one address at once: the unique key decides; the caller rolls back.
        if "email_key" not in str(exc.orig):
            raise
        raise _email_taken() from None
    return user


def set_home(user: User, home: Place | None) -> None:
    if home is None:
        user.home_lat = user.home_lng = user.home_label = None
        return
    user.home_lat, user.home_lng = check_coordinates(home.lat, home.lng, "home")
    user.home_label = rules.clean_text(home.label, 120)[:120] or None


def authenticate(*, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether or not the e-mail exists)."""
    dummy = _dummy_hash()  # made before the look-up: the first attempt's extra cost tells nothing either
    user = user_by_email(email)
    if user is None or user.status == "deleted":
        check_password_hash(dummy, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def ensure_can_log_in(user: User) -> None:
    if user.status == "suspended":
        raise NotAllowed(_l("This account is suspended: %(reason)s", reason=user.status_reason or ""))


def issue_token(*, user: User, now: datetime, label: str = "") -> tuple[str, ApiToken]:
    ensure_can_log_in(user)
    raw = secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"]
    token = ApiToken(
        user=user,
        token_hash=_hash_token(raw),
        label=label[:80],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def user_for_token(raw: str, *, now: datetime) -> User | None:
    if len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if token.user.status == "suspended":
        ensure_can_log_in(token.user)  # 403 with the moderators' reason
    if token.user.status != "active":
        return None
    return token.user


def revoke_token(*, user: User, raw: str | None = None, token_id: int | None = None, now: datetime) -> None:
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if raw is not None:
        query = query.where(ApiToken.token_hash == _hash_token(raw))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    for token in db.session.scalars(query):
        token.revoked_at = now
    db.session.flush()


def update_profile(
    *,
    user: User,
    now: datetime,
    display_name: str | None = None,
    bio: str | None = None,
    locale: str | None = None,
    phone: str | None = None,
    home: Place | None = None,
    clear_home: bool = False,
) -> User:
    errors: dict[str, list[str]] = {}
    if display_name is not None:
        name = rules.clean_text(display_name, rules.NAME_MAX)
        if problem := rules.name_problem(name):
            errors["display_name"] = [problem]
        else:
            user.display_name = name
    if bio is not None:
        text = rules.clean_text(bio, rules.BIO_MAX)
        if len(text) > rules.BIO_MAX:
            errors["bio"] = [_l("Use at most %(n)s characters.", n=rules.BIO_MAX)]
        else:
            user.bio = text
    if phone is not None:
        digits = rules.clean_text(phone, 30)
        if len(digits) > 30 or any(ch not in "+0123456789 .-()" for ch in digits):
            errors["phone"] = [_l("Give a phone number with digits, spaces and + only.")]
        else:
            user.phone = digits or None
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)
    if locale is not None:
        user.locale = _require_locale(locale)
    if clear_home:
        set_home(user, None)
    elif home is not None:
        set_home(user, home)
    user.updated_at = now
    db.session.flush()
    return user


def change_password(*, user: User, current: str, new: str, now: datetime) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationFailed.field("current_password", _l("This is not your current password."))
    _require_password(new, "new_password")
    _set_password(user, new, now)


def _set_password(user: User, new: str, now: datetime) -> None:
    user.password_hash = _hash_password(new)
    user.password_changed_at = now
    user.updated_at = now
    db.session.flush()


def _reset_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token_for(user: User, *, now: datetime) -> str:
    # Signed: the issue time (checked against the caller's `now`, so tests need no clock) and the
    # password hash's tail, which makes the link single-use: once used, the hash changes.
    return _reset_serializer().dumps({"uid": user.id, "pw": user.password_hash[-12:], "at": int(now.timestamp())})


def request_password_reset(*, email: str, now: datetime, link_for: Callable[[str], str]) -> None:
    """E-mail a signed reset link if the account exists; say nothing either way."""
    from sharemarket.notifications import services as notifications

    user = user_by_email(email)
    if user is None or user.status != "active":
        return
    link = link_for(reset_token_for(user, now=now))
    notifications.queue_email(
        user=user,
        kind="account",
        subject=_l("Reset your sharemarket password"),
        body=_l(
            "Hello %(name)s,\n\nSomeone (hopefully you) asked to reset your sharemarket password. "
            "Open this link within an hour to choose a new one:\n\n%(link)s\n\n"
            "If it was not you, ignore this message: your password stays as it is.",
            name=user.display_name,
            link=link,
        ),
        now=now,
    )


def reset_password(*, token: str, new_password: str, now: datetime) -> User:
    try:
        data = _reset_serializer().loads(token)
    except BadSignature:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("at"), int) or not isinstance(data.get("uid"), int):
        raise ValidationFailed.field("token", _l("This link is not valid. Ask for a new one."))
    if now.timestamp() - data["at"] > current_app.config["PASSWORD_RESET_SECONDS"]:
        raise ValidationFailed.field("token", _l("This link has expired. Ask for a new one."))
    user = db.session.get(User, data["uid"])
    if user is None or user.status != "active" or user.password_hash[-12:] != data.get("pw"):
        raise ValidationFailed.field("token", _l("This link was already used. Ask for a new one."))
    _require_password(new_password)
    _set_password(user, new_password, now)
    revoke_token(user=user, now=now)
    return user


def export_personal_data(*, user: User) -> dict:
    data: dict[str, object] = {
        "user": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "bio": user.bio,
            "locale": user.locale,
            "phone": user.phone,
            "home": {"lat": user.home_lat, "lng": user.home_lng, "label": user.home_label} if user.has_home else None,
            "created_at": user.created_at.isoformat(),
            "updated_at": user.updated_at.isoformat(),
        },
        "api_tokens": [
            {
                "id": t.id,
                "label": t.label,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat(),
                "revoked": t.revoked_at is not None,
            }
            for t in user.tokens
        ],
    }
    for exporter in EXPORTERS:
        section, value = exporter(user)
        data[section] = value
    return data


def delete_account(*, user: User, now: datetime) -> None:
    """Close the account: personal data erased; bookings stay, anonymised, for the other party."""
    for eraser in ERASERS:
        eraser(user, now)
    revoke_token(user=user, now=now)
    user.status = "deleted"
    user.deleted_at = now
    user.email = f"deleted-{user.id}@invalid"
    user.email_key = user.email
    user.display_name = "Former member"
    user.bio = ""
    user.phone = None
    user.calendar_token = None
    set_home(user, None)
    user.password_hash = _hash_password(secrets.token_urlsafe(32))
    user.password_changed_at = now
    user.updated_at = now
    db.session.flush()
