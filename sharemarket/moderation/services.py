"""Reports, the queue, and the moderators' actions, each one logged."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sharemarket.accounts.models import User
from sharemarket.bookings import messages
from sharemarket.bookings import services as bookings
from sharemarket.bookings.exchange_models import BookingMessage
from sharemarket.bookings.models import Booking
from sharemarket.errors import Conflict, NotAllowed, ValidationFailed
from sharemarket.extensions import db
from sharemarket.listings.models import Listing
from sharemarket.moderation import rules
from sharemarket.moderation.models import TARGETS, ModerationAction, Report
from sharemarket.notifications.services import notify
from sharemarket.rides.models import Ride

MODELS = {"listing": Listing, "ride": Ride, "message": BookingMessage, "user": User}


def target_of(target_type: str, target_id: int):
    model = MODELS.get(target_type)
    target = db.session.get(model, target_id) if model is not None else None
    if target is None:
        raise ValidationFailed.field("target_id", _l("There is nothing to report here."))
    return target


def owner_id_of(target_type: str, target) -> int:
    return {
        "listing": lambda t: t.owner_id,
        "ride": lambda t: t.driver_id,
        "message": lambda t: t.author_id,
        "user": lambda t: t.id,
    }[target_type](target)


def report(*, reporter: User, target_type: str, target_id: int, reason: str, comment: str, now: datetime) -> Report:
    if target_type not in TARGETS:
        raise ValidationFailed.field("target_type", _l("Report a listing, a ride, a message or a user."))
    if reason not in rules.REASONS:
        raise ValidationFailed.field("reason", _l("Choose a reason from the list."))
    if len(comment or "") > rules.COMMENT_MAX:
        raise ValidationFailed.field("comment", _l("At most %(max)s characters.", max=rules.COMMENT_MAX))
    target = target_of(target_type, target_id)
    if target_type == "message" and not bookings.roles_of(db.session.get(Booking, target.booking_id), reporter.id):
        # Only the two sides of a booking read its messages: to anyone else it does not exist.
        raise ValidationFailed.field("target_id", _l("There is nothing to report here."))
    if owner_id_of(target_type, target) == reporter.id:
        raise ValidationFailed.field("target_id", _l("You cannot report yourself or what you published."))
    row = Report(
        reporter_id=reporter.id,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        comment=(comment or "").strip(),
        is_open=True,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("You have already reported this; the moderators will look at it.")) from None
    return row


def queue(*, target_type: str | None = None, reason: str | None = None, open_only: bool = True) -> list[Report]:
    stmt = select(Report).order_by(Report.created_at.desc(), Report.id.desc()).limit(200)
    if open_only:
        stmt = stmt.where(Report.is_open.is_(True))
    if target_type in TARGETS:
        stmt = stmt.where(Report.target_type == target_type)
    if reason in rules.REASONS:
        stmt = stmt.where(Report.reason == reason)
    return list(db.session.scalars(stmt))


def targets(rows: list[Report] | list[ModerationAction]) -> dict[tuple[str, int], object]:
    """What reports or log lines are about, by (target type, id): the queue shows a reported
    message itself, since moderators do not open the booking it belongs to."""
    found = {}
    for target_type, model in MODELS.items():
        ids = {r.target_id for r in rows if r.target_type == target_type}
        if ids:
            for target in db.session.scalars(select(model).where(model.id.in_(ids))):
                found[(target_type, target.id)] = target
    return found


def log(limit: int = 200) -> list[ModerationAction]:
    stmt = select(ModerationAction).order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))


def check_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationFailed.field("reason", _l("Say why: the log keeps it."))
    if len(reason.strip()) > rules.REASON_MAX:
        raise ValidationFailed.field("reason", _l("At most %(max)s characters.", max=rules.REASON_MAX))


def _require_moderator(actor: User) -> None:
    if not rules.is_moderator(actor):
        raise NotAllowed(_l("Only moderators can do this."))


def record(actor, action, target_type, target_id, reason, now, report_id=None) -> ModerationAction:
    """One line of the log; it closes the report it answers."""
    entry = ModerationAction(
        moderator_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason.strip(),
        report_id=report_id,
        created_at=now,
    )
    db.session.add(entry)
    if report_id is not None:
        closing = db.session.get(Report, report_id)
        if closing is not None and closing.is_open:
            closing.is_open, closing.closed_at = None, now
    db.session.flush()
    return entry


def act(
    *,
    actor: User,
    action: str,
    target_type: str,
    target_id: int,
    reason: str,
    now: datetime,
    report_id: int | None = None,
) -> ModerationAction:
    """One moderator's action on a target, logged; it closes the report it answers."""
    _require_moderator(actor)
    if action not in rules.ACTIONS:
        raise ValidationFailed.field("action", _l("Unknown action."))
    check_reason(reason)
    target = target_of(target_type, target_id)
    if action in ("hide", "unhide"):
        _set_hidden(target_type, target, action == "hide", now)
    elif action in ("warn", "suspend", "lift"):
        user = db.session.get(User, owner_id_of(target_type, target))
        _act_on_user(actor, action, user, reason, now)
    return record(actor, action, target_type, target_id, reason, now, report_id)


def _set_hidden(target_type: str, target, hidden: bool, now: datetime) -> None:
    """Listings, rides and messages disappear for everyone but their author and moderators; a
    hidden user's public profile does."""
    if (target.hidden_at is not None) == hidden:
        raise Conflict(_l("This is already hidden.") if hidden else _l("This is not hidden."))
    if target_type == "message":
        messages.set_hidden(message=target, hidden=hidden, now=now)
    else:
        target.hidden_at = now if hidden else None


def _act_on_user(actor: User, action: str, user: User, reason: str, now: datetime) -> None:
    if user.id == actor.id:
        raise ValidationFailed.field("action", _l("You cannot moderate yourself."))
    if action == "warn":
        notify(
            user=user,
            kind="moderation_warning",
            title=_l("A warning from the moderators"),
            body=_l("The moderators warn you: %(reason)s", reason=reason.strip()),
            now=now,
        )
    elif action == "suspend":
        if user.status != "active":
            raise Conflict(_l("This account is not active."))
        user.status, user.status_reason = "suspended", reason.strip()[:500]
    else:
        if user.status != "suspended":
            raise Conflict(_l("This account is not suspended."))
        user.status, user.status_reason = "active", None
