from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket.accounts.models import User
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db


class Community(db.Model):
    """A company or a neighbourhood: open, by invitation, or for one e-mail domain."""

    __tablename__ = "communities"
    __table_args__ = (
        CheckConstraint("access IN ('open', 'invitation', 'domain')", name="access"),
        CheckConstraint("access != 'domain' OR email_domain IS NOT NULL", name="domain_given"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    access: Mapped[str] = mapped_column(String(12), default="open")
    email_domain: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[CommunityMember]] = relationship(
        back_populates="community", cascade="all, delete-orphan", order_by="CommunityMember.id"
    )


class CommunityMember(db.Model):
    __tablename__ = "community_members"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id"),
        CheckConstraint("role IN ('admin', 'member')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community: Mapped[Community] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
