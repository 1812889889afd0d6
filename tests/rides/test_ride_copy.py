"""The copy of each ride (and its driver's standing) on its occurrences follows every write, from
the services or straight to the tables, as the database's triggers promise (`ride_copy`)."""

from datetime import timedelta

from sqlalchemy import select, update

from sharemarket.accounts.models import User
from sharemarket.extensions import db
from sharemarket.geo import distance_km
from sharemarket.rides import ride_copy, services
from sharemarket.rides.models import Ride, RideOccurrence
from tests.rides.conftest import AURAY, LORIENT, VANNES
from tests.rides.test_search import _result


def _copies() -> dict[int, tuple]:
    """Occurrence id → (its copy, what the copy should be from its ride and driver)."""
    o = RideOccurrence.__table__.c
    r = Ride.__table__.c
    copied = [o[name] for name in (*ride_copy.COLUMNS, "searchable")]
    source = [r[name] for name in ride_copy.COLUMNS]
    statement = (
        select(o.id, *copied, *source, r.status, r.hidden_at, User.status)
        .join(Ride, Ride.id == o.ride_id)
        .join(User, User.id == r.driver_id)
    )
    found = {}
    n, m = len(copied), len(source)
    for row in db.session.execute(statement):
        ride_status, hidden_at, driver_status = row[-3:]
        searchable = ride_status == "active" and hidden_at is None and driver_status == "active"
        found[row[0]] = (tuple(row[1 : 1 + n]), (*row[1 + n : 1 + n + m], searchable))
    return found


def _assert_copies_follow() -> dict[int, tuple]:
    db.session.flush()
    copies = _copies()
    assert copies
    assert {id_: got for id_, (got, _) in copies.items()} == {id_: want for id_, (_, want) in copies.items()}
    return copies


def _searchable(ride: Ride) -> set:
    statement = select(RideOccurrence.searchable).where(RideOccurrence.ride_id == ride.id)
    return set(db.session.scalars(statement))


def test_occurrences_take_their_rides_copy_when_published_and_extended(make_ride, now):
    ride = make_ride(max_detour_km=12)
    one_off = make_ride(departure_at=now + timedelta(days=2), destination=AURAY)
    copies = _assert_copies_follow()
    occurrence_ids = {o.id for o in services.upcoming_occurrences(ride, now)}
    assert occurrence_ids <= copies.keys()
    first = copies[min(occurrence_ids)][0]
    assert first[ride_copy.COLUMNS.index("max_detour_km")] == 12
    assert first[ride_copy.COLUMNS.index("driver_id")] == ride.driver_id
    assert first[-1] is True
    assert _searchable(one_off) == {True}

    services.extend_ride(ride, now + timedelta(days=40))
    grown = _assert_copies_follow()
    assert len(grown) > len(copies)


def test_cancelling_hiding_and_suspending_take_rides_out_of_the_copy_and_back(make_ride, make_user, now):
    ride = make_ride(max_detour_km=12)
    other = make_ride(max_detour_km=12, driver=make_user(display_name="Other"))

    ride.hidden_at = now
    _assert_copies_follow()
    assert _searchable(ride) == {False} and _searchable(other) == {True}
    ride.hidden_at = None
    _assert_copies_follow()
    assert _searchable(ride) == {True}

    ride.driver.status = "suspended"
    _assert_copies_follow()
    assert _searchable(ride) == {False} and _searchable(other) == {True}
    ride.driver.status = "active"
    _assert_copies_follow()
    assert _searchable(ride) == {True}

    services.cancel_ride(ride=ride, actor=ride.driver, now=now)
    _assert_copies_follow()
    assert _searchable(ride) == {False} and _searchable(other) == {True}


def test_a_deleted_accounts_rides_leave_the_search(make_ride, now):
    from sharemarket.accounts.services import delete_account

    ride = make_ride(max_detour_km=12)
    assert [m.ride_id for m in _result(now).matches] == [ride.id]
    delete_account(user=ride.driver, now=now)
    _assert_copies_follow()
    assert _result(now).matches == []


def test_writes_straight_to_the_tables_are_followed_too(make_ride, make_user, now):
    """An operator's or a migration's UPDATE, not only the ORM's: the search sees the new ride."""
    ride = make_ride(max_detour_km=12)
    assert [m.ride_id for m in _result(now).matches] == [ride.id]
    # The ride now starts in Auray, past the passenger's start in Lanester on the way to Vannes.
    db.session.execute(
        update(Ride)
        .where(Ride.id == ride.id)
        .values(
            origin_lat=AURAY.lat,
            origin_lng=AURAY.lng,
            distance_km=distance_km(AURAY.lat, AURAY.lng, VANNES.lat, VANNES.lng),
            max_detour_km=2,
        )
    )
    _assert_copies_follow()
    assert _result(now).matches == []
    db.session.execute(update(User).where(User.id == ride.driver_id).values(status="suspended"))
    _assert_copies_follow()
    assert _searchable(ride) == {False}

    community_ride = make_ride(origin=LORIENT, max_detour_km=12)
    db.session.execute(
        update(Ride).where(Ride.id == community_ride.id).values(community_id=None, driver_id=ride.driver_id)
    )
    _assert_copies_follow()
    assert _searchable(community_ride) == {False}
