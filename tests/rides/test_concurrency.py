"""Whatever the concurrency, an occurrence never confirms more seats than it offers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.rides import seats, services
from sharemarket.rides.models import RideOccurrence, SeatBooking
from tests.rides.conftest import HENNEBONT, VANNES

THREADS = 30


def _setup(app, seats_each: int) -> tuple[int, list[int], int]:
    with app.app_context():
        now = utcnow()
        people = [
            accounts.register_user(
                email=f"rider{n}@example.org", password="long enough pw", display_name=f"R{n}", now=now
            )
            for n in range(THREADS + 1)
        ]
        driver = people[0]
        ride = services.publish_ride(
            driver=driver, origin=HENNEBONT, destination=VANNES, seats=3, departure_at=now + timedelta(days=2), now=now
        )
        requests = [seats.request_seats(ride=ride, passenger=p, seats=seats_each, now=now) for p in people[1:]]
        db.session.commit()
        occurrence_id = requests[0].occurrence_id
        return driver.id, [b.id for b in requests], occurrence_id


@pytest.mark.concurrency
@pytest.mark.parametrize("seats_each", [1, 2])
def test_parallel_approvals_never_confirm_more_seats_than_offered(live_app, seats_each):
    driver_id, booking_ids, occurrence_id = _setup(live_app, seats_each)
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def approve(booking_id: int) -> None:
        with live_app.app_context():
            try:
                start.wait()
                booking = db.session.get(SeatBooking, booking_id)
                bookings.act(booking=booking, action="approve", actor=db.session.get(User, driver_id), now=utcnow())
                db.session.commit()
                outcomes.append("confirmed")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(booking_id,)) for booking_id in booking_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with live_app.app_context():
        confirmed = db.session.scalar(
            select(func.coalesce(func.sum(SeatBooking.seats), 0)).where(
                SeatBooking.occurrence_id == occurrence_id, SeatBooking.status == "confirmed"
            )
        )
        seats_left = db.session.scalar(select(RideOccurrence.seats_left).where(RideOccurrence.id == occurrence_id))
    assert len(outcomes) == THREADS
    assert confirmed == 3 // seats_each * seats_each
    assert outcomes.count("confirmed") == 3 // seats_each
    assert seats_left == 3 - confirmed
