"""Places: validation, distances, bounding boxes, and the configured geocoder.

The offline default geocoder answers from a shipped gazetteer of towns, so search by town name
works with no network. A deployment points SHAREMARKET_GEOCODER at nominatim, photon or ban.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from geopy.location import Location
from geopy.point import Point as GeoPoint

from sharemarket.errors import ValidationFailed
from sharemarket.spatial import Box

KM_PER_DEGREE_LAT = 111.32
GAZETTEER = Path(__file__).parent / "data" / "gazetteer.csv"


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    label: str | None = None

    def as_dict(self) -> dict:
        data: dict = {"lat": self.lat, "lng": self.lng}
        if self.label:
            data["label"] = self.label
        return data


def check_coordinates(lat: object, lng: object, field: str = "location") -> tuple[float, float]:
    """Numbers within range, or a ValidationFailed naming the field."""
    try:
        lat_f, lng_f = float(lat), float(lng)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed.field(field, _l("Latitude and longitude must be numbers.")) from None
    if not (math.isfinite(lat_f) and math.isfinite(lng_f)):
        raise ValidationFailed.field(field, _l("Latitude and longitude must be numbers."))
    if not -90 <= lat_f <= 90:
        raise ValidationFailed.field(field, _l("Latitude must be between -90 and 90."))
    if not -180 <= lng_f <= 180:
        raise ValidationFailed.field(field, _l("Longitude must be between -180 and 180."))
    return lat_f, lng_f


def collect_place(place: Place | None, field: str, errors: dict, missing: str) -> Place | None:
    """The place with checked coordinates and a trimmed label; or None, with the field's error added
    to `errors` (a form collects every field's error before refusing)."""
    if place is None:
        errors[field] = [missing]
        return None
    try:
        lat, lng = check_coordinates(place.lat, place.lng, field)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None
    return Place(lat, lng, (place.label or "").strip()[:120] or None)


def parse_latlng(text: str | None, field: str) -> tuple[float, float]:
    """'47.74,-3.36' as used in query strings."""
    parts = (text or "").split(",")
    if len(parts) != 2:
        raise ValidationFailed.field(field, _l("Give a place as LAT,LNG."))
    return check_coordinates(parts[0].strip(), parts[1].strip(), field)


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The geodesic on WGS-84 (as geopy's `geodesic`): Karney's algorithm, exact to nanometres
    and for every pair of points, computed by PROJ (pyproj) in 0.7 µs, against 4 µs for Vincenty's
    formula written in Python (a page of search results shows some forty distances)."""
    return _wgs84().inv(lng1, lat1, lng2, lat2)[2] / 1000


@lru_cache(maxsize=1)
def _wgs84():
    # Loaded by the first distance (a tenth of a second), not by every process that imports geo.
    from pyproj import Geod

    return Geod(ellps="WGS84")


def fast_distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Haversine on a 6371 km sphere: within 0.5 % of geodesic, for ranking many candidates."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_km: float) -> Box:
    """A box that contains every point within radius_km (a little margin for the ellipsoid)."""
    dlat = radius_km * 1.01 / KM_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlng = min(180.0, radius_km * 1.01 / (KM_PER_DEGREE_LAT * cos_lat))
    return Box(max(-90.0, lat - dlat), min(90.0, lat + dlat), max(-180.0, lng - dlng), min(180.0, lng + dlng))


def approximate(lat: float, lng: float, seed: int, metres: float = 200.0) -> tuple[float, float]:
    """A stable point within `metres` of the true one, for showing a place to strangers.

    Snapping to a ~200 m grid then offsetting by a per-row constant means the true place
    cannot be recovered by averaging repeated answers.
    """
    step_lat = metres / 1000 / KM_PER_DEGREE_LAT
    step_lng = step_lat / max(math.cos(math.radians(lat)), 0.01)
    snapped_lat = round(lat / step_lat) * step_lat
    snapped_lng = round(lng / step_lng) * step_lng
    angle = (seed * 2654435761 % 360) * math.pi / 180
    offset = 0.3
    return (
        round(snapped_lat + math.sin(angle) * step_lat * offset, 6),
        round(snapped_lng + math.cos(angle) * step_lng * offset, 6),
    )


def fold(text: str) -> str:
    """Lower case without accents, for matching words whatever their spelling."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@dataclass(frozen=True)
class Town:
    name: str
    country: str
    lat: float
    lng: float


@lru_cache(maxsize=1)
def towns() -> tuple[Town, ...]:
    with GAZETTEER.open(encoding="utf-8") as f:
        return tuple(
            Town(row["name"], row["country"], float(row["lat"]), float(row["lng"])) for row in csv.DictReader(f)
        )


class OfflineGazetteer:
    """A geopy-shaped geocoder over the shipped list of towns; never touches the network."""

    def geocode(self, query: str, exactly_one: bool = True, **_: object):
        key = fold(query).strip().replace("-", " ")
        if not key:
            return None if exactly_one else []
        exact = [t for t in towns() if fold(t.name).replace("-", " ") == key]
        prefix = [t for t in towns() if fold(t.name).replace("-", " ").startswith(key) and t not in exact]
        found = [Location(t.name, GeoPoint(t.lat, t.lng), {"country": t.country}) for t in exact + prefix]
        if exactly_one:
            return found[0] if found else None
        return found


def make_geocoder(name: str, url: str = ""):
    """The geocoder a deployment configured; geopy's networked ones are opt-in."""
    name = (name or "offline").lower()
    if name == "offline":
        return OfflineGazetteer()
    from geopy import geocoders

    agent = "sharemarket"
    if name == "nominatim":
        return geocoders.Nominatim(user_agent=agent, domain=url or "nominatim.openstreetmap.org")
    if name == "photon":
        return geocoders.Photon(user_agent=agent, domain=url or "photon.komoot.io")
    if name == "ban":
        return geocoders.BANFrance(user_agent=agent, domain=url or "api-adresse.data.gouv.fr")
    raise ValueError(f"unknown geocoder {name!r}")


def geocode(app_config: dict, query: str) -> Place | None:
    """A town or address to a place; networked geocoders that fail fall back to the gazetteer."""
    geocoder = make_geocoder(
        app_config.get("SHAREMARKET_GEOCODER", "offline"), app_config.get("SHAREMARKET_GEOCODER_URL", "")
    )
    try:
        found = geocoder.geocode(query, exactly_one=True)
    except Exception:  # noqa: BLE001 - any network failure means "use the offline list"
        found = OfflineGazetteer().geocode(query)
    if found is None:
        return None
    return Place(found.latitude, found.longitude, found.address)


def resolve_place(app_config: dict, label: str | None, lat: object, lng: object, field: str) -> Place | None:
    """A place from a form: picked coordinates win; otherwise the label is geocoded."""
    label = (label or "").strip()[:120] or None
    has_lat, has_lng = lat not in (None, ""), lng not in (None, "")
    if has_lat and has_lng:
        lat_f, lng_f = check_coordinates(lat, lng, field)
        return Place(lat_f, lng_f, label)
    if has_lat or has_lng:
        raise ValidationFailed.field(field, _l("Give both the latitude and the longitude."))
    if not label:
        return None
    found = geocode(app_config, label)
    if found is None:
        raise ValidationFailed.field(field, _l("We do not know the place “%(label)s”. Try a nearby town.", label=label))
    return Place(found.lat, found.lng, label)
