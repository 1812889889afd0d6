"""Carpool tables: ride offers, their dated occurrences, official meeting points, seat bookings.

A `Ride` is what a driver publishes: a one-off trip or a weekly commute. Each day it runs is a
`RideOccurrence` with its own seats; search and booking work per occurrence. Occurrences of a
commute are created ahead over a rolling horizon (see `services.extend_occurrences`). Each one
stores the bounding box of the ride's detour ellipse, indexed with its departure time
(`occurrence_index`), so a search finds the rides able to pass by both of the passenger's points
at the right time in one index scan.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    FetchedValue,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharemarket import spatial
from sharemarket.accounts.models import User
from sharemarket.bookings.models import Booking
from sharemarket.db import UTCDateTime, utcnow
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import occurrence_index, ride_copy, rules


class Ride(db.Model):
    __tablename__ = "rides"
    __table_args__ = (
        CheckConstraint(f"seats BETWEEN {rules.SEATS_MIN} AND {rules.SEATS_MAX}", name="seats_range"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint(f"max_detour_km >= 0 AND max_detour_km <= {rules.DETOUR_MAX_KM}", name="detour_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    driver_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    origin_lat: Mapped[float] = mapped_column(Float)
    origin_lng: Mapped[float] = mapped_column(Float)
    origin_label: Mapped[str | None] = mapped_column(String(120))
    destination_lat: Mapped[float] = mapped_column(Float)
    destination_lng: Mapped[float] = mapped_column(Float)
    destination_label: Mapped[str | None] = mapped_column(String(120))
    # Geodesic origin → destination, km.
    distance_km: Mapped[float] = mapped_column(Float)
    # `rules.Heading` of origin → destination, kept up to date on every write (`_set_heading`):
    # lets the search drop rides going the wrong way in SQL. 0 (the default) drops nothing.
    heading_per_lat: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    heading_per_lng: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    heading_slack_km: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # One-off: the departure. Commute: the first occurrence when it was published.
    departure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    seats: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    max_detour_km: Mapped[float] = mapped_column(Float)
    smoking: Mapped[bool] = mapped_column(Boolean, default=False)
    pets: Mapped[bool] = mapped_column(Boolean, default=False)
    music: Mapped[bool] = mapped_column(Boolean, default=True)
    talkative: Mapped[bool] = mapped_column(Boolean, default=True)
    luggage: Mapped[str] = mapped_column(String(8), default="medium")
    note: Mapped[str] = mapped_column(Text, default="")
    # Weekly commute (all None for a one-off ride): weekdays 0 = Monday, local "HH:MM".
    weekdays: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    # Kept among the members of one community: others do not see it.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    # Hidden by a moderator: gone from search and pages except for its owner and moderators.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    local_time: Mapped[str | None] = mapped_column(String(5))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # ISO dates the commute does not run (holidays), including dates cancelled later.
    skip_dates: Mapped[list] = mapped_column(JSON, default=list)
    # Occurrences exist up to this local date; the extend job moves it forward.
    materialised_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    driver: Mapped[User] = relationship()

    @property
    def is_commute(self) -> bool:
        return self.weekdays is not None

    @property
    def origin(self) -> Place:
        return Place(self.origin_lat, self.origin_lng, self.origin_label)

    @property
    def destination(self) -> Place:
        return Place(self.destination_lat, self.destination_lng, self.destination_label)

    @property
    def preferences(self) -> rules.Preferences:
        return rules.Preferences(self.smoking, self.pets, self.music, self.talkative, self.luggage)

    @property
    def recurrence(self) -> rules.Recurrence | None:
        if not self.is_commute:
            return None
        return rules.Recurrence(
            weekdays=tuple(self.weekdays or ()),
            at=rules.parse_local_time(self.local_time or ""),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            skip=frozenset(date.fromisoformat(d) for d in self.skip_dates or ()),
        )

    @property
    def route_label(self) -> str:
        return f"{self.origin_label or _coords(self.origin)} → {self.destination_label or _coords(self.destination)}"


def _coords(place: Place) -> str:
    return f"{place.lat:.3f}, {place.lng:.3f}"


@event.listens_for(Ride, "before_insert")
@event.listens_for(Ride, "before_update")
def _set_heading(mapper, connection, ride: Ride) -> None:
    heading = rules.heading((ride.origin_lat, ride.origin_lng), (ride.destination_lat, ride.destination_lng))
    ride.heading_per_lat, ride.heading_per_lng, ride.heading_slack_km = (
        heading.per_lat,
        heading.per_lng,
        heading.slack_km,
    )


def _copied(type_):
    """A column the database writes (a trigger): the ORM never sends it, and loads it when read."""
    return mapped_column(type_, nullable=True, server_default=FetchedValue())


class RideOccurrence(db.Model):
    """One day a ride runs: its departure instant, seats left, and the detour ellipse's box."""

    __tablename__ = "ride_occurrences"
    __table_args__ = (
        UniqueConstraint("ride_id", "date"),
        # The database itself refuses more confirmed seats than offered.
        CheckConstraint("seats_left >= 0 AND seats_left <= seats", name="seats_left_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)  # local date in the ride's timezone
    departs_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    seats: Mapped[int] = mapped_column(Integer)
    seats_left: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by the closing job once the ride has happened (impact recorded, open requests expired).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    min_lng: Mapped[float] = mapped_column(Float)
    max_lng: Mapped[float] = mapped_column(Float)
    # Copies of the ride's columns of the same names and whether the ride may be found (active,
    # not hidden, offered by an active member), kept by the database (`ride_copy`): the search
    # reads them here instead of joining rides and users. Never written by the application.
    driver_id: Mapped[int | None] = _copied(Integer)
    community_id: Mapped[int | None] = _copied(Integer)
    origin_lat: Mapped[float | None] = _copied(Float)
    origin_lng: Mapped[float | None] = _copied(Float)
    destination_lat: Mapped[float | None] = _copied(Float)
    destination_lng: Mapped[float | None] = _copied(Float)
    max_detour_km: Mapped[float | None] = _copied(Float)
    distance_km: Mapped[float | None] = _copied(Float)
    heading_per_lat: Mapped[float | None] = _copied(Float)
    heading_per_lng: Mapped[float | None] = _copied(Float)
    heading_slack_km: Mapped[float | None] = _copied(Float)
    searchable: Mapped[bool | None] = _copied(Boolean)

    ride: Mapped[Ride] = relationship()

    def is_bookable(self, now: datetime) -> bool:
        return not self.cancelled and self.departs_at > now and self.ride.status == "active"


occurrence_index.install(RideOccurrence.__table__)
ride_copy.install(RideOccurrence.__table__)


class MeetingPoint(db.Model):
    """An official carpool place from the Base Nationale des Lieux de Covoiturage (ODbL)."""

    __tablename__ = "meeting_points"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)  # BNLC id_lieu
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    insee: Mapped[str] = mapped_column(String(10), default="")
    kind: Mapped[str] = mapped_column(String(40), default="")  # "Aire de covoiturage", "Parking"...
    spaces: Mapped[int | None] = mapped_column(Integer)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    updated_on: Mapped[date | None] = mapped_column(Date)

    @property
    def place(self) -> Place:
        return Place(self.lat, self.lng, self.name)


spatial.add_point_index(MeetingPoint.__table__)


class SeatBooking(Booking):
    """Seats on one occurrence of a ride, with where the passenger gets in and out."""

    __tablename__ = "seat_bookings"
    __table_args__ = (CheckConstraint(f"seats BETWEEN 1 AND {rules.SEATS_MAX}", name="seats_range"),)
    __mapper_args__ = {"polymorphic_identity": "seat"}

    id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    ride_id: Mapped[int] = mapped_column(ForeignKey("rides.id"), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("ride_occurrences.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    seats: Mapped[int] = mapped_column(Integer)
    pickup_lat: Mapped[float] = mapped_column(Float)
    pickup_lng: Mapped[float] = mapped_column(Float)
    pickup_label: Mapped[str | None] = mapped_column(String(200))
    dropoff_lat: Mapped[float] = mapped_column(Float)
    dropoff_lng: Mapped[float] = mapped_column(Float)
    dropoff_label: Mapped[str | None] = mapped_column(String(200))
    # The contribution asked for these seats when requested.
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Recorded when the ride has happened, for confirmed seats: passenger-km and CO2 avoided.
    shared_km: Mapped[float | None] = mapped_column(Float)
    co2_kg: Mapped[float | None] = mapped_column(Float)

    ride: Mapped[Ride] = relationship()
    occurrence: Mapped[RideOccurrence] = relationship()

    @property
    def pickup(self) -> Place:
        return Place(self.pickup_lat, self.pickup_lng, self.pickup_label)

    @property
    def dropoff(self) -> Place:
        return Place(self.dropoff_lat, self.dropoff_lng, self.dropoff_label)
