"""Finding rides for a passenger: an indexed query narrows, the rules decide and rank.

1. The official carpool areas within reach of the passenger's start and end (`meeting_points.register`).
2. SQL keeps the occurrences whose detour-ellipse box overlaps the box of the passenger's start
   (with those areas) and that of their end, leaving in the window: one scan of an index over
   place and time (`occurrence_index`), then seats left, not cancelled, not going back along the
   passenger's way by more than the detour allows (`rules.Heading`).
3. In Python, on those few candidates, all at once with array arithmetic (`Ranking`): the
   cheapest feasible pick-up/drop-off pair (door or carpool area) by the fast distance
   (`PassengerTrip.cheapest`), the pick-up time and the score; best first.
4. The page shown gets geodesic figures and a last geodesic feasibility check
   (`SearchResult.page`; `shown` also loads the occurrences for the pages that use ORM objects).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Float, Integer, Select, bindparam, false, select, type_coerce
from sqlalchemy.orm import joinedload

from sharemarket import geo
from sharemarket.accounts.models import User
from sharemarket.communities import rules as community_rules
from sharemarket.db import UTCDateTime, among_bound, driver_records, driver_rows
from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import meeting_points, occurrence_index, rules
from sharemarket.rides.models import MeetingPoint, Ride, RideOccurrence
from sharemarket.rides.settings import setting

# More candidates than this are cut, soonest first (a week-long window in a dense town).
CANDIDATES_MAX = 5000
MEETING_POINTS_PER_END = 3
# The haversine may err by 0.5 %: keep borderline candidates for the geodesic check.
FAST_SLACK = 1.005


def fast_limit(max_detour_km):
    """The detour the matching allows a ride by the fast distance (a number or a SQL expression)."""
    return max_detour_km * FAST_SLACK + 0.01


@dataclass
class Match:
    """A ride occurrence that can carry the passenger, with where and when, best first."""

    occurrence_id: int
    ride_id: int
    departs_at: datetime
    pickup_at: datetime
    dropoff_at: datetime
    pickup: Place
    dropoff: Place
    pickup_point: MeetingPoint | None
    dropoff_point: MeetingPoint | None
    detour_km: float
    pickup_km: float
    dropoff_km: float
    score: float
    # The ride's origin, destination, detour limit and length (km), for the geodesic figures.
    ride: RideGeometry = field(repr=False, compare=False)
    occurrence: RideOccurrence | None = None  # loaded for the page shown


class RideGeometry(NamedTuple):
    """What the geodesic figures need of a ride: a candidate row's last six columns."""

    origin_lat: float
    origin_lng: float
    destination_lat: float
    destination_lng: float
    max_detour_km: float
    distance_km: float


@dataclass
class SearchResult:
    """A search's matches, best first with fast figures, and the passenger's pick-up and drop-off
    options: the door, then the carpool areas within reach, nearest first.

    A search may find hundreds of matches and show twenty: each is ranked from a few numbers
    (`_Found`), and becomes a `Match` only when asked for (`matches`, `page`, `shown`)."""

    origin: Place
    destination: Place
    found: Ranking  # of `_Found`
    pickups: list[rules.Option]
    dropoffs: list[rules.Option]
    speed_kmh: float

    def __len__(self) -> int:
        return len(self.found)

    @property
    def matches(self) -> list[Match]:
        """Every match, best first, with fast figures."""
        return self._matches(0, None)

    def page(self, start: int = 0, stop: int | None = None) -> list[Match]:
        """Matches [start:stop] with geodesic figures (no database object loaded)."""
        return geodesic(self._matches(start, stop), self.origin, self.destination)

    def shown(self, start: int = 0, stop: int | None = None) -> list[Match]:
        """Matches [start:stop] with geodesic figures and their occurrences and rides loaded."""
        return finish(self._matches(start, stop), self.origin, self.destination)

    def _matches(self, start: int, stop: int | None) -> list[Match]:
        places = {id(o): _place(o, self.origin) for o in self.pickups}
        places.update((id(o), _place(o, self.destination)) for o in self.dropoffs)
        return [
            Match(
                occurrence_id=f.occurrence_id,
                ride_id=f.ride_id,
                departs_at=f.departs_at,
                pickup_at=f.pickup_at,
                dropoff_at=f.dropoff_at,
                pickup=places[id(f.route.pickup)],
                dropoff=places[id(f.route.dropoff)],
                pickup_point=f.route.pickup.ref,
                dropoff_point=f.route.dropoff.ref,
                detour_km=f.route.detour_km,
                pickup_km=f.route.pickup.access_km,
                dropoff_km=f.route.dropoff.access_km,
                score=f.score,
                ride=f.ride,
            )
            for f in self.found[start:stop]
        ]

    def nearest_areas(self) -> tuple[tuple[MeetingPoint, float] | None, tuple[MeetingPoint, float] | None]:
        """The carpool area nearest the start and the one nearest the end, with the geodesic km."""
        found = []
        for place, options in ((self.origin, self.pickups), (self.destination, self.dropoffs)):
            area = options[1].ref if len(options) > 1 else None
            found.append((area, geo.distance_km(place.lat, place.lng, area.lat, area.lng)) if area else None)
        return found[0], found[1]


class _Found(NamedTuple):
    """A match as ranked: compared as a tuple, by score, departure, then occurrence (unique)."""

    score: float
    departs_at: datetime
    occurrence_id: int
    ride_id: int
    pickup_at: datetime
    route: rules.Route
    ride: RideGeometry
    dropoff_at: datetime


def check_query(origin: Place, destination: Place, depart_after: datetime, depart_before: datetime, seats: int):
    errors: dict[str, list] = {}
    for name, place in (("from", origin), ("to", destination)):
        try:
            geo.check_coordinates(place.lat, place.lng, name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if (
        not errors
        and geo.fast_distance_km(origin.lat, origin.lng, destination.lat, destination.lng) < rules.SAME_PLACE_KM
    ):
        errors["to"] = [_l("The destination must differ from the start.")]
    if not isinstance(seats, int) or not rules.SEATS_MIN <= seats <= rules.SEATS_MAX:
        errors["seats"] = [_l("Ask for between %(min)s and %(max)s seats.", min=rules.SEATS_MIN, max=rules.SEATS_MAX)]
    if depart_after.tzinfo is None or depart_before.tzinfo is None:
        errors["depart_after"] = [_l("Give times with their offset, e.g. 2026-12-01T07:30:00+01:00.")]
    elif depart_before < depart_after:
        errors["depart_before"] = [_l("The window ends before it starts.")]
    elif depart_before - depart_after > rules.SEARCH_WINDOW_MAX:
        errors["depart_before"] = [_l("Search a window of at most 7 days.")]
    if errors:
        raise ValidationFailed(_l("Some fields are invalid."), errors)


@lru_cache(maxsize=8)
def _candidates_statement(dialect: str, excludes_driver: bool) -> Select:
    """The indexed narrowing with bound parameters, built once per shape (building it costs more
    than the index search). It reads only the occurrences, which carry what it needs of their
    rides and drivers (`ride_copy`)."""
    o = RideOccurrence
    query = (
        select(
            o.id,
            o.ride_id,
            # The driver's own type: made aware in UTC for the matches only (`_utc`), not ~200 rows.
            type_coerce(o.departs_at, DateTime(timezone=True)),
            o.origin_lat,
            o.origin_lng,
            o.destination_lat,
            o.destination_lng,
            o.max_detour_km,
            o.distance_km,
        )
        .where(
            occurrence_index.reaching(o.__table__, 2, dialect),
            o.seats_left >= bindparam("seats", type_=Integer()),
            o.cancelled.is_(False),
            _goes_the_passengers_way(),
            # Active, not hidden, offered by an active member.
            o.searchable.is_(True),
            community_rules.visible_to(o.community_id, bindparam("viewer_id", type_=Integer())),
        )
        .order_by(o.departs_at, o.id)
        .limit(CANDIDATES_MAX)
    )
    if excludes_driver:
        query = query.where(o.driver_id != bindparam("exclude_driver_id", type_=Integer()))
    return query


def _goes_the_passengers_way():
    """False only for a ride `PassengerTrip.could_ride` would reject: it goes back along the
    passenger's way by more than it may (proof at `rules.Heading`); some 35 % of the candidates."""
    o = RideOccurrence
    along = o.heading_per_lat * bindparam("way_lat", type_=Float()) + o.heading_per_lng * bindparam(
        "way_lng", type_=Float()
    )
    return (
        along
        + o.heading_slack_km
        + (0.5 + rules.FRAME_SLACK_SHARE) * fast_limit(o.max_detour_km)
        + bindparam("reach", type_=Float())
        >= 0
    )


def _candidates(
    pickups, dropoffs, depart_after, depart_before, seats, now, exclude_driver_id=None, viewer_id=None
) -> tuple[Select, dict | None]:
    """The statement and its parameters; None when the window has passed."""
    dialect = db.session.get_bind().dialect.name
    boxes = [rules.covering_box(o.point for o in pickups), rules.covering_box(o.point for o in dropoffs)]
    values = occurrence_index.reaching_values(boxes, max(depart_after, now), depart_before, dialect)
    if values is not None:
        origin, destination = pickups[0].point, dropoffs[0].point
        values.update(
            seats=seats,
            viewer_id=viewer_id,
            way_lat=destination[0] - origin[0],
            way_lng=destination[1] - origin[1],
            reach=rules.reach_km(pickups, dropoffs),
        )
        if exclude_driver_id is not None:
            values["exclude_driver_id"] = exclude_driver_id
    return _candidates_statement(dialect, exclude_driver_id is not None), values


def candidate_query(
    pickups, dropoffs, depart_after, depart_before, seats, now, exclude_driver_id=None, viewer_id=None
) -> Select:
    """The indexed narrowing: occurrences whose ellipse box overlaps both ends' boxes, leaving in
    the window, with seats left, with its values bound (for EXPLAIN in the benchmark)."""
    statement, values = _candidates(
        pickups, dropoffs, depart_after, depart_before, seats, now, exclude_driver_id, viewer_id
    )
    return statement.where(false()) if values is None else statement.params(values)


def end_options(*places: Place) -> list[list[rules.Option]]:
    """For each place: the passenger's door, then the carpool areas within reach, nearest first."""
    reach = float(setting("RIDES_MEETING_POINT_MAX_KM"))
    areas = meeting_points.near_each([(p.lat, p.lng) for p in places], reach, MEETING_POINTS_PER_END)
    return [
        [rules.Option((place.lat, place.lng), 0.0)] + [rules.Option((p.lat, p.lng), km, p) for p, km in near]
        for place, near in zip(places, areas, strict=True)
    ]


def search(
    *,
    origin: Place,
    destination: Place,
    depart_after: datetime,
    depart_before: datetime,
    now: datetime,
    seats: int = 1,
    exclude_driver_id: int | None = None,
    viewer_id: int | None = None,
) -> SearchResult:
    """Every occurrence that can take `seats` passengers from origin to destination within its
    driver's detour, leaving its origin in [depart_after, depart_before], best first.

    Figures are from the fast distance; show a page with `SearchResult.shown`."""
    check_query(origin, destination, depart_after, depart_before, seats)
    pickups, dropoffs = end_options(origin, destination)
    statement, values = _candidates(
        pickups, dropoffs, depart_after, depart_before, seats, now, exclude_driver_id, viewer_id
    )
    # Rows as the database driver gives them: SQLAlchemy's result layer cost more than the query.
    rows = driver_rows(statement, values) if values is not None else []
    speed = setting("RIDES_AVERAGE_SPEED_KMH")
    found = Ranking(rows, pickups, dropoffs, depart_after, speed)
    return SearchResult(origin, destination, found, pickups, dropoffs, speed)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = _EPOCH.replace(tzinfo=None)  # SQLite's datetimes come back naive, in UTC
_MICROSECOND = timedelta(microseconds=1)
_MINUTE_US = 60_000_000


class Ranking(Sequence):
    """The occurrences of a search's candidate rows that can take the passenger, best first:
    by score, then departure, then occurrence (unique).

    Matching and scoring run on all the candidates at once, as arrays; a match becomes a
    `_Found` only when read (a page shows twenty of a hundred)."""

    def __init__(self, rows: list, pickups, dropoffs, depart_after: datetime, speed_kmh: float):
        import numpy as np

        self.rows, self.order = rows, []
        if not rows:
            return
        _, _, departs, o_lat, o_lng, d_lat, d_lng, max_detour, _ = zip(*rows, strict=True)
        if isinstance(departs[0], str):  # SQLite's text (`driver_rows`), in UTC
            departs = [datetime.fromisoformat(text) for text in departs]
        self.departs = departs
        self.trip = rules.PassengerTrip(pickups, dropoffs)
        found = self.trip.cheapest(o_lat, o_lng, d_lat, d_lng, fast_limit(np.array(max_detour)))
        if not len(found.rides):
            return
        rides = found.rides.tolist()
        epoch = _EPOCH_NAIVE if departs[0].tzinfo is None else _EPOCH
        departs_us = np.array([(departs[n] - epoch) // _MICROSECOND for n in rides], dtype=np.int64)
        pickup_us = _minute_after(departs_us, found.pickup_leg_km, speed_kmh)
        dropoff_us = _minute_after(pickup_us, self.trip.ride_km[found.pairs], speed_kmh)
        # `rules.time_gap_minutes`, on every match at once.
        gap_minutes = np.abs(pickup_us - (depart_after - _EPOCH) // _MICROSECOND) / 1e6 / 60
        score = rules.match_score(found.cost, gap_minutes)
        ids = np.array([rows[n][0] for n in rides], dtype=np.int64)
        self.order = np.lexsort((ids, departs_us, score)).tolist()
        self.rides, self.score = rides, score.tolist()
        self.pickup_us, self.dropoff_us = pickup_us.tolist(), dropoff_us.tolist()
        self.pairs, self.detour_km = found.pairs.tolist(), found.detour_km.tolist()
        self.pickup_leg_km = found.pickup_leg_km.tolist()

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._found(n) for n in self.order[index]]
        return self._found(self.order[index])

    def _found(self, n: int) -> _Found:
        row = self.rides[n]
        occurrence_id, ride_id, _, *ride = self.rows[row]
        return _Found(
            self.score[n],
            _utc(self.departs[row], None),
            occurrence_id,
            ride_id,
            _EPOCH + self.pickup_us[n] * _MICROSECOND,
            self.trip.route(self.pairs[n], self.detour_km[n], self.pickup_leg_km[n]),
            RideGeometry(*ride),
            _EPOCH + self.dropoff_us[n] * _MICROSECOND,
        )


def _minute_after(start_us, crow_km, speed_kmh):
    """Instants (integer microseconds, arrays) `rules.driving_minutes` after `start_us`, to the
    nearest minute: as `start + timedelta(minutes=...)` would be, half a minute added and the
    seconds dropped."""
    import numpy as np

    drive_us = np.rint(rules.driving_minutes(crow_km, speed_kmh) * 60_000_000).astype(np.int64)
    instant_us = start_us + drive_us + _MINUTE_US // 2
    return instant_us - instant_us % _MINUTE_US


_utc = UTCDateTime().process_result_value


def _place(option: rules.Option, door: Place) -> Place:
    if option.ref is None:
        return door
    point: MeetingPoint = option.ref
    return Place(point.lat, point.lng, point.name)


# What a result never shows of its ride (`schemas.match_json`).
_NOT_SHOWN = {
    "heading_per_lat",
    "heading_per_lng",
    "heading_slack_km",
    "community_id",
    "hidden_at",
    "materialised_until",
    "updated_at",
}


@lru_cache(maxsize=2)
def _page_statement(dialect: str) -> Select:
    """What a page of results shows of each occurrence, its ride and driver, as plain rows."""
    shown = [c for c in Ride.__table__.c if c.name not in _NOT_SHOWN]
    return (
        select(
            *shown,
            RideOccurrence.id.label("occurrence_id"),
            RideOccurrence.date.label("occurrence_date"),
            RideOccurrence.seats_left,
            User.display_name.label("driver_display_name"),
        )
        .join(Ride, Ride.id == RideOccurrence.ride_id)
        .join(User, User.id == Ride.driver_id)
        .where(among_bound(RideOccurrence.id, "ids", dialect))
    )


def page_rows(matches: list[Match]) -> dict[int, SimpleNamespace]:
    """For a page of matches (`SearchResult.page`): occurrence id → the ride's columns,
    `occurrence_date`, `seats_left` and `driver_display_name`, as attributes."""
    if not matches:
        return {}
    ids = [m.occurrence_id for m in matches]
    rows = driver_records(_page_statement(db.session.get_bind().dialect.name), {"ids": ids})
    return {row.occurrence_id: row for row in rows}


@lru_cache(maxsize=1)
def _shown_statement() -> Select:
    """The occurrences of a page with their rides and drivers (only the name is shown)."""
    return (
        select(RideOccurrence)
        .where(RideOccurrence.id.in_(bindparam("ids", expanding=True)))
        .options(joinedload(RideOccurrence.ride).joinedload(Ride.driver).load_only(User.id, User.display_name))
    )


def finish(matches: list[Match], origin: Place, destination: Place) -> list[Match]:
    """`geodesic` for the matches shown, with their occurrences, rides and drivers loaded."""
    shown = geodesic(matches, origin, destination)
    if not shown:
        return []
    ids = [m.occurrence_id for m in shown]
    occurrences = {o.id: o for o in db.session.scalars(_shown_statement(), {"ids": ids})}
    for match in shown:
        match.occurrence = occurrences[match.occurrence_id]
    return shown


def geodesic(matches: list[Match], origin: Place, destination: Place) -> list[Match]:
    """The matches, their figures made geodesic (in place: a caller's matches are its own); any
    that the geodesic detour puts over the driver's limit (a borderline haversine) is dropped."""
    cache: dict[tuple, float] = {}

    def km(*key: float) -> float:
        if key not in cache:
            cache[key] = geo.distance_km(*key)
        return cache[key]

    shown = []
    for match in matches:
        o_lat, o_lng, d_lat, d_lng, max_detour_km, distance_km = match.ride
        p, q = match.pickup, match.dropoff
        detour = km(o_lat, o_lng, p.lat, p.lng) + km(p.lat, p.lng, q.lat, q.lng) + km(q.lat, q.lng, d_lat, d_lng)
        detour -= distance_km
        if detour > max_detour_km + 1e-6:
            continue
        match.detour_km = round(max(detour, 0.0), 1)
        match.pickup_km = round(km(origin.lat, origin.lng, p.lat, p.lng), 2)
        match.dropoff_km = round(km(q.lat, q.lng, destination.lat, destination.lng), 2)
        shown.append(match)
    return shown
