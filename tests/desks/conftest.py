"""Creators for desk tests: spaces, desks and slots with sensible defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sharemarket.desks import publishing, services
from sharemarket.extensions import db
from sharemarket.geo import Place

LORIENT_STATION = Place(47.7553, -3.3655, "Lorient gare")


def soon(days: int = 1, hour: int = 9) -> datetime:
    """A whole hour some days from the real clock (API calls use the real time)."""
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=hour) + timedelta(days=days)


@pytest.fixture
def make_space(make_user, now):
    def make(manager=None, **overrides):
        manager = manager or make_user(display_name="Manager")
        data = {"name": "La Cale", "location": LORIENT_STATION, "now": now, "timezone": "Europe/Paris"}
        data.update(overrides)
        space = services.create_space(creator=manager, **data)
        db.session.commit()
        return space

    return make


@pytest.fixture
def make_desk(now):
    def make(space, **overrides):
        data = {"label": "Hot desk A", "kind": "hot_desk", "seats": 4}
        data.update(overrides)
        desk = services.add_desk(space=space, actor=space.managers[0].user, now=data.pop("now", now), **data)
        db.session.commit()
        return desk

    return make


@pytest.fixture
def make_slot(now):
    def make(desk, start=None, hours=4, capacity=2, price_cents=0, published_at=None):
        start = start or now + timedelta(days=1)
        (slot,) = publishing.publish_slots(
            space=desk.space,
            actor=desk.space.managers[0].user,
            desk_id=desk.id,
            start=start,
            end=start + timedelta(hours=hours),
            capacity=capacity,
            price_cents=price_cents,
            now=published_at or min(now, start),
        )
        db.session.commit()
        return slot

    return make
