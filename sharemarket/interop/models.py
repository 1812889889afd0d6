"""Interop tables: partner operators' keys, their passengers, and the bookings they made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket.accounts.models import User
from sharemarket.bookings.models import Booking
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db


class InteropOperator(db.Model):
    """A partner operator allowed to call /interop/v1; only the SHA-256 of its key is kept.

    Operators may also come from SHAREMARKET_INTEROP_KEYS, without a row: everything an
    operator owns is keyed by its name, whichever way it authenticated."""

    __tablename__ = "interop_operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExternalPassenger(db.Model):
    """A passenger of a partner operator, as that operator names them (its `User` object).

    Each has a user here with status "external" (no password, no deliverable e-mail, cannot
    log in) who books seats through the ordinary booking engine: the driver sees "alias ·
    operator", and two passengers of one operator are two people, not one."""

    __tablename__ = "interop_passengers"
    __table_args__ = (UniqueConstraint("operator", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operator: Mapped[str] = mapped_column(String(100))  # the authenticated operator's name
    external_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # The standard's User object as the operator last sent it (alias, operator, names...).
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class InteropBooking(db.Model):
    """A seat booking made through the standard, under the UUID the partner chose for it."""

    __tablename__ = "interop_bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    operator: Mapped[str] = mapped_column(String(100), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("interop_passengers.id", ondelete="CASCADE"), index=True)
    driver_journey_id: Mapped[str] = mapped_column(String(255))
    passenger_journey_id: Mapped[str | None] = mapped_column(String(255))
    # The standard's VALIDATED: a party confirmed the carpool took place.
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    booking: Mapped[Booking] = relationship()
    passenger: Mapped[ExternalPassenger] = relationship()
