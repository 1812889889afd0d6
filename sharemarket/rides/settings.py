"""The carpool's tunable figures: app config keys with these defaults (`create_app({...})`)."""

from __future__ import annotations

from flask import current_app

DEFAULTS: dict[str, float] = {
    # Suggested contribution per seat and per road km, and the ceiling: cost sharing, not profit.
    "RIDES_PRICE_CENTS_PER_KM": 6,
    "RIDES_PRICE_CEILING_CENTS_PER_KM": 10,
    # CO2 avoided per passenger-km: ADEME's figure for an average car.
    "RIDES_CO2_KG_PER_PASSENGER_KM": 0.193,
    # How far ahead the days of weekly commutes exist as bookable occurrences.
    "RIDES_HORIZON_DAYS": 56,
    # Average road speed, for pick-up and drop-off time estimates.
    "RIDES_AVERAGE_SPEED_KMH": 60,
    # How far from the passenger's start or end a carpool area may be suggested.
    "RIDES_MEETING_POINT_MAX_KM": 5.0,
    # Each web process reads the carpool areas again after this long (a load shows up within it).
    "RIDES_MEETING_POINTS_REFRESH_SECONDS": 600,
    # Reminders go this long before departure.
    "RIDES_REMINDER_HOURS": 2,
}


def setting(name: str) -> float:
    return current_app.config.get(name, DEFAULTS[name])
