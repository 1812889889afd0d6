"""Fixtures for the carpool tests: places of the Lorient area, rides, and the carpool areas."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import meeting_points, rules, services

HENNEBONT = Place(47.8050, -3.2770, "Hennebont")
LANESTER = Place(47.7614, -3.3419, "Lanester")
LORIENT = Place(47.7483, -3.3700, "Lorient")
VANNES = Place(47.6582, -2.7608, "Vannes")
AURAY = Place(47.6680, -2.9829, "Auray")
QUIMPERLE = Place(47.8728, -3.5497, "Quimperlé")
WEEKDAYS = (0, 1, 2, 3, 4)


@pytest.fixture
def client(app):
    """A browser that asks for English, so assertions read the source strings whatever is translated."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(scope="session")
def morbihan_csv(tmp_path_factory):
    """The BNLC rows of Morbihan and Finistère: enough for the tests, quick to load."""
    path = tmp_path_factory.mktemp("bnlc") / "bnlc-56-29.csv"
    with meeting_points.PACKAGED_CSV.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as target:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(row for row in reader if row["insee"][:2] in {"56", "29"})
    return path


@pytest.fixture
def carpool_areas(app, morbihan_csv):
    summary = meeting_points.load_csv(morbihan_csv)
    db.session.commit()
    return summary


@pytest.fixture
def make_ride(app, make_user, now):
    """`make_ride(**overrides)`: a weekday commute Hennebont → Vannes at 07:45 with 3 seats."""

    def make(**overrides):
        data = {
            "origin": HENNEBONT,
            "destination": VANNES,
            "seats": 3,
            "now": now,
            "recurrence": rules.Recurrence(WEEKDAYS, rules.parse_local_time("07:45"), None),
        }
        if "departure_at" in overrides:
            data.pop("recurrence")
        data.update(overrides)
        if "driver" not in data:
            data["driver"] = make_user(display_name="Gaël")
        ride = services.publish_ride(**data)
        db.session.commit()
        return ride

    return make


def next_weekday(now, weekday: int, zone="Europe/Paris"):
    from zoneinfo import ZoneInfo

    day = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day
