"""What is near me right now: the home page's three short lists, from the features' own searches.

"Near me" is, in order: a point the browser gave (the location button), a town typed in the
search box (the configured geocoder, offline gazetteer by default), the member's home, and the
town centre for everyone else. Each part asks its feature's search service (rides: see
`nearby_rides`, loaded only when the rides feature is installed).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from sharemarket import geo
from sharemarket.desks import search as desk_search
from sharemarket.errors import ValidationFailed
from sharemarket.listings import search as listing_search

RADIUS_KM = 10.0
SHOWN = 5
DESK_DAYS_AHEAD = 7
TOWN_CENTRE = geo.Place(47.7483, -3.3700, "Lorient")


@dataclass(frozen=True)
class Origin:
    place: geo.Place
    # "browser", "typed", "home" or "town": says to the reader where the lists are measured from.
    source: str


@dataclass
class SpaceSlots:
    space_id: int
    name: str
    distance_km: float | None
    slots: list[dict] = field(default_factory=list)  # search rows (desks.search.SLOT_COLUMNS)


@dataclass
class Nearby:
    origin: Origin
    items: list[listing_search.Found] = field(default_factory=list)
    # Spaces with free slots, nearest first (at most SHOWN slots in all).
    desks: list[SpaceSlots] = field(default_factory=list)
    # The day of `desks`: today, or the next day with a free seat when today has none left.
    desk_day: date | None = None
    # None when the rides feature is not installed; otherwise the matches (maybe empty).
    rides: list | None = None
    commute_to: geo.Place | None = None
    ride_day: date | None = None


def town_centre(app_config: dict) -> geo.Place:
    lat, lng = app_config.get("SHAREMARKET_TOWN_CENTRE") or (TOWN_CENTRE.lat, TOWN_CENTRE.lng)
    return geo.Place(lat, lng, app_config.get("SHAREMARKET_TOWN_NAME") or TOWN_CENTRE.label)


def origin_of(app_config: dict, *, where: str, lat: object, lng: object, user) -> Origin:
    """Where to measure from (ValidationFailed on `where` for an unknown town or bad point)."""
    where = (where or "").strip()[:120]
    if lat not in (None, "") or lng not in (None, ""):
        place = geo.resolve_place(app_config, where or str(_l("my position")), lat, lng, "where")
        return Origin(place, "browser")
    if where:
        found = geo.geocode(app_config, where)
        if found is None:
            raise ValidationFailed.field(
                "where", _l("We do not know the place “%(label)s”. Try a nearby town.", label=where)
            )
        return Origin(geo.Place(found.lat, found.lng, found.label), "typed")
    if user is not None and user.has_home:
        return Origin(geo.Place(user.home_lat, user.home_lng, user.home_label), "home")
    return Origin(town_centre(app_config), "town")


def rides_installed() -> bool:
    return importlib.util.find_spec("sharemarket.rides") is not None


def near_me(*, origin: Origin, user, now: datetime, timezone: str) -> Nearby:
    zone = ZoneInfo(timezone)
    found = Nearby(origin)
    point = (origin.place.lat, origin.place.lng)
    found.items = listing_search.search(listing_search.SearchQuery(near=point, radius_km=RADIUS_KM), limit=SHOWN)[0]
    found.desk_day, found.desks = free_desks(point, now, zone)
    if rides_installed():
        from sharemarket.main import nearby_rides

        found.ride_day = now.astimezone(zone).date() + timedelta(days=1)
        if origin.source == "home":
            found.commute_to = nearby_rides.usual_destination(user, now, origin.place)
        found.rides = nearby_rides.tomorrow_morning(
            origin=origin.place, destination=found.commute_to, day=found.ride_day, zone=zone, now=now, user=user,
            limit=SHOWN,
        )  # fmt: skip
    return found


def free_desks(point: tuple[float, float], now: datetime, zone: ZoneInfo) -> tuple[date, list[SpaceSlots]]:
    """Slots with a free seat today (town time), nearest space first; when none is left today,
    those of the next day that has some, within a week."""
    today = now.astimezone(zone).date()
    near = desk_search.Near(*point, RADIUS_KM)
    for offset in range(DESK_DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        start = datetime.combine(day, time(0), zone)
        end = datetime.combine(day + timedelta(days=1), time(0), zone)
        slots, _ = desk_search.find_slots(now=now, starts_from=start, starts_before=end, near=near, limit=4 * SHOWN)
        free = [f for f in slots if f.slot["capacity"] > f.slot["booked"]][:SHOWN]
        if free:
            return day, _by_space(free)
    return today, []


def _by_space(found: list[desk_search.Found]) -> list[SpaceSlots]:
    """The slots under their space, keeping the search's order (nearest space, then soonest)."""
    spaces: dict[int, SpaceSlots] = {}
    for f in found:
        row = f.slot
        group = spaces.setdefault(row["space_id"], SpaceSlots(row["space_id"], row["space_name"], f.distance_km))
        group.slots.append(row)
    return list(spaces.values())
