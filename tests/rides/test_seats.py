from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import gettext
from sqlalchemy import select

from sharemarket.bookings import services as bookings
from sharemarket.errors import Conflict, InvalidTransition, NotAllowed, SlotFull, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.notifications.models import Notification
from sharemarket.rides import jobs, seats
from sharemarket.rides.models import RideOccurrence, SeatBooking
from tests.rides.conftest import LANESTER, VANNES

WEDNESDAY = date(2026, 12, 2)


def _occurrence(ride, day=WEDNESDAY) -> RideOccurrence:
    return db.session.scalar(
        select(RideOccurrence).where(RideOccurrence.ride_id == ride.id, RideOccurrence.date == day)
    )


def _kinds(user) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id).order_by(Notification.id))
    )


@pytest.fixture
def ride(make_ride):
    return make_ride()


@pytest.fixture
def passenger(make_user):
    return make_user(display_name="Nolwenn")


def _request(ride, passenger, now, **kwargs):
    data = {"ride": ride, "passenger": passenger, "seats": 1, "day": WEDNESDAY, "now": now}
    data.update(kwargs)
    booking = seats.request_seats(**data)
    db.session.commit()
    return booking


def test_request_then_approve_takes_seats_and_tells_both(ride, passenger, now):
    booking = _request(ride, passenger, now, seats=2, pickup=LANESTER, dropoff=VANNES)
    assert booking.status == "requested" and booking.kind == "seat"
    assert booking.respond_by == _occurrence(ride).departs_at  # sooner than 48 hours
    assert booking.starts_at > _occurrence(ride).departs_at
    assert booking.price_cents == 2 * ride.price_cents
    assert _kinds(ride.driver) == ["seat_requested"]
    assert _occurrence(ride).seats_left == 3
    bookings.act(booking=booking, action="approve", actor=ride.driver, now=now)
    db.session.commit()
    assert booking.status == "confirmed"
    assert _occurrence(ride).seats_left == 1
    assert _kinds(passenger) == ["seat_confirmed"]
    assert _occurrence(ride, date(2026, 12, 3)).seats_left == 3  # other days untouched


def test_cancelling_a_confirmed_seat_gives_it_back(ride, passenger, now):
    booking = _request(ride, passenger, now)
    bookings.act(booking=booking, action="approve", actor=ride.driver, now=now)
    bookings.act(booking=booking, action="cancel", actor=passenger, now=now)
    db.session.commit()
    assert booking.status == "cancelled" and _occurrence(ride).seats_left == 3
    assert _kinds(ride.driver) == ["seat_requested", "seat_cancelled"]


def test_the_driver_cancels_a_confirmed_seat_and_the_passenger_is_told(ride, passenger, now):
    booking = _request(ride, passenger, now)
    bookings.act(booking=booking, action="approve", actor=ride.driver, now=now)
    bookings.act(booking=booking, action="cancel", actor=ride.driver, now=now)
    assert _occurrence(ride).seats_left == 3
    assert _kinds(passenger) == ["seat_confirmed", "seat_cancelled"]


def test_declining_keeps_the_seats(ride, passenger, now):
    booking = _request(ride, passenger, now)
    bookings.act(booking=booking, action="decline", actor=ride.driver, now=now)
    assert booking.status == "declined" and _occurrence(ride).seats_left == 3
    assert _kinds(passenger) == ["seat_declined"]


def test_approving_more_than_is_left_is_a_conflict(ride, make_user, now):
    first = _request(ride, make_user(), now, seats=2)
    second = _request(ride, make_user(), now, seats=2)
    bookings.act(booking=first, action="approve", actor=ride.driver, now=now)
    db.session.commit()
    with pytest.raises(SlotFull):
        bookings.act(booking=second, action="approve", actor=ride.driver, now=now)
    db.session.rollback()
    assert _occurrence(ride).seats_left == 1
    assert db.session.get(SeatBooking, second.id).status == "requested"


def test_requests_for_more_seats_than_left_or_offered(ride, make_user, now):
    first = _request(ride, make_user(), now, seats=3)
    bookings.act(booking=first, action="approve", actor=ride.driver, now=now)
    db.session.commit()
    with pytest.raises(SlotFull):
        _request(ride, make_user(), now, seats=1)
    with pytest.raises(ValidationFailed) as excinfo:
        _request(ride, make_user(), now, seats=4, day=date(2026, 12, 3))
    assert "seats" in excinfo.value.errors
    with pytest.raises(ValidationFailed):
        _request(ride, make_user(), now, seats=0, day=date(2026, 12, 3))


def test_a_suspended_drivers_ride_takes_no_request(ride, passenger, now):
    ride.driver.status = "suspended"
    db.session.flush()
    with pytest.raises(Conflict) as refused:
        _request(ride, passenger, now)
    assert refused.value.detail == gettext("The driver does not take passengers at the moment.")
    ride.driver.status = "active"
    db.session.flush()
    assert _request(ride, passenger, now).status == "requested"


@pytest.mark.parametrize(
    ("day", "error"),
    [
        (date(2026, 12, 5), ValidationFailed),  # a Saturday: no occurrence
        (date(2026, 12, 1), ValidationFailed),  # today's 07:45 has left
        (date(2026, 11, 30), ValidationFailed),  # the past
        (None, ValidationFailed),  # a commute needs its date
    ],
)
def test_requests_for_a_day_without_occurrence(ride, passenger, now, day, error):
    with pytest.raises(error) as excinfo:
        _request(ride, passenger, now, day=day)
    assert "date" in excinfo.value.errors
    db.session.rollback()
    assert db.session.scalar(select(SeatBooking.id)) is None


def test_a_day_past_the_horizon_is_created_on_request(ride, passenger, now):
    far = date(2027, 3, 3)
    assert _occurrence(ride, far) is None
    booking = _request(ride, passenger, now, day=far)
    assert booking.occurrence.date == far and booking.occurrence.departs_at == datetime(2027, 3, 3, 6, 45, tzinfo=UTC)


def test_own_ride_twice_cancelled_and_far_pickup_are_refused(ride, passenger, now):
    with pytest.raises(NotAllowed):
        _request(ride, ride.driver, now)
    _request(ride, passenger, now)
    with pytest.raises(Conflict):
        _request(ride, passenger, now)
    db.session.rollback()
    with pytest.raises(ValidationFailed) as excinfo:
        _request(ride, passenger, now, day=date(2026, 12, 3), pickup=Place(48.1173, -1.6778, "Rennes"))
    assert "pickup" in excinfo.value.errors
    with pytest.raises(ValidationFailed):
        _request(ride, passenger, now, day=date(2026, 12, 3), pickup=Place(91, 0))
    with pytest.raises(ValidationFailed):
        _request(ride, passenger, now, day=date(2026, 12, 3), pickup=LANESTER, dropoff=LANESTER)


def test_a_cancelled_day_takes_no_request_and_cancels_its_bookings(ride, passenger, make_user, now):
    from sharemarket.rides import services

    confirmed = _request(ride, passenger, now)
    bookings.act(booking=confirmed, action="approve", actor=ride.driver, now=now)
    waiting = _request(ride, make_user(), now)
    services.cancel_occurrence(ride=ride, day=WEDNESDAY, actor=ride.driver, now=now)
    db.session.commit()
    assert (confirmed.status, waiting.status) == ("cancelled", "declined")
    assert _occurrence(ride).seats_left == 3
    with pytest.raises(Conflict):
        _request(ride, make_user(), now)


def test_no_approval_or_cancellation_after_departure(ride, passenger, now):
    booking = _request(ride, passenger, now)
    later = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    with pytest.raises(InvalidTransition):
        bookings.act(booking=booking, action="approve", actor=ride.driver, now=later)


def test_the_booking_engine_lists_seats_for_both_sides(ride, passenger, now):
    booking = _request(ride, passenger, now)
    mine = db.session.scalars(bookings.list_query(user=passenger, role="mine", status=None)).all()
    handled = db.session.scalars(bookings.list_query(user=ride.driver, role="to_handle", status=None)).all()
    assert mine == [booking] and handled == [booking]
    assert bookings.get_visible(booking_id=booking.id, user=ride.driver) is booking


def test_impact_is_recorded_when_the_ride_has_happened(ride, passenger, make_user, now):
    confirmed = _request(ride, passenger, now, seats=2, pickup=LANESTER, dropoff=VANNES)
    bookings.act(booking=confirmed, action="approve", actor=ride.driver, now=now)
    unanswered = _request(ride, make_user(), now)
    db.session.commit()
    after = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    summary = jobs.close_past(after)
    assert summary["closed"] == 1 and summary["expired"] == 1
    assert unanswered.status == "expired"
    assert confirmed.shared_km == pytest.approx(2 * 45.0, rel=0.05)
    assert confirmed.co2_kg == pytest.approx(confirmed.shared_km * 0.193, rel=1e-3)
    assert jobs.close_past(after) == {"closed": 0, "expired": 0, "shared_km": 0}
    totals = seats.impact_totals(passenger.id)
    assert totals["trips"] == 1 and totals["shared_km"] == pytest.approx(confirmed.shared_km, abs=0.1)
    assert seats.impact_totals(ride.driver_id) == totals
    assert seats.impact_totals(make_user().id) == {"trips": 0, "shared_km": 0, "co2_kg": 0}


def test_the_co2_factor_is_configurable(app, ride, passenger, now):
    app.config["RIDES_CO2_KG_PER_PASSENGER_KM"] = 0.1
    try:
        booking = _request(ride, passenger, now, pickup=LANESTER, dropoff=VANNES)
        bookings.act(booking=booking, action="approve", actor=ride.driver, now=now)
        jobs.close_past(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
        assert booking.co2_kg == pytest.approx(booking.shared_km * 0.1, rel=1e-3)
    finally:
        del app.config["RIDES_CO2_KG_PER_PASSENGER_KM"]


def test_unanswered_requests_expire_by_their_deadline(ride, passenger, now):
    booking = _request(ride, passenger, now, day=date(2026, 12, 9))
    assert jobs.close_past(now + timedelta(hours=47))["expired"] == 0
    assert jobs.close_past(now + timedelta(hours=48))["expired"] == 1
    assert booking.status == "expired" and _kinds(passenger) == ["seat_expired"]


def test_reminders_go_once_two_hours_before(ride, passenger, now):
    booking = _request(ride, passenger, now)
    bookings.act(booking=booking, action="approve", actor=ride.driver, now=now)
    db.session.commit()
    departs = _occurrence(ride).departs_at
    assert jobs.remind_departures(departs - timedelta(hours=3)) == {"reminders": 0}
    assert jobs.remind_departures(departs - timedelta(hours=2)) == {"reminders": 2}
    assert jobs.remind_departures(departs - timedelta(minutes=30)) == {"reminders": 0}
    assert _kinds(passenger).count("ride_reminder") == 1 and _kinds(ride.driver).count("ride_reminder") == 1


def test_closing_an_account_withdraws_what_lies_ahead_and_blurs_the_past(ride, passenger, make_user, now):
    from sharemarket.accounts import services as accounts

    booking = _request(ride, passenger, now, pickup=LANESTER, dropoff=VANNES)
    bookings.act(booking=booking, action="approve", actor=ride.driver, now=now)
    other = make_user()
    elsewhere = make_ride_for(other, now)
    theirs = _request(elsewhere, ride.driver, now)
    exported = accounts.export_personal_data(user=ride.driver)["rides"]
    assert [r["id"] for r in exported["offered"]] == [ride.id]
    assert [s["id"] for s in exported["seats"]] == [theirs.id]
    accounts.delete_account(user=ride.driver, now=now)
    db.session.commit()
    assert ride.status == "cancelled" and booking.status == "cancelled" and theirs.status == "cancelled"
    assert "seat_cancelled" in _kinds(passenger) and "seat_cancelled" in _kinds(other)
    assert ride.origin_label is None and ride.origin_lat != 47.8050
    assert theirs.pickup_label is None


def make_ride_for(driver, now):
    from sharemarket.rides import rules, services
    from tests.rides.conftest import AURAY, WEEKDAYS

    ride = services.publish_ride(
        driver=driver,
        origin=AURAY,
        destination=VANNES,
        seats=2,
        recurrence=rules.Recurrence(WEEKDAYS, rules.parse_local_time("08:00"), None),
        now=now,
    )
    db.session.commit()
    return ride


def test_closing_works_through_every_batch(ride, now, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    week_later = now + timedelta(days=7)
    assert jobs.close_past(week_later)["closed"] == 4  # Wednesday to Monday; Tuesday 07:45 is not 6 h past
    assert jobs.close_past(week_later)["closed"] == 0
