from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket import spatial
from sharemarket.accounts.models import User
from sharemarket.bookings.models import Booking
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db

if TYPE_CHECKING:
    from sharemarket.organisations.models import Organisation


class Listing(db.Model):
    """A thing an inhabitant lends: what it is, where to fetch it, and on which terms."""

    __tablename__ = "listings"
    __table_args__ = (
        Index("ix_listings_status_created", "status", "created_at", "id"),
        CheckConstraint("status IN ('active', 'paused', 'archived')", name="status"),
        CheckConstraint("deposit_cents >= 0", name="deposit"),
        CheckConstraint("max_loan_days >= 1", name="max_loan_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(24))
    condition: Mapped[str] = mapped_column(String(16), default="good")
    # The true place; others see `geo.approximate` of it until a loan of theirs is confirmed.
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    place_label: Mapped[str | None] = mapped_column(String(120))
    deposit_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    replacement_value_cents: Mapped[int | None] = mapped_column(Integer)
    max_loan_days: Mapped[int] = mapped_column(Integer, default=7)
    min_notice_days: Mapped[int] = mapped_column(Integer, default=0)
    buffer_days: Mapped[int] = mapped_column(Integer, default=0)
    pickup_instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="active")
    # Title and description folded (lower case, no accents), each word after a space: word search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the owner's edits only: a listing nobody touched for months gets paused.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stale_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Lent on behalf of an organisation: any of its administrators handles the loans.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Kept among the members of one community: others do not see it.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    # Hidden by a moderator: gone from search and pages except for its owner and moderators.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    photos: Mapped[list[ListingPhoto]] = relationship(
        back_populates="listing", order_by="ListingPhoto.position", cascade="all, delete-orphan"
    )


spatial.add_point_index(Listing.__table__)


class ListingPhoto(db.Model):
    """A re-encoded copy of an uploaded photo (the upload itself is never kept or served)."""

    __tablename__ = "listing_photos"
    __table_args__ = (
        UniqueConstraint("listing_id", "position"),
        # At most five photos per listing: positions 0 to 4, each once.
        CheckConstraint("position >= 0 AND position < 5", name="position"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    # Random, so that photo addresses cannot be guessed; the files are <key>-full / <key>-thumb.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="photos")


class BlockedPeriod(db.Model):
    """Days the owner does not lend (holidays, repair): inclusive dates."""

    __tablename__ = "listing_blocks"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Loan(Booking):
    """A booking of a listing for whole days, start and end included."""

    __tablename__ = "loans"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates"),)

    id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)

    listing: Mapped[Listing] = relationship()

    __mapper_args__ = {"polymorphic_identity": "loan"}


class HeldDay(db.Model):
    """One day a listing is not free: lent (a confirmed or current loan, with its buffer) or blocked.

    The primary key (listing_id, day) is what makes "never two confirmed loans on one day" true
    whatever the concurrency: a second hold of the same day fails in the database.
    """

    __tablename__ = "listing_held_days"
    __table_args__ = (
        CheckConstraint("(loan_id IS NULL) <> (block_id IS NULL)", name="holder"),
        CheckConstraint("reason IN ('loan', 'buffer', 'blocked')", name="reason"),
    )

    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(8))
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id", ondelete="CASCADE"), index=True)
    block_id: Mapped[int | None] = mapped_column(ForeignKey("listing_blocks.id", ondelete="CASCADE"), index=True)
