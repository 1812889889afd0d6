"""A message thread on each booking between the booker and the provider(s). Callers commit."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError

from sharemarket.accounts.models import User
from sharemarket.bookings import rules, services
from sharemarket.bookings.exchange_models import MESSAGE_MAX, BookingMessage, MessageRead
from sharemarket.bookings.kinds import handler_for
from sharemarket.bookings.models import Booking
from sharemarket.errors import Conflict, DomainError, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.notifications.models import Notification
from sharemarket.notifications.services import notify

# A thread closes this long after its booking reached a final status.
THREAD_OPEN_AFTER_END = timedelta(days=30)
# At most this many messages per author in the window (across every booking).
RATE_LIMITS = ((timedelta(minutes=1), 10), (timedelta(hours=1), 100))
# What both sides read instead of a message a moderator hid (the text stays for the moderators).
HIDDEN_TEXT = _l("Message hidden by a moderator.")
# Control characters other than tab and newline (NUL would even break PostgreSQL's text type).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class TooManyMessages(DomainError):
    status = 429
    title = "Too many requests"


def clean_text(text: str) -> str:
    """What people typed, as stored: one kind of newline, no control characters, trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def booking_path(booking_id: int) -> str:
    return f"/bookings/{booking_id}"


def thread_closed(booking: Booking, now: datetime) -> bool:
    return booking.status in rules.FINAL and booking.updated_at <= now - THREAD_OPEN_AFTER_END


def _parties(booking: Booking) -> set[int]:
    return {booking.user_id} | handler_for(booking).provider_ids(booking)


def _check_rate(author: User, now: datetime) -> None:
    longest = max(window for window, _limit in RATE_LIMITS)
    recent = select(BookingMessage.created_at).where(
        BookingMessage.author_id == author.id, BookingMessage.created_at > now - longest
    )
    stamps = list(db.session.scalars(recent.order_by(BookingMessage.created_at.desc()).limit(200)))
    for window, limit in RATE_LIMITS:
        if sum(1 for stamp in stamps if stamp > now - window) >= limit:
            raise TooManyMessages(_l("You sent many messages in a short time. Please wait a moment."))


def post_message(*, booking: Booking, author: User, body: str, now: datetime) -> BookingMessage:
    """Write to the other side of `booking`; they get a notification and an unread count.

    Refused: someone who is neither the booker nor a provider (404); an empty or too long text
    (422); a booking that reached a final status more than 30 days ago (409); too many
    messages in a short time (429).
    """
    if not services.roles_of(booking, author.id):
        raise NotFound(_l("No such booking."))
    text = clean_text(body or "")
    if not text:
        raise ValidationFailed.field("body", _l("Write a message."))
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed.field("body", _l("At most %(max)d characters, please.", max=MESSAGE_MAX))
    if thread_closed(booking, now):
        raise Conflict(_l("This booking ended more than 30 days ago: its messages are closed."))
    _check_rate(author, now)
    message = BookingMessage(booking_id=booking.id, author_id=author.id, body=text, created_at=now)
    db.session.add(message)
    db.session.flush()
    _tell_the_others(booking, message, author, now)
    return message


def _tell_the_others(booking: Booking, message: BookingMessage, author: User, now: datetime) -> None:
    """One notification per run of unread messages: the key changes once the reader catches up."""
    title = str(handler_for(booking).describe(booking)["title"])
    others = _parties(booking) - {author.id}
    markers = _read_markers(booking.id, others)
    for recipient in db.session.scalars(select(User).where(User.id.in_(others))):
        try:
            with db.session.begin_nested():
                notify(
                    user=recipient,
                    kind="message",
                    title=_l("%(name)s wrote to you about %(title)s", name=author.display_name, title=title),
                    body=message.body[:500],
                    link=booking_path(booking.id),
                    now=now,
                    dedupe_key=f"booking-message:{booking.id}:{markers.get(recipient.id, 0)}",
                )
        except IntegrityError:
            pass  # a simultaneous message already told them about this unread run


def shown_body(message: BookingMessage) -> str:
    return str(HIDDEN_TEXT) if message.hidden_at is not None else message.body


def set_hidden(*, message: BookingMessage, hidden: bool, now: datetime) -> None:
    """A moderator hides or shows a message again. Hiding also takes its text out of the inbox
    line (and any digest still to come) that quoted it; e-mails already sent stay sent."""
    message.hidden_at = now if hidden else None
    if not hidden:
        return
    quoting = (
        select(Notification, User.locale)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.kind == "message",
            Notification.link == booking_path(message.booking_id),
            Notification.body == message.body[:500],
        )
    )
    for note, locale in db.session.execute(quoting):
        with force_locale(locale):
            note.body = str(HIDDEN_TEXT)


def _read_markers(booking_id: int, user_ids: set[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(MessageRead.user_id, MessageRead.last_read_id).where(
            MessageRead.booking_id == booking_id, MessageRead.user_id.in_(user_ids)
        )
    )
    return dict(rows.all())


def thread_page(*, booking: Booking, after_id: int | None, limit: int) -> list[BookingMessage]:
    """Messages oldest first, after the message `after_id`; up to limit + 1 to tell if more follow."""
    query = select(BookingMessage).where(BookingMessage.booking_id == booking.id)
    if after_id is not None:
        query = query.where(BookingMessage.id > after_id)
    return list(db.session.scalars(query.order_by(BookingMessage.id).limit(limit + 1)))


def latest(*, booking: Booking, limit: int = 200) -> list[BookingMessage]:
    """The last `limit` messages of the thread, oldest first (the booking page)."""
    query = select(BookingMessage).where(BookingMessage.booking_id == booking.id)
    rows = list(db.session.scalars(query.order_by(BookingMessage.id.desc()).limit(limit)))
    return rows[::-1]


def mark_read(*, booking: Booking, reader: User, up_to_id: int, now: datetime) -> None:
    """The reader has seen the thread up to message `up_to_id` (the marker never moves back);
    their notifications of this thread's messages are read too."""
    if up_to_id <= _read_markers(booking.id, {reader.id}).get(reader.id, 0):
        return
    # The database's own INSERT, for ON CONFLICT: only that dialect is imported (PostgreSQL's takes
    # a tenth of a second, which every SQLite process would pay at start-up).
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(MessageRead).values(booking_id=booking.id, user_id=reader.id, last_read_id=up_to_id, read_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["booking_id", "user_id"],
        set_={"last_read_id": stmt.excluded.last_read_id, "read_at": stmt.excluded.read_at},
        where=MessageRead.last_read_id < stmt.excluded.last_read_id,
    )
    db.session.execute(stmt)
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == reader.id,
            Notification.kind == "message",
            Notification.link == booking_path(booking.id),
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
    )


def unread_counts(user_id: int, booking_ids: list[int]) -> dict[int, int]:
    """Messages from the other side that `user_id` has not read yet, per booking (absent: none)."""
    if not booking_ids:
        return {}
    query = (
        select(BookingMessage.booking_id, func.count())
        .outerjoin(
            MessageRead,
            and_(MessageRead.booking_id == BookingMessage.booking_id, MessageRead.user_id == user_id),
        )
        .where(
            BookingMessage.booking_id.in_(booking_ids),
            BookingMessage.author_id != user_id,
            BookingMessage.id > func.coalesce(MessageRead.last_read_id, 0),
        )
        .group_by(BookingMessage.booking_id)
    )
    return dict(db.session.execute(query).all())
