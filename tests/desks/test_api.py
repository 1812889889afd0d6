"""The contract's coworking endpoints, with the real clock (API calls use it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sharemarket.desks.models import DeskBooking, Slot
from sharemarket.extensions import db
from tests.desks.conftest import soon

PARIS = ZoneInfo("Europe/Paris")
STATION = {"lat": 47.7553, "lng": -3.3655, "label": "Lorient gare"}


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.json


@pytest.fixture
def manager(make_user, auth_header):
    user = make_user(display_name="Manon")
    return user, auth_header(user)


@pytest.fixture
def space_and_desk(client, manager):
    _user, header = manager
    space = client.post("/api/v1/spaces", json={"name": "La Cale", "location": STATION}, headers=header)
    assert space.status_code == 201, space.json
    desk = client.post(f"/api/v1/spaces/{space.json['id']}/desks", json={"label": "Plateau"}, headers=header)
    assert desk.status_code == 201
    return space.json, desk.json


def slot_body(desk_id, start=None, hours=4, **extra):
    start = start or soon(2)
    return {
        "desk_id": desk_id,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=hours)).isoformat(),
        "capacity": 1,
        **extra,
    }


def test_space_desk_and_slots_per_contract(client, manager, space_and_desk):
    user, header = manager
    space, desk = space_and_desk
    assert space["timezone"] == "Europe/Paris" and space["managers"] == [{"id": user.id, "display_name": "Manon"}]
    assert desk["kind"] == "hot_desk" and desk["seats"] == 1
    start = datetime.combine(soon(3).date(), datetime.min.time(), tzinfo=PARIS).replace(hour=9)
    body = slot_body(desk["id"], start, capacity=3, price_cents=750)
    body["repeat"] = {"weekdays": [0, 1, 2, 3, 4, 5, 6], "until": (start + timedelta(days=6)).date().isoformat()}
    response = client.post(f"/api/v1/spaces/{space['id']}/slots", json=body, headers=header)
    assert response.status_code == 201
    slots = response.json["results"]
    assert len(slots) == 7
    assert {datetime.fromisoformat(s["start"]).astimezone(PARIS).hour for s in slots} == {9}
    assert all(s["start"].endswith("Z") and s["remaining"] == 3 and s["price_cents"] == 750 for s in slots)
    public = client.get(f"/api/v1/spaces/{space['id']}")
    assert public.status_code == 200 and public.json["desks"][0]["id"] == desk["id"]
    assert client.get(f"/api/v1/slots/{slots[0]['id']}").json["remaining"] == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": "start"}, "end"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"price_cents": -5}, "price_cents"),
        ({"past": True}, "start"),
        ({"repeat": {"weekdays": [0, 7], "until": "later"}}, "repeat.weekdays"),
        ({"repeat": {"weekdays": [0], "until": "two-years"}}, "repeat.until"),
        ({"start": "2026-12-01T09:00:00"}, "start"),
        ({"desk_id": 987654}, "desk_id"),
    ],
)
def test_bad_slots_are_422_and_nothing_is_published(client, manager, space_and_desk, change, field):
    _user, header = manager
    space, desk = space_and_desk
    body = slot_body(desk["id"])
    start = datetime.fromisoformat(body["start"])
    if change.pop("past", False):
        body["start"] = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
        body["end"] = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    if change.get("end") == "start":
        change["end"] = body["start"]
    if "repeat" in change:
        until = {"later": start + timedelta(days=14), "two-years": start + timedelta(days=400)}
        change["repeat"]["until"] = until[change["repeat"]["until"]].date().isoformat()
    body.update(change)
    errors = problem(client.post(f"/api/v1/spaces/{space['id']}/slots", json=body, headers=header), 422)["errors"]
    assert field in errors
    assert db.session.scalar(select(func.count(Slot.id))) == 0


def test_non_managers_get_403_and_overlaps_409(client, make_user, auth_header, manager, space_and_desk):
    _user, header = manager
    space, desk = space_and_desk
    stranger = auth_header(make_user())
    base = f"/api/v1/spaces/{space['id']}"
    problem(client.post(f"{base}/slots", json=slot_body(desk["id"]), headers=stranger), 403)
    problem(client.post(f"{base}/desks", json={"label": "Mine"}, headers=stranger), 403)
    problem(client.post(f"{base}/managers", json={"user_id": 1}, headers=stranger), 403)
    assert client.post(f"{base}/slots", json=slot_body(desk["id"]), headers=header).status_code == 201
    later = soon(2) + timedelta(hours=3)
    problem(client.post(f"{base}/slots", json=slot_body(desk["id"], later), headers=header), 409)
    assert db.session.scalar(select(func.count(Slot.id))) == 1
    assert client.post(f"{base}/slots", json=slot_body(desk["id"]), headers={}).status_code == 401


def test_managers_endpoints(client, make_user, auth_header, manager, space_and_desk):
    user, header = manager
    space, _desk = space_and_desk
    other = make_user(display_name="Olwen")
    base = f"/api/v1/spaces/{space['id']}/managers"
    added = client.post(base, json={"user_id": other.id}, headers=header)
    assert added.status_code == 201 and added.json["user"]["id"] == other.id
    problem(client.post(base, json={"user_id": other.id}, headers=header), 409)
    problem(client.post(base, json={"user_id": 424242}, headers=header), 422)
    assert client.delete(f"{base}/{user.id}", headers=header).status_code == 204
    problem(client.delete(f"{base}/{other.id}", headers=auth_header(other)), 409)


def test_booking_waitlist_cancel_and_promotion_through_the_api(client, make_user, auth_header, manager, space_and_desk):
    _user, header = manager
    space, desk = space_and_desk
    slot = client.post(f"/api/v1/spaces/{space['id']}/slots", json=slot_body(desk["id"]), headers=header).json
    slot_id = slot["results"][0]["id"]
    ana, bob = make_user(display_name="Ana"), make_user(display_name="Bob")
    ana_h, bob_h = auth_header(ana), auth_header(bob)
    first = client.post(f"/api/v1/slots/{slot_id}/bookings", json={}, headers=ana_h)
    assert first.status_code == 201
    assert first.json["status"] == "confirmed" and first.json["kind"] == "desk" and first.json["slot_id"] == slot_id
    problem(client.post(f"/api/v1/slots/{slot_id}/bookings", json={}, headers=ana_h), 409)  # twice
    problem(client.post(f"/api/v1/slots/{slot_id}/bookings", json={}, headers=bob_h), 409)  # full
    waiting = client.post(f"/api/v1/slots/{slot_id}/bookings", json={"waitlist": True}, headers=bob_h)
    assert waiting.status_code == 201
    assert waiting.json["status"] == "waitlisted" and waiting.json["waitlist_position"] == 1
    assert client.get(f"/api/v1/slots/{slot_id}").json["remaining"] == 0
    # Checking in: not someone else's (404), not hours before the start (409).
    problem(client.post(f"/api/v1/bookings/{first.json['id']}/check_in", headers=bob_h), 404)
    problem(client.post(f"/api/v1/bookings/{first.json['id']}/check_in", headers=ana_h), 409)
    cancelled = client.post(f"/api/v1/bookings/{first.json['id']}/cancel", headers=ana_h)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    promoted = client.get(f"/api/v1/bookings/{waiting.json['id']}", headers=bob_h).json
    assert promoted["status"] == "confirmed" and promoted["waitlist_position"] is None
    handled = client.get("/api/v1/bookings?role=to_handle", headers=header).json["results"]
    assert {b["id"] for b in handled} == {first.json["id"], waiting.json["id"]}


def test_cancelling_after_the_slot_ended_is_409(client, make_user, auth_header, make_space, make_desk, now):
    from sharemarket.desks.seats import book

    space = make_space()
    desk = make_desk(space)
    ended = Slot(
        desk_id=desk.id, space_id=space.id, capacity=2, booked=0, price_cents=0, currency="EUR",
        starts_at=datetime.now(UTC) - timedelta(hours=5), ends_at=datetime.now(UTC) - timedelta(hours=1),
    )  # fmt: skip
    db.session.add(ended)
    db.session.commit()
    ana = make_user()
    booking = book(slot=ended, user=ana, now=ended.starts_at)
    db.session.commit()
    problem(client.post(f"/api/v1/bookings/{booking.id}/cancel", headers=auth_header(ana)), 409)
    problem(client.post(f"/api/v1/bookings/{booking.id}/check_in", headers=auth_header(ana)), 409)
    problem(client.post(f"/api/v1/slots/{ended.id}/bookings", json={}, headers=auth_header(make_user())), 409)
    assert db.session.get(DeskBooking, booking.id).status == "confirmed"


def test_slot_cancel_endpoint(client, make_user, auth_header, manager, space_and_desk):
    _user, header = manager
    space, desk = space_and_desk
    slot_id = client.post(f"/api/v1/spaces/{space['id']}/slots", json=slot_body(desk["id"]), headers=header).json[
        "results"
    ][0]["id"]
    ana_h = auth_header(make_user())
    booking = client.post(f"/api/v1/slots/{slot_id}/bookings", json={}, headers=ana_h).json
    problem(client.post(f"/api/v1/slots/{slot_id}/cancel", headers=ana_h), 403)
    response = client.post(f"/api/v1/slots/{slot_id}/cancel", headers=header)
    assert response.status_code == 200 and response.json["cancelled"] is True
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=ana_h).json["status"] == "cancelled"
    assert all(r["id"] != slot_id for r in client.get("/api/v1/slots").json["results"])


def test_patch_space(client, make_user, auth_header, manager, space_and_desk):
    _user, header = manager
    space, _desk = space_and_desk
    url = f"/api/v1/spaces/{space['id']}"
    changed = client.patch(url, json={"cancel_cutoff_hours": 6, "amenities": ["wifi", "kitchen"]}, headers=header)
    assert changed.status_code == 200
    assert changed.json["cancel_cutoff_hours"] == 6 and [a["id"] for a in changed.json["amenities"]] == [
        "wifi",
        "kitchen",
    ]
    for bad in ({"timezone": "Mars/Olympus"}, {"amenities": ["jacuzzi"]}, {"cancel_cutoff_hours": -1}, {"name": ""}):
        problem(client.patch(url, json=bad, headers=header), 422)
    problem(client.patch(url, json={"name": "Mine"}, headers=auth_header(make_user())), 403)
    assert client.get(url).json["name"] == "La Cale" and client.get(url).json["timezone"] == "Europe/Paris"
