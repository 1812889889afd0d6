"""Reviews: once a booking is completed, each side may rate the other once. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sharemarket.accounts.models import User
from sharemarket.bookings import completion, rules, services
from sharemarket.bookings.exchange_models import COMMENT_MAX, Review
from sharemarket.bookings.kinds import handler_for
from sharemarket.bookings.messages import booking_path, clean_text
from sharemarket.bookings.models import Booking
from sharemarket.db import lock_row
from sharemarket.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.notifications.services import notify

RATINGS = range(1, 6)


@dataclass(frozen=True)
class Rating:
    average: float | None
    count: int


def subject_of(booking: Booking, author_id: int) -> int | None:
    """Whom `author_id` reviews: the booker reviews the provider (the lowest id when a space has
    several managers), a provider reviews the booker; None for anyone else."""
    roles = services.roles_of(booking, author_id)
    if rules.BOOKER in roles:
        providers = sorted(handler_for(booking).provider_ids(booking) - {author_id})
        return providers[0] if providers else None
    if rules.PROVIDER in roles:
        return booking.user_id
    return None


def review_by(booking: Booking, author_id: int) -> Review | None:
    return db.session.scalar(select(Review).where(Review.booking_id == booking.id, Review.author_id == author_id))


def can_review(booking: Booking, user_id: int, now: datetime) -> bool:
    """The review form shows: a completed booking, one of its sides, no review from them yet."""
    return (
        completion.is_completed(booking, now)
        and subject_of(booking, user_id) is not None
        and review_by(booking, user_id) is None
    )


def _checked_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise ValidationFailed.field("rating", _l("Give a rating from 1 to 5."))
    return rating


def leave_review(*, booking: Booking, author: User, rating: object, comment: str | None, now: datetime) -> Review:
    """Rate the other side of a completed booking, once.

    Refused: not a side of the booking (404); a rating outside 1–5 or a comment over 1,000
    characters (422); a booking not completed, or a second review by the same person (409).
    The booking's row lock orders simultaneous reviews; the unique (booking, author) constraint
    backs it.
    """
    if not services.roles_of(booking, author.id):
        raise NotFound(_l("No such booking."))
    value = _checked_rating(rating)
    text = clean_text(comment or "")
    if len(text) > COMMENT_MAX:
        raise ValidationFailed.field("comment", _l("At most %(max)d characters, please.", max=COMMENT_MAX))
    if not completion.is_completed(booking, now):
        raise Conflict(_l("You can leave a review once the booking is completed."))
    subject_id = subject_of(booking, author.id)
    if subject_id is None:
        raise NotAllowed(_l("There is nobody else on this booking to review."))
    # Reviews of one booking are written one after the other; the constraint backs the lock.
    with db.session.no_autoflush:
        lock_row(db.session, Booking, booking.id)
    if review_by(booking, author.id) is not None:
        raise Conflict(_l("You already reviewed this booking."))
    review = Review(
        booking_id=booking.id, author_id=author.id, subject_id=subject_id, rating=value, comment=text, created_at=now
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("You already reviewed this booking.")) from None
    subject = db.session.get(User, subject_id)
    notify(
        user=subject,
        kind="review",
        title=_l("%(name)s reviewed you", name=author.display_name),
        body=_l(
            "%(name)s gave you %(rating)d out of 5 for %(title)s.",
            name=author.display_name,
            rating=value,
            title=str(handler_for(booking).describe(booking)["title"]),
        ),
        link=booking_path(booking.id),
        now=now,
        email=False,
    )
    return review


def rating_of(user_id: int) -> Rating:
    count, average = db.session.execute(
        select(func.count(Review.id), func.avg(Review.rating)).where(Review.subject_id == user_id)
    ).one()
    return Rating(round(float(average), 2) if average is not None else None, count)


def reviews_about(user_id: int, *, before_id: int | None = None, limit: int = 5) -> list[Review]:
    """Reviews of a person, newest first; up to limit + 1 so a caller can tell if more follow."""
    query = select(Review).where(Review.subject_id == user_id)
    if before_id is not None:
        query = query.where(Review.id < before_id)
    return list(db.session.scalars(query.order_by(Review.id.desc()).limit(limit + 1)))


def reviews_on(booking: Booking) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.booking_id == booking.id).order_by(Review.id)))
