from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket.accounts.models import User
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_user_status", "user_id", "status"),
        # In id order within a status and kind: the scheduler walks one kind's rows of one status.
        Index("ix_bookings_status_kind_id", "status", "kind", "id"),
        # By start, with what the impact figures count of a month's bookings (status, person), so
        # that they read the index alone.
        Index("ix_bookings_starts_at_status_user", "starts_at", "status", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # loan | desk | seat
    status: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a request nobody answered expires (set by the kind on creation).
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The instants the booked thing starts and ends: sorting, reminders, calendars.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="BookingEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_abstract": True}


class BookingEvent(db.Model):
    """The history of a booking: every transition, who made it and when."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(String(200))

    booking: Mapped[Booking] = relationship(back_populates="events")
