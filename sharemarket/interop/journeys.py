"""Driver journeys and regular trips for partners, found by our own ride search.

The standard matches on the passenger's pick-up time (±timeDelta) and on pick-up and drop-off
points within a radius of the requested ones. Our search matches the driver's departure and
suggests carpool areas up to a few km away; so we search from a little earlier, keep the
journeys whose pick-up falls in the window, and put the pick-up back at the caller's door when
the suggested carpool area lies beyond their radius (if the driver's detour allows it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from sharemarket import geo
from sharemarket.geo import Place
from sharemarket.interop import rules
from sharemarket.rides import rules as ride_rules
from sharemarket.rides import search
from sharemarket.rides.models import RideOccurrence
from sharemarket.rides.settings import setting

# A driver may leave this long before picking the passenger up (the search window's lead).
PICKUP_LEAD = timedelta(hours=3)
RESULTS_MAX = 200
CHUNK = 50
# The days ahead that a regular-trips search looks at: one of each weekday.
TRIP_DAYS = 7


@dataclass
class Journey:
    """One day of a ride that can carry the partner's passenger, with where and when."""

    occurrence: RideOccurrence
    pickup: Place
    dropoff: Place
    pickup_at: datetime
    dropoff_at: datetime
    pickup_km: float
    dropoff_km: float


def _journey(match: search.Match, origin: Place, destination: Place, radii: tuple[float, float]) -> Journey | None:
    ride = match.occurrence.ride
    start, end = (ride.origin_lat, ride.origin_lng), (ride.destination_lat, ride.destination_lng)
    fitted = rules.fit_radius(
        start,
        end,
        ride.max_detour_km,
        ((origin.lat, origin.lng), (destination.lat, destination.lng)),
        ((match.pickup.lat, match.pickup.lng), (match.dropoff.lat, match.dropoff.lng)),
        radii,
    )
    if fitted is None:
        return None
    pickup = match.pickup if fitted[0] == (match.pickup.lat, match.pickup.lng) else origin
    dropoff = match.dropoff if fitted[1] == (match.dropoff.lat, match.dropoff.lng) else destination
    # The same estimate as a seat request's (seats.request_seats), so a booking made from this
    # journey gets the pick-up time the partner was shown.
    speed = setting("RIDES_AVERAGE_SPEED_KMH")
    to_pickup = geo.fast_distance_km(*start, pickup.lat, pickup.lng)
    pickup_at = match.departs_at + timedelta(minutes=ride_rules.driving_minutes(to_pickup, speed))
    ride_km = geo.fast_distance_km(pickup.lat, pickup.lng, dropoff.lat, dropoff.lng)
    return Journey(
        occurrence=match.occurrence,
        pickup=pickup,
        dropoff=dropoff,
        pickup_at=pickup_at,
        dropoff_at=pickup_at + timedelta(minutes=ride_rules.driving_minutes(ride_km, speed)),
        pickup_km=geo.distance_km(origin.lat, origin.lng, pickup.lat, pickup.lng),
        dropoff_km=geo.distance_km(dropoff.lat, dropoff.lng, destination.lat, destination.lng),
    )


def _score(match: search.Match, wanted: datetime) -> float:
    """Our search's ranking, with the time gap measured from the pick-up time asked for."""
    gap = ride_rules.time_gap_minutes(match.pickup_at, wanted)
    access = ride_rules.ACCESS_WEIGHT * (match.pickup_km + match.dropoff_km)
    return match.detour_km + access + ride_rules.GAP_WEIGHT_PER_MINUTE * gap


def driver_journeys(
    *,
    origin: Place,
    destination: Place,
    pickup_at: datetime,
    time_delta: timedelta,
    radii: tuple[float, float],
    now: datetime,
    count: int | None = None,
    commutes_only: bool = False,
) -> list[Journey]:
    """Days of rides that pick the passenger up within ±time_delta of `pickup_at`, within the
    radii (km) of their points, best first; at most `count` (and RESULTS_MAX)."""
    earliest, latest = pickup_at - time_delta, pickup_at + time_delta
    matches = search.search(
        origin=origin,
        destination=destination,
        depart_after=earliest - PICKUP_LEAD,
        depart_before=latest,
        seats=1,
        now=now,
    ).matches
    # Moving a pick-up from a carpool area back to the door shifts it by a few minutes at most.
    speed = setting("RIDES_AVERAGE_SPEED_KMH")
    slack = timedelta(minutes=ride_rules.driving_minutes(float(setting("RIDES_MEETING_POINT_MAX_KM")), speed))
    matches = [m for m in matches if earliest - slack <= m.pickup_at <= latest + slack]
    matches.sort(key=lambda m: (_score(m, pickup_at), m.departs_at, m.occurrence_id))
    limit = min(count or RESULTS_MAX, RESULTS_MAX)
    found: list[Journey] = []
    for start in range(0, len(matches), CHUNK):
        for match in search.finish(matches[start : start + CHUNK], origin, destination):
            if commutes_only and not match.occurrence.ride.is_commute:
                continue
            journey = _journey(match, origin, destination, radii)
            if journey is not None and earliest <= journey.pickup_at <= latest:
                found.append(journey)
        if len(found) >= limit:
            break
    return found[:limit]


@dataclass
class RegularTrip:
    """A weekly commute that can carry the passenger, with the days found in the window."""

    ride_id: int
    journeys: list[Journey]

    @property
    def first(self) -> Journey:
        return self.journeys[0]


def _trip_days(weekdays: tuple[int, ...], first: date, last: date):
    day = first
    while day <= last:
        if day.weekday() in weekdays:
            yield day
        day += timedelta(days=1)


def driver_regular_trips(
    *,
    origin: Place,
    destination: Place,
    time_of_day: time,
    weekdays: tuple[int, ...],
    time_delta: timedelta,
    radii: tuple[float, float],
    now: datetime,
    min_departure: datetime | None = None,
    max_departure: datetime | None = None,
    count: int | None = None,
) -> list[RegularTrip]:
    """Weekly commutes picking the passenger up at about `time_of_day` (the server's local
    time) on some of `weekdays`, looked for over the next week from `min_departure`."""
    zone = ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])
    start = max(now, min_departure or now)
    # A week from `start` to the same instant seven days on: a commute running every weekday is
    # found on five days, whatever the hour of the search.
    week_end = start + timedelta(days=TRIP_DAYS)
    end = week_end if max_departure is None else min(week_end, max_departure)
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    trips: dict[int, RegularTrip] = {}
    for day in _trip_days(weekdays, first, last):
        wanted = datetime.combine(day, time_of_day, tzinfo=zone)
        for journey in driver_journeys(
            origin=origin,
            destination=destination,
            pickup_at=wanted,
            time_delta=time_delta,
            radii=radii,
            now=now,
            commutes_only=True,
        ):
            if journey.pickup_at < start or journey.pickup_at >= week_end:
                continue
            if max_departure is not None and journey.pickup_at > max_departure:
                continue
            ride_id = journey.occurrence.ride_id
            trips.setdefault(ride_id, RegularTrip(ride_id, [])).journeys.append(journey)
    ordered = sorted(trips.values(), key=lambda trip: (-len(trip.journeys), trip.first.pickup_at, trip.ride_id))
    return ordered[: min(count or RESULTS_MAX, RESULTS_MAX)]
