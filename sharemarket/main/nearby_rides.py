"""The home page's rides: tomorrow morning on my commute, or leaving near me.

On a commute (home toward the member's usual destination) the rides feature's own matching
search is used. Without a destination there is no passenger search to ask ("from here to
anywhere"), so `leaving_near` reads the day's occurrences directly: those of a morning are few
(indexed by departure time), and only their drivers' start points are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sharemarket import geo
from sharemarket.accounts.models import offered_by_an_active_member
from sharemarket.communities import rules as community_rules
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.rides import privacy, seats, services
from sharemarket.rides import search as ride_search
from sharemarket.rides.models import Ride, RideOccurrence

MORNING = (time(5, 0), time(11, 0))
LEAVING_NEAR_KM = 5.0
# A destination within this distance of home is not a commute.
COMMUTE_MIN_KM = 2.0
CANDIDATES = 200


@dataclass(frozen=True)
class RideShown:
    href: str
    departs_at: datetime
    origin_label: str
    destination_label: str
    driver_name: str
    # How far from the origin the passenger gets in (None: at the door or unknown).
    pickup_km: float | None


def most_common_place(places: list[geo.Place], away_from: geo.Place) -> geo.Place | None:
    """The place that comes back most often (to about a kilometre), ignoring those next to
    `away_from`; the most recent wins a tie (places come newest first)."""
    counts: dict[tuple, list[geo.Place]] = {}
    for place in places:
        if geo.fast_distance_km(place.lat, place.lng, away_from.lat, away_from.lng) < COMMUTE_MIN_KM:
            continue
        counts.setdefault((round(place.lat, 2), round(place.lng, 2)), []).append(place)
    if not counts:
        return None
    return max(counts.values(), key=len)[0]


def usual_destination(user, now: datetime, home: geo.Place) -> geo.Place | None:
    """Where the member usually goes from home: their seats' drop-offs and their own rides'
    destinations, the most frequent one."""
    if user is None:
        return None
    places = [booking.dropoff for booking in seats.for_passenger(user.id, now)]
    places += [ride.destination for ride in services.rides_of(user, include_past=True, now=now)]
    return most_common_place(places, home)


def _path(endpoint: str, **values) -> str:
    """A page's path without a request (services run in jobs and tests too)."""
    return current_app.url_map.bind("").build(endpoint, values)


def _window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, MORNING[0], zone), datetime.combine(day, MORNING[1], zone)


def on_commute(*, origin: geo.Place, destination: geo.Place, day: date, zone: ZoneInfo, now: datetime, user, limit):
    """Rides that can take me from home to my destination that morning, best first."""
    after, before = _window(day, zone)
    try:
        found = ride_search.search(
            origin=origin,
            destination=destination,
            depart_after=after,
            depart_before=before,
            now=now,
            exclude_driver_id=user.id if user is not None else None,
        )
    except ValidationFailed:
        return []
    shown = []
    for match in found.shown(0, limit):
        ride = match.occurrence.ride
        href = _path(
            "rides.detail", ride_id=ride.id, date=match.occurrence.date.isoformat(),
            pickup_lat=match.pickup.lat, pickup_lng=match.pickup.lng, pickup_label=match.pickup.label or "",
            dropoff_lat=match.dropoff.lat, dropoff_lng=match.dropoff.lng, dropoff_label=match.dropoff.label or "",
        )  # fmt: skip
        shown.append(
            RideShown(
                href,
                match.pickup_at,
                ride.origin_label or "",
                ride.destination_label or "",
                ride.driver.display_name,
                match.pickup_km or None,
            )  # fmt: skip
        )
    return shown


def leaving_near(*, origin: geo.Place, day: date, zone: ZoneInfo, now: datetime, user, limit: int):
    """Rides with a free seat whose driver starts within a few kilometres, that morning, nearest
    start first. Distances are to the start shown publicly (rounded about 200 m)."""
    after, before = _window(day, zone)
    box = geo.bounding_box(origin.lat, origin.lng, LEAVING_NEAR_KM)
    query = (
        select(RideOccurrence)
        .join(Ride, Ride.id == RideOccurrence.ride_id)
        .where(
            RideOccurrence.departs_at >= max(after, now),
            RideOccurrence.departs_at < before,
            RideOccurrence.cancelled.is_(False),
            RideOccurrence.seats_left > 0,
            Ride.status == "active",
            Ride.hidden_at.is_(None),
            offered_by_an_active_member(Ride.driver_id),
            community_rules.visible_to(Ride.community_id, user.id if user is not None else None),
            Ride.origin_lat.between(box.min_lat, box.max_lat),
            Ride.origin_lng.between(box.min_lng, box.max_lng),
        )
        .order_by(RideOccurrence.departs_at, RideOccurrence.id)
        .limit(CANDIDATES)
        .options(joinedload(RideOccurrence.ride).joinedload(Ride.driver))
    )
    if user is not None:
        query = query.where(Ride.driver_id != user.id)
    found = []
    for occurrence in db.session.scalars(query):
        ride = occurrence.ride
        start = privacy.shown_place(ride.origin, ride.id, False)
        km = geo.distance_km(origin.lat, origin.lng, start.lat, start.lng)
        if km <= LEAVING_NEAR_KM:
            href = _path("rides.detail", ride_id=ride.id, date=occurrence.date.isoformat())
            found.append(
                RideShown(
                    href,
                    occurrence.departs_at,
                    ride.origin_label or "",
                    ride.destination_label or "",
                    ride.driver.display_name,
                    km,
                )  # fmt: skip
            )
    found.sort(key=lambda shown: (shown.pickup_km, shown.departs_at))
    return found[:limit]


def tomorrow_morning(*, origin, destination, day, zone, now, user, limit: int) -> list[RideShown]:
    if destination is not None:
        return on_commute(origin=origin, destination=destination, day=day, zone=zone, now=now, user=user, limit=limit)
    return leaving_near(origin=origin, day=day, zone=zone, now=now, user=user, limit=limit)
