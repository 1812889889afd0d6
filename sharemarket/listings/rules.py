"""Pure rules of the tool library: categories, words for search, loan dates, the calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from sharemarket.geo import fold

# The fixed list of categories; ids are part of the API, labels are translated.
CATEGORIES = {
    "tools": _l("Tools"),
    "garden": _l("Garden"),
    "kitchen": _l("Kitchen"),
    "sports": _l("Sports and outdoors"),
    "kids": _l("Kids"),
    "electronics": _l("Electronics"),
    "events": _l("Events and party"),
    "mobility": _l("Mobility"),
    "other": _l("Other"),
}
CONDITIONS = {
    "new": _l("New or as new"),
    "good": _l("Good"),
    "fair": _l("Fair: signs of use"),
    "worn": _l("Worn, but works"),
}
STATUSES = ("active", "paused", "archived")


_LABELS: dict[str, dict[str, str]] = {}


def category_labels() -> dict[str, str]:
    """The labels in the current language, translated once per language and process."""
    locale = str(get_locale())
    if locale not in _LABELS:
        _LABELS[locale] = {key: str(label) for key, label in CATEGORIES.items()}
    return _LABELS[locale]


TITLE_MAX = 120
DESCRIPTION_MAX = 4000
INSTRUCTIONS_MAX = 1000
MONEY_MAX_CENTS = 10_000_000  # 100,000 €: beyond that it is a typo
LOAN_DAYS_MAX = 90
NOTICE_DAYS_MAX = 60
BUFFER_DAYS_MAX = 14
BOOK_AHEAD_DAYS = 365
SEARCH_WINDOW_DAYS_MAX = 92
QUERY_WORDS_MAX = 8
STALE_AFTER = timedelta(days=182)
STALE_GRACE = timedelta(days=14)

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text or ""))


def search_text(title: str, description: str) -> str:
    """The stored form searched by `query_words`: ' word word word'."""
    return "".join(" " + word for word in words(f"{title} {description}"))


def query_words(q: str | None) -> list[str]:
    """The words of a search, folded; a plural s/x is dropped so "tondeuses" finds "tondeuse".

    Each must begin a word of the listing (`search_text LIKE '% word%'`): "perc" finds
    "Perceuse", "ceuse" does not.
    """
    found = []
    for word in words(q or ""):
        if len(word) > 3 and word[-1] in "sx":
            word = word[:-1]
        if word not in found:
            found.append(word)
    return found[:QUERY_WORDS_MAX]


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def day_start(day: date, tz: str) -> datetime:
    """Local midnight at the start of `day`, as an aware datetime (stored as UTC)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


def loan_instants(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """Inclusive days to the half-open instants [start's midnight, the midnight after end)."""
    return day_start(start, tz), day_start(end + timedelta(days=1), tz)


def respond_by(created: datetime, starts_at: datetime, ends_at: datetime, expiry_hours: int) -> datetime:
    """When an unanswered request expires: after `expiry_hours`, or at its start if sooner.

    A request for today (already started at midnight) may still be answered until the end of
    its first day.
    """
    deadline = min(created + timedelta(hours=expiry_hours), starts_at)
    if deadline <= created:
        deadline = min(starts_at + timedelta(days=1), ends_at)
    return deadline


def date_problems(start: date, end: date, *, today: date, max_days: int, notice_days: int) -> dict[str, list[object]]:
    """What is wrong with asking for [start, end] today; empty when nothing is."""
    if end < start:
        return {"end_date": [_l("The last day must be on or after the first day.")]}
    if start < today:
        return {"start_date": [_l("The first day is in the past.")]}
    if start < today + timedelta(days=notice_days):
        return {"start_date": [_l("The owner needs %(n)s days' notice.", n=notice_days)]}
    if start > today + timedelta(days=BOOK_AHEAD_DAYS):
        return {"start_date": [_l("Ask at most %(n)s days ahead.", n=BOOK_AHEAD_DAYS)]}
    if (end - start).days + 1 > max_days:
        return {"end_date": [_l("This item is lent for %(n)s days at most.", n=max_days)]}
    return {}


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def held_days_of_loan(start: date, end: date, buffer_days: int) -> list[tuple[date, str]]:
    """The days a confirmed loan holds: its own, then the owner's buffer after it."""
    held = [(day, "loan") for day in days(start, end)]
    held += [(end + timedelta(days=i), "buffer") for i in range(1, buffer_days + 1)]
    return held


@dataclass(frozen=True)
class CalendarDay:
    day: date
    state: str  # free | taken | blocked | past

    @property
    def label(self):
        return CALENDAR_LABELS[self.state]


CALENDAR_LABELS = {
    "free": _l("free"),
    "taken": _l("taken"),
    "blocked": _l("blocked"),
    "past": _l("past"),
}


def calendar_weeks(today: date, held: dict[date, str], weeks: int = 8) -> list[list[CalendarDay]]:
    """`weeks` rows of Monday..Sunday from this week; buffer days count as taken."""
    monday = today - timedelta(days=today.weekday())
    rows = []
    for w in range(weeks):
        row = []
        for d in range(7):
            day = monday + timedelta(days=7 * w + d)
            reason = held.get(day)
            if day < today:
                state = "past"
            elif reason == "blocked":
                state = "blocked"
            elif reason is not None:
                state = "taken"
            else:
                state = "free"
            row.append(CalendarDay(day, state))
        rows.append(row)
    return rows


def cents_problem(value: int | None, field_label: object) -> object | None:
    if value is None:
        return None
    if value < 0 or value > MONEY_MAX_CENTS:
        return _l("%(field)s must be between 0 and %(max)s €.", field=field_label, max=MONEY_MAX_CENTS // 100)
    return None
