"""Demo: the year before today, so that the town's dashboard has twelve months to show.

The service opened a year ago with a first group of inhabitants and grew month after month: more
members, more loans (garden tools in spring, camping gear in summer, raclette sets in winter),
more half-days in the third places, more seats on the commuters' rides. Services refuse dates in
the past, so the rows are written as they stand today (returned loans, checked-in desk bookings,
ridden seats with their kilometres and CO2, recorded by the rides' own rule); members, listings,
spaces and rides are backdated to before their first use.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from sharemarket import geo
from sharemarket.desks.models import Desk, DeskBooking, Slot, Space
from sharemarket.extensions import db
from sharemarket.listings import rules as listing_rules
from sharemarket.listings.models import Listing, Loan
from sharemarket.rides import rules as ride_rules
from sharemarket.rides import seats as ride_seats
from sharemarket.rides.models import Ride, RideOccurrence, SeatBooking
from sharemarket.rides.settings import setting

# Inhabitants there from the first month; the others join one every three weeks or so.
FOUNDERS = 16
# Loans in the first and in the twelfth month (a full month).
LOANS_FIRST, LOANS_LAST = 30, 72
# Share of desk seats taken, first and twelfth month; chance that a commuter's seat is taken.
DESKS_FIRST, DESKS_LAST = 0.08, 0.30
SEATS_FIRST, SEATS_LAST = 0.03, 0.12
NO_SHOW = 0.07
# Passengers live this close to the driver's start.
PASSENGER_KM = 5.0
# How much a category is asked for in each calendar month (January first); 1 otherwise.
SEASONS = {
    "garden": (0.3, 0.4, 1.2, 2.0, 2.2, 1.8, 1.2, 1.0, 1.3, 1.2, 0.6, 0.3),
    "sports": (0.3, 0.3, 0.5, 0.8, 1.2, 1.8, 2.5, 2.5, 1.2, 0.6, 0.3, 0.3),
    "kitchen": (1.6, 1.2, 1.0, 0.8, 0.7, 0.7, 0.8, 1.0, 1.0, 1.2, 1.5, 2.0),
    "events": (0.6, 0.5, 0.6, 0.8, 1.2, 1.8, 1.8, 1.2, 1.0, 0.8, 0.8, 1.6),
}
# Some things are asked for much more than others, whatever the season.
POPULARITY = {"tools": 2.0, "garden": 1.5, "kitchen": 1.4, "events": 1.2, "sports": 1.2, "kids": 0.6}
HALF_DAYS = ((time(9), time(13)), (time(14), time(18)))


@dataclass
class Year:
    """The twelve months before `today` and who had joined by when."""

    first: date
    today: date
    zone: ZoneInfo
    joined: dict[int, date] = field(default_factory=dict)

    def growth(self, day: date) -> float:
        """0 in the first month, 1 in the last."""
        return min(1.0, (day - self.first).days / (self.today - self.first).days)

    def days(self):
        day = self.first
        while day < self.today:
            yield day
            day += timedelta(days=1)

    def members_on(self, people, day: date) -> list:
        return [p for p in people if self.joined[p.id] <= day]

    def at(self, day: date, hour: time) -> datetime:
        return datetime.combine(day, hour, tzinfo=self.zone)


def load(ctx) -> None:
    zone = ZoneInfo(current_app.config["SHAREMARKET_TIMEZONE"])
    today = ctx.now.astimezone(zone).date()
    first = date(today.year - 1, today.month, 1)
    year = Year(first=first, today=today, zone=zone)
    _members(ctx, year)
    _loans(ctx, year)
    _desk_days(ctx, year)
    _carpools(ctx, year)
    db.session.flush()


def _members(ctx, year: Year) -> None:
    for index, person in enumerate(ctx.people):
        joined = year.first if index < FOUNDERS else year.first + timedelta(days=21 * (index - FOUNDERS + 1))
        joined = min(joined, year.today - timedelta(days=7))
        year.joined[person.id] = joined
        person.created_at = min(person.created_at, year.at(joined, time(19, ctx.rng.randint(0, 59))))


def _loans(ctx, year: Year) -> None:
    """Returned loans, never two on the same item the same day (the demo's own loans included)."""
    listings = list(
        db.session.scalars(
            select(Listing).where(Listing.status == "active", Listing.hidden_at.is_(None)).order_by(Listing.id)
        )
    )
    busy: set[tuple[int, date]] = set()
    for loan in db.session.scalars(select(Loan)):
        busy.update((loan.listing_id, day) for day in _range(loan.start_date, loan.end_date))
    first_use: dict[int, date] = {}
    month = year.first
    while month < year.today:
        following = (month + timedelta(days=32)).replace(day=1)
        # Not the first day: its local midnight still falls in the month before in UTC.
        days = _range(month + timedelta(days=1), min(following, year.today) - timedelta(days=1))
        wanted = LOANS_FIRST + (LOANS_LAST - LOANS_FIRST) * year.growth(month)
        count = round(wanted * len(days) / (following - month).days)
        weights = [
            POPULARITY.get(item.category, 0.4) * SEASONS.get(item.category, (1.0,) * 12)[month.month - 1]
            for item in listings
        ]
        for _attempt in range(count * 3):
            lent = _lend(ctx, year, ctx.rng.choices(listings, weights)[0], ctx.rng.choice(days), busy)
            if lent is not None:
                first_use[lent.listing_id] = min(first_use.get(lent.listing_id, lent.start_date), lent.start_date)
                count -= 1
            if count == 0:
                break
        month = following
    for item in listings:
        if item.id in first_use:
            listed = max(year.joined[item.owner_id], first_use[item.id] - timedelta(days=ctx.rng.randint(3, 20)))
            item.created_at = min(item.created_at, year.at(listed, time(18)))


def _lend(ctx, year: Year, item: Listing, start: date, busy: set) -> Loan | None:
    span = _range(start, start + timedelta(days=ctx.rng.randint(0, min(3, item.max_loan_days - 1))))
    borrowers = [p for p in year.members_on(ctx.people, start) if p.id != item.owner_id]
    if not borrowers or year.joined[item.owner_id] > start or span[-1] >= year.today:
        return None
    if any((item.id, day) in busy for day in span):
        return None
    busy.update((item.id, day) for day in span)
    starts_at, ends_at = listing_rules.loan_instants(span[0], span[-1], str(year.zone))
    loan = Loan(
        user_id=ctx.rng.choice(borrowers).id,
        listing_id=item.id,
        status="returned",
        start_date=span[0],
        end_date=span[-1],
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=starts_at - timedelta(days=ctx.rng.randint(1, 6)),
        updated_at=ends_at,
    )
    db.session.add(loan)
    return loan


def _range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _desk_days(ctx, year: Year) -> None:
    """Every weekday's two half-days on each hot desk; coworkers book them, a few do not come."""
    spaces = list(db.session.scalars(select(Space).order_by(Space.id)))
    hot_desks = defaultdict(list)
    for desk in db.session.scalars(select(Desk).where(Desk.kind == "hot_desk").order_by(Desk.id)):
        hot_desks[desk.space_id].append(desk)
    for space in spaces:
        opened = year.at(year.first - timedelta(days=10), time(9))
        space.created_at = min(space.created_at, opened)
        for desk in hot_desks[space.id]:
            desk.created_at = min(desk.created_at, opened)
    for day in year.days():
        if day.weekday() > 4:
            continue
        rate = DESKS_FIRST + (DESKS_LAST - DESKS_FIRST) * year.growth(day)
        members = year.members_on(ctx.people, day)
        for space in spaces:
            coworkers = [p for p in members if p.id not in space.manager_ids]
            for desk in hot_desks[space.id]:
                for begin, end in HALF_DAYS:
                    _half_day(ctx, space, desk, year.at(day, begin), year.at(day, end), rate, coworkers)


def _half_day(ctx, space: Space, desk: Desk, starts_at, ends_at, rate: float, coworkers: list) -> None:
    wanted = sum(ctx.rng.random() < rate for _seat in range(desk.seats))
    bookers = ctx.rng.sample(coworkers, min(wanted, len(coworkers)))
    came = [p for p in bookers if ctx.rng.random() >= NO_SHOW]
    slot = Slot(
        desk_id=desk.id,
        space_id=space.id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=desk.seats,
        booked=len(came),
        price_cents=0 if space.max_future_bookings else 800,
        closed_at=ends_at,
        created_at=starts_at - timedelta(days=28),
        created_by_id=min(space.manager_ids, default=None),
    )
    db.session.add(slot)
    for person in bookers:
        booked_at = starts_at - timedelta(days=ctx.rng.randint(1, 10))
        db.session.add(
            DeskBooking(
                user_id=person.id,
                slot=slot,
                status="checked_in" if person in came else "no_show",
                starts_at=starts_at,
                ends_at=ends_at,
                created_at=booked_at,
                updated_at=ends_at,
                confirmed_at=booked_at,
                checked_in_at=starts_at + timedelta(minutes=ctx.rng.randint(0, 40)) if person in came else None,
            )
        )


def _carpools(ctx, year: Year) -> None:
    """The commuters' rides ran on their weekdays all year; neighbours of the start rode along,
    each at most once a day. Kilometres and CO2 are then recorded as the rides' job does."""
    rides = db.session.scalars(select(Ride).where(Ride.weekdays.is_not(None)).order_by(Ride.id)).all()
    riding_on: set[tuple[int, date]] = set()
    ridden = []
    for ride in rides:
        started = year.joined[ride.driver_id] + timedelta(days=ctx.rng.randint(0, 20))
        ride.created_at = min(ride.created_at, year.at(started, time(20)))
        ride.valid_from = min(ride.valid_from, started)
        neighbours = [
            p
            for p in ctx.people
            if p.id != ride.driver_id
            and p.has_home
            and geo.distance_km(p.home_lat, p.home_lng, ride.origin_lat, ride.origin_lng) <= PASSENGER_KM
        ]
        for day in year.days():
            if day < started or day.weekday() not in ride.weekdays:
                continue
            rate = SEATS_FIRST + (SEATS_LAST - SEATS_FIRST) * year.growth(day)
            riding = [
                p
                for p in neighbours
                if year.joined[p.id] <= day and (p.id, day) not in riding_on and ctx.rng.random() < rate
            ][: ride.seats]
            if riding:
                riding_on.update((p.id, day) for p in riding)
                ridden.append(_ridden(ctx, ride, day, riding))
    db.session.flush()
    for occurrence in ridden:
        ride_seats.record_impact(occurrence)
        occurrence.closed_at = occurrence.departs_at + timedelta(hours=6)


def _ridden(ctx, ride: Ride, day: date, passengers: list) -> RideOccurrence:
    departs_at = ride_rules.local_departure(day, ride_rules.parse_local_time(ride.local_time), ride.timezone)
    box = ride_rules.ellipse_box(
        (ride.origin_lat, ride.origin_lng), (ride.destination_lat, ride.destination_lng), ride.max_detour_km
    )
    occurrence = RideOccurrence(
        ride_id=ride.id,
        date=day,
        departs_at=departs_at,
        seats=ride.seats,
        seats_left=ride.seats - len(passengers),
        cancelled=False,
        min_lat=box.min_lat,
        max_lat=box.max_lat,
        min_lng=box.min_lng,
        max_lng=box.max_lng,
    )
    db.session.add(occurrence)
    minutes = ride_rules.driving_minutes(ride.distance_km, setting("RIDES_AVERAGE_SPEED_KMH"))
    for person in passengers:
        db.session.add(
            SeatBooking(
                user_id=person.id,
                status="confirmed",
                ride_id=ride.id,
                occurrence=occurrence,
                date=day,
                seats=1,
                pickup_lat=person.home_lat,
                pickup_lng=person.home_lng,
                pickup_label=person.home_label,
                dropoff_lat=ride.destination_lat,
                dropoff_lng=ride.destination_lng,
                dropoff_label=ride.destination_label,
                price_cents=ride.price_cents,
                starts_at=departs_at + timedelta(minutes=5),
                ends_at=departs_at + timedelta(minutes=minutes),
                created_at=departs_at - timedelta(days=ctx.rng.randint(1, 5)),
                updated_at=departs_at - timedelta(days=1),
            )
        )
    return occurrence
