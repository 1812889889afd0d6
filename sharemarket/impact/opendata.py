"""Open data: the aggregates as CSV (streamed) and JSON, the spaces and meeting points as GeoJSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from sharemarket.desks.models import Space
from sharemarket.extensions import db
from sharemarket.impact.dashboard import LICENSE, LICENSE_URL, MIN_PEOPLE, Period, figures
from sharemarket.rides.models import MeetingPoint

CSV_HEADER = ("dimension", "key", "period_start", "value")
NOTICE = (
    f"sharemarket impact figures, license {LICENSE} ({LICENSE_URL}). "
    f"Figures computed from fewer than {MIN_PEOPLE} people are left empty."
)


def csv_lines(period: Period) -> Iterator[str]:
    """The CSV, a line at a time (the license is in the HTTP Link header and the JSON metadata)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(row) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        return buffer.getvalue()

    yield line(CSV_HEADER)
    for dimension, key, start, value, _people in figures(period, public=True):
        yield line((dimension, key, start.isoformat(), "" if value is None else value))


def json_document(period: Period) -> dict:
    return {
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "notice": NOTICE,
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "fields": list(CSV_HEADER),
        "figures": [
            {"dimension": d, "key": k, "period_start": s.isoformat(), "value": v}
            for d, k, s, v, _p in figures(period, public=True)
        ],
    }


def _collection(features: list[dict], **metadata) -> dict:
    return {"type": "FeatureCollection", **metadata, "features": features}


def _point(lng: float, lat: float, properties: dict) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lng, lat]}, "properties": properties}


def spaces_geojson() -> dict:
    features = [
        _point(space.lng, space.lat, {"id": space.id, "name": space.name, "address": space.address})
        for space in db.session.scalars(select(Space).order_by(Space.id))
    ]
    return _collection(features, license=LICENSE, license_url=LICENSE_URL)


def meeting_points_geojson() -> dict:
    features = [
        _point(
            point.lng,
            point.lat,
            {"ref": point.ref, "name": point.name, "town": point.town, "kind": point.kind, "spaces": point.spaces},
        )
        for point in db.session.scalars(select(MeetingPoint).where(MeetingPoint.is_open).order_by(MeetingPoint.id))
    ]
    return _collection(
        features,
        license=LICENSE,
        license_url=LICENSE_URL,
        attribution="Base Nationale des Lieux de Covoiturage (BNLC), transport.data.gouv.fr, ODbL",
    )
