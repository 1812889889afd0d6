"""Jinja filters and globals: local times, money and distances in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sharemarket.i18n import LANGUAGE_NAMES


# Babel formats a number in tens of microseconds and a results page prints dozens: the texts are
# kept per (value, locale), as amounts and rounded distances repeat.
@lru_cache(maxsize=4096)
def _money(cents: int, currency: str, locale: str) -> str:
    return format_currency(cents / 100, currency, locale=locale)


@lru_cache(maxsize=4096)
def _decimal_with_unit(value: float, unit: str, locale: str) -> str:
    return f"{format_decimal(value, locale=locale)} {unit}"


def money(cents: int | None, currency: str = "EUR") -> str:
    if cents is None:
        return ""
    return _money(cents, currency, str(get_locale()))


def distance(km: float | None) -> str:
    if km is None:
        return ""
    locale = str(get_locale())
    if km < 1:
        return _decimal_with_unit(round(km * 1000, -1), "m", locale)
    return _decimal_with_unit(round(km, 1), "km", locale)


def when(value: datetime | date | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, style)
    return format_date(value, style)


# The main navigation: a feature's entry shows once its page exists.
NAV_LINKS = (
    ("listings.search", _l("Borrow")),
    ("desks.search", _l("Desks")),
    ("rides.search", _l("Rides")),
    ("main.publish", _l("Publish")),
    ("bookings.mine", _l("My bookings")),
)


def nav_links() -> list[tuple[str, str]]:
    endpoints = current_app.view_functions
    return [(endpoint, str(label)) for endpoint, label in NAV_LINKS if endpoint in endpoints]


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money,
        distance=distance,
        when=when,
        date=lambda v, style="medium": format_date(v, style) if v else "",
        time=lambda v, style="short": format_time(v, style) if v else "",
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def globals_for_pages() -> dict:
        unread = 0
        if current_user.is_authenticated:
            from sharemarket.notifications.services import unread_count

            unread = unread_count(current_user)
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "unread_notifications": unread,
            "tile_url": current_app.config["SHAREMARKET_TILE_URL"],
            "request_path": request.path,
            "nav_links": nav_links,
        }
