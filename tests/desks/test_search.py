from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sharemarket.desks.models import Slot
from sharemarket.extensions import db
from sharemarket.geo import Place
from tests.desks.conftest import soon

STATION = "47.7553,-3.3655"


@pytest.fixture
def town(make_space, make_desk, make_slot, make_user):
    """Spaces at the station, 1 km away, in Hennebont (10 km) and in Paris, each with slots."""
    places = {
        "station": Place(47.7556, -3.3650, "Gare"),
        "enclos": Place(47.7478, -3.3568, "Enclos du Port"),
        "hennebont": Place(47.8046, -3.2780, "Hennebont"),
        "paris": Place(48.8566, 2.3522, "Paris"),
    }
    manager = make_user()
    slots = {}
    for name, place in places.items():
        desk = make_desk(make_space(manager=manager, name=name, location=place))
        slots[name] = [make_slot(desk, start=soon(d), capacity=3, published_at=datetime.now(UTC)) for d in (1, 2)]
    return slots


def ids(response):
    return [r["id"] for r in response.json["results"]]


def test_near_radius_nearest_first_with_distance_and_remaining(client, town):
    response = client.get(f"/api/v1/slots?near={STATION}&radius_km=5")
    assert response.status_code == 200
    results = response.json["results"]
    expected = [s.id for s in town["station"]] + [s.id for s in town["enclos"]]
    assert [r["id"] for r in results] == expected
    assert results[0]["distance_km"] < 0.1 and 0.9 < results[-1]["distance_km"] < 1.3
    assert all(r["remaining"] == 3 for r in results)
    wider = ids(client.get(f"/api/v1/slots?near={STATION}&radius_km=15"))
    assert wider == expected + [s.id for s in town["hennebont"]]
    assert len(ids(client.get("/api/v1/slots"))) == 8  # no point: everywhere, soonest first


def test_paging_gives_the_same_order(client, town):
    whole = ids(client.get(f"/api/v1/slots?near={STATION}&radius_km=15"))
    seen, url = [], f"/api/v1/slots?near={STATION}&radius_km=15&limit=2"
    while url:
        page = client.get(url).json
        seen += [r["id"] for r in page["results"]]
        url = f"/api/v1/slots?near={STATION}&radius_km=15&limit=2&cursor={page['next']}" if page["next"] else None
    assert seen == whole


def test_time_window_ended_and_cancelled_slots(client, make_space, make_desk):
    space = make_space()
    desk = make_desk(space)
    now = datetime.now(UTC)
    rows = {
        "ended": (now - timedelta(hours=3), now - timedelta(hours=1)),
        "ongoing": (now - timedelta(hours=1), now + timedelta(hours=1)),
        "later": (now + timedelta(days=2), now + timedelta(days=2, hours=2)),
        "cancelled": (now + timedelta(hours=3), now + timedelta(hours=5)),
    }
    slots = {}
    for name, (start, end) in rows.items():
        cancelled = now if name == "cancelled" else None
        slots[name] = Slot(
            desk_id=desk.id, space_id=space.id, starts_at=start, ends_at=end, capacity=1, booked=0, price_cents=0,
            currency="EUR", cancelled_at=cancelled,
        )  # fmt: skip
        db.session.add(slots[name])
    db.session.commit()
    since = (now - timedelta(hours=4)).isoformat().replace("+00:00", "Z")
    until = (now + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    found = ids(client.get("/api/v1/slots", query_string={"near": STATION, "from": since, "to": until}))
    assert found == [slots["ongoing"].id]
    found = ids(client.get("/api/v1/slots", query_string={"from": since}))
    assert found == [slots["ongoing"].id, slots["later"].id]
    found = ids(client.get("/api/v1/slots", query_string={"space_id": space.id}))
    assert found == [slots["later"].id]


@pytest.mark.parametrize(
    "query",
    [
        {"near": "abc"},
        {"near": "91,0"},
        {"near": STATION, "radius_km": "0"},
        {"near": STATION, "radius_km": "500"},
        {"near": STATION, "radius_km": "nan"},
        {"from": "2026-12-01T09:00:00"},
        {"from": "2026-12-02T09:00:00Z", "to": "2026-12-01T09:00:00Z"},
        {"from": "2026-12-01T09:00:00Z", "to": "2027-02-01T09:00:00Z"},
        {"from": "yesterday"},
        {"limit": "0"},
        {"cursor": "forged.123"},
    ],
)
def test_bad_search_parameters_are_422(client, query):
    response = client.get("/api/v1/slots", query_string=query)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"


def test_public_reads_answer_anonymous_callers(client, town):
    slot = town["station"][0]
    assert client.get(f"/api/v1/spaces/{slot.space_id}").status_code == 200
    assert client.get(f"/api/v1/slots/{slot.id}").status_code == 200
    assert client.get("/api/v1/slots/999999").status_code == 404
    assert client.get("/api/v1/spaces/999999").status_code == 404
