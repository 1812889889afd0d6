import math
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from sharemarket.errors import Conflict, NotAllowed, ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.rides import privacy, rules, services
from sharemarket.rides.models import Ride, RideOccurrence
from tests.rides.conftest import HENNEBONT, VANNES, WEEKDAYS


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _errors(excinfo) -> set[str]:
    return set(excinfo.value.errors)


def test_a_weekday_commute_gets_occurrences_over_the_horizon(make_ride, now):
    ride = make_ride()
    days = db.session.scalars(select(RideOccurrence.date).where(RideOccurrence.ride_id == ride.id)).all()
    # 2026-12-01 is a Tuesday, 10:00 in Paris: today's 07:45 has left; 8 weeks of weekdays follow.
    assert days[0] == date(2026, 12, 2)
    assert all(day.weekday() < 5 for day in days)
    assert len(days) == 40  # through 2027-01-26, today + 56 days
    assert ride.departure_at == datetime(2026, 12, 2, 6, 45, tzinfo=UTC)
    assert ride.price_cents == services.price_bounds(ride.distance_km)[0]
    assert ride.max_detour_km == rules.DEFAULT_DETOUR_KM
    occurrence = db.session.scalar(select(RideOccurrence).where(RideOccurrence.ride_id == ride.id))
    assert occurrence.seats == occurrence.seats_left == 3
    assert occurrence.min_lat < VANNES.lat < HENNEBONT.lat < occurrence.max_lat


def test_the_commute_leaves_at_the_same_local_time_across_dst(make_ride, now):
    ride = make_ride(recurrence=rules.Recurrence(WEEKDAYS, time(7, 45), date(2027, 3, 22), date(2027, 4, 2)))
    occurrences = {
        o.date: o.departs_at
        for o in db.session.scalars(select(RideOccurrence).where(RideOccurrence.ride_id == ride.id))
    }
    assert occurrences == {}  # beyond the 8-week horizon: the job creates them later
    services.extend_occurrences(now=datetime(2027, 3, 20, 9, tzinfo=UTC))
    db.session.flush()
    departures = dict(
        db.session.execute(
            select(RideOccurrence.date, RideOccurrence.departs_at).where(RideOccurrence.ride_id == ride.id)
        ).all()
    )
    assert departures[date(2027, 3, 26)] == datetime(2027, 3, 26, 6, 45, tzinfo=UTC)  # CET
    assert departures[date(2027, 3, 29)] == datetime(2027, 3, 29, 5, 45, tzinfo=UTC)  # CEST
    assert len(departures) == 10


def test_skipped_days_have_no_occurrence(make_ride):
    christmas = date(2026, 12, 25)
    ride = make_ride(recurrence=rules.Recurrence(WEEKDAYS, time(7, 45), None, None, frozenset({christmas})))
    days = set(db.session.scalars(select(RideOccurrence.date).where(RideOccurrence.ride_id == ride.id)))
    assert christmas not in days and date(2026, 12, 24) in days
    assert ride.skip_dates == ["2026-12-25"]


def test_a_one_off_ride_has_one_occurrence(make_ride, now):
    ride = make_ride(departure_at=datetime(2026, 12, 5, 8, 0, tzinfo=UTC), seats=2)
    occurrences = db.session.scalars(select(RideOccurrence).where(RideOccurrence.ride_id == ride.id)).all()
    assert [(o.date, o.departs_at, o.seats_left) for o in occurrences] == [
        (date(2026, 12, 5), datetime(2026, 12, 5, 8, 0, tzinfo=UTC), 2)
    ]
    assert not ride.is_commute and ride.recurrence is None


def test_extending_is_idempotent_and_moves_with_time(make_ride, now):
    ride = make_ride()
    before = _count(RideOccurrence)
    assert services.extend_occurrences(now=now)["occurrences"] == 0
    assert _count(RideOccurrence) == before
    later = now + timedelta(days=7)
    assert services.extend_occurrences(now=later)["occurrences"] == 5
    assert services.extend_occurrences(now=later)["occurrences"] == 0
    assert ride.materialised_until == date(2027, 2, 2)


def test_a_commute_that_ended_is_not_extended(make_ride, now):
    make_ride(recurrence=rules.Recurrence(WEEKDAYS, time(7, 45), None, date(2026, 12, 11)))
    assert _count(RideOccurrence) == 8
    assert services.extend_occurrences(now=now + timedelta(days=30)) == {"rides": 0, "occurrences": 0}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"destination": HENNEBONT}, "destination"),
        ({"destination": Place(47.8051, -3.2771)}, "destination"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"max_detour_km": -1}, "max_detour_km"),
        ({"max_detour_km": 500}, "max_detour_km"),
        ({"max_detour_km": math.inf}, "max_detour_km"),
        ({"max_detour_km": math.nan}, "max_detour_km"),
        ({"origin": Place(91, 0)}, "origin"),
        ({"destination": Place(47, -181)}, "destination"),
        ({"price_cents": -1}, "price_cents"),
        ({"price_cents": 5000}, "price_cents"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"note": "x" * 501}, "note"),
        ({"preferences": rules.Preferences(luggage="piano")}, "preferences.luggage"),
        ({"recurrence": rules.Recurrence((0, 7), time(7, 45), None)}, "recurrence.weekdays"),
        ({"recurrence": rules.Recurrence((-1,), time(7, 45), None)}, "recurrence.weekdays"),
        ({"recurrence": rules.Recurrence((), time(7, 45), None)}, "recurrence.weekdays"),
        ({"recurrence": rules.Recurrence(WEEKDAYS, None, None)}, "recurrence.time"),
        ({"recurrence": rules.Recurrence(WEEKDAYS, time(7, 45), date(2026, 11, 30))}, "recurrence.from"),
        (
            {"recurrence": rules.Recurrence(WEEKDAYS, time(7, 45), date(2026, 12, 10), date(2026, 12, 9))},
            "recurrence.until",
        ),
        ({"recurrence": rules.Recurrence((6,), time(7, 45), date(2026, 12, 7), date(2026, 12, 12))}, "recurrence"),
        ({"departure_at": datetime(2026, 12, 1, 8, 0, tzinfo=UTC)}, "departure_at"),
        ({"departure_at": datetime(2026, 12, 5, 8, 0)}, "departure_at"),
        ({"departure_at": datetime(2028, 12, 5, 8, 0, tzinfo=UTC)}, "departure_at"),
        ({"departure_at": None}, "departure_at"),
    ],
)
def test_bad_offers_are_refused_and_change_nothing(make_ride, make_user, overrides, field):
    driver = make_user()
    with pytest.raises(ValidationFailed) as excinfo:
        make_ride(driver=driver, **overrides)
    db.session.rollback()
    assert field in _errors(excinfo)
    assert _count(Ride) == 0 and _count(RideOccurrence) == 0


def test_price_within_the_ceiling_is_kept(make_ride):
    ride = make_ride(price_cents=0)
    assert ride.price_cents == 0
    suggested, ceiling = services.price_bounds(ride.distance_km)
    assert make_ride(price_cents=ceiling).price_cents == ceiling
    assert 0 < suggested < ceiling


def test_the_driver_cancels_one_day_then_the_whole_ride(make_ride, make_user, now):
    ride = make_ride()
    day = date(2026, 12, 3)
    occurrence = services.cancel_occurrence(ride=ride, day=day, actor=ride.driver, now=now)
    assert occurrence.cancelled and "2026-12-03" in ride.skip_dates
    far = date(2027, 3, 3)  # beyond the horizon: remembered as skipped
    assert services.cancel_occurrence(ride=ride, day=far, actor=ride.driver, now=now) is None
    assert not rules.runs_on(ride.recurrence, far)
    with pytest.raises(ValidationFailed):
        services.cancel_occurrence(ride=ride, day=date(2026, 12, 5), actor=ride.driver, now=now)  # a Saturday
    with pytest.raises(NotAllowed):
        services.cancel_occurrence(ride=ride, day=date(2026, 12, 4), actor=make_user(), now=now)
    services.cancel_ride(ride=ride, actor=ride.driver, now=now)
    assert ride.status == "cancelled"
    ahead = db.session.scalars(select(RideOccurrence).where(RideOccurrence.ride_id == ride.id)).all()
    assert all(o.cancelled for o in ahead)
    with pytest.raises(Conflict):
        services.cancel_ride(ride=ride, actor=ride.driver, now=now)


def test_strangers_see_the_start_within_200_m(make_ride, make_user):
    ride = make_ride()
    assert privacy.sees_exact_places(ride, ride.driver_id)
    assert not privacy.sees_exact_places(ride, make_user().id)
    assert not privacy.sees_exact_places(ride, None)
    shown = privacy.shown_place(ride.origin, ride.id, exact=False)
    assert shown != ride.origin
    from sharemarket.geo import distance_km

    assert distance_km(shown.lat, shown.lng, ride.origin_lat, ride.origin_lng) < 0.25
