"""The issue's done-when journey through the API, with the real clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

PARIS = ZoneInfo("Europe/Paris")
STATION = {"lat": 47.7553, "lng": -3.3655, "label": "Lorient gare"}


def test_publish_a_month_find_book_subscribe_check_in_and_waitlist(client, make_user, auth_header):
    manager = auth_header(make_user(display_name="Manon"))
    space = client.post("/api/v1/spaces", json={"name": "La Cale", "location": STATION}, headers=manager).json
    desk = client.post(
        f"/api/v1/spaces/{space['id']}/desks", json={"label": "Fixe", "kind": "fixed_desk"}, headers=manager
    ).json
    tomorrow = datetime.now(UTC).astimezone(PARIS).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=PARIS).replace(hour=9)
    month = {
        "desk_id": desk["id"],
        "start": start.isoformat(),
        "end": start.replace(hour=13).isoformat(),
        "capacity": 1,
        "repeat": {"weekdays": [0, 1, 2, 3, 4, 5, 6], "until": (tomorrow + timedelta(days=30)).isoformat()},
    }
    published = client.post(f"/api/v1/spaces/{space['id']}/slots", json=month, headers=manager)
    assert published.status_code == 201 and len(published.json["results"]) == 31
    now = datetime.now(UTC)
    soon = {"desk_id": desk["id"], "start": (now + timedelta(minutes=10)).isoformat(),
            "end": (now + timedelta(minutes=50)).isoformat(), "capacity": 1}  # fmt: skip
    published_soon = client.post(f"/api/v1/spaces/{space['id']}/slots", json=soon, headers=manager)
    assert published_soon.status_code == 201

    ana_user = make_user(display_name="Ana")
    ana, bob = auth_header(ana_user), auth_header(make_user(display_name="Bob"))
    day_start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=PARIS)
    found = client.get(
        "/api/v1/slots",
        query_string={
            "near": "47.7560,-3.3660",
            "radius_km": "2",
            "from": day_start.isoformat(),
            "to": (day_start + timedelta(days=1)).isoformat(),
        },
    ).json["results"]
    assert [s["id"] for s in found] == [published.json["results"][0]["id"]]
    assert found[0]["remaining"] == 1 and found[0]["distance_km"] < 0.2
    slot_id = found[0]["id"]
    booked = client.post(f"/api/v1/slots/{slot_id}/bookings", json={}, headers=ana).json
    assert booked["status"] == "confirmed"

    feed = client.get(urlsplit(client.get("/api/v1/me/calendar", headers=ana).json["url"]).path)
    (event,) = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Fixe · La Cale" and event.decoded("DTSTART") == start

    near_now = client.post(f"/api/v1/slots/{published_soon.json['results'][0]['id']}/bookings", json={}, headers=ana)
    checked = client.post(f"/api/v1/bookings/{near_now.json['id']}/check_in", headers=ana)
    assert checked.status_code == 200 and checked.json["status"] == "checked_in" and checked.json["checked_in_at"]

    assert client.post(f"/api/v1/slots/{slot_id}/bookings", json={}, headers=bob).status_code == 409
    waiting = client.post(f"/api/v1/slots/{slot_id}/bookings", json={"waitlist": True}, headers=bob).json
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    assert client.post(f"/api/v1/bookings/{booked['id']}/cancel", headers=ana).json["status"] == "cancelled"
    assert client.get(f"/api/v1/bookings/{waiting['id']}", headers=bob).json["status"] == "confirmed"
    assert client.get(f"/api/v1/slots/{slot_id}").json["remaining"] == 0


def test_export_and_account_closure(client, make_user, auth_header, make_space, make_desk, make_slot):
    from sharemarket.desks.seats import book
    from sharemarket.extensions import db

    space = make_space()
    slot = make_slot(make_desk(space), start=datetime.now(UTC) + timedelta(days=1), capacity=1,
                     published_at=datetime.now(UTC))  # fmt: skip
    ana, bob = make_user(), make_user()
    book(slot=slot, user=ana, now=datetime.now(UTC))
    waiting = book(slot=slot, user=bob, now=datetime.now(UTC), waitlist=True)
    db.session.commit()
    header = auth_header(ana)
    exported = client.get("/api/v1/me/export", headers=header).json["desks"]
    assert exported["bookings"][0]["status"] == "confirmed"
    assert client.delete("/api/v1/me", headers=header).status_code == 204
    db.session.expire_all()
    assert waiting.status == "confirmed"  # the seat the closed account held went to the waitlist
    owner = auth_header(space.managers[0].user)
    assert client.delete("/api/v1/me", headers=owner).status_code == 204
    db.session.expire_all()
    assert space.managers == []
