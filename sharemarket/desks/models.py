"""Third places (tiers-lieux): spaces, their managers, desks, published slots, desk bookings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket import spatial
from sharemarket.accounts.models import User
from sharemarket.bookings.models import Booking
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db


class Space(db.Model):
    __tablename__ = "spaces"
    __table_args__ = (
        CheckConstraint("cancel_cutoff_hours >= 0", name="cutoff_not_negative"),
        CheckConstraint("max_future_bookings IS NULL OR max_future_bookings >= 1", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    place_label: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    # Codes from rules.AMENITIES, comma-separated.
    amenities: Mapped[str] = mapped_column(String(400), default="")
    house_rules: Mapped[str] = mapped_column(Text, default="")
    # Cancelling later than this many hours before the start is recorded as late.
    cancel_cutoff_hours: Mapped[int] = mapped_column(Integer, default=2)
    # At most this many upcoming bookings per member in this space (None: no limit).
    max_future_bookings: Mapped[int | None] = mapped_column(Integer)
    # The secret part of the check-in link printed in the space (as a QR code).
    checkin_code: Mapped[str] = mapped_column(String(32), unique=True)
    # The secret part of the managers' calendar feed URL.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The organisation running the space (shown on its page).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    managers: Mapped[list[SpaceManager]] = relationship(
        back_populates="space", cascade="all, delete-orphan", order_by="SpaceManager.added_at"
    )
    desks: Mapped[list[Desk]] = relationship(back_populates="space", order_by="Desk.label")
    photos: Mapped[list[SpacePhoto]] = relationship(
        back_populates="space", cascade="all, delete-orphan", order_by="SpacePhoto.id"
    )

    @property
    def amenity_codes(self) -> list[str]:
        return [code for code in self.amenities.split(",") if code]

    @property
    def manager_ids(self) -> set[int]:
        return {m.user_id for m in self.managers}


spatial.add_point_index(Space.__table__)


class SpaceManager(db.Model):
    __tablename__ = "space_managers"

    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    space: Mapped[Space] = relationship(back_populates="managers")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class SpacePhoto(db.Model):
    """A photo re-encoded by Pillow as a plain JPEG (no metadata), stored in the database."""

    __tablename__ = "space_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    jpeg: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[Space] = relationship(back_populates="photos")


class Desk(db.Model):
    __tablename__ = "desks"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("kind IN ('hot_desk', 'fixed_desk', 'meeting_room')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16), default="hot_desk")
    seats: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    space: Mapped[Space] = relationship(back_populates="desks")


class Slot(db.Model):
    """A desk offered for [starts_at, ends_at) to at most `capacity` members.

    `booked` counts the bookings holding a seat; the CHECK keeps it within capacity whatever
    the code does, and seats are taken with a conditional UPDATE under the slot's row lock.
    """

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        Index("ix_slots_space_starts", "space_id", "starts_at"),
        Index("ix_slots_desk_starts", "desk_id", "starts_at"),
        Index("ix_slots_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desks.id", ondelete="CASCADE"))
    # The desk's space, repeated so that the search reads slots by space and time directly.
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the job once the slot has ended and its waitlist was cleared.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    desk: Mapped[Desk] = relationship()
    space: Mapped[Space] = relationship()

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


class DeskBooking(Booking):
    __tablename__ = "desk_bookings"
    __table_args__ = (
        # One open booking per member and slot: `open_user_id` is the booker while the booking
        # is open and NULL once it is final (NULLs never clash in a unique constraint).
        UniqueConstraint("slot_id", "open_user_id"),
    )
    __mapper_args__ = {"polymorphic_identity": "desk"}

    id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    open_user_id: Mapped[int | None] = mapped_column(Integer)
    late_cancel: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the booking got its seat (booked, or promoted from the waitlist): the no-show delay
    # runs from the later of this and the start.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot: Mapped[Slot] = relationship()
