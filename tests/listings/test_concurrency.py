"""Never two confirmed loans of one listing on one day, never more than five photos: proved with
parallel clients that really commit (SQLite file or PostgreSQL, whichever DATABASE_URL names)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.bookings import services as bookings
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.listings import loans, rules, services
from sharemarket.listings.models import HeldDay, Listing, ListingPhoto, Loan
from tests.listings.conftest import picture
from tests.races import race

pytestmark = pytest.mark.concurrency
THREADS = 30


def _people(n: int) -> list[int]:
    now = utcnow()
    ids = []
    for i in range(n):
        user = accounts.register_user(
            email=f"racer{i}@example.org", password="long enough pw", display_name=f"Racer {i}", now=now
        )
        ids.append(user.id)
    db.session.commit()
    return ids


def test_thirty_owners_clicks_approving_overlapping_requests_confirm_exactly_one(live_app):
    with live_app.app_context():
        owner_id, *borrower_ids = _people(THREADS + 1)
        owner = db.session.get(User, owner_id)
        listing = services.create_listing(
            owner=owner, now=utcnow(), title="Remorque", category="mobility", place=Place(47.75, -3.37), buffer_days=1
        )
        today = rules.local_today(utcnow(), live_app.config["SHAREMARKET_TIMEZONE"])
        loan_ids = []
        for i, borrower_id in enumerate(borrower_ids):
            start = today + timedelta(days=5 + i % 3)  # every request overlaps every other
            loan = loans.request_loan(
                listing=listing,
                borrower=db.session.get(User, borrower_id),
                start=start,
                end=start + timedelta(days=2),
                now=utcnow(),
            )
            loan_ids.append(loan.id)
        db.session.commit()
        listing_id = listing.id

    def approve(index: int) -> None:
        loan = db.session.get(Loan, loan_ids[index])
        bookings.act(booking=loan, action="approve", actor=db.session.get(User, owner_id), now=utcnow())

    outcomes = race(live_app, approve, range(THREADS))
    assert len(outcomes) == THREADS
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) <= {"ok", "BookingConflict", "InvalidTransition"}
    with live_app.app_context():
        confirmed = db.session.scalars(
            select(Loan).where(Loan.listing_id == listing_id, Loan.status == "confirmed")
        ).all()
        assert len(confirmed) == 1
        held = db.session.scalar(select(func.count()).select_from(HeldDay).where(HeldDay.listing_id == listing_id))
        assert held == 3 + 1  # three days and the buffer day
        requested = db.session.scalar(select(func.count(Loan.id)).where(Loan.status == "requested"))
        assert requested == THREADS - 1


def test_twenty_parallel_uploads_keep_five_photos(live_app, tmp_path, monkeypatch):
    monkeypatch.setitem(live_app.config, "MEDIA_DIR", str(tmp_path))
    with live_app.app_context():
        (owner_id,) = _people(1)
        listing = services.create_listing(
            owner=db.session.get(User, owner_id),
            now=utcnow(),
            title="Tente",
            category="sports",
            place=Place(47.7, -3.3),
        )
        db.session.commit()
        listing_id = listing.id
    data = picture()

    def upload(index: int) -> None:
        services.add_photo(
            listing=db.session.get(Listing, listing_id), actor=db.session.get(User, owner_id), data=data, now=utcnow()
        )

    outcomes = race(live_app, upload, range(20))
    assert outcomes.count("ok") == 5, outcomes
    with live_app.app_context():
        positions = db.session.scalars(select(ListingPhoto.position).where(ListingPhoto.listing_id == listing_id))
        assert sorted(positions) == [0, 1, 2, 3, 4]
