from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket.accounts.models import User
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db

TARGETS = ("listing", "ride", "message", "user")


class Report(db.Model):
    """Someone's report of a listing, a ride, a booking message or a user."""

    __tablename__ = "reports"
    __table_args__ = (
        # One open report per reporter and target: `is_open` is True while open, NULL once closed.
        UniqueConstraint("reporter_id", "target_type", "target_id", "is_open"),
        CheckConstraint("target_type IN ('listing', 'ride', 'message', 'user')", name="target_type"),
        CheckConstraint("is_open IS NULL OR is_open", name="is_open"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool | None] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User] = relationship()


class ModerationAction(db.Model):
    """The log: who did what to which target, why and when."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    moderator: Mapped[User] = relationship()
