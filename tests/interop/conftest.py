"""Fixtures for the interop tests: an operator with a key, and a client whose every answer is
checked against the standard's OpenAPI document."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.interop import operators, rules
from tests.interop import standard
from tests.rides import conftest as carpool
from tests.rides.conftest import HENNEBONT, LANESTER, VANNES  # noqa: F401 - places the tests share

# The carpool tests' fixtures: an English-speaking client, rides, the carpool areas.
client = carpool.client
make_ride = carpool.make_ride
morbihan_csv = carpool.morbihan_csv
carpool_areas = carpool.carpool_areas

PARIS = ZoneInfo("Europe/Paris")
OPERATOR = "partner.example"


class InteropClient:
    """Calls /interop/v1 with a key; checks every response against the standard."""

    def __init__(self, client, key: str | None):
        self.client = client
        self.key = key

    def _call(self, method: str, path: str, key=..., **kwargs):
        key = self.key if key is ... else key
        headers = dict(kwargs.pop("headers", {}))
        if key is not None:
            headers["X-API-Key"] = key
        url = standard.PREFIX + path
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        standard.check(response, url, method)
        return response

    def get(self, path, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self._call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self._call("PATCH", path, **kwargs)


@pytest.fixture
def operator_key(app):
    _operator, key = operators.add_operator(name=OPERATOR, now=utcnow())
    db.session.commit()
    return key


@pytest.fixture
def partner(client, operator_key):
    return InteropClient(client, operator_key)


@pytest.fixture
def commute(make_ride, make_user):
    """Gaël's weekday commute Hennebont → Vannes at 07:45, 3 seats, published now."""
    return make_ride(driver=make_user(display_name="Gaël"), now=utcnow())


def next_working_day():
    day = datetime.now(PARIS).date() + timedelta(days=1)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def at(day, hour: int, minute: int) -> int:
    return rules.unix(datetime.combine(day, time(hour, minute), tzinfo=PARIS))


def journey_query(origin=HENNEBONT, destination=VANNES, **overrides) -> dict:
    query = {
        "departureLat": origin.lat,
        "departureLng": origin.lng,
        "arrivalLat": destination.lat,
        "arrivalLng": destination.lng,
        "departureDate": at(next_working_day(), 7, 45),
        "timeDelta": 1800,
    }
    query.update(overrides)
    return query


def booking_body(journey: dict, **overrides) -> dict:
    """A partner's booking request for one of our journeys, as the standard shapes it."""
    body = {
        "id": str(uuid.uuid4()),
        "driver": journey["driver"],
        "passenger": {"id": "p-42", "operator": OPERATOR, "alias": "Nolwenn"},
        "passengerPickupDate": journey["passengerPickupDate"],
        "passengerPickupLat": journey["passengerPickupLat"],
        "passengerPickupLng": journey["passengerPickupLng"],
        "passengerDropLat": journey["passengerDropLat"],
        "passengerDropLng": journey["passengerDropLng"],
        "status": "WAITING_CONFIRMATION",
        "price": journey["price"],
        "driverJourneyId": journey["id"],
    }
    body.update(overrides)
    return body
