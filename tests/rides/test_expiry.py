"""Seat requests nobody answered expire in bulk (the booking engine's `system_act_many`)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.errors import InvalidTransition
from sharemarket.extensions import db
from sharemarket.jobs import housekeeping
from sharemarket.notifications.models import Notification, OutboxEmail
from sharemarket.rides import jobs, seats
from sharemarket.rides.models import RideOccurrence, SeatBooking

WEDNESDAY = date(2026, 12, 2)


def _notes(user) -> list[Notification]:
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))
    )


@pytest.fixture
def requests(make_ride, make_user, now):
    ride = make_ride()
    made = []
    for locale, name in (("fr", "Nolwenn"), ("en", "Ewan")):
        passenger = make_user(locale=locale, display_name=name)
        made.append(seats.request_seats(ride=ride, passenger=passenger, seats=1, day=WEDNESDAY, now=now))
    db.session.commit()
    return made


def test_unanswered_seat_requests_expire_together_and_each_passenger_hears_in_their_language(requests):
    ride, departs = requests[0].ride, requests[0].occurrence.departs_at
    assert jobs.close_past(departs - timedelta(minutes=1))["expired"] == 0
    assert jobs.close_past(departs)["expired"] == 2
    db.session.commit()
    assert [b.status for b in requests] == ["expired", "expired"]
    assert [e.action for e in requests[0].events] == ["create", "expire"]
    assert db.session.get(RideOccurrence, requests[0].occurrence_id).seats_left == 3  # requests held none
    (french,) = _notes(requests[0].user)
    assert (french.kind, french.title) == ("seat_expired", "Votre demande de place a expiré")
    assert seats.format_when(departs, ride, "fr") in french.body
    (english,) = _notes(requests[1].user)
    assert (english.kind, english.title, english.link) == (
        "seat_expired",
        "Your seat request expired",
        seats.ride_path(ride.id),
    )
    assert (
        english.body
        == f"The driver did not answer in time for {ride.route_label}, {seats.format_when(departs, ride, 'en')}."
    )
    assert db.session.scalar(select(OutboxEmail.subject).where(OutboxEmail.user_id == requests[1].user_id)) == (
        "Your seat request expired"
    )
    assert jobs.close_past(departs + timedelta(hours=1))["expired"] == 0


def test_the_expiry_job_tells_a_passenger_once_with_the_seat_message(requests):
    """The seat's own announcement names the ride and its day; the job adds no second notice."""
    booking = requests[1]
    assert housekeeping.expire_requests(booking.respond_by) == {"expired": 2, "errors": 0}
    db.session.commit()
    notes = _notes(booking.user)
    assert [n.kind for n in notes] == ["seat_expired"]
    assert notes[0].link == seats.ride_path(booking.ride_id)


def test_a_driver_approving_a_request_the_job_expired_meanwhile_is_refused(requests, now):
    booking = requests[0]
    db.session.execute(  # what another process's expiry wrote: this session's copy still says requested
        update(Booking.__table__).where(Booking.__table__.c.id == booking.id).values(status="expired")
    )
    assert booking.status == "requested"
    with pytest.raises(InvalidTransition), db.session.begin_nested():
        bookings.act(booking=booking, action="approve", actor=booking.ride.driver, now=now)
    db.session.expire_all()
    assert db.session.get(SeatBooking, booking.id).status == "expired"
    assert db.session.get(RideOccurrence, booking.occurrence_id).seats_left == 3
