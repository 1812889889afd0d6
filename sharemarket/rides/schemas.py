"""API shapes for rides: pydantic input models, and the JSON of a ride, an occurrence, a match."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, field_validator

from sharemarket.api.core import PageQuery
from sharemarket.api.schemas import PlaceIn, PlaceOut, Schema, UserRef, iso_utc, user_ref
from sharemarket.geo import approximate
from sharemarket.rides import meeting_points, rules
from sharemarket.rides.models import Ride, RideOccurrence
from sharemarket.rides.privacy import sees_exact_places
from sharemarket.rides.search import Match

Weekday = Annotated[int, Field(ge=0, le=6)]
_OFFSET_AS_SPACE = re.compile(r" (\d\d:?\d\d)$")


def _restore_plus(value: object) -> object:
    """'…T07:30:00 01:00': a '+' a client forgot to encode in a query string became a space."""
    if isinstance(value, str):
        return _OFFSET_AS_SPACE.sub(r"+\1", value)
    return value


class RecurrenceIn(Schema):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    weekdays: list[Weekday] = Field(min_length=1, max_length=7, description="0 = Monday … 6 = Sunday")
    time: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Local departure time, HH:MM")
    from_: date | None = Field(None, alias="from", description="First day (default: the day of departure_at, or today)")
    until: date | None = Field(None, description="Last day, inclusive (default: open-ended)")
    skip: list[date] = Field(default_factory=list, max_length=400, description="Days it does not run (holidays)")

    def to_rules(self) -> rules.Recurrence:
        return rules.Recurrence(
            weekdays=tuple(self.weekdays),
            at=rules.parse_local_time(self.time),
            valid_from=self.from_,
            valid_until=self.until,
            skip=frozenset(self.skip),
        )


class PreferencesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    smoking: bool = False
    pets: bool = False
    music: bool = True
    talkative: bool = True
    luggage: Literal[rules.LUGGAGE_SIZES] = "medium"  # type: ignore[valid-type]

    def to_rules(self) -> rules.Preferences:
        return rules.Preferences(**self.model_dump())


class RideIn(Schema):
    origin: PlaceIn
    destination: PlaceIn
    departure_at: AwareDatetime | None = Field(None, description="Required for a one-off ride")
    seats: int = Field(ge=rules.SEATS_MIN, le=rules.SEATS_MAX)
    price_cents: int | None = Field(
        None, ge=0, le=1_000_000, description="Per seat; default: suggested from the distance"
    )
    max_detour_km: float | None = Field(None, ge=0, le=rules.DETOUR_MAX_KM, allow_inf_nan=False)
    timezone: str | None = Field(None, max_length=64)
    recurrence: RecurrenceIn | None = None
    preferences: PreferencesIn | None = None
    note: str = Field("", max_length=rules.NOTE_MAX)


class SeatRequestIn(Schema):
    seats: int = Field(ge=rules.SEATS_MIN, le=rules.SEATS_MAX)
    pickup: PlaceIn | None = None
    dropoff: PlaceIn | None = None
    date: dt.date | None = Field(None, description="The day of a commute (its occurrence)")


class RideSearchQuery(PageQuery):
    from_: str = Field(alias="from", max_length=60, description="LAT,LNG")
    to: str = Field(max_length=60, description="LAT,LNG")
    depart_after: AwareDatetime | None = Field(None, description="Default: now")
    depart_before: AwareDatetime | None = Field(None, description="At most 7 days after depart_after; default +24 h")
    seats: int = Field(1, ge=rules.SEATS_MIN, le=rules.SEATS_MAX)

    _plus = field_validator("depart_after", "depart_before", mode="before")(_restore_plus)


class OccurrencesQuery(PageQuery):
    pass


class MeetingPointsQuery(Schema):
    near: str = Field(max_length=60, description="LAT,LNG")
    radius_km: float = Field(5.0, gt=0, le=50, allow_inf_nan=False)
    limit: int = Field(20, ge=1, le=100)


class RecurrenceOut(Schema):
    weekdays: list[int]
    time: str
    from_: date = Field(alias="from")
    until: date | None = None
    skip: list[date]


class RideOut(Schema):
    id: int
    driver: UserRef
    origin: PlaceOut
    destination: PlaceOut
    departure_at: datetime
    timezone: str
    seats: int
    price_cents: int
    currency: str
    max_detour_km: float
    distance_km: float
    preferences: dict
    note: str
    recurrence: RecurrenceOut | None = None
    status: str


class MeetingPointOut(Schema):
    id: int
    ref: str
    name: str
    town: str
    kind: str
    spaces: int | None = None
    lat: float
    lng: float
    distance_km: float | None = None
    source: str


class MatchOut(Schema):
    ride: RideOut
    occurrence_id: int
    date: dt.date
    departure_at: datetime
    pickup_at: datetime
    dropoff_at: datetime
    detour_km: float
    pickup_km: float
    dropoff_km: float
    pickup: PlaceOut
    dropoff: PlaceOut
    pickup_meeting_point: MeetingPointOut | None = None
    dropoff_meeting_point: MeetingPointOut | None = None
    seats_left: int
    nearest_meeting_point_from: MeetingPointOut | None = Field(None, description="Carpool area nearest `from`")
    nearest_meeting_point_to: MeetingPointOut | None = Field(None, description="Carpool area nearest `to`")


class OccurrenceOut(Schema):
    id: int
    date: dt.date
    departure_at: datetime
    seats: int
    seats_left: int
    cancelled: bool


class MatchPage(Schema):
    results: list[MatchOut]
    next: str | None = None


class OccurrencePage(Schema):
    results: list[OccurrenceOut]
    next: str | None = None


class MeetingPointPage(Schema):
    results: list[MeetingPointOut]
    next: str | None = None
    source: str


def ride_json(ride: Ride, viewer_id: int | None, exact: bool | None = None) -> dict:
    if exact is None:
        exact = sees_exact_places(ride, viewer_id)
    return _ride_json(ride, user_ref(ride.driver), exact)


def _ride_json(ride, driver: dict, exact: bool) -> dict:
    """A ride's JSON from a `Ride` or a row with its columns (`search.page_rows`)."""
    recurrence = None
    if ride.weekdays is not None:
        recurrence = {
            "weekdays": list(ride.weekdays),
            "time": ride.local_time,
            "from": ride.valid_from.isoformat(),
            "until": ride.valid_until.isoformat() if ride.valid_until else None,
            "skip": list(ride.skip_dates),
        }
    return {
        "id": ride.id,
        "driver": driver,
        "origin": _place_json(ride.origin_lat, ride.origin_lng, ride.origin_label, ride.id, exact),
        "destination": _place_json(
            ride.destination_lat, ride.destination_lng, ride.destination_label, ride.id + 1, exact
        ),
        "departure_at": iso_utc(ride.departure_at),
        "timezone": ride.timezone,
        "seats": ride.seats,
        "price_cents": ride.price_cents,
        "currency": ride.currency,
        "max_detour_km": ride.max_detour_km,
        "distance_km": round(ride.distance_km, 1),
        "preferences": {
            "smoking": ride.smoking,
            "pets": ride.pets,
            "music": ride.music,
            "talkative": ride.talkative,
            "luggage": ride.luggage,
        },
        "note": ride.note,
        "recurrence": recurrence,
        "status": ride.status,
        "created_at": iso_utc(ride.created_at),
    }


def _place_json(lat: float, lng: float, label: str | None, seed: int, exact: bool) -> dict:
    """`shown_place(Place(lat, lng, label), seed, exact).as_dict()`, without the two objects
    (a page of search results shows forty such places)."""
    if not exact:
        lat, lng = approximate(lat, lng, seed)
    data: dict = {"lat": lat, "lng": lng}
    if label:
        data["label"] = label
    return data


def occurrence_json(occurrence: RideOccurrence) -> dict:
    return {
        "id": occurrence.id,
        "date": occurrence.date.isoformat(),
        "departure_at": iso_utc(occurrence.departs_at),
        "seats": occurrence.seats,
        "seats_left": occurrence.seats_left,
        "cancelled": occurrence.cancelled,
    }


def nearest_json(nearest: tuple) -> tuple:
    """The JSON of the carpool areas nearest the passenger's start and end
    (`SearchResult.nearest_areas`), once for every result of a page."""
    return tuple(meeting_points.as_json(*pair) if pair else None for pair in nearest)


def match_json(match: Match, row, nearest: tuple = (None, None)) -> dict:
    """A search result from a `search.page_rows` row; the ride's places are approximate, as for
    any stranger. `nearest`: the `nearest_json` of the search."""
    start, end = nearest
    return {
        "ride": _ride_json(row, {"id": row.driver_id, "display_name": row.driver_display_name}, exact=False),
        "occurrence_id": match.occurrence_id,
        "date": row.occurrence_date.isoformat(),
        "departure_at": iso_utc(match.departs_at),
        "pickup_at": iso_utc(match.pickup_at),
        "dropoff_at": iso_utc(match.dropoff_at),
        "detour_km": match.detour_km,
        "pickup_km": match.pickup_km,
        "dropoff_km": match.dropoff_km,
        "pickup": match.pickup.as_dict(),
        "dropoff": match.dropoff.as_dict(),
        "pickup_meeting_point": meeting_points.as_json(match.pickup_point, match.pickup_km)
        if match.pickup_point
        else None,
        "dropoff_meeting_point": meeting_points.as_json(match.dropoff_point, match.dropoff_km)
        if match.dropoff_point
        else None,
        "seats_left": row.seats_left,
        "nearest_meeting_point_from": start,
        "nearest_meeting_point_to": end,
    }
