from datetime import UTC, date, datetime, time

import pytest

from sharemarket.interop import rules
from sharemarket.notifications.services import undeliverable

HENNEBONT, VANNES = (47.8050, -3.2770), (47.6582, -2.7608)
LANESTER, AREA = (47.7614, -3.3419), (47.7599, -3.2868)


def test_journey_ids_name_a_ride_and_a_day_and_nothing_else():
    assert rules.journey_id(12, date(2026, 12, 3)) == "12-20261203"
    assert rules.parse_journey_id("12-20261203") == (12, date(2026, 12, 3))
    for bad in (
        None,
        "",
        "12",
        "x-20261203",
        "12-2026123",
        "12-20261341",
        "-1-20261203",
        "12-20261203 ",
        "1" * 13 + "-20261203",
    ):
        assert rules.parse_journey_id(bad) is None, bad


def test_times_of_day_are_rfc3339_partial_times():
    assert rules.parse_time_of_day("07:30:00") == time(7, 30)
    assert rules.parse_time_of_day("07:30:15.250") == time(7, 30, 15)
    assert rules.parse_time_of_day("07:30") == time(7, 30)
    for bad in ("", "7:30", "24:00:00", "07:60:00", "07:30:00Z", "07:30:00+01:00", "morning", None):
        assert rules.parse_time_of_day(bad) is None, bad


def test_weekdays_come_comma_separated_or_repeated_and_default_to_every_day():
    assert rules.parse_weekdays(["MON,TUE"]) == (0, 1)
    assert rules.parse_weekdays(["fri", "MON"]) == (0, 4)
    assert rules.parse_weekdays([]) == tuple(range(7))
    assert rules.parse_weekdays(["MON,XYZ"]) is None
    assert rules.parse_weekdays(["1"]) is None


@pytest.mark.parametrize(
    ("status", "departed", "validated", "expected"),
    [
        ("requested", False, False, "WAITING_CONFIRMATION"),
        ("confirmed", False, False, "CONFIRMED"),
        ("confirmed", True, False, "COMPLETED_PENDING_VALIDATION"),
        ("confirmed", True, True, "VALIDATED"),
        ("declined", False, False, "CANCELLED"),
        ("cancelled", False, False, "CANCELLED"),
        ("expired", True, False, "CANCELLED"),
    ],
)
def test_our_statuses_map_onto_the_standard(status, departed, validated, expected):
    assert rules.standard_status(status, departed, validated) == expected


@pytest.mark.parametrize(
    ("current", "target", "action"),
    [
        ("WAITING_CONFIRMATION", "CANCELLED", "cancel"),
        ("CONFIRMED", "CANCELLED", "cancel"),
        ("COMPLETED_PENDING_VALIDATION", "VALIDATED", "validate"),
        ("CONFIRMED", "CONFIRMED", rules.ALREADY),
        ("CANCELLED", "CANCELLED", rules.ALREADY),
        ("WAITING_CONFIRMATION", "CONFIRMED", None),  # only our driver confirms
        ("CONFIRMED", "WAITING_CONFIRMATION", None),
        ("CONFIRMED", "VALIDATED", None),  # not before the ride
        ("CANCELLED", "CONFIRMED", None),
        ("COMPLETED_PENDING_VALIDATION", "CANCELLED", None),
    ],
)
def test_what_a_partner_may_do_to_a_booking(current, target, action):
    assert rules.patch_action(current, target) == action


def test_units_are_the_standards():
    assert rules.price(330, "EUR") == {"type": "PAYING", "amount": 3.3, "currency": "EUR"}
    assert rules.price(0, "EUR")["type"] == "FREE"
    assert rules.road_metres(10.0) == 13000
    assert rules.walking(1.0) == (1000, 720)
    instant = datetime(2026, 12, 3, 6, 45, tzinfo=UTC)
    assert rules.unix(instant) == 1796280300 and rules.from_unix(1796280300) == instant


def test_a_meeting_point_beyond_the_radius_falls_back_to_the_door_only_within_the_detour():
    doors, points = (LANESTER, VANNES), (AREA, VANNES)
    assert rules.fit_radius(HENNEBONT, VANNES, 10.0, doors, points, (5.0, 1.0)) == points
    assert rules.fit_radius(HENNEBONT, VANNES, 10.0, doors, points, (1.0, 1.0)) == doors
    assert rules.fit_radius(HENNEBONT, VANNES, 3.0, doors, points, (1.0, 1.0)) is None


def test_configured_keys_ignore_entries_without_a_name_or_a_key():
    assert rules.parse_keys(" a.example:k1 ,b:k2:with-colon,:nokey, c: ,d,, ") == [
        ("a.example", "k1"),
        ("b", "k2:with-colon"),
    ]
    assert rules.parse_keys(None) == []


def test_reserved_invalid_addresses_are_undeliverable():
    assert undeliverable("x@interop.invalid") and undeliverable("deleted-3@invalid") and undeliverable("a@B.INVALID.")
    assert not undeliverable("ana@example.org") and not undeliverable("ana@invalid.example.org")
