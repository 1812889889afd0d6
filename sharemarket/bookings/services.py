"""Operations every kind of booking shares: acting on it, listing, seeing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, or_, select, update

from sharemarket.accounts.models import User
from sharemarket.bookings import rules
from sharemarket.bookings.kinds import KINDS, handler_for
from sharemarket.bookings.models import Booking, BookingEvent
from sharemarket.db import among, insert_many, lock_row
from sharemarket.errors import InvalidTransition, NotFound, ValidationFailed
from sharemarket.extensions import db


def roles_of(booking: Booking, user_id: int | None) -> set[str]:
    roles = set()
    if user_id is None:
        return roles
    if booking.user_id == user_id:
        roles.add(rules.BOOKER)
    if user_id in handler_for(booking).provider_ids(booking):
        roles.add(rules.PROVIDER)
    return roles


def get_visible(*, booking_id: int, user: User) -> Booking:
    """The booking, if `user` booked it or handles it; otherwise NotFound (not even a 403)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or not roles_of(booking, user.id):
        raise NotFound(_l("No such booking."))
    return booking


def record(
    booking: Booking, action: str, old: str | None, actor_id: int | None, now: datetime, note: str | None = None
) -> None:
    db.session.add(
        BookingEvent(
            booking=booking,
            action=action,
            from_status=old,
            to_status=booking.status,
            actor_id=actor_id,
            at=now,
            note=note,
        )
    )


def _apply(
    booking: Booking,
    action: str,
    transition: rules.Transition,
    actor_id: int | None,
    now: datetime,
    note: str | None = None,
) -> Booking:
    handler = handler_for(booking)
    handler.check_action(booking, action, now)
    old = booking.status
    booking.status = transition.target
    booking.updated_at = now
    handler.on_transition(booking, action, old, actor_id, now)
    record(booking, action, old, actor_id, now, note)
    db.session.flush()
    return booking


def act(*, booking: Booking, action: str, actor: User, now: datetime) -> Booking:
    """A person acts on a booking (approve, decline, cancel, pickup, return, check_in)."""
    if action not in rules.USER_ACTIONS:
        raise ValidationFailed.field("action", _l("Unknown action."))
    roles = roles_of(booking, actor.id)
    if not roles:
        raise NotFound(_l("No such booking."))
    for role in sorted(roles):
        transition = rules.find_transition(booking.kind, action, booking.status, role)
        if transition is not None:
            return _apply(booking, action, transition, actor.id, now)
    raise InvalidTransition(
        _l("You cannot %(action)s a booking that is %(status)s.", action=action, status=booking.status)
    )


def system_act(*, booking: Booking, action: str, now: datetime, note: str | None = None) -> Booking:
    """The scheduler moves a booking (expire, mark_overdue, no_show, promote...)."""
    transition = rules.find_transition(booking.kind, action, booking.status, rules.SYSTEM)
    if transition is None:
        raise InvalidTransition(f"{action} is not possible from {booking.status}")
    return _apply(booking, action, transition, None, now, note)


def system_act_many(
    *,
    kind: str,
    action: str,
    source: str,
    ids: Sequence[int],
    now: datetime,
    note: str | None = None,
    due: Sequence[ColumnElement[bool]] = (),
) -> list[int]:
    """The scheduler moves many `kind` bookings from `source` at once (a batch of expiring requests).

    The state machine decides as for one booking. Then one conditional UPDATE moves only the rows
    still in `source` and meeting `due` (e.g. `respond_by <= now`): a booking approved or cancelled
    meanwhile is left as it is, whichever transaction commits first (a person's move re-reads the
    status under its row lock, see `locked_status`). The kind's `on_bulk_transition` does the rest
    in set-based statements, and the history is one multi-row INSERT. Only moves that neither take
    nor release anything go this way (a request holds no day and no seat): those that do need the
    kind's checks booking by booking (`system_act`). Returns the ids moved; the caller commits.
    """
    transition = rules.find_transition(kind, action, source, rules.SYSTEM)
    if transition is None:
        raise InvalidTransition(f"{action} is not possible from {source}")
    if source in rules.HOLDING or transition.target in rules.HOLDING:
        raise InvalidTransition(f"{action} from {source} takes or releases what bookings hold: one at a time")
    if not ids:
        return []
    moved = list(
        db.session.scalars(
            update(Booking)
            .where(among(Booking.id, ids), Booking.kind == kind, Booking.status == source, *due)
            .values(status=transition.target, updated_at=now)
            .returning(Booking.id)
            .execution_options(synchronize_session="fetch")
        )
    )
    if moved:
        KINDS[kind].on_bulk_transition(moved, action, now)
        insert_many(
            BookingEvent.__table__,
            [
                {
                    "booking_id": booking_id,
                    "action": action,
                    "from_status": source,
                    "to_status": transition.target,
                    "actor_id": None,
                    "at": now,
                    "note": note,
                }
                for booking_id in moved
            ],
        )
    return moved


def locked_status(booking: Booking) -> str:
    """The booking's stored status, its row locked until commit. A kind reads it after taking its
    own lock (the listing, the occurrence) and refuses to act if it is not the status it acts
    from: a concurrent move (the scheduler's bulk expiry, the other side's click) either commits
    first and is seen here, or waits for this transaction and then finds the status changed."""
    with db.session.no_autoflush:
        lock_row(db.session, Booking, booking.id)
        return db.session.scalar(select(Booking.__table__.c.status).where(Booking.__table__.c.id == booking.id))


def start(booking: Booking, *, now: datetime, actor_id: int) -> Booking:
    """Record a new booking's first status (the kind has set it) in its history."""
    booking.created_at = booking.updated_at = now
    db.session.add(booking)
    record(booking, "create", None, actor_id, now)
    db.session.flush()
    return booking


def list_query(*, user: User, role: str, status: str | None) -> Select:
    """The caller's bookings (role=mine) or those on what they offer (role=to_handle), newest first."""
    query = select(Booking)
    if role == "mine":
        query = query.where(Booking.user_id == user.id)
    elif role == "to_handle":
        handled = [Booking.id.in_(handler.handled_by(user.id)) for handler in KINDS.values()]
        query = query.where(or_(*handled)) if handled else query.where(False)
    else:
        raise ValidationFailed.field("role", _l("Choose mine or to_handle."))
    if status:
        if status not in rules.STATUSES:
            raise ValidationFailed.field("status", _l("Unknown status."))
        query = query.where(Booking.status == status)
    return query.order_by(Booking.starts_at.desc(), Booking.id.desc())
