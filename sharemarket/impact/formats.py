"""The dashboard's figures written for the reader's language: separators, units, whole euros."""

from __future__ import annotations

import copy
from datetime import date

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from flask_babel import get_locale

# Above this many kilograms, CO2 is told in tonnes.
TONNE_FROM_KG = 1000


def _locale() -> Locale:
    return Locale.parse(str(get_locale()))


def number(value: float, digits: int = 0) -> str:
    return format_decimal(round(value or 0, digits), locale=_locale())


def euros(value: float) -> str:
    """Whole euros in the locale's own pattern (56 030 € in French, €56,030 in English)."""
    locale = _locale()
    pattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern.apply(round(value or 0), locale, currency="EUR", currency_digits=False)


def percent(share: float) -> str:
    return format_percent(share or 0, locale=_locale())


def figure(dimension: str, value: float | None) -> str:
    """One dashboard figure with its unit; an em dash for a figure left out for privacy."""
    if value is None:
        return "—"
    if dimension == "money_saved_eur":
        return euros(value)
    if dimension == "desk_occupancy":
        return percent(value / 100)
    if dimension == "km_shared":
        return format_unit(round(value), "length-kilometer", length="short", locale=_locale())
    if dimension == "co2_avoided_kg":
        if value >= TONNE_FROM_KG:
            return format_unit(round(value / 1000, 1), "mass-tonne", length="short", locale=_locale())
        return format_unit(round(value), "mass-kilogram", length="short", locale=_locale())
    return number(value)


def month(value: date, with_year: bool = True) -> str:
    """ "déc. 2025", or "déc." alone: a month as the axis and the tables name it."""
    if with_year:
        return format_skeleton("yMMM", value, locale=_locale())
    return format_date(value, "LLL", locale=_locale())


def month_long(value: date) -> str:
    """ "décembre 2025": a month in a sentence or a menu."""
    return format_skeleton("yMMMM", value, locale=_locale())
