"""Saved searches, and how far the alert job has looked at each ride."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket import spatial
from sharemarket.accounts.models import User
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import rules as ride_rules


class SavedSearch(db.Model):
    """A passenger's standing search: from, to, the weekdays and the local departure window."""

    __tablename__ = "saved_searches"
    __table_args__ = (
        CheckConstraint(f"seats BETWEEN {ride_rules.SEATS_MIN} AND {ride_rules.SEATS_MAX}", name="seats_range"),
        CheckConstraint("time_from < time_to", name="window_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    from_lat: Mapped[float] = mapped_column(Float)
    from_lng: Mapped[float] = mapped_column(Float)
    from_label: Mapped[str | None] = mapped_column(String(120))
    to_lat: Mapped[float] = mapped_column(Float)
    to_lng: Mapped[float] = mapped_column(Float)
    to_label: Mapped[str | None] = mapped_column(String(120))
    # 0 = Monday … 6 = Sunday, sorted.
    weekdays: Mapped[list] = mapped_column(JSON)
    # The driver leaves between these local times ("HH:MM"), in the server's timezone.
    time_from: Mapped[str] = mapped_column(String(5))
    time_to: Mapped[str] = mapped_column(String(5))
    seats: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    @property
    def origin(self) -> Place:
        return Place(self.from_lat, self.from_lng, self.from_label)

    @property
    def destination(self) -> Place:
        return Place(self.to_lat, self.to_lng, self.to_label)

    @property
    def route_label(self) -> str:
        def name(place: Place) -> str:
            return place.label or f"{place.lat:.3f}, {place.lng:.3f}"

        return f"{name(self.origin)} → {name(self.destination)}"


# The job finds the searches a ride could serve by their start point, through this index.
spatial.add_point_index(SavedSearch.__table__, "from_lat", "from_lng")


class AlertMark(db.Model):
    """The alert job has compared this ride's days up to `checked_until` with the saved searches."""

    __tablename__ = "alert_ride_marks"

    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id", ondelete="CASCADE"), primary_key=True)
    checked_until: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
