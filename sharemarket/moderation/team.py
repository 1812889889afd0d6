"""The moderators' team: admins grant and revoke the role, and the log keeps who did it and why."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.errors import Conflict, NotAllowed, ValidationFailed
from sharemarket.extensions import db
from sharemarket.moderation import rules
from sharemarket.moderation.models import ModerationAction
from sharemarket.moderation.services import check_reason, record


def moderators() -> list[User]:
    query = select(User).where(User.is_moderator.is_(True), User.status != "deleted")
    return list(db.session.scalars(query.order_by(User.display_name, User.id)))


def member_by_email(email: str) -> User:
    user = accounts.user_by_email(email or "")
    if user is None or user.status == "deleted":
        raise ValidationFailed.field("email", _l("No member has this e-mail address."))
    return user


def set_moderator(*, actor: User, user: User, grant: bool, reason: str, now: datetime) -> ModerationAction:
    """Grant (or revoke) the moderator role; only admins do, never on a suspended account."""
    if not rules.is_admin(actor):
        raise NotAllowed(_l("Only admins choose the moderators."))
    check_reason(reason)
    if user.is_moderator == grant:
        raise Conflict(_l("This member is already a moderator.") if grant else _l("This member is not a moderator."))
    if grant and user.status != "active":
        raise Conflict(_l("This account is not active."))
    user.is_moderator = grant
    return record(actor, "grant" if grant else "revoke", "user", user.id, reason, now)
