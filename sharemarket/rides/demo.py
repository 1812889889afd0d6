"""Demo carpool: the official carpool areas, 25 commuters of the Lorient area driving to work in
Vannes, Quimperlé, Hennebont, Auray and Lanester on weekdays, a few weekend trips, some seats."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from sharemarket import geo
from sharemarket.bookings import services as bookings
from sharemarket.geo import Place
from sharemarket.rides import meeting_points, rules, search, seats, services

# Workplaces (label, lat, lng): real employment areas of the five towns.
WORKPLACES = [
    ("Vannes, Parc du Golfe", 47.6490, -2.7420),
    ("Vannes, campus de Tohannic", 47.6445, -2.7470),
    ("Vannes, centre hospitalier Chubert", 47.6640, -2.7500),
    ("Quimperlé, zone de Kervidanou", 47.8660, -3.5810),
    ("Quimperlé, centre", 47.8728, -3.5497),
    ("Hennebont, zone de Kerandré", 47.8190, -3.2560),
    ("Hennebont, centre", 47.8050, -3.2770),
    ("Auray, zone de Kerbois", 47.6780, -2.9700),
    ("Auray, gare", 47.6807, -3.0013),
    ("Lanester, zone de Kerpont", 47.7830, -3.3420),
    ("Lanester, campus de Lann Sévelin", 47.7560, -3.3560),
]
WEEKEND_TRIPS = [("Rennes", 48.1173, -1.6778), ("Quimper", 47.9960, -4.1025), ("Nantes", 47.2184, -1.5536)]
NOTES = [
    "",
    "",
    "Départ devant la boulangerie, je peux attendre 5 minutes.",
    "Je rentre vers 17 h 30, on peut aussi faire le retour ensemble.",
    "Vélo pliant bienvenu dans le coffre.",
]
COMMUTERS = 25


def _workplace_for(index: int, home: Place) -> Place:
    for step in range(len(WORKPLACES)):
        label, lat, lng = WORKPLACES[(index + step) % len(WORKPLACES)]
        if geo.distance_km(home.lat, home.lng, lat, lng) > 5:
            return Place(lat, lng, label)
    raise ValueError("no workplace far enough")


def _next_weekday(start, weekday: int):
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def load(ctx) -> None:
    meeting_points.load_csv()
    zone_name = current_app.config["SHAREMARKET_TIMEZONE"]
    zone = ZoneInfo(zone_name)
    today = ctx.now.astimezone(zone).date()
    rng = ctx.rng
    drivers = ctx.people[:COMMUTERS]
    for index, driver in enumerate(drivers):
        home = Place(driver.home_lat, driver.home_lng, driver.home_label)
        minutes = rng.choice(range(0, 50, 5))
        services.publish_ride(
            driver=driver,
            origin=home,
            destination=_workplace_for(index, home),
            seats=rng.choice([1, 2, 3, 3, 4]),
            max_detour_km=rng.choice([5.0, 8.0, 10.0, 10.0, 15.0]),
            recurrence=rules.Recurrence(
                weekdays=(0, 1, 2, 3) if index % 6 == 5 else (0, 1, 2, 3, 4),
                at=time(7, 30 + minutes) if minutes < 30 else time(8, minutes - 30),
                valid_from=today,
                valid_until=today + timedelta(days=180) if index % 3 == 0 else None,
                skip=frozenset({date(today.year, 12, 25), date(today.year + 1, 1, 1)}),
            ),
            preferences=rules.Preferences(
                smoking=False,
                pets=index % 4 == 0,
                music=index % 3 != 0,
                talkative=index % 5 != 0,
                luggage=rng.choice(rules.LUGGAGE_SIZES),
            ),
            note=rng.choice(NOTES),
            timezone=zone_name,
            now=ctx.now,
        )
    saturday = _next_weekday(today, 5)
    for index, (town, lat, lng) in enumerate(WEEKEND_TRIPS):
        driver = drivers[index * 7]
        services.publish_ride(
            driver=driver,
            origin=Place(driver.home_lat, driver.home_lng, driver.home_label),
            destination=Place(lat, lng, town),
            seats=3,
            max_detour_km=15.0,
            departure_at=datetime.combine(saturday, time(9 + index, 0), tzinfo=zone),
            note="Week-end : retour le dimanche soir si besoin.",
            now=ctx.now,
        )
    _book_some_seats(ctx, zone)


def _book_some_seats(ctx, zone: ZoneInfo) -> None:
    """The inhabitants who do not drive look for a ride to work tomorrow morning and ask for it."""
    day = _next_weekday(ctx.now.astimezone(zone).date(), 1)  # next Tuesday
    after = datetime.combine(day, time(7, 0), tzinfo=zone)
    for index, passenger in enumerate(ctx.people[COMMUTERS:]):
        label, lat, lng = WORKPLACES[(index * 3) % len(WORKPLACES)]
        home = Place(passenger.home_lat, passenger.home_lng, passenger.home_label)
        found = search.search(
            origin=home,
            destination=Place(lat, lng, label),
            depart_after=after,
            depart_before=after + timedelta(hours=2),
            now=ctx.now,
            exclude_driver_id=passenger.id,
        )
        shown = found.shown(0, 5)
        if not shown:
            continue
        match = shown[0]
        ride = match.occurrence.ride
        booking = seats.request_seats(
            ride=ride,
            passenger=passenger,
            seats=1,
            day=match.occurrence.date,
            pickup=match.pickup,
            dropoff=match.dropoff,
            now=ctx.now,
        )
        if index % 3 != 2:
            bookings.act(booking=booking, action="approve", actor=ride.driver, now=ctx.now)
