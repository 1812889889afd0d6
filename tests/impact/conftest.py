"""A small town history in October 2026: loans, desk bookings and completed carpools."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sharemarket.desks import services as desks
from sharemarket.desks.models import DeskBooking, Slot
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.impact import aggregate
from sharemarket.listings import services as listings
from sharemarket.listings.models import Loan
from sharemarket.rides import services as rides
from sharemarket.rides.models import RideOccurrence, SeatBooking

LORIENT = Place(47.7483, -3.3700, "Lorient")
VANNES = Place(47.6582, -2.7608, "Vannes")
OCTOBER = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def town(app, make_user):
    """6 borrowers of tools (€ 50 each), 1 of kitchen items, 3 passengers of one driver, 5 desk bookers."""
    before = OCTOBER - timedelta(days=30)
    owner = make_user(display_name="Owner")
    drill = listings.create_listing(
        owner=owner,
        now=before,
        title="Drill",
        description="",
        category="tools",
        place=LORIENT,
        pickup_instructions="",
        replacement_value_cents=5000,
    )
    pan = listings.create_listing(
        owner=owner,
        now=before,
        title="Pan",
        description="",
        category="kitchen",
        place=LORIENT,
        pickup_instructions="",
    )
    db.session.flush()
    borrowers = [make_user(display_name=f"Borrower {n}") for n in range(7)]
    for n, person in enumerate(borrowers):
        listing = pan if n == 6 else drill
        start = OCTOBER + timedelta(days=2 * n)
        db.session.add(
            Loan(
                user_id=person.id,
                listing_id=listing.id,
                status="returned",
                starts_at=start,
                ends_at=start + timedelta(days=1),
                start_date=start.date(),
                end_date=start.date() + timedelta(days=1),
            )
        )
    driver = make_user(display_name="Driver")
    ride = rides.publish_ride(
        driver=driver, origin=LORIENT, destination=VANNES, seats=3, now=before, departure_at=OCTOBER
    )
    db.session.flush()
    occurrence = db.session.scalars(select(RideOccurrence).where(RideOccurrence.ride_id == ride.id)).one()
    passengers = [make_user(display_name=f"Passenger {n}") for n in range(3)]
    for person in passengers:
        db.session.add(
            SeatBooking(
                user_id=person.id,
                status="confirmed",
                starts_at=OCTOBER,
                ends_at=OCTOBER + timedelta(hours=1),
                ride_id=ride.id,
                occurrence_id=occurrence.id,
                date=OCTOBER.date(),
                seats=1,
                pickup_lat=LORIENT.lat,
                pickup_lng=LORIENT.lng,
                pickup_label="Lorient",
                dropoff_lat=VANNES.lat,
                dropoff_lng=VANNES.lng,
                dropoff_label="Vannes",
                price_cents=350,
                shared_km=50.0,
                co2_kg=9.65,
            )
        )
    manager = make_user(display_name="Manager")
    space = desks.create_space(creator=manager, name="La Cale", location=LORIENT, now=before, timezone="Europe/Paris")
    desk = desks.add_desk(space=space, actor=manager, label="A", now=before, seats=10)
    slot = Slot(
        desk_id=desk.id,
        space_id=space.id,
        starts_at=OCTOBER,
        ends_at=OCTOBER + timedelta(hours=4),
        capacity=10,
        booked=5,
    )
    db.session.add(slot)
    db.session.flush()
    bookers = [make_user(display_name=f"Coworker {n}") for n in range(5)]
    for person in bookers:
        db.session.add(
            DeskBooking(
                user_id=person.id, slot_id=slot.id, status="checked_in", starts_at=slot.starts_at, ends_at=slot.ends_at
            )
        )
    db.session.flush()
    aggregate.refresh([date(2026, 10, 1)])
    db.session.commit()
    return {"space": space, "ride": ride, "driver": driver, "passengers": passengers, "borrowers": borrowers}
