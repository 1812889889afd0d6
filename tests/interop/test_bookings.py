"""Bookings and messages from partners: statuses both ways, external passengers, messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sharemarket.accounts import services as accounts
from sharemarket.bookings import services as bookings
from sharemarket.bookings.exchange_models import BookingMessage
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.interop import services
from sharemarket.interop.models import ExternalPassenger, InteropBooking
from sharemarket.notifications.models import Notification, OutboxEmail
from sharemarket.rides.models import SeatBooking
from tests.interop import standard
from tests.interop.conftest import OPERATOR, booking_body, journey_query


def _journey(partner):
    [journey] = partner.get("/driver_journeys", query_string=journey_query()).json
    return journey


def _book(partner, **overrides):
    body = booking_body(_journey(partner), **overrides)
    response = partner.post("/bookings", json=body)
    assert response.status_code == 201, response.json
    return body


def _seat(body) -> SeatBooking:
    return db.session.scalar(select(InteropBooking).where(InteropBooking.uuid == body["id"])).booking


def test_the_partners_passenger_cancels_and_the_driver_is_told(partner, commute):
    body = _book(partner)
    cancelled = partner.patch(
        f"/bookings/{body['id']}", query_string={"status": "CANCELLED", "message": "Mon train est rétabli."}
    )
    assert cancelled.status_code == 200 and cancelled.json["status"] == "CANCELLED"
    # The standard leaves PATCH's answer unspecified: ours is the Booking, and valid as one.
    assert standard.component_errors(cancelled.json, "Booking") == []
    assert standard.component_errors({**cancelled.json, "status": "GONE"}, "Booking") != []
    assert _seat(body).status == "cancelled"
    told = db.session.scalars(select(Notification).where(Notification.user_id == commute.driver_id)).all()
    assert {n.kind for n in told} == {"seat_requested", "seat_cancelled", "message"}
    [explained] = db.session.scalars(select(BookingMessage)).all()  # in the booking's thread
    assert (explained.booking_id, explained.body) == (_seat(body).id, "Mon train est rétabli.")
    assert explained.author_id == _seat(body).user_id
    again = partner.patch(f"/bookings/{body['id']}", query_string={"status": "CANCELLED"})
    assert again.status_code == 409 and again.json == {"error": "status_already_set"}


def test_only_our_driver_confirms(partner, commute):
    body = _book(partner)
    response = partner.patch(f"/bookings/{body['id']}", query_string={"status": "CONFIRMED"})
    assert response.status_code == 409
    assert "cannot become CONFIRMED" in response.json["error"]
    assert _seat(body).status == "requested"


def test_a_declined_request_is_cancelled_for_the_partner(partner, commute):
    body = _book(partner)
    bookings.act(booking=_seat(body), action="decline", actor=commute.driver, now=utcnow())
    db.session.commit()
    assert partner.get(f"/bookings/{body['id']}").json["status"] == "CANCELLED"


def test_after_the_ride_a_confirmed_seat_awaits_validation_then_is_validated(partner, commute):
    body = _book(partner)
    seat = _seat(body)
    bookings.act(booking=seat, action="approve", actor=commute.driver, now=utcnow())
    db.session.commit()
    after = seat.occurrence.departs_at + timedelta(hours=2)
    link = services.get_booking(operator=OPERATOR, booking_id=body["id"])
    assert services.current_status(link, utcnow()) == "CONFIRMED"
    assert services.current_status(link, after) == "COMPLETED_PENDING_VALIDATION"
    services.update_status(operator=OPERATOR, booking_id=body["id"], status="VALIDATED", now=after)
    assert services.current_status(link, after) == "VALIDATED"
    assert seat.status == "confirmed" and seat.events[-1].action == "validate"


def test_each_passenger_of_a_partner_is_their_own_external_member(partner, commute, client):
    first = _book(partner)
    second = _book(partner, passenger={"id": "p-77", "operator": OPERATOR, "alias": "Yann", "firstName": "Yann"})
    riders = db.session.scalars(select(ExternalPassenger).order_by(ExternalPassenger.id)).all()
    assert [(p.external_id, p.user.display_name) for p in riders] == [
        ("p-42", f"Nolwenn · {OPERATOR}"),
        ("p-77", f"Yann · {OPERATOR}"),
    ]
    assert partner.get(f"/bookings/{second['id']}").json["passenger"] == second["passenger"]
    for rider in riders:
        user = rider.user
        assert user.status == "external" and user.email.endswith("@interop.invalid")
        assert accounts.authenticate(email=user.email, password="!") is None
        assert not user.is_active
    # The same passenger cannot hold two requests for one day.
    twice = partner.post("/bookings", json=booking_body(_journey(partner)))
    assert twice.status_code == 400 and "already asked" in twice.json["error"]
    assert _seat(first).user_id != _seat(second).user_id


def test_external_passengers_get_no_email_when_the_driver_answers(partner, commute):
    body = _book(partner)
    seat = _seat(body)
    bookings.act(booking=seat, action="approve", actor=commute.driver, now=utcnow())
    db.session.commit()
    assert db.session.scalars(select(OutboxEmail).where(OutboxEmail.user_id == seat.user_id)).all() == []
    assert db.session.scalars(select(OutboxEmail).where(OutboxEmail.user_id == commute.driver_id)).all() != []


def _message_body(journey, **overrides):
    body = {
        "from": {"id": "p-42", "operator": OPERATOR, "alias": "Nolwenn"},
        "to": journey["driver"],
        "message": "Je serai devant la mairie, manteau rouge. 06 12 34 56 78",
        "recipientCarpoolerType": "DRIVER",
        "driverJourneyId": journey["id"],
    }
    body.update(overrides)
    return body


def test_a_message_about_a_booking_joins_its_thread(partner, commute):
    journey = _journey(partner)
    body = _book(partner)
    response = partner.post("/messages", json=_message_body(journey, bookingId=body["id"]))
    assert response.status_code == 201
    seat = _seat(body)
    [message] = db.session.scalars(select(BookingMessage)).all()
    assert (message.booking_id, message.author_id) == (seat.id, seat.user_id)
    assert "manteau rouge" in message.body
    [note] = db.session.scalars(
        select(Notification).where(Notification.user_id == commute.driver_id, Notification.kind == "message")
    ).all()
    assert note.title.startswith(f"Nolwenn · {OPERATOR} wrote to you") and note.link == f"/bookings/{seat.id}"
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "message")).one()
    assert mail.to_address == commute.driver.email

    # Someone else of the partner cannot write in that passenger's thread.
    stranger = _message_body(
        journey, bookingId=body["id"], **{"from": {"id": "p-9", "operator": OPERATOR, "alias": "X"}}
    )
    refused = partner.post("/messages", json=stranger)
    assert refused.status_code == 400 and "from" in refused.json["error"]
    assert len(db.session.scalars(select(BookingMessage)).all()) == 1


def test_a_message_before_booking_reaches_the_driver_inbox_and_mail(partner, commute):
    journey = _journey(partner)
    assert partner.post("/messages", json=_message_body(journey)).status_code == 201
    [note] = db.session.scalars(
        select(Notification).where(Notification.user_id == commute.driver_id, Notification.kind == "interop_message")
    ).all()
    assert note.title == f"Message from Nolwenn · {OPERATOR}"
    assert "manteau rouge" in note.body and note.link == f"/rides/{commute.id}"
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "interop_message")).one()
    assert mail.to_address == commute.driver.email
    assert db.session.scalars(select(BookingMessage)).all() == []


def test_a_message_about_another_drivers_journey_is_refused(partner, commute, make_ride, make_user):
    other = make_ride(driver=make_user(display_name="Anne"), now=utcnow())
    response = partner.post(
        "/messages",
        json={
            "from": {"id": "p-42", "operator": OPERATOR, "alias": "Nolwenn"},
            "to": {"id": str(commute.driver_id), "operator": "127.0.0.1", "alias": "Gaël"},
            "message": "Bonjour",
            "recipientCarpoolerType": "DRIVER",
            "driverJourneyId": f"{other.id}-20301231",
        },
    )
    assert response.status_code == 404 and response.json == {"error": "missing_journey"}


def test_a_partner_flooding_a_thread_is_slowed_down(partner, commute):
    journey = _journey(partner)
    body = _book(partner)
    answers = [
        partner.post("/messages", json=_message_body(journey, bookingId=body["id"], message=f"Message {n}")).status_code
        for n in range(11)
    ]
    assert answers == [201] * 10 + [429]
