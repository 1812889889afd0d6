import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from sharemarket.errors import ValidationFailed
from sharemarket.extensions import db
from sharemarket.geo import Place, fast_distance_km
from sharemarket.rides import rules, search
from sharemarket.rides.models import Ride, RideOccurrence
from tests.rides.conftest import AURAY, HENNEBONT, LANESTER, LORIENT, QUIMPERLE, VANNES

MORNING = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # Wednesday 07:00 in Paris


def _result(now, origin=LANESTER, destination=VANNES, after=MORNING, hours=3, seats=1, **kwargs):
    return search.search(
        origin=origin,
        destination=destination,
        depart_after=after,
        depart_before=after + timedelta(hours=hours),
        seats=seats,
        now=now,
        **kwargs,
    )


def _search(now, **kwargs):
    return _result(now, **kwargs).matches


def test_finds_a_commute_passing_near_the_passenger(make_ride, now):
    ride = make_ride(max_detour_km=12)
    result = _result(now)
    assert [m.ride_id for m in result.matches] == [ride.id]
    match = result.shown()[0]
    assert match.departs_at == datetime(2026, 12, 2, 6, 45, tzinfo=UTC)
    assert match.pickup_at > match.departs_at
    assert match.detour_km == pytest.approx(9.9, abs=0.1)
    assert match.pickup_km == 0 and match.dropoff_km == 0
    assert match.pickup == LANESTER and match.occurrence.ride is ride


def test_rides_too_far_the_wrong_way_or_outside_the_window_are_not_found(make_ride, now):
    make_ride(max_detour_km=5)  # Lanester costs 9.9 km
    make_ride(origin=VANNES, destination=HENNEBONT)  # the other way
    make_ride(origin=QUIMPERLE, destination=LORIENT)  # elsewhere
    assert _search(now) == []
    assert _search(now, after=MORNING + timedelta(hours=2), hours=4, destination=VANNES) == []


def test_window_bounds_are_inclusive_and_past_departures_excluded(make_ride, now):
    ride = make_ride()
    leaves = datetime(2026, 12, 2, 6, 45, tzinfo=UTC)
    assert [m.ride_id for m in _search(now, after=leaves, hours=0)] == [ride.id]
    assert _search(now, after=leaves + timedelta(seconds=1), hours=0) == []
    assert _search(leaves + timedelta(minutes=1), after=leaves - timedelta(hours=1), hours=1) == []


def test_seats_left_and_cancelled_days_count(make_ride, now):
    ride = make_ride(seats=2)
    assert _search(now, seats=2)
    assert _search(now, seats=3) == []
    occurrence = (
        db.session.query(RideOccurrence)
        .filter_by(ride_id=ride.id, departs_at=datetime(2026, 12, 2, 6, 45, tzinfo=UTC))
        .one()
    )
    occurrence.cancelled = True
    db.session.flush()
    assert _search(now) == []


def test_the_driver_does_not_find_their_own_ride(make_ride, now):
    ride = make_ride()
    assert _search(now, exclude_driver_id=ride.driver_id) == []


def test_a_carpool_area_rescues_a_ride_the_door_would_miss(make_ride, carpool_areas, now):
    ride = make_ride(max_detour_km=6)
    result = _result(now)
    matches = result.shown()
    assert [m.ride_id for m in matches] == [ride.id]
    match = matches[0]
    assert match.pickup_point is not None and match.pickup_point.ref == "56094-C-001"  # Kergo-Kernous, Kervignac
    assert match.pickup_km == pytest.approx(4.1, abs=0.1)
    assert match.detour_km < 6
    assert match.pickup.label == match.pickup_point.name
    start, end = result.nearest_areas()
    assert start[0].town == "LANESTER" and start[1] < 2.5
    assert end[0].town == "VANNES"


def test_the_door_wins_when_the_area_saves_less_than_it_costs(make_ride, carpool_areas, now):
    ride = make_ride(origin=LORIENT, max_detour_km=6)  # Lorient → Vannes passes by Lanester
    match = _result(now).shown()[0]
    assert match.ride_id == ride.id and match.pickup_point is None and match.pickup_km == 0


def test_ranking_puts_the_smaller_detour_first(make_ride, now):
    far = make_ride(origin=QUIMPERLE, max_detour_km=20)
    near = make_ride(origin=LORIENT)
    assert [m.ride_id for m in _search(now)] == [near.id, far.id]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"destination": LANESTER}, "to"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"hours": -1}, "depart_before"),
        ({"hours": 24 * 7 + 1}, "depart_before"),
        ({"origin": Place(95, 0)}, "from"),
        ({"destination": Place(47, 200)}, "to"),
    ],
)
def test_bad_searches_are_refused(now, kwargs, field):
    with pytest.raises(ValidationFailed) as excinfo:
        _search(now, **kwargs)
    assert field in excinfo.value.errors


def test_a_week_long_window_is_allowed(make_ride, now):
    make_ride()
    assert len(_search(now, hours=24 * 7)) == 5


def test_the_index_never_drops_a_ride_a_full_scan_would_find(make_ride, make_user, now):
    """Random one-off rides across southern Brittany: the indexed search returns exactly what
    checking every occurrence in Python returns."""
    rng = random.Random(7)
    towns = [HENNEBONT, LANESTER, LORIENT, VANNES, AURAY, QUIMPERLE, Place(47.6, -3.2), Place(47.9, -2.9)]
    driver = make_user()
    for _ in range(60):
        a, b = rng.sample(towns, 2)
        jitter = lambda p: Place(p.lat + rng.uniform(-0.05, 0.05), p.lng + rng.uniform(-0.07, 0.07))  # noqa: E731
        make_ride(
            driver=driver,
            origin=jitter(a),
            destination=jitter(b),
            departure_at=MORNING + timedelta(minutes=rng.randrange(0, 180)),
            max_detour_km=rng.choice([0, 2, 5, 10, 20]),
        )
    occurrences = db.session.query(RideOccurrence).all()
    hits = 0
    for _ in range(15):
        a, b = rng.sample(towns, 2)
        origin, destination = jitter(a), jitter(b)
        found = {m.occurrence_id for m in _search(now, origin=origin, destination=destination)}
        scanned = {
            o.id
            for o in occurrences
            if rules.detour_km(
                (o.ride.origin_lat, o.ride.origin_lng),
                (origin.lat, origin.lng),
                (destination.lat, destination.lng),
                (o.ride.destination_lat, o.ride.destination_lng),
            )
            <= o.ride.max_detour_km * search.FAST_SLACK + 0.01
        }
        assert found == scanned
        hits += len(found)
    assert hits > 10


def test_rides_dropped_for_their_heading_are_only_ones_that_could_never_match(make_ride, make_user, carpool_areas, now):
    """Random rides (short and long, any detour allowed) and searches around southern Brittany,
    with carpool areas: the search with the heading filter in SQL finds exactly the matches, in
    the same order and with the same figures, as with the filter off (every heading 0), while
    the filter does drop candidates."""
    rng = random.Random(11)
    driver = make_user()

    def anywhere():
        return Place(rng.uniform(47.3, 48.6), rng.uniform(-4.6, -1.6))

    for _ in range(150):
        origin = anywhere()
        destination = (
            anywhere()
            if rng.random() < 0.5
            else Place(origin.lat + rng.uniform(-0.2, 0.2), origin.lng + rng.uniform(-0.3, 0.3))
        )
        make_ride(
            driver=driver,
            origin=origin,
            destination=destination,
            departure_at=MORNING + timedelta(minutes=rng.randrange(0, 180)),
            max_detour_km=rng.choice([0, 2, 5, 10, 20, 50]),
        )
    towns = [HENNEBONT, LANESTER, LORIENT, VANNES, AURAY, QUIMPERLE]
    queries = []
    for _ in range(40):
        a, b = rng.sample(towns, 2) if rng.random() < 0.5 else (anywhere(), anywhere())
        queries.append((Place(a.lat + rng.uniform(-0.05, 0.05), a.lng + rng.uniform(-0.07, 0.07)), b))

    def run():
        found, candidates = [], 0
        for origin, destination in queries:
            result = _result(now, origin=origin, destination=destination)
            found.append(result.matches)
            statement = search.candidate_query(
                result.pickups, result.dropoffs, MORNING, MORNING + timedelta(hours=3), 1, now
            )
            candidates += len(db.session.execute(statement).all())
        return found, candidates

    filtered, fewer = run()
    db.session.execute(update(Ride).values(heading_per_lat=0, heading_per_lng=0, heading_slack_km=0))
    unfiltered, more = run()
    assert filtered == unfiltered
    assert sum(map(len, filtered)) > 20
    assert fewer < more


def test_the_heading_never_drops_a_ride_the_quick_rejection_keeps():
    """`rules.Heading`'s bound on random rides and passengers' options, as the SQL applies it."""
    rng = random.Random(5)
    kept = dropped = 0
    for _ in range(20000):
        lat = rng.uniform(-70, 70)
        origin = (lat, rng.uniform(-180, 180))
        span = rng.choice([0.01, 0.1, 0.5, 1.5])
        destination = (origin[0] + rng.uniform(-span, span), origin[1] + rng.uniform(-span, span))
        a = (origin[0] + rng.uniform(-2 * span, 2 * span), origin[1] + rng.uniform(-2 * span, 2 * span))
        b = (a[0] + rng.uniform(-span, span), a[1] + rng.uniform(-span, span))
        near = lambda p: (p[0] + rng.uniform(-0.05, 0.05), p[1] + rng.uniform(-0.05, 0.05))  # noqa: E731
        pickups = [rules.Option(a, 0.0)] + [rules.Option(near(a), 1.0) for _ in range(rng.randrange(4))]
        dropoffs = [rules.Option(b, 0.0)] + [rules.Option(near(b), 1.0) for _ in range(rng.randrange(4))]
        limit = search.fast_limit(rng.choice([0, 2, 5, 10, 20, 50]))
        heading = rules.heading(origin, destination)
        along = heading.per_lat * (b[0] - a[0]) + heading.per_lng * (b[1] - a[1])
        keeps = (
            along + heading.slack_km + (0.5 + rules.FRAME_SLACK_SHARE) * limit + rules.reach_km(pickups, dropoffs) >= 0
        )
        could = rules.PassengerTrip(pickups, dropoffs).could_ride(origin, destination, limit)
        assert keeps or not could, (origin, destination, pickups, dropoffs, limit)
        kept += keeps
        dropped += not keeps
    assert dropped > 1000 and kept > 1000


def test_a_suspended_drivers_rides_are_not_found(make_ride, now):
    ride = make_ride(max_detour_km=12)
    ride.driver.status = "suspended"
    db.session.flush()
    assert _result(now).matches == []
    ride.driver.status = "active"
    db.session.flush()
    assert [m.ride_id for m in _result(now).matches] == [ride.id]


@pytest.mark.parametrize("aware", [False, True], ids=["sqlite-naive", "postgresql-aware"])
def test_the_ranking_of_all_candidates_at_once_is_that_of_each_match_scored_alone(aware):
    """`Ranking` scores every candidate with array arithmetic: it gives the matches, pick-up and
    drop-off times, scores and order that scoring each ride on its own with the rules gives."""
    rng = random.Random(11)
    home, work = (47.76, -3.34), (47.66, -2.76)
    pickups = [rules.Option(home, 0.0), rules.Option((47.78, -3.30), 2.9, ref="area")]
    dropoffs = [rules.Option(work, 0.0), rules.Option((47.67, -2.80), 3.1, ref="area")]
    after = datetime(2026, 12, 2, 6, 30, 15, tzinfo=UTC)

    def near(point, degrees):
        return point[0] + rng.uniform(-degrees, degrees), point[1] + rng.uniform(-degrees, degrees)

    rows = []
    for n in range(400):
        origin, destination = near(home, 0.2), near(work, 0.2)
        # Departures on the minute, and some with seconds and microseconds; many on the same minute.
        departs = after + timedelta(minutes=rng.randrange(-60, 120, 5))
        if n % 4 == 0:
            departs += timedelta(seconds=rng.randrange(60), microseconds=rng.randrange(10**6))
        stored = departs if aware else departs.replace(tzinfo=None)
        detour = rng.choice([0.5, 3.0, 10.0, 25.0])
        rows.append((1000 - n, n // 5, stored, *origin, *destination, detour, fast_distance_km(*origin, *destination)))
        if n % 10 == 0:  # another occurrence of the same ride at the same time: a tie, broken by id
            rows.append((5000 - n, n // 5, *rows[-1][2:]))

    ranking = search.Ranking(rows, pickups, dropoffs, after, 60)

    trip = rules.PassengerTrip(pickups, dropoffs)
    alone = []
    for occurrence_id, ride_id, departs, *ride in rows:
        route = trip.best_route(tuple(ride[0:2]), tuple(ride[2:4]), search.fast_limit(ride[4]))
        if route is None:
            continue
        departs = departs.replace(tzinfo=UTC)
        minutes = rules.driving_minutes(route.pickup_leg_km, 60)
        pickup_at = (departs + timedelta(minutes=minutes) + timedelta(seconds=30)).replace(second=0, microsecond=0)
        score = rules.match_score(route.cost, rules.time_gap_minutes(pickup_at, after))
        minutes = rules.driving_minutes(route.ride_km, 60)
        dropoff_at = (pickup_at + timedelta(minutes=minutes) + timedelta(seconds=30)).replace(second=0, microsecond=0)
        found = search._Found(score, departs, occurrence_id, ride_id, pickup_at, route, tuple(ride), dropoff_at)
        alone.append(found)
    alone.sort()
    assert 50 < len(alone) < 350
    assert len(ranking) == len(alone)
    assert list(ranking) == alone and ranking[3:7] == alone[3:7] and ranking[-1] == alone[-1]
    assert len({f.score for f in alone}) < len(alone)  # ties on the score, broken by departure and id


def test_a_ranking_without_candidates_or_matches_is_empty():
    pickups, dropoffs = [rules.Option((47.76, -3.34), 0.0)], [rules.Option((47.66, -2.76), 0.0)]
    assert len(search.Ranking([], pickups, dropoffs, MORNING, 60)) == 0
    far = (1, 1, MORNING, 48.5, -4.5, 48.4, -4.4, 1.0, 14.0)  # Brest, nowhere near
    assert list(search.Ranking([far], pickups, dropoffs, MORNING, 60)) == []


def test_a_pages_rows_are_those_of_execute(make_ride, now):
    """`page_rows` reads by the driver what a plain `execute` of its statement gives: dates,
    JSON lists, booleans and instants made the same values."""
    from sharemarket.db import plain_rows

    make_ride(note="Café")
    make_ride(departure_at=MORNING + timedelta(hours=1))
    matches = _result(now, hours=72).page(0, 20)
    assert len(matches) >= 3
    found = search.page_rows(matches)
    statement = search._page_statement(db.engine.dialect.name)
    expected = plain_rows(db.session.execute(statement, {"ids": [m.occurrence_id for m in matches]}))
    assert found == {row.occurrence_id: row for row in expected}
    assert {type(row.weekdays) for row in found.values()} == {list, type(None)}
