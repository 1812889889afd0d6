from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sharemarket.bookings.models import Booking
from sharemarket.db import UTCDateTime
from sharemarket.extensions import db


class JobLease(db.Model):
    """Which scheduler process may run jobs now: a lease renewed while it lives."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRun(db.Model):
    """One run of one job, with its one-line summary, for the admins' status page."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text)


# The expiry job's scan of the bookings table (requests whose answer time has passed), declared
# here beside the job that needs it so that its cost follows the due rows, not the table.
Index("ix_bookings_status_respond_by", Booking.status, Booking.respond_by)
