"""Carpool rules, pure: detours and the detour ellipse, commute dates, times, price, match score.

Points are (lat, lng) tuples; distances are kilometres. `distance` parameters default to the fast
haversine (`geo.fast_distance_km`, within 0.5 % of geodesic), good for ranking many candidates;
callers pass `geo.distance_km` (geodesic) for the few figures they show.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sharemarket.geo import KM_PER_DEGREE_LAT, fast_distance_km
from sharemarket.spatial import Box

Point = tuple[float, float]
Distance = Callable[[float, float, float, float], float]

SEATS_MIN, SEATS_MAX = 1, 8
# A driver may accept up to this much extra driving; beyond it no commute is a carpool any more.
DETOUR_MAX_KM = 50.0
DEFAULT_DETOUR_KM = 10.0
# Closer than this, origin and destination are the same place.
SAME_PLACE_KM = 0.5
# Roads are longer than straight lines: the usual detour index between towns is about 1.3.
ROAD_FACTOR = 1.3
SEARCH_WINDOW_MAX = timedelta(days=7)
EARTH_RADIUS_KM = 6371.0088  # as geo.fast_distance_km
LUGGAGE_SIZES = ("none", "small", "medium", "large")
NOTE_MAX = 500
# Scoring: one km of driver detour = one km the passenger travels to a meeting point = 20 min of
# waiting (so across a week-long window the soonest days come first).
ACCESS_WEIGHT = 1.0
GAP_WEIGHT_PER_MINUTE = 0.05


@dataclass(frozen=True)
class Preferences:
    smoking: bool = False
    pets: bool = False
    music: bool = True
    talkative: bool = True
    luggage: str = "medium"


@dataclass(frozen=True)
class Recurrence:
    """A weekly commute: weekdays (0 = Monday) at a local time, from a date until an optional one."""

    weekdays: tuple[int, ...]
    at: time
    valid_from: date
    valid_until: date | None = None
    skip: frozenset[date] = field(default_factory=frozenset)


# -- geometry ---------------------------------------------------------------------------------


def detour_km(origin: Point, pickup: Point, dropoff: Point, destination: Point, distance: Distance = fast_distance_km):
    """Extra driving to carry someone from pickup to dropoff: d(O,P) + d(P,Q) + d(Q,D) − d(O,D)."""
    return (
        distance(*origin, *pickup)
        + distance(*pickup, *dropoff)
        + distance(*dropoff, *destination)
        - distance(*origin, *destination)
    )


def in_detour_ellipse(
    origin: Point, destination: Point, point: Point, max_detour: float, distance: Distance = fast_distance_km
) -> bool:
    """Every acceptable pickup or dropoff lies in the ellipse with foci O and D:
    d(O,P) + d(P,D) ≤ d(O,D) + detour (the triangle inequality bounds the full detour from below)."""
    return distance(*origin, *point) + distance(*point, *destination) <= distance(*origin, *destination) + max_detour


def ellipse_box(origin: Point, destination: Point, max_detour: float) -> Box:
    """A lat/lng box that holds the whole detour ellipse, for the spatial index.

    Computed in a local flat projection around the midpoint, with longitudes converted at the
    box's most poleward latitude and a margin for the flat approximation. Past a few hundred km
    it falls back to the circle of radius a + c around the midpoint, which holds the ellipse in
    any metric (triangle inequality)."""
    focal = fast_distance_km(*origin, *destination)
    a = (focal + max_detour) / 2
    c = focal / 2
    lat0, lng0 = (origin[0] + destination[0]) / 2, (origin[1] + destination[1]) / 2
    if a > 200:
        half_x = half_y = (a + c) * 1.02
    else:
        b = math.sqrt(max(a * a - c * c, 0.0))
        kx = KM_PER_DEGREE_LAT * max(math.cos(math.radians(lat0)), 0.01)
        theta = math.atan2((destination[0] - origin[0]) * KM_PER_DEGREE_LAT, (destination[1] - origin[1]) * kx)
        half_x = math.hypot(a * math.cos(theta), b * math.sin(theta))
        half_y = math.hypot(a * math.sin(theta), b * math.cos(theta))
        half_x, half_y = half_x * 1.03 + 0.3, half_y * 1.03 + 0.3
    dlat = half_y / KM_PER_DEGREE_LAT
    poleward = min(89.0, abs(lat0) + dlat)
    dlng = min(180.0, half_x / (KM_PER_DEGREE_LAT * max(math.cos(math.radians(poleward)), 0.01)))
    return Box(max(-90.0, lat0 - dlat), min(90.0, lat0 + dlat), max(-180.0, lng0 - dlng), min(180.0, lng0 + dlng))


def covering_box(points: Iterable[Point]) -> Box:
    """The smallest box holding the points (one point: a box of zero size)."""
    lats, lngs = zip(*points, strict=True)
    return Box(min(lats), max(lats), min(lngs), max(lngs))


# -- time -------------------------------------------------------------------------------------


def driving_minutes(crow_km: float, speed_kmh: float) -> float:
    """Minutes to drive a straight-line distance at an average road speed."""
    return crow_km * ROAD_FACTOR / speed_kmh * 60


def parse_local_time(text: str) -> time | None:
    """'07:45' → time(7, 45); anything else → None."""
    parts = (text or "").strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
        return None
    hour, minute = int(parts[0]), int(parts[1])
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def local_departure(day: date, at: time, timezone: str) -> datetime:
    """The UTC instant of a local wall-clock time: 07:45 stays 07:45 across DST changes."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_today(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def commute_dates(recurrence: Recurrence, start: date, end: date) -> Iterator[date]:
    """The commute's days in [start, end]: right weekday, within validity, not skipped."""
    first = max(start, recurrence.valid_from)
    last = end if recurrence.valid_until is None else min(end, recurrence.valid_until)
    day = first
    while day <= last:
        if day.weekday() in recurrence.weekdays and day not in recurrence.skip:
            yield day
        day += timedelta(days=1)


def runs_on(recurrence: Recurrence, day: date) -> bool:
    return next(commute_dates(recurrence, day, day), None) is not None


# -- money and impact -------------------------------------------------------------------------


def _round_up_to_ten(cents: float) -> int:
    return int(math.ceil(cents / 10 - 1e-9) * 10)


def suggested_price_cents(distance_km: float, cents_per_km: float) -> int:
    """A seat's share of the running costs for the trip, rounded to 10 cents."""
    return int(round(distance_km * ROAD_FACTOR * cents_per_km / 10) * 10)


def price_ceiling_cents(distance_km: float, ceiling_cents_per_km: float) -> int:
    """Cost sharing, not profit: no seat may cost more than this."""
    return _round_up_to_ten(distance_km * ROAD_FACTOR * ceiling_cents_per_km)


def shared_km(pickup: Point, dropoff: Point, seats: int, distance: Distance = fast_distance_km) -> float:
    """Passenger-kilometres shared: the passenger's own trip, once per seat."""
    return distance(*pickup, *dropoff) * seats


# -- matching ---------------------------------------------------------------------------------


# Past this length a flat frame around the ride is too rough for the quick rejection.
FLAT_FRAME_MAX_KM = 150.0
# The quick rejection's margin for the flat frame: this share of the ride and detour, plus this.
FRAME_SLACK_SHARE = 0.02
FRAME_SLACK_KM = 0.5
# The flat frame's unit vector along a ride is not quite 1 long (haversine length): `heading`
# gives up on a ride where it is longer than this.
HEADING_NORM_MAX = 1.1


@dataclass(frozen=True)
class Heading:
    """Where a ride goes, for SQL to drop rides going the wrong way before `could_ride` does:
    km along the ride per degree of latitude and of longitude moved (flat frame at its origin),
    and the part of `could_ride`'s margin due to the ride's length. All 0 for a ride that
    `could_ride` never rejects (too long, or no length): SQL then keeps it whatever the search.

    `could_ride` accepts only if some pick-up P and drop-off D have
    along(D) - along(P) >= -(m / 2 + slack), m the detour allowed, slack =
    FRAME_SLACK_SHARE * (direct + m) + FRAME_SLACK_KM; with the passenger going from A to B,
    along(D) - along(P) <= along(B) - along(A) + |D - B| + |P - A| (flat km, the unit vector
    at most HEADING_NORM_MAX long). So a ride with
    along(B) - along(A) + slack_km + (1/2 + FRAME_SLACK_SHARE) * m + reach < 0
    (`reach_km`) is one `could_ride` rejects."""

    per_lat: float
    per_lng: float
    slack_km: float


def heading(origin: Point, destination: Point) -> Heading:
    direct = fast_distance_km(*origin, *destination)
    if direct > FLAT_FRAME_MAX_KM or direct < 1e-6:
        return Heading(0.0, 0.0, 0.0)
    kx = KM_PER_DEGREE_LAT * math.cos(math.radians(origin[0]))
    x, y = (destination[1] - origin[1]) * kx, (destination[0] - origin[0]) * KM_PER_DEGREE_LAT
    if math.hypot(x, y) > HEADING_NORM_MAX * direct:
        return Heading(0.0, 0.0, 0.0)
    return Heading(y * KM_PER_DEGREE_LAT / direct, x * kx / direct, FRAME_SLACK_SHARE * direct + FRAME_SLACK_KM)


def reach_km(pickups: list[Option], dropoffs: list[Option]) -> float:
    """Flat km, at most, from the passenger's start (the first pick-up, their door) to a pick-up
    plus from a drop-off to their end, in any ride's frame (see `Heading`); 1 m more for rounding."""
    return 0.001 + HEADING_NORM_MAX * KM_PER_DEGREE_LAT * sum(
        max(math.dist(o.point, options[0].point) for o in options) for options in (pickups, dropoffs)
    )


@dataclass(frozen=True)
class Option:
    """A possible pick-up or drop-off point: the passenger's door (access 0) or a meeting point."""

    point: Point
    access_km: float
    ref: object = None


class Route(NamedTuple):
    """A ride's cheapest way to take the passenger (`PassengerTrip.route`): made for each match
    of a page, so a plain tuple."""

    pickup: Option
    dropoff: Option
    detour_km: float
    pickup_leg_km: float  # origin → pickup, for the pick-up time
    ride_km: float = 0.0  # pickup → dropoff, for the drop-off time

    @property
    def cost(self) -> float:
        return self.detour_km + ACCESS_WEIGHT * (self.pickup.access_km + self.dropoff.access_km)


class PassengerTrip:
    """The passenger's side of matching, computed once per search and then tried on the rides:
    their pick-up options (door first), drop-off options, and the distances between them.

    `best_routes` runs on every candidate a search returns: it works on all of them at once, with
    array arithmetic (numpy), instead of a Python loop per ride and per pick-up/drop-off pair."""

    def __init__(self, pickups: list[Option], dropoffs: list[Option]):
        self.pickups, self.dropoffs = pickups, dropoffs
        self.between = [[fast_distance_km(*p.point, *q.point) for q in dropoffs] for p in pickups]
        self._pickup_points = [o.point for o in pickups]
        self._dropoff_points = [o.point for o in dropoffs]
        # Every pick-up/drop-off pair but one carpool area near both ends (no ride at all):
        # (pick-up, drop-off, km between them, what reaching both costs the passenger).
        self._pairs = [
            (i, j, ride_km, ACCESS_WEIGHT * (p.access_km + q.access_km))
            for i, (p, row) in enumerate(zip(pickups, self.between, strict=True))
            for j, (q, ride_km) in enumerate(zip(dropoffs, row, strict=True))
            if ride_km >= SAME_PLACE_KM
        ]

    def could_ride(self, origin: Point, destination: Point, max_detour: float) -> bool:
        """A necessary test in a flat frame along the ride: some pick-up and some drop-off lie in
        the rectangle around the detour ellipse, and the passenger does not go back along the
        ride by more than half the detour (backtracking is driven twice). The SQL's `Heading`
        bound drops only rides this rejects. `best_routes` does not run it: on the benchmark's
        candidates it cost more than the routes it spared."""
        direct = fast_distance_km(*origin, *destination)
        if direct > FLAT_FRAME_MAX_KM or direct < 1e-6:
            return True
        olat, olng = origin
        kx = KM_PER_DEGREE_LAT * math.cos(math.radians(olat))
        ux, uy = (destination[1] - olng) * kx / direct, (destination[0] - olat) * KM_PER_DEGREE_LAT / direct
        slack = FRAME_SLACK_SHARE * (direct + max_detour) + FRAME_SLACK_KM
        half_width = math.sqrt(max_detour * (2 * direct + max_detour)) / 2 + slack
        low, high = -max_detour / 2 - slack, direct + max_detour / 2 + slack
        first_start = math.inf
        for lat, lng in self._pickup_points:
            x, y = (lng - olng) * kx, (lat - olat) * KM_PER_DEGREE_LAT
            along = x * ux + y * uy
            if low <= along <= high and abs(y * ux - x * uy) <= half_width and along < first_start:
                first_start = along
        if first_start == math.inf:
            return False
        last_end = -math.inf
        for lat, lng in self._dropoff_points:
            x, y = (lng - olng) * kx, (lat - olat) * KM_PER_DEGREE_LAT
            along = x * ux + y * uy
            if low <= along <= high and abs(y * ux - x * uy) <= half_width and along > last_end:
                last_end = along
        return last_end != -math.inf and first_start - last_end <= max_detour / 2 + slack

    def best_route(self, origin: Point, destination: Point, max_detour: float) -> Route | None:
        """`best_routes` for one ride."""
        return self.best_routes([origin[0]], [origin[1]], [destination[0]], [destination[1]], [max_detour])[0]

    def best_routes(self, *rides: Sequence[float]) -> list[Route | None]:
        """For each ride, given column by column as `cheapest` takes them: the cheapest feasible
        pick-up/drop-off pair by the fast distance, or None."""
        routes: list[Route | None] = [None] * len(rides[0])
        found = self.cheapest(*rides)
        columns = (found.rides.tolist(), found.pairs.tolist(), found.detour_km.tolist(), found.pickup_leg_km.tolist())
        for n, pair, detour_km, leg_km in zip(*columns, strict=True):
            routes[n] = self.route(pair, detour_km, leg_km)
        return routes

    def cheapest(
        self,
        origin_lat: Sequence[float],
        origin_lng: Sequence[float],
        destination_lat: Sequence[float],
        destination_lng: Sequence[float],
        max_detour: Sequence[float],
    ) -> Cheapest:
        """The rides (by their index in the columns) that can take the passenger, each with its
        cheapest feasible pick-up/drop-off pair by the fast distance, as arrays (`Cheapest`).

        The cost adds the detour and the passenger's trip to the points, so a meeting point wins
        only when it saves the driver more detour than it costs the passenger to get there; of
        pairs within 1e-9 km of the cheapest the first wins, so the door wins ties."""
        # Loaded by the first search (a fifth of a second), not by every process using the rules.
        import numpy as np

        if not len(origin_lat) or not self._pairs:
            nothing = np.zeros(0, dtype=int)
            return Cheapest(nothing, nothing, *(np.zeros(0) for _ in range(3)))
        start, end = _units(origin_lat, origin_lng), _units(destination_lat, destination_lng)
        direct = _arc_km(start, end)
        pickup_units, dropoff_units, (pickup, dropoff, ride_km, access) = self._arrays
        to_pickup = _arc_km([c[:, None] for c in start], pickup_units)
        from_dropoff = _arc_km([c[:, None] for c in end], dropoff_units)
        detour = to_pickup[:, pickup] + ride_km + from_dropoff[:, dropoff] - direct[:, None]
        limit = np.asarray(max_detour, dtype=float)[:, None] + 1e-9
        cost = np.where(detour <= limit, np.maximum(detour, 0.0) + access, np.inf)
        cheapest = cost.min(axis=1)
        feasible = np.flatnonzero(cheapest < np.inf)
        pair = (cost[feasible] <= cheapest[feasible, None] + 1e-9).argmax(axis=1)
        detours = np.maximum(detour[feasible, pair], 0.0)
        # As `Route.cost` adds them: the detour, then the weighted access of the pair.
        return Cheapest(feasible, pair, detours, to_pickup[feasible, pickup[pair]], detours + access[pair])

    @cached_property
    def _arrays(self) -> tuple:
        """The pick-up and drop-off points on the unit sphere, and the pairs' columns, as arrays."""
        import numpy as np

        pickup_units = _units(*zip(*self._pickup_points, strict=True))
        dropoff_units = _units(*zip(*self._dropoff_points, strict=True))
        return pickup_units, dropoff_units, tuple(np.array(column) for column in zip(*self._pairs, strict=True))

    @property
    def ride_km(self):
        """The pick-up to drop-off distance of each pair, as an array (`Cheapest.pairs` indexes it)."""
        return self._arrays[2][2]

    def route(self, pair: int, detour_km: float, pickup_leg_km: float) -> Route:
        """The route through pair number `pair` (`Cheapest.pairs`)."""
        i, j = self._pairs[pair][:2]
        return Route(self.pickups[i], self.dropoffs[j], detour_km, pickup_leg_km, self.between[i][j])


class Cheapest(NamedTuple):
    """`PassengerTrip.cheapest`: arrays with one item per ride that can take the passenger."""

    rides: Any  # index of the ride in the columns given
    pairs: Any  # its pick-up/drop-off pair (`PassengerTrip.route`)
    detour_km: Any
    pickup_leg_km: Any  # the ride's origin to the pick-up
    cost: Any  # `Route.cost`


def _units(lat: Sequence[float], lng: Sequence[float]) -> tuple:
    """The points on the unit sphere, as x, y and z arrays."""
    import numpy as np

    lat, lng = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lng, dtype=float))
    cos_lat = np.cos(lat)
    return cos_lat * np.cos(lng), cos_lat * np.sin(lng), np.sin(lat)


def _arc_km(a: Sequence, b: Sequence):
    """The haversine distance as the chord between unit vectors: 2R asin(|a - b| / 2)."""
    import numpy as np

    dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return (2 * EARTH_RADIUS_KM) * np.arcsin(np.minimum(1.0, np.sqrt(dx * dx + dy * dy + dz * dz) / 2))


def time_gap_minutes(pickup_at: datetime, wanted_from: datetime) -> float:
    return abs((pickup_at - wanted_from).total_seconds()) / 60


def match_score(route_cost, gap_minutes):
    """Lower is better: a route's cost (`Route.cost`: detour and the passenger's way to the
    meeting points) and the time gap. Numbers, or arrays of them (`search.Ranking`)."""
    return route_cost + GAP_WEIGHT_PER_MINUTE * gap_minutes
