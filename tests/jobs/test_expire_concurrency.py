"""A request the owner approves while the scheduler expires it ends approved or expired, never both:
parallel clients that really commit (SQLite file or PostgreSQL, whichever DATABASE_URL names)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import BookingEvent
from sharemarket.db import utcnow
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.jobs import housekeeping
from sharemarket.listings import loans, services
from sharemarket.listings.models import HeldDay, Loan
from sharemarket.notifications.models import Notification

pytestmark = pytest.mark.concurrency
THREADS = 12


def _requests(app, count: int) -> list[int]:
    """`count` loan requests, each of its own listing, whose answer time has passed by `_due`."""
    with app.app_context():
        now = utcnow()
        start = now.date() + timedelta(days=20)
        ids = []
        for n in range(count):
            owner, borrower = (
                accounts.register_user(
                    email=f"{who}{n}@example.org", password="long enough pw", display_name=who, now=now
                )
                for who in ("owner", "borrower")
            )
            listing = services.create_listing(
                owner=owner, now=now, title=f"Scie {n}", category="tools", place=Place(47.75, -3.37)
            )
            ids.append(loans.request_loan(listing=listing, borrower=borrower, start=start, end=start, now=now).id)
        db.session.commit()
        db.session.remove()
        return ids


def _due():
    return utcnow() + timedelta(hours=49)


def _approve(loan_id: int) -> str:
    try:
        loan = db.session.get(Loan, loan_id)
        owner = db.session.get(User, loan.listing.owner_id)
        bookings.act(booking=loan, action="approve", actor=owner, now=utcnow())
        db.session.commit()
        return "ok"
    except DomainError as exc:
        db.session.rollback()
        return type(exc).__name__


def _outcome(loan_id: int) -> tuple:
    """(status, approve events, expire events, expiry notices, held days) of one loan."""
    loan = db.session.get(Loan, loan_id)
    actions = list(db.session.scalars(select(BookingEvent.action).where(BookingEvent.booking_id == loan_id)))
    notices = db.session.scalar(select(func.count()).where(Notification.dedupe_key == f"booking:{loan_id}:expired"))
    held = db.session.scalar(select(func.count()).select_from(HeldDay).where(HeldDay.loan_id == loan_id))
    return loan.status, actions.count("approve"), actions.count("expire"), notices, held


APPROVED = ("confirmed", 1, 0, 0, 1)
EXPIRED = ("expired", 0, 1, 1, 0)


def test_owners_approving_while_the_job_expires_end_one_way_or_the_other(live_app):
    ids = _requests(live_app, THREADS)
    due = _due()
    barrier = threading.Barrier(THREADS + 1)
    outcomes: dict[int, object] = {}

    def run(index: int) -> None:
        with live_app.app_context():
            barrier.wait()
            if index == THREADS:
                outcomes[index] = housekeeping.expire_requests(due, batch=3)
                db.session.commit()
            else:
                outcomes[index] = _approve(ids[index])
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with live_app.app_context():
        ends = [_outcome(loan_id) for loan_id in ids]
    assert set(ends) <= {APPROVED, EXPIRED}, ends
    assert [outcomes[i] == "ok" for i in range(THREADS)] == [end == APPROVED for end in ends]
    assert outcomes[THREADS]["expired"] == ends.count(EXPIRED)


def _wait_until_someone_waits_for_a_lock() -> None:
    """PostgreSQL: until another session of this database waits for a row lock (a test thread)."""
    deadline = time.monotonic() + 30
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                return
    raise AssertionError("no session ever waited for the lock")


def _in_thread(app, work) -> tuple[threading.Thread, list]:
    result: list = []

    def run() -> None:
        with app.app_context():
            result.append(work())
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.fixture
def postgresql(live_app):
    with live_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite locks the whole database: the interleavings below cannot happen")
    return live_app


def test_an_approval_waiting_for_the_expiry_to_commit_is_refused(postgresql):
    (loan_id,) = _requests(postgresql, 1)
    with postgresql.app_context():
        bookers = {loan_id: db.session.scalar(select(Loan.user_id).where(Loan.id == loan_id))}
        assert housekeeping._expire("loan", [loan_id], _due(), bookers) == {"expired": 1}  # not committed yet
        thread, result = _in_thread(postgresql, lambda: _approve(loan_id))
        _wait_until_someone_waits_for_a_lock()  # the owner's click waits for the loan's row
        db.session.commit()
        thread.join(timeout=60)
        assert result == ["InvalidTransition"]
        db.session.expire_all()
        assert _outcome(loan_id) == EXPIRED


def test_an_expiry_waiting_for_an_approval_to_commit_leaves_it_approved(postgresql):
    (loan_id,) = _requests(postgresql, 1)
    due = _due()
    with postgresql.app_context():
        loan = db.session.get(Loan, loan_id)
        bookings.act(booking=loan, action="approve", actor=loan.listing.owner, now=utcnow())  # not committed yet
        thread, result = _in_thread(postgresql, lambda: housekeeping.expire_requests(due))
        _wait_until_someone_waits_for_a_lock()  # the job's UPDATE waits for the loan's row
        db.session.commit()
        thread.join(timeout=60)
        assert result == [{"expired": 0, "errors": 0}]
        db.session.expire_all()
        assert _outcome(loan_id) == APPROVED
