"""Fixtures for saved searches and alerts: the carpool tests' places and rides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sharemarket.alerts import services
from tests.rides import conftest as carpool
from tests.rides.conftest import LANESTER, VANNES  # noqa: F401 - places the tests share

client = carpool.client
make_ride = carpool.make_ride
morbihan_csv = carpool.morbihan_csv
carpool_areas = carpool.carpool_areas


@pytest.fixture
def save(make_user, now):
    """`save(**overrides)`: a saved search Lanester → Vannes, weekdays, 07:30–08:30, 1 seat,
    saved a minute before `now`."""

    def make(**overrides):
        data = {
            "origin": LANESTER,
            "destination": VANNES,
            "weekdays": [0, 1, 2, 3, 4],
            "time_from": "07:30",
            "time_to": "08:30",
            "seats": 1,
            "now": now - timedelta(minutes=1),
        }
        data.update(overrides)
        if "user" not in data:
            data["user"] = make_user(display_name="Erwan")
        return services.save_search(**data)

    return make
