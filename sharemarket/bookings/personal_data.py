"""What messages and reviews hold about a person: in their GDPR export, and on closing the account.

Messages and reviews a closed account wrote stay, for the other side's history: the user row is
anonymised, so they show the anonymised name. Only the person's read markers are dropped.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.bookings.exchange_models import BookingMessage, MessageRead, Review
from sharemarket.extensions import db


def export_messages(user: User) -> tuple[str, object]:
    rows = db.session.scalars(
        select(BookingMessage).where(BookingMessage.author_id == user.id).order_by(BookingMessage.id)
    )
    return "booking_messages", [
        {"id": m.id, "booking_id": m.booking_id, "body": m.body, "created_at": m.created_at.isoformat()} for m in rows
    ]


def _review(review: Review) -> dict:
    return {
        "id": review.id,
        "booking_id": review.booking_id,
        "author_id": review.author_id,
        "subject_id": review.subject_id,
        "rating": review.rating,
        "comment": review.comment,
        "created_at": review.created_at.isoformat(),
    }


def export_reviews_written(user: User) -> tuple[str, object]:
    rows = db.session.scalars(select(Review).where(Review.author_id == user.id).order_by(Review.id))
    return "reviews_written", [_review(r) for r in rows]


def export_reviews_received(user: User) -> tuple[str, object]:
    rows = db.session.scalars(select(Review).where(Review.subject_id == user.id).order_by(Review.id))
    return "reviews_received", [_review(r) for r in rows]


def erase(user: User, now: datetime) -> None:
    db.session.execute(delete(MessageRead).where(MessageRead.user_id == user.id))


accounts.EXPORTERS.extend([export_messages, export_reviews_written, export_reviews_received])
accounts.ERASERS.append(erase)
