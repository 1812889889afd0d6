"""Whatever the concurrency, one partner booking id is one booking, and one partner passenger
is one external member."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sharemarket.accounts import services as accounts
from sharemarket.bookings.models import Booking
from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.interop import rules, services
from sharemarket.interop.models import ExternalPassenger, InteropBooking
from sharemarket.interop.operators import our_operator_id
from sharemarket.interop.schemas import BookingIn
from sharemarket.rides import services as rides
from tests.rides.conftest import HENNEBONT, VANNES

THREADS = 24


def _body(app, same_id: bool) -> list[BookingIn]:
    with app.app_context():
        now = utcnow()
        driver = accounts.register_user(
            email="driver@example.org", password="long enough pw", display_name="D", now=now
        )
        ride = rides.publish_ride(
            driver=driver, origin=HENNEBONT, destination=VANNES, seats=3, departure_at=now + timedelta(days=2), now=now
        )
        db.session.commit()
        occurrence = rides.occurrence_on(ride, None, now)
        shared_id = uuid.uuid4()
        return [
            BookingIn.model_validate(
                {
                    "id": str(shared_id if same_id else uuid.uuid4()),
                    "driver": {"id": str(driver.id), "operator": our_operator_id(), "alias": "D"},
                    "passenger": {"id": "p-1", "operator": "partner.example", "alias": "Nolwenn"},
                    "passengerPickupDate": rules.unix(occurrence.departs_at),
                    "passengerPickupLat": HENNEBONT.lat,
                    "passengerPickupLng": HENNEBONT.lng,
                    "passengerDropLat": VANNES.lat,
                    "passengerDropLng": VANNES.lng,
                    "status": "WAITING_CONFIRMATION",
                    "price": {"type": "PAYING", "amount": 3.3, "currency": "EUR"},
                    "driverJourneyId": rules.journey_id(ride.id, occurrence.date),
                }
            )
            for _ in range(THREADS)
        ]


@pytest.mark.concurrency
@pytest.mark.parametrize("same_id", [True, False])
def test_simultaneous_bookings_of_one_passenger_make_one_booking(live_app, same_id):
    bodies = _body(live_app, same_id)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def post(body: BookingIn) -> None:
        with live_app.app_context():
            try:
                barrier.wait()
                services.create_booking(operator="partner.example", data=body, now=utcnow())
                db.session.commit()
                outcomes.append("created")
            except DomainError:
                db.session.rollback()
                outcomes.append("refused")
            except Exception as exc:  # noqa: BLE001 - any other failure is what this test looks for
                db.session.rollback()
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(outcomes) == ["created"] + ["refused"] * (THREADS - 1)
    with live_app.app_context():
        counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (InteropBooking, Booking)]
        counts.append(db.session.scalar(select(func.count()).select_from(ExternalPassenger)))
        db.session.remove()
    assert counts == [1, 1, 1]
