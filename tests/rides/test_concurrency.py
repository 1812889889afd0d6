"""Whatever the concurrency, an occurrence never confirms more seats than it offers."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.rides import rules, seats, services
from sharemarket.rides.models import Ride, RideOccurrence, SeatBooking
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


@pytest.mark.concurrency
def test_a_suspension_racing_new_occurrences_still_takes_them_out_of_the_search(live_app):
    """The extend job inserts a commute's next occurrences while a moderator suspends its driver:
    whichever commits first, the new occurrences end up unsearchable (`ride_copy`)."""
    with live_app.app_context():
        now = utcnow()
        driver = accounts.register_user(email="d@example.org", password="long enough pw", display_name="D", now=now)
        ride = services.publish_ride(
            driver=driver,
            origin=HENNEBONT,
            destination=VANNES,
            seats=3,
            recurrence=rules.Recurrence((0, 1, 2, 3, 4), rules.parse_local_time("07:45"), None),
            now=now,
        )
        db.session.commit()
        driver_id, ride_id = driver.id, ride.id
    suspended = threading.Event()
    errors = []

    def suspend():
        with live_app.app_context():
            try:
                db.session.execute(update(User).where(User.id == driver_id).values(status="suspended"))
                suspended.set()
                time.sleep(0.5)  # the extend job meanwhile reaches its inserts
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                suspended.set()
            finally:
                db.session.remove()

    def extend():
        with live_app.app_context():
            try:
                suspended.wait(timeout=30)
                added = services.extend_ride(db.session.get(Ride, ride_id), utcnow() + timedelta(days=30))
                db.session.commit()
                assert added > 0
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=suspend), threading.Thread(target=extend)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with live_app.app_context():
        found = db.session.execute(
            select(RideOccurrence.searchable, func.count())
            .where(RideOccurrence.ride_id == ride_id)
            .group_by(RideOccurrence.searchable)
        ).all()
        assert dict(found).keys() == {False}, found
