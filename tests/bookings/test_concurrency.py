"""Never two reviews by one person of one booking, and read markers that survive parallel readers:
parallel clients that really commit (SQLite file or PostgreSQL, whichever DATABASE_URL names)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sharemarket.accounts import services as accounts
from sharemarket.bookings import messages, reviews
from sharemarket.bookings import services as bookings
from sharemarket.bookings.exchange_models import MessageRead, Review
from sharemarket.bookings.models import Booking
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.listings import loans, rules
from sharemarket.listings import services as listings
from tests.bookings.conftest import LORIENT
from tests.races import race

pytestmark = pytest.mark.concurrency
THREADS = 24


def _returned_loan(app) -> tuple[int, int, int]:
    with app.app_context():
        now = utcnow()
        owner = accounts.register_user(email="o@example.org", password="long enough pw", display_name="O", now=now)
        borrower = accounts.register_user(email="b@example.org", password="long enough pw", display_name="B", now=now)
        listing = listings.create_listing(owner=owner, now=now, title="Scie", category="tools", place=LORIENT)
        today = rules.local_today(now, app.config["SHAREMARKET_TIMEZONE"])
        loan = loans.request_loan(listing=listing, borrower=borrower, start=today, end=today, now=now)
        for action in ("approve", "pickup", "return"):
            bookings.act(booking=loan, action=action, actor=owner, now=now)
        db.session.commit()
        ids = loan.id, owner.id, borrower.id
        db.session.remove()
        return ids


def test_parallel_reviews_of_one_booking_make_one_per_author(live_app):
    loan_id, owner_id, borrower_id = _returned_loan(live_app)

    def review(index: int) -> None:
        from sharemarket.accounts.models import User

        author = db.session.get(User, borrower_id if index % 2 else owner_id)
        booking = db.session.get(Booking, loan_id)
        reviews.leave_review(booking=booking, author=author, rating=1 + index % 5, comment=f"#{index}", now=utcnow())

    outcomes = race(live_app, review, range(THREADS))
    assert sorted(set(outcomes)) == ["Conflict", "ok"] and outcomes.count("ok") == 2
    with live_app.app_context():
        per_author = db.session.execute(
            select(Review.author_id, func.count()).where(Review.booking_id == loan_id).group_by(Review.author_id)
        ).all()
        assert sorted(per_author) == sorted([(owner_id, 1), (borrower_id, 1)])


def test_parallel_readers_keep_one_marker_at_the_furthest_message(live_app):
    loan_id, owner_id, borrower_id = _returned_loan(live_app)
    with live_app.app_context():
        from sharemarket.accounts.models import User

        booking, borrower = db.session.get(Booking, loan_id), db.session.get(User, borrower_id)
        ids = [messages.post_message(booking=booking, author=borrower, body=f"m{n}", now=utcnow()).id for n in range(3)]
        db.session.commit()
        db.session.remove()

    def read(index: int) -> None:
        from sharemarket.accounts.models import User

        owner = db.session.get(User, owner_id)
        messages.mark_read(
            booking=db.session.get(Booking, loan_id), reader=owner, up_to_id=ids[index % 3], now=utcnow()
        )

    assert race(live_app, read, range(THREADS)) == ["ok"] * THREADS
    with live_app.app_context():
        markers = list(db.session.scalars(select(MessageRead).where(MessageRead.booking_id == loan_id)))
        assert [(m.user_id, m.last_read_id) for m in markers] == [(owner_id, ids[-1])]
        assert messages.unread_counts(owner_id, [loan_id]) == {}
