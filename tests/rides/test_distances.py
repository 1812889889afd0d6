"""The distances the search relies on: the fast one ranks candidates, the geodesic one is shown."""

import random

import pytest
from geographiclib.geodesic import Geodesic

from sharemarket.geo import distance_km, fast_distance_km

BRITTANY_LAT, BRITTANY_LNG = (47.2, 48.9), (-5.1, -1.0)


def _geographiclib_km(lat1, lng1, lat2, lng2):
    return Geodesic.WGS84.Inverse(lat1, lng1, lat2, lng2, Geodesic.DISTANCE)["s12"] / 1000


def test_the_geodesic_agrees_with_geographiclib_to_a_millimetre_everywhere():
    rng = random.Random(3)
    for _ in range(3000):
        lat, lng = rng.uniform(-89.9, 89.9), rng.uniform(-180, 180)
        if rng.random() < 0.5:
            other = (rng.uniform(-89.9, 89.9), rng.uniform(-180, 180))
        else:
            other = (max(-90, min(90, lat + rng.uniform(-1, 1))), lng + rng.uniform(-1, 1))
        assert distance_km(lat, lng, *other) == pytest.approx(_geographiclib_km(lat, lng, *other), abs=1e-6)


@pytest.mark.parametrize(
    "a, b",
    [
        ((0, 0), (0.5, 179.7)),  # nearly antipodal: Vincenty does not converge, geographiclib answers
        ((0, 0), (0, 90)),  # along the equator
        ((90, 0), (-90, 0)),  # pole to pole
        ((47.7, -3.3), (47.7, -3.3)),  # the same point
        ((47.7, 179.9), (47.7, -179.9)),  # across the antimeridian
    ],
)
def test_the_geodesic_in_corner_cases(a, b):
    assert distance_km(*a, *b) == pytest.approx(_geographiclib_km(*a, *b), abs=1e-6)


def test_the_fast_distance_is_within_half_a_percent_of_the_geodesic_across_brittany():
    """The search's slack (`search.FAST_SLACK`) and the ranking rest on this bound."""
    rng = random.Random(5)
    worst = 0.0
    for _ in range(3000):
        a = (rng.uniform(*BRITTANY_LAT), rng.uniform(*BRITTANY_LNG))
        b = (rng.uniform(*BRITTANY_LAT), rng.uniform(*BRITTANY_LNG))
        exact = _geographiclib_km(*a, *b)
        if exact > 0.1:
            worst = max(worst, abs(fast_distance_km(*a, *b) - exact) / exact)
    assert worst < 0.005
