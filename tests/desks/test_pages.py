"""The done-when journey and the bad inputs through the pages (forms post and redirect)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import func, select

from sharemarket.desks import publishing
from sharemarket.desks.models import DeskBooking, Slot, Space, SpacePhoto
from sharemarket.desks.seats import book
from sharemarket.extensions import db
from sharemarket.notifications.models import Notification

PARIS = ZoneInfo("Europe/Paris")


def local_today():
    return datetime.now(UTC).astimezone(PARIS).date()


def publish_month(client, space_id, desk_id, **changes):
    first = local_today() + timedelta(days=1)
    data = {
        "desks": [str(desk_id)],
        "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=30)).isoformat(),
        "weekdays": ["0", "1", "2", "3", "4"],
        "start_1": "09:00",
        "end_1": "13:00",
        "start_2": "14:00",
        "end_2": "18:00",
        "capacity": "1",
        "price": "0",
    }
    data.update(changes)
    return client.post(f"/spaces/{space_id}/publish", data=data)


def test_manager_publishes_a_month_member_books_waits_and_is_promoted(client, make_user, login):
    manager = make_user(display_name="Manon")
    login(manager)
    response = client.post(
        "/spaces/new",
        data={"name": "La Cale", "place_label": "Lorient", "timezone": "Europe/Paris", "amenities": ["wifi"]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    space = db.session.scalar(select(Space))
    assert space.amenity_codes == ["wifi"] and space.manager_ids == {manager.id}
    assert (
        client.post(f"/spaces/{space.id}/desks", data={"label": "Fixe", "kind": "fixed_desk", "seats": "1"}).status_code
        == 302
    )
    desk_id = space.desks[0].id
    assert client.get(f"/spaces/{space.id}/publish").status_code == 200
    response = publish_month(client, space.id, desk_id)
    assert response.status_code == 302
    slots = db.session.scalars(select(Slot).order_by(Slot.starts_at)).all()
    weekdays = sum(1 for d in range(31) if (local_today() + timedelta(days=1 + d)).weekday() < 5)
    assert len(slots) == 2 * weekdays
    assert {s.starts_at.astimezone(PARIS).hour for s in slots} == {9, 14}
    client.post("/logout")

    ana, bob = make_user(display_name="Ana"), make_user(display_name="Bob")
    login(ana)
    first_day = slots[0].starts_at.astimezone(PARIS).date()
    page = client.get(f"/desks?where=Lorient&day={first_day.isoformat()}").get_data(as_text=True)
    assert "La Cale" in page and f'action="/slots/{slots[0].id}/book"' in page and 'data-lat="' in page
    response = client.post(f"/slots/{slots[0].id}/book", data={"next": "/desks"})
    booking = db.session.scalar(select(DeskBooking).where(DeskBooking.user_id == ana.id))
    assert response.status_code == 302 and response.headers["Location"] == f"/desk-bookings/{booking.id}"
    page = client.get(f"/desk-bookings/{booking.id}").get_data(as_text=True)
    assert "Check-in opens at" in page and f"/calendar/bookings/{booking.id}.ics" in page and "/calendar" in page
    client.post("/logout")

    login(bob)
    page = client.get(f"/spaces/{space.id}?from={first_day.isoformat()}").get_data(as_text=True)
    assert "Join waitlist" in page
    client.post(f"/slots/{slots[0].id}/book", data={"waitlist": "1"})
    waiting = db.session.scalar(select(DeskBooking).where(DeskBooking.user_id == bob.id))
    assert waiting.status == "waitlisted"
    assert "Number 1 in line" in client.get(f"/desk-bookings/{waiting.id}").get_data(as_text=True)
    client.post("/logout")

    login(ana)
    response = client.post(f"/desk-bookings/{booking.id}/cancel", data={"next": "/desks/mine"})
    assert response.status_code == 302 and response.headers["Location"] == "/desks/mine"
    db.session.expire_all()
    assert booking.status == "cancelled" and waiting.status == "confirmed"
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == bob.id)) == 1


def test_publish_form_bad_inputs_change_nothing(client, make_user, login, make_space, make_desk):
    space = make_space()
    desk = make_desk(space)
    login(space.managers[0].user)
    year_later = (local_today() + timedelta(days=400)).isoformat()
    cases = [
        ({"start_1": "13:00", "end_1": "09:00"}, "Each range must end after it starts"),
        ({"start_2": "12:00"}, "overlap"),
        ({"weekdays": []}, "Choose at least one day"),
        ({"weekdays": ["7"]}, "is not a valid choice"),
        ({"last_day": year_later}, "at most one year"),
        ({"first_day": (local_today() - timedelta(days=1)).isoformat()}, "in the past"),
        ({"capacity": "0"}, "Number must be between 1 and"),
    ]
    for change, message in cases:
        response = publish_month(client, space.id, desk.id, **change)
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert db.session.scalar(select(func.count(Slot.id))) == 0
    stranger = make_user()
    client.post("/logout")
    login(stranger)
    assert client.get(f"/spaces/{space.id}/publish").status_code == 403
    assert publish_month(client, space.id, desk.id).status_code == 403
    assert db.session.scalar(select(func.count(Slot.id))) == 0


def test_check_in_through_the_printed_link(client, make_user, login, make_space, make_desk):
    space = make_space()
    desk = make_desk(space)
    now = datetime.now(UTC)
    (slot,) = publishing.publish_slots(
        space=space, actor=space.managers[0].user, desk_id=desk.id, start=now + timedelta(minutes=10),
        end=now + timedelta(hours=2), capacity=2, now=now,
    )  # fmt: skip
    ana = make_user()
    booking = book(slot=slot, user=ana, now=now)
    db.session.commit()
    assert client.get(f"/spaces/{space.id}/check-in/wrong").status_code == 404
    page = client.get(f"/spaces/{space.id}/check-in/{space.checkin_code}").get_data(as_text=True)
    assert "/login?next=" in page
    login(ana)
    page = client.get(f"/spaces/{space.id}/check-in/{space.checkin_code}").get_data(as_text=True)
    assert f"/desk-bookings/{booking.id}/check_in" in page
    client.post(f"/desk-bookings/{booking.id}/check_in", data={"next": f"/spaces/{space.id}/check-in/x"})
    db.session.expire_all()
    assert booking.status == "checked_in"


def test_manager_pages_co_managers_slot_cancel_occupancy_photo(
    client, make_user, login, make_space, make_desk, make_slot, now
):
    space = make_space()
    owner = space.managers[0].user
    slot = make_slot(make_desk(space), start=datetime.now(UTC) + timedelta(days=2), published_at=datetime.now(UTC))
    ana = make_user(display_name="Ana", email="ana@example.org")
    book(slot=slot, user=ana, now=datetime.now(UTC))
    db.session.commit()
    login(owner)
    for path in ("manage", "edit", "schedule", "occupancy", "check-in-qr.svg"):
        assert client.get(f"/spaces/{space.id}/{path}").status_code == 200, path
    week = slot.starts_at.astimezone(PARIS).date().isoformat()
    occupancy = client.get(f"/spaces/{space.id}/occupancy?week={week}").get_data(as_text=True)
    assert "50 %" in occupancy  # one seat of two
    assert client.post(f"/spaces/{space.id}/managers", data={"email": "ana@example.org"}).status_code == 302
    assert ana.id in space.manager_ids
    client.post(f"/spaces/{space.id}/managers/{ana.id}/remove")
    client.post(f"/spaces/{space.id}/managers/{owner.id}/remove")  # the last manager cannot leave
    db.session.expire_all()
    assert space.manager_ids == {owner.id}

    assert "Ana" in client.get(f"/slots/{slot.id}/cancel").get_data(as_text=True)
    client.post(f"/slots/{slot.id}/cancel")
    db.session.expire_all()
    assert slot.cancelled and db.session.scalar(select(DeskBooking.status)) == "cancelled"

    png = io.BytesIO()
    Image.new("RGB", (2400, 1200), "teal").save(png, "PNG")
    client.post(f"/spaces/{space.id}/photos", data={"photo": (io.BytesIO(png.getvalue()), "a.png"), "alt": "Desks"})
    client.post(f"/spaces/{space.id}/photos", data={"photo": (io.BytesIO(b"<svg onload=x>"), "x.png"), "alt": "x"})
    (photo,) = db.session.scalars(select(SpacePhoto)).all()
    assert (photo.width, photo.height) == (1600, 800)
    response = client.get(f"/space-photos/{photo.id}.jpg")
    assert response.mimetype == "image/jpeg" and response.data[:3] == b"\xff\xd8\xff"


def test_member_pages_and_strangers(client, make_user, login, make_space, make_desk, make_slot, now):
    space = make_space()
    slot = make_slot(make_desk(space), start=datetime.now(UTC) + timedelta(days=1), published_at=datetime.now(UTC))
    ana, stranger = make_user(), make_user()
    booking = book(slot=slot, user=ana, now=datetime.now(UTC))
    db.session.commit()
    assert client.get("/desks").status_code == 200
    assert "Log in to book" in client.get(f"/spaces/{space.id}").get_data(as_text=True)
    assert client.get("/desks?where=Nowhereville-sur-Rien").status_code == 422
    login(stranger)
    assert client.get(f"/desk-bookings/{booking.id}").status_code == 404
    assert client.post(f"/desk-bookings/{booking.id}/check_in").status_code == 404
    assert client.get(f"/spaces/{space.id}/manage").status_code == 403
    client.post("/logout")
    login(ana)
    page = client.get("/desks/mine").get_data(as_text=True)
    assert re.search(rf"/desk-bookings/{booking.id}/cancel", page)
    assert client.post(f"/slots/{slot.id}/book").status_code == 302  # twice: refused with a message
    assert db.session.scalar(select(func.count(DeskBooking.id))) == 1
