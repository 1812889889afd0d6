from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ColumnElement, Float, ForeignKey, Integer, String, Text, exists, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # Lower-cased e-mail: the unique key, so "Ana@x.fr" and "ana@x.fr" are one account.
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(60))
    bio: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    phone: Mapped[str | None] = mapped_column(String(30))
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_lng: Mapped[float | None] = mapped_column(Float)
    home_label: Mapped[str | None] = mapped_column(String(120))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Granted and revoked by admins: sees the reports queue and acts on it (not an admin).
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # active | suspended | deleted
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_reason: Mapped[str | None] = mapped_column(String(500))
    # Set by a moderator: the public profile (bio, home area) is shown to nobody but its owner and moderators.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sessions of inactive users
        return self.status == "active"

    def get_id(self) -> str:
        # The password's change time is part of the session id: changing it logs out elsewhere.
        return f"{self.id}:{int(self.password_changed_at.timestamp())}"

    @property
    def has_home(self) -> bool:
        return self.home_lat is not None and self.home_lng is not None


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


def offered_by_an_active_member(owner_id: ColumnElement) -> ColumnElement[bool]:
    """What a suspended (or closed) account offers stays out of searches: they cannot answer."""
    return exists().where(User.id == owner_id, User.status == "active")
