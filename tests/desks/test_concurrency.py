"""Capacity is never exceeded, whatever the number of parallel requests (real commits)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.bookings import services as bookings
from sharemarket.desks import publishing, services
from sharemarket.desks.models import DeskBooking, Slot
from sharemarket.desks.seats import book
from sharemarket.extensions import db
from sharemarket.geo import Place
from tests.conftest import NOW
from tests.races import race

pytestmark = pytest.mark.concurrency


_serial = itertools.count()


def _people(n: int) -> list[int]:
    emails = [f"p{next(_serial)}@example.org" for _ in range(n)]
    users = [User(email=e, email_key=e, password_hash="x", display_name=e[:4]) for e in emails]
    db.session.add_all(users)
    db.session.flush()
    return [u.id for u in users]


def _slot(capacity: int) -> int:
    manager = db.session.get(User, _people(1)[0])
    space = services.create_space(creator=manager, name="Space", location=Place(47.75, -3.36), now=NOW)
    desk = services.add_desk(space=space, actor=manager, label="A", seats=capacity, now=NOW)
    start = NOW + timedelta(days=1)
    (slot,) = publishing.publish_slots(
        space=space, actor=manager, desk_id=desk.id, start=start, end=start + timedelta(hours=4),
        capacity=capacity, now=NOW,
    )  # fmt: skip
    db.session.commit()
    return slot.id


def _counts(slot_id: int) -> tuple[int, int, dict]:
    slot = db.session.get(Slot, slot_id)
    statuses = dict(
        db.session.execute(
            select(DeskBooking.status, func.count()).where(DeskBooking.slot_id == slot_id).group_by(DeskBooking.status)
        ).all()
    )
    return slot.booked, slot.capacity, statuses


def test_forty_members_at_once_on_five_seats_get_exactly_five(live_app):
    with live_app.app_context():
        slot_id = _slot(capacity=5)
        people = _people(40)
        db.session.commit()

    def attempt(user_id):
        return book(slot=db.session.get(Slot, slot_id), user=db.session.get(User, user_id), now=NOW).status

    results = race(live_app, attempt, people)
    assert results.count("confirmed") == 5
    assert results.count("SlotFull") == 35
    with live_app.app_context():
        assert _counts(slot_id) == (5, 5, {"confirmed": 5})


def test_waitlist_and_cancellations_at_once_never_overbook(live_app):
    with live_app.app_context():
        slot_id = _slot(capacity=5)
        people = _people(30)
        holders = [
            book(slot=db.session.get(Slot, slot_id), user=db.session.get(User, uid), now=NOW).id for uid in people[:5]
        ]
        db.session.commit()

    def attempt(item):
        kind, ident = item
        if kind == "cancel":
            booking = db.session.get(DeskBooking, ident)
            return bookings.act(booking=booking, action="cancel", actor=booking.user, now=NOW).status
        slot = db.session.get(Slot, slot_id)
        return book(slot=slot, user=db.session.get(User, ident), now=NOW, waitlist=True).status

    work = [("cancel", b) for b in holders] + [("book", uid) for uid in people[5:]]
    results = race(live_app, attempt, work)
    assert results[:5] == ["cancelled"] * 5
    with live_app.app_context():
        booked, capacity, statuses = _counts(slot_id)
        assert booked == capacity == statuses["confirmed"] == 5
        assert statuses["waitlisted"] == 20 and statuses["cancelled"] == 5
