import math
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from sharemarket.geo import distance_km, fast_distance_km
from sharemarket.rides import rules

HENNEBONT, LANESTER, VANNES = (47.8050, -3.2770), (47.7614, -3.3419), (47.6582, -2.7608)
KERGO_KERNOUS = (47.759906, -3.286759)  # a carpool area at the N165 junction


def test_detour_is_the_extra_driving_and_zero_on_the_route():
    assert rules.detour_km(HENNEBONT, HENNEBONT, VANNES, VANNES) == pytest.approx(0, abs=1e-9)
    door = rules.detour_km(HENNEBONT, LANESTER, VANNES, VANNES, distance_km)
    expected = distance_km(*HENNEBONT, *LANESTER) + distance_km(*LANESTER, *VANNES) - distance_km(*HENNEBONT, *VANNES)
    assert door == pytest.approx(expected)
    assert 9 < door < 11
    assert rules.detour_km(HENNEBONT, KERGO_KERNOUS, VANNES, VANNES, distance_km) < 6.5


def test_a_passenger_going_backwards_costs_a_big_detour():
    forward = rules.detour_km(HENNEBONT, HENNEBONT, VANNES, VANNES)
    backward = rules.detour_km(HENNEBONT, VANNES, HENNEBONT, VANNES)
    assert backward - forward > 70


def test_ellipse_test_matches_the_detour_bound():
    assert rules.in_detour_ellipse(HENNEBONT, VANNES, LANESTER, 10)
    assert not rules.in_detour_ellipse(HENNEBONT, VANNES, LANESTER, 8)
    assert rules.in_detour_ellipse(HENNEBONT, VANNES, KERGO_KERNOUS, 8)


@pytest.mark.parametrize("seed", range(6))
def test_the_ellipse_box_holds_every_acceptable_point(seed):
    """Sampled points whose detour is within the limit always lie in the indexed box."""
    rng = random.Random(seed)
    for _ in range(40):
        origin = (rng.uniform(43, 51), rng.uniform(-5, 7))
        bearing, length = rng.uniform(0, 2 * math.pi), rng.choice([1, 5, 30, 120, 400])
        destination = (
            origin[0] + length * math.cos(bearing) / 111.32,
            origin[1] + length * math.sin(bearing) / (111.32 * math.cos(math.radians(origin[0]))),
        )
        detour = rng.choice([0.0, 1.0, 5.0, 15.0, 50.0])
        box = rules.ellipse_box(origin, destination, detour)
        span = (fast_distance_km(*origin, *destination) + detour) / 111.32 * 2
        for _ in range(200):
            point = (
                rng.uniform(min(origin[0], destination[0]) - span, max(origin[0], destination[0]) + span),
                rng.uniform(min(origin[1], destination[1]) - span * 1.6, max(origin[1], destination[1]) + span * 1.6),
            )
            if rules.in_detour_ellipse(origin, destination, point, detour):
                assert box.min_lat <= point[0] <= box.max_lat and box.min_lng <= point[1] <= box.max_lng


def test_the_ellipse_box_is_tight_for_a_commute():
    box = rules.ellipse_box(HENNEBONT, VANNES, 10)
    height_km = (box.max_lat - box.min_lat) * 111.32
    assert 16 < height_km < 38  # the route spans 16 km north-south; a circle around it would span 50


def test_commute_dates_follow_weekdays_validity_and_skips():
    recurrence = rules.Recurrence(
        (0, 2), time(7, 45), date(2026, 12, 1), date(2026, 12, 16), frozenset({date(2026, 12, 9)})
    )
    days = list(rules.commute_dates(recurrence, date(2026, 11, 1), date(2027, 1, 31)))
    assert days == [date(2026, 12, 2), date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 16)]
    assert rules.runs_on(recurrence, date(2026, 12, 14))
    assert not rules.runs_on(recurrence, date(2026, 12, 9))
    assert not rules.runs_on(recurrence, date(2026, 12, 15))


def test_local_departure_keeps_wall_clock_time_across_dst():
    winter = rules.local_departure(date(2027, 3, 26), time(7, 45), "Europe/Paris")
    summer = rules.local_departure(date(2027, 3, 29), time(7, 45), "Europe/Paris")
    assert winter == datetime(2027, 3, 26, 6, 45, tzinfo=UTC)
    assert summer == datetime(2027, 3, 29, 5, 45, tzinfo=UTC)


def test_parse_local_time():
    assert rules.parse_local_time("07:45") == time(7, 45)
    for bad in ("7:45", "24:00", "07:60", "0745", "", "ab:cd"):
        assert rules.parse_local_time(bad) is None


def test_price_is_cost_sharing():
    suggested = rules.suggested_price_cents(42, 6)
    ceiling = rules.price_ceiling_cents(42, 10)
    assert suggested % 10 == 0 and ceiling % 10 == 0
    assert suggested == 330  # 42 km × 1.3 road factor × 6 c
    assert ceiling == 550
    assert rules.price_ceiling_cents(0.2, 10) == 10


def test_best_route_takes_a_carpool_area_only_when_it_saves_detour():
    door, area = rules.Option(LANESTER, 0.0), rules.Option(KERGO_KERNOUS, 4.1, "area")
    trip = rules.PassengerTrip([door, area], [rules.Option(VANNES, 0.0)])
    strict = trip.best_route(HENNEBONT, VANNES, 8)
    assert strict.pickup is area and strict.detour_km < 5
    loose = trip.best_route(HENNEBONT, VANNES, 15)
    assert loose.pickup is area  # 4.1 km detour + 4.1 km to get there beats 9.9 km at the door
    assert trip.best_route(HENNEBONT, VANNES, 3) is None
    near_route = trip.best_route(LANESTER, VANNES, 5)
    assert near_route.pickup is door and near_route.detour_km == pytest.approx(0, abs=1e-9)
    assert trip.best_route(VANNES, HENNEBONT, 20) is None  # the other way


def test_best_route_never_picks_up_and_drops_off_at_one_carpool_area():
    """Both ends of a short trip near one carpool area on the driver's way: the area as pick-up and
    drop-off would cost no detour but carry nobody anywhere."""
    home, work, area = (47.755, -3.33), (47.745, -3.33), rules.Option((47.75, -3.30), 2.3, "area")
    trip = rules.PassengerTrip([rules.Option(home, 0.0), area], [rules.Option(work, 0.0), area])
    assert trip.best_route((47.80, -3.30), (47.70, -3.30), 0.5) is None  # the doors are too far off
    route = trip.best_route((47.80, -3.30), (47.70, -3.30), 10.0)
    assert route is not None and (route.pickup.ref, route.dropoff.ref) != ("area", "area")


def _brute_force(origin, destination, max_detour, pickups, dropoffs):
    """Every pair, no shortcut: the reference the quick rejection must agree with."""
    best = None
    for p in pickups:
        for q in dropoffs:
            detour = rules.detour_km(origin, p.point, q.point, destination)
            if detour <= max_detour + 1e-9:
                cost = max(detour, 0) + p.access_km + q.access_km
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, p, q)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_the_quick_rejection_never_drops_a_feasible_ride(seed):
    rng = random.Random(seed)
    accepted = rejected = 0
    for _ in range(400):
        centre = (rng.uniform(47.3, 48.8), rng.uniform(-5, -1.2))

        def near(km, centre=centre):
            return (centre[0] + rng.uniform(-km, km) / 111, centre[1] + rng.uniform(-km, km) / 75)

        origin, destination = near(60), near(60)
        start, end = near(40), near(40)
        pickups = [rules.Option(start, 0.0)] + [rules.Option(p, fast_distance_km(*start, *p)) for p in (near(45),)]
        dropoffs = [rules.Option(end, 0.0)] + [rules.Option(q, fast_distance_km(*end, *q)) for q in (near(45),)]
        detour = rng.choice([0.5, 2, 5, 10, 25, 50])
        trip = rules.PassengerTrip(pickups, dropoffs)
        found = trip.best_route(origin, destination, detour)
        expected = _brute_force(origin, destination, detour, pickups, dropoffs)
        assert (found is None) == (expected is None)
        could = trip.could_ride(origin, destination, detour)
        assert could or expected is None  # the SQL's heading bound relies on this
        rejected += not could
        if found:
            accepted += 1
            assert found.cost == pytest.approx(expected[0], abs=1e-6)
    assert accepted > 20 and rejected > 20


def test_best_routes_of_many_rides_are_each_rides_best_route():
    """One array pass over a search's candidates gives what each ride alone gives (no ride's
    figures mixed with another's), infeasible rides included."""
    rng = random.Random(7)
    home, work = (47.76, -3.34), (47.66, -2.76)
    pickups = [rules.Option(home, 0.0)] + [
        rules.Option(p, fast_distance_km(*home, *p)) for p in ((47.78, -3.30), (47.74, -3.37))
    ]
    dropoffs = [rules.Option(work, 0.0), rules.Option((47.67, -2.80), fast_distance_km(*work, 47.67, -2.80))]
    trip = rules.PassengerTrip(pickups, dropoffs)

    def near(point, degrees):
        return point[0] + rng.uniform(-degrees, degrees), point[1] + rng.uniform(-degrees, degrees)

    rides = [(*near(home, 0.15), *near(work, 0.15)) for _ in range(200)]
    rides += [(*near(work, 0.3), *near(home, 0.3)) for _ in range(100)]  # most go the other way
    limits = [rng.choice([0.5, 3, 10, 25]) for _ in rides]
    routes = trip.best_routes(*zip(*rides, strict=True), limits)
    alone = [trip.best_route(r[:2], r[2:], limit) for r, limit in zip(rides, limits, strict=True)]
    assert routes == alone
    assert 30 < sum(route is not None for route in routes) < 270
    assert {route.pickup for route in routes if route} > {pickups[0]}  # carpool areas are chosen too
    assert trip.best_routes([], [], [], [], []) == []


def test_best_route_door_wins_a_tie():
    area = rules.Option(LANESTER, 0.0, ref="area on the doorstep")
    trip = rules.PassengerTrip([rules.Option(LANESTER, 0.0), area], [rules.Option(VANNES, 0.0)])
    assert trip.best_route(HENNEBONT, VANNES, 10).pickup.ref is None


def test_score_prefers_less_detour_and_sooner():
    door = rules.Option(LANESTER, 0.0)
    small = rules.Route(door, door, 1.0, 0)
    big = rules.Route(door, door, 8.0, 0)
    assert rules.match_score(small.cost, 10) < rules.match_score(big.cost, 10)
    assert rules.match_score(small.cost, 10) < rules.match_score(small.cost, 300)


def test_shared_km_counts_each_seat():
    assert rules.shared_km(LANESTER, VANNES, 2) == pytest.approx(2 * fast_distance_km(*LANESTER, *VANNES))


def test_driving_minutes():
    assert rules.driving_minutes(46, 60) == pytest.approx(46 * 1.3)
    assert datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rules.driving_minutes(0, 60)) == datetime(
        2026, 1, 1, tzinfo=UTC
    )
