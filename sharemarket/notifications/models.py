from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db


class Notification(db.Model):
    """One line in a user's inbox."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        # The digest job walks the people with waiting items, user by user.
        Index("ix_notifications_digest", "digest_status", "user_id", "created_at"),
        UniqueConstraint("user_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by jobs: the same key is never notified twice to the same user.
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    # For people who chose a daily digest: pending until the digest e-mail takes it, then sent
    # (or dropped if they switched to inbox only meanwhile). NULL: no digest involved.
    digest_status: Mapped[str | None] = mapped_column(String(8))


class OutboxEmail(db.Model):
    """An e-mail written in the same transaction as what caused it, sent after commit."""

    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one-click unsubscribe address (RFC 8058) for this e-mail's kind; none for account mail.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))


class NotificationPreference(db.Model):
    """How one person wants to hear about one kind of thing; no row means the kind's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (CheckConstraint("channel IN ('email', 'inbox', 'digest')", name="channel"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
