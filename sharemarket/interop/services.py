"""Bookings and messages from partner operators, through our own seat and booking services.

A partner's passenger books one seat (the standard's Booking has no seat count) on one day of
a ride (the driver journey's id). The seat request is an ordinary one: the driver is told and
accepts or declines it in our pages or API; the partner follows it with GET /bookings/{id}.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sharemarket.accounts.models import User
from sharemarket.accounts.rules import NAME_MAX, clean_text
from sharemarket.bookings import messages as booking_messages
from sharemarket.bookings import services as bookings
from sharemarket.errors import Conflict, NotFound, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.interop import rules
from sharemarket.interop.models import ExternalPassenger, InteropBooking
from sharemarket.interop.operators import our_operator_id
from sharemarket.interop.schemas import BookingIn, MessageIn, UserIn
from sharemarket.notifications.services import notify
from sharemarket.rides import seats
from sharemarket.rides.models import Ride, SeatBooking

# RFC 2606 reserves .invalid: these addresses can never receive mail.
EXTERNAL_EMAIL_DOMAIN = "interop.invalid"
EXTERNAL_STATUS = "external"
# A password hash that no password matches (werkzeug refuses a hash without a method).
NO_PASSWORD = "!"


def _display_name(alias: str, operator: str) -> str:
    """What our drivers see: the partner's alias for the person, and the partner's name."""
    alias = " ".join(clean_text(alias, NAME_MAX).split()) or "?"
    return f"{alias[:30]} · {operator}"[:NAME_MAX]


def external_passenger(*, operator: str, person: UserIn, now: datetime) -> ExternalPassenger:
    """The partner's passenger, created on first sight with a user that cannot log in; their
    alias and profile follow what the partner last sent."""
    profile = person.model_dump(exclude={"id"}, exclude_none=True)
    query = select(ExternalPassenger).where(
        ExternalPassenger.operator == operator, ExternalPassenger.external_id == person.id
    )
    passenger = db.session.scalar(query)
    if passenger is None:
        address = f"{uuid.uuid4().hex}@{EXTERNAL_EMAIL_DOMAIN}"
        user = User(
            email=address,
            email_key=address,
            password_hash=NO_PASSWORD,
            display_name=_display_name(person.alias, operator),
            bio="",
            locale=current_app.config["BABEL_DEFAULT_LOCALE"],
            status=EXTERNAL_STATUS,
            created_at=now,
            updated_at=now,
            password_changed_at=now,
        )
        try:
            with db.session.begin_nested():
                passenger = ExternalPassenger(
                    operator=operator, external_id=person.id, user=user, profile=profile, created_at=now, updated_at=now
                )
                db.session.add_all([user, passenger])
            return passenger
        except IntegrityError:  # the same passenger's first booking, at the same moment
            passenger = db.session.scalar(query)
    if passenger.profile != profile:
        passenger.profile = profile
        passenger.user.display_name = _display_name(person.alias, operator)
        passenger.updated_at = now
    return passenger


def _journey_ride(journey_id: str | None) -> tuple[Ride, object]:
    parsed = rules.parse_journey_id(journey_id)
    if parsed is None:
        raise NotFound("missing_journey")
    ride = db.session.get(Ride, parsed[0])
    if ride is None:
        raise NotFound("missing_journey")
    return ride, parsed[1]


def create_booking(*, operator: str, data: BookingIn, now: datetime) -> InteropBooking:
    """Ask the driver for a seat for the partner's passenger, under the partner's booking id."""
    if data.status != "WAITING_CONFIRMATION":
        raise ValidationFailed.field("status", _l("A new booking is WAITING_CONFIRMATION."))
    if data.driverJourneyId is None:
        raise ValidationFailed.field(
            "driverJourneyId", _l("Give the id of the driver journey (from /driver_journeys) to book.")
        )
    booking_id = str(data.id)
    if db.session.scalar(select(InteropBooking.id).where(InteropBooking.uuid == booking_id)) is not None:
        raise Conflict(_l("A booking with this id already exists."))
    ride, day = _journey_ride(data.driverJourneyId)
    if data.driver.operator != our_operator_id() or data.driver.id != str(ride.driver_id):
        raise ValidationFailed.field("driver", _l("This is not the driver of that journey."))
    passenger = external_passenger(operator=operator, person=data.passenger, now=now)
    seat = seats.request_seats(
        ride=ride,
        passenger=passenger.user,
        seats=1,
        day=day,
        pickup=Place(data.passengerPickupLat, data.passengerPickupLng, data.passengerPickupAddress),
        dropoff=Place(data.passengerDropLat, data.passengerDropLng, data.passengerDropAddress),
        now=now,
    )
    link = InteropBooking(
        uuid=booking_id,
        operator=operator,
        booking_id=seat.id,
        passenger=passenger,
        driver_journey_id=data.driverJourneyId,
        passenger_journey_id=data.passengerJourneyId,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError:  # the same booking posted twice at once: the first one stands
        raise Conflict(_l("A booking with this id already exists.")) from None
    return link


def get_booking(*, operator: str, booking_id: str) -> InteropBooking:
    """One of this operator's bookings; another operator's is as missing as an unknown one."""
    link = db.session.scalar(
        select(InteropBooking).where(InteropBooking.uuid == booking_id, InteropBooking.operator == operator)
    )
    if link is None:
        raise NotFound("missing_booking")
    return link


def current_status(link: InteropBooking, now: datetime) -> str:
    seat: SeatBooking = link.booking
    return rules.standard_status(seat.status, seat.occurrence.departs_at <= now, link.validated_at is not None)


def update_status(
    *, operator: str, booking_id: str, status: str, now: datetime, message: str | None = None
) -> InteropBooking:
    """The partner moves its booking: its passenger cancels, or the ride is validated."""
    link = get_booking(operator=operator, booking_id=booking_id)
    current = current_status(link, now)
    action = rules.patch_action(current, status)
    if action == rules.ALREADY:
        raise Conflict("status_already_set")
    if action is None:
        raise Conflict(_l("A %(current)s booking cannot become %(target)s.", current=current, target=status))
    seat = link.booking
    if action == "cancel":
        bookings.act(booking=seat, action="cancel", actor=link.passenger.user, now=now)
    else:
        link.validated_at = now
        bookings.record(seat, "validate", seat.status, link.passenger.user_id, now, note=f"interop:{operator}")
        db.session.flush()
    if message:
        booking_messages.post_message(booking=seat, author=link.passenger.user, body=message, now=now)
    return link


def _tell(*, recipient: User, sender: str, operator: str, text: str, link: str | None, now: datetime) -> None:
    notify(
        user=recipient,
        kind="interop_message",
        title=_l("Message from %(name)s", name=sender),
        body=_l(
            "%(message)s\n\n(Sent through %(operator)s: answer with the contact details in the message, "
            "or through %(operator)s.)",
            message=clean_text(text, 500),
            operator=operator,
        ),
        now=now,
        link=link,
    )


def _recipient(person: UserIn) -> User:
    user = None
    if person.operator == our_operator_id() and person.id.isdigit() and len(person.id) < 12:
        user = db.session.get(User, int(person.id))
    if user is None or user.status != "active":
        raise NotFound("missing_user")
    return user


def send_message(*, operator: str, data: MessageIn, now: datetime) -> None:
    """A partner's user writes to one of ours (a driver, usually). About one of the partner's
    bookings, it joins that booking's message thread, written by the booking's passenger;
    otherwise (a journey not booked yet) it is an inbox line and an e-mail."""
    recipient = _recipient(data.to)
    link = None
    if data.driverJourneyId is not None:
        ride, _day = _journey_ride(data.driverJourneyId)
        if ride.driver_id != recipient.id:
            raise NotFound("missing_journey")
        link = seats.ride_path(ride.id)
    if data.passengerJourneyId is not None:
        raise NotFound("missing_journey")  # we publish no passenger journeys
    if data.bookingId is not None:
        booked = get_booking(operator=operator, booking_id=str(data.bookingId))
        if recipient.id != booked.booking.ride.driver_id:
            raise NotFound("missing_booking")
        if data.from_.id != booked.passenger.external_id:
            raise ValidationFailed.field("from", _l("Only the booking's passenger writes in its thread."))
        booking_messages.post_message(booking=booked.booking, author=booked.passenger.user, body=data.message, now=now)
        return
    sender = _display_name(data.from_.alias, operator)
    _tell(recipient=recipient, sender=sender, operator=operator, text=data.message, link=link, now=now)
