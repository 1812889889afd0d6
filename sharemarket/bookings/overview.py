""" "My bookings": what a person booked and what they provide, of every kind, current first.

Everything a row shows comes from the engine (`kinds.handler_for(b).describe`, `provider_ids`,
`rules.allowed_actions`) and the base `Booking` fields, so each new kind appears here as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectin_polymorphic, selectinload

from sharemarket.accounts.models import User
from sharemarket.bookings import completion, messages, reviews, rules, services
from sharemarket.bookings.exchange_models import Review
from sharemarket.bookings.kinds import KINDS, handler_for
from sharemarket.bookings.models import Booking
from sharemarket.extensions import db

ROLES = ("mine", "to_handle")
# Loans picked up and not yet back stay current after their last day: the item is still out.
STILL_OUT = ("active", "overdue")
CURRENT_MAX = 100


@dataclass
class Row:
    booking: Booking
    title: str
    link: str | None
    others: list[User]
    unread: int
    actions: list[str]
    review_due: bool


@dataclass
class Side:
    role: str
    current: list[Row] = field(default_factory=list)
    past: list[Row] = field(default_factory=list)
    more_past: bool = False

    @property
    def waiting_for_me(self) -> int:
        """Requests the provider has to answer."""
        if self.role != "to_handle":
            return 0
        return sum(1 for row in self.current if "approve" in row.actions)


def is_past(booking: Booking, now: datetime) -> bool:
    """Final, or over (its end has passed) unless an item is still out."""
    return booking.status in rules.FINAL or (booking.ends_at <= now and booking.status not in STILL_OUT)


def _past_clause(now: datetime):
    return or_(Booking.status.in_(rules.FINAL), and_(Booking.ends_at <= now, Booking.status.not_in(STILL_OUT)))


def side(
    *,
    user: User,
    role: str,
    now: datetime,
    kind: str | None = None,
    status: str | None = None,
    past_limit: int = 10,
    past_page: int = 1,
) -> Side:
    """One side of the page: current bookings soonest first, then a page of past ones, latest first."""
    query = services.list_query(user=user, role=role, status=status).order_by(None)
    if kind:
        query = query.where(Booking.kind == kind)
    if KINDS:
        query = query.options(selectin_polymorphic(Booking, [h.model for h in KINDS.values()]))
    query = query.options(selectinload(Booking.user))
    current = list(
        db.session.scalars(query.where(~_past_clause(now)).order_by(Booking.starts_at, Booking.id).limit(CURRENT_MAX))
    )
    past = list(
        db.session.scalars(
            query.where(_past_clause(now))
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
            .offset((past_page - 1) * past_limit)
            .limit(past_limit + 1)
        )
    )
    more_past = len(past) > past_limit
    past = past[:past_limit]
    rows = _rows(current + past, user, role, now)
    return Side(role, rows[: len(current)], rows[len(current) :], more_past)


def _rows(bookings: list[Booking], user: User, role: str, now: datetime) -> list[Row]:
    ids = [b.id for b in bookings]
    unread = messages.unread_counts(user.id, ids)
    reviewed = set(
        db.session.scalars(select(Review.booking_id).where(Review.author_id == user.id, Review.booking_id.in_(ids)))
    )
    others_ids = {b.id: _other_ids(b, user.id, role) for b in bookings}
    wanted = set().union(*others_ids.values()) if others_ids else set()
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    rows = []
    for booking in bookings:
        described = handler_for(booking).describe(booking)
        rows.append(
            Row(
                booking=booking,
                title=str(described["title"]),
                link=described.get("link"),
                others=[people[i] for i in sorted(others_ids[booking.id]) if i in people],
                unread=unread.get(booking.id, 0),
                actions=rules.allowed_actions(booking.kind, booking.status, services.roles_of(booking, user.id)),
                review_due=booking.id not in reviewed
                and completion.is_completed(booking, now)
                and reviews.subject_of(booking, user.id) is not None,
            )
        )
    return rows


def _other_ids(booking: Booking, user_id: int, role: str) -> set[int]:
    if role == "mine":
        return handler_for(booking).provider_ids(booking) - {user_id}
    return {booking.user_id} - {user_id}
