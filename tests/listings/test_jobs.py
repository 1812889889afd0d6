from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from sharemarket.bookings import services as bookings
from sharemarket.extensions import db
from sharemarket.jobs.registry import all_jobs
from sharemarket.listings import jobs, loans, services
from sharemarket.listings.models import HeldDay, Listing, Loan
from sharemarket.notifications.models import Notification

# 09:00 in Paris on Tuesday 1 December 2026.
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _notes(user, kind=None) -> int:
    query = select(func.count(Notification.id)).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return db.session.scalar(query)


def _loan(make_user, make_listing, start: date, end: date, *, picked_up: bool):
    owner, borrower = make_user(display_name="Owner"), make_user(display_name="Borrower")
    listing = make_listing(owner=owner)
    loan = loans.request_loan(listing=listing, borrower=borrower, start=start, end=end, now=T0)
    bookings.act(booking=loan, action="approve", actor=owner, now=T0)
    if picked_up:
        bookings.act(booking=loan, action="pickup", actor=owner, now=T0)
    db.session.commit()
    return loan, owner, borrower


def test_jobs_are_registered():
    names = {job.name for job in all_jobs()}
    assert {"loans_mark_overdue", "loans_expire_unpicked", "loans_remind_pickup_and_return"} <= names
    assert "listings_pause_forgotten" in names


def test_overdue_the_day_after_the_end_then_reminders_every_three_days(app, make_user, make_listing):
    loan, owner, borrower = _loan(make_user, make_listing, date(2026, 12, 1), date(2026, 12, 2), picked_up=True)
    assert jobs.mark_overdue(T0 + timedelta(days=1)) == {"marked_overdue": 0, "reminded": 0}
    day_after = T0 + timedelta(days=2)
    assert jobs.mark_overdue(day_after) == {"marked_overdue": 1, "reminded": 1}
    assert db.session.get(Loan, loan.id).status == "overdue"
    assert _notes(borrower, "loan_overdue") == 1 and _notes(owner, "loan_overdue") == 1
    assert jobs.mark_overdue(day_after + timedelta(hours=1)) == {"marked_overdue": 0, "reminded": 0}
    assert jobs.mark_overdue(T0 + timedelta(days=3)) == {"marked_overdue": 0, "reminded": 0}
    assert jobs.mark_overdue(T0 + timedelta(days=4)) == {"marked_overdue": 0, "reminded": 1}
    assert jobs.mark_overdue(T0 + timedelta(days=7)) == {"marked_overdue": 0, "reminded": 1}
    assert _notes(borrower, "loan_overdue") == 3 and _notes(owner, "loan_overdue") == 1
    bookings.act(booking=db.session.get(Loan, loan.id), action="return", actor=owner, now=T0 + timedelta(days=8))
    assert jobs.mark_overdue(T0 + timedelta(days=10)) == {"marked_overdue": 0, "reminded": 0}


def test_confirmed_but_never_picked_up_expires_after_its_last_day(app, make_user, make_listing):
    loan, owner, borrower = _loan(make_user, make_listing, date(2026, 12, 1), date(2026, 12, 3), picked_up=False)
    assert jobs.expire_unpicked(T0 + timedelta(days=2)) == {"expired": 0}
    assert jobs.expire_unpicked(T0 + timedelta(days=3)) == {"expired": 1}
    assert db.session.get(Loan, loan.id).status == "expired"
    assert db.session.scalar(select(func.count()).select_from(HeldDay)) == 0
    assert _notes(borrower, "loan_expired") == 1 and _notes(owner, "loan_expired") == 1
    assert jobs.expire_unpicked(T0 + timedelta(days=4)) == {"expired": 0}


def test_reminders_the_day_before_pickup_and_return(app, make_user, make_listing):
    pickup, _, borrower = _loan(make_user, make_listing, date(2026, 12, 2), date(2026, 12, 3), picked_up=False)
    back, _, holder = _loan(make_user, make_listing, date(2026, 12, 1), date(2026, 12, 2), picked_up=True)
    assert jobs.remind_pickup_and_return(T0) == {"pickup_reminders": 1, "return_reminders": 1}
    assert jobs.remind_pickup_and_return(T0 + timedelta(hours=3)) == {"pickup_reminders": 0, "return_reminders": 0}
    assert _notes(borrower, "loan_pickup_reminder") == 1
    assert _notes(holder, "loan_return_reminder") == 1


def test_forgotten_listings_are_warned_then_paused(app, make_user, make_listing):
    owner = make_user()
    listing = make_listing(owner=owner)
    fresh = make_listing(owner=owner, title="Fresh")
    listing.updated_at = T0 - timedelta(days=200)
    fresh.updated_at = T0 - timedelta(days=20)
    db.session.commit()
    assert jobs.pause_forgotten_listings(T0) == {"warned": 1, "paused": 0}
    assert jobs.pause_forgotten_listings(T0 + timedelta(days=1)) == {"warned": 0, "paused": 0}
    assert jobs.pause_forgotten_listings(T0 + timedelta(days=15)) == {"warned": 0, "paused": 1}
    assert db.session.get(Listing, listing.id).status == "paused"
    assert db.session.get(Listing, fresh.id).status == "active"
    assert _notes(owner, "listing_stale") == 1 and _notes(owner, "listing_paused") == 1


def test_an_owner_who_says_still_available_is_not_paused(app, make_user, make_listing):
    owner = make_user()
    listing = make_listing(owner=owner)
    listing.updated_at = T0 - timedelta(days=200)
    db.session.commit()
    jobs.pause_forgotten_listings(T0)
    services.update_listing(listing=listing, actor=owner, now=T0 + timedelta(days=3))
    assert jobs.pause_forgotten_listings(T0 + timedelta(days=20)) == {"warned": 0, "paused": 0}
    assert db.session.get(Listing, listing.id).status == "active"


def test_jobs_reach_every_row_batch_after_batch(app, make_user, make_listing, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    borrowers = []
    for n in range(7):
        if n % 3 == 1:  # in between, loans picked up today that come back tomorrow
            _loan(make_user, make_listing, date(2026, 12, 1), date(2026, 12, 2), picked_up=True)
        else:
            borrowers.append(_loan(make_user, make_listing, date(2026, 12, 2), date(2026, 12, 3), picked_up=False)[2])
    # Confirmed loans that start on another day: in the status the batches walk, not in their conditions.
    for _ in range(2):
        _loan(make_user, make_listing, date(2026, 12, 10), date(2026, 12, 11), picked_up=False)
    assert jobs.remind_pickup_and_return(T0) == {"pickup_reminders": 5, "return_reminders": 2}
    assert all(_notes(b, "loan_pickup_reminder") == 1 for b in borrowers)
    assert jobs.expire_unpicked(T0 + timedelta(days=3)) == {"expired": 5}
