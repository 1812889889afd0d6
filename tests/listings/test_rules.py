from __future__ import annotations

import math
from datetime import date

import pytest

from sharemarket.geo import distance_km
from sharemarket.listings import rules, search


def test_search_text_is_folded_words():
    assert rules.search_text("Perceuse à percussion", "Très BON état!") == " perceuse a percussion tres bon etat"
    assert rules.query_words("Perceuses  à-percussion") == ["perceuse", "a", "percussion"]


def test_loan_days_and_buffer():
    held = rules.held_days_of_loan(date(2026, 12, 5), date(2026, 12, 6), 2)
    assert held == [
        (date(2026, 12, 5), "loan"),
        (date(2026, 12, 6), "loan"),
        (date(2026, 12, 7), "buffer"),
        (date(2026, 12, 8), "buffer"),
    ]


def test_calendar_weeks_start_on_monday_and_name_each_day():
    today = date(2026, 12, 2)  # a Wednesday
    weeks = rules.calendar_weeks(today, {date(2026, 12, 3): "loan", date(2026, 12, 4): "blocked"}, weeks=2)
    assert len(weeks) == 2 and all(len(week) == 7 for week in weeks)
    states = {d.day: d.state for week in weeks for d in week}
    assert states[date(2026, 11, 30)] == "past"
    assert states[date(2026, 12, 2)] == "free"
    assert states[date(2026, 12, 3)] == "taken"
    assert states[date(2026, 12, 4)] == "blocked"


@pytest.mark.parametrize("lat", [0.0, 47.7, 60.0, -45.0])
@pytest.mark.parametrize("radius", [1.0, 50.0, 200.0])
def test_flat_filter_never_drops_a_point_inside_the_radius(lat, radius):
    margin = search.flat_margin(lat, radius)
    ky = 111.32
    kx = ky * math.cos(math.radians(lat))
    for bearing in range(0, 360, 15):
        # A point just inside the radius along this bearing.
        dlat = radius * 0.999 * math.cos(math.radians(bearing)) / 111.2
        dlng = radius * 0.999 * math.sin(math.radians(bearing)) / (111.2 * math.cos(math.radians(lat + dlat)))
        if distance_km(lat, 0, lat + dlat, dlng) > radius:
            continue
        flat = math.sqrt((dlat * ky) ** 2 + (dlng * kx) ** 2)
        assert flat <= radius * margin
