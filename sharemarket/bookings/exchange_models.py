"""What the two sides of a booking write to each other: messages (with read markers) and reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, SmallInteger, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket.accounts.models import User
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db

MESSAGE_MAX = 2000
COMMENT_MAX = 1000


class BookingMessage(db.Model):
    """One message of a booking's thread. It stays when its author closes the account: the
    author then shows as the anonymised user, and the other side keeps its history."""

    __tablename__ = "booking_messages"
    __table_args__ = (
        Index("ix_booking_messages_thread", "booking_id", "id"),
        Index("ix_booking_messages_author_recent", "author_id", "created_at"),
        CheckConstraint(f"length(body) >= 1 AND length(body) <= {MESSAGE_MAX}", name="body_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by a moderator: both sides see a notice instead of the text, which stays for the log.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(foreign_keys=[author_id])


class MessageRead(db.Model):
    """How far one person has read one booking's thread: messages after `last_read_id` are unread."""

    __tablename__ = "booking_message_reads"

    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_read_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Review(db.Model):
    """One side's rating of the other after a completed booking: once per booking and author."""

    __tablename__ = "booking_reviews"
    __table_args__ = (
        UniqueConstraint("booking_id", "author_id"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
        CheckConstraint(f"length(comment) <= {COMMENT_MAX}", name="comment_length"),
        Index("ix_booking_reviews_subject_latest", "subject_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    subject: Mapped[User] = relationship(foreign_keys=[subject_id])
