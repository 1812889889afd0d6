"""Request expiry on real loans of the tool library, driven through `run-once --at`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.listings import loans, services
from sharemarket.listings.models import Loan
from sharemarket.notifications.models import Notification, OutboxEmail

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Paris


def _request(make_user, start: date, end: date):
    owner, borrower = make_user(display_name="Owner"), make_user(display_name="Borrower")
    listing = services.create_listing(
        owner=owner, now=T0, title="Perceuse à percussion", category="tools", place=Place(47.7486, -3.3667)
    )
    loan = loans.request_loan(listing=listing, borrower=borrower, start=start, end=end, now=T0)
    db.session.commit()
    return loan, owner, borrower


def _run(app, at: datetime) -> dict:
    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return dict(line.split(": ", 1) for line in result.output.splitlines())


def _mails(user) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.user_id == user.id)))


def test_a_loan_request_nobody_answers_expires_after_48_hours(app, make_user, caplog):
    loan, owner, borrower = _request(make_user, date(2026, 12, 10), date(2026, 12, 12))
    assert loan.respond_by == T0 + timedelta(hours=48)
    mails_before = len(_mails(borrower))

    assert _run(app, T0 + timedelta(hours=47))["expire_requests"] == "expired=0, errors=0"
    assert db.session.get(Loan, loan.id).status == "requested"

    with caplog.at_level("INFO", logger="sharemarket.notifications.outbox"):
        summary = _run(app, T0 + timedelta(hours=49))
    assert summary["expire_requests"] == "expired=1, errors=0"
    assert db.session.get(Loan, loan.id).status == "expired"
    (note,) = db.session.scalars(
        select(Notification).where(Notification.user_id == borrower.id, Notification.kind == "loan_request_expired")
    ).all()
    assert note.title == "Your request expired: Perceuse à percussion"
    assert note.link == f"/listings/{loan.listing_id}"
    assert len(_mails(borrower)) == mails_before + 1
    assert f"to {borrower.email}: Your request expired: Perceuse à percussion" in caplog.text

    # Again, later: nothing more is sent to anyone.
    summary = _run(app, T0 + timedelta(hours=60))
    assert summary["expire_requests"] == "expired=0, errors=0" and summary["deliver_outbox"] == "sent=0"
    assert len(_mails(borrower)) == mails_before + 1
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(OutboxEmail.sent_at.is_(None))) == 0


def test_a_request_for_soon_expires_at_its_start(app, make_user):
    loan, _owner, borrower = _request(make_user, date(2026, 12, 2), date(2026, 12, 3))
    start = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # midnight in Paris: the loan's first day
    assert loan.respond_by == start
    assert _run(app, start - timedelta(minutes=1))["expire_requests"] == "expired=0, errors=0"
    assert _run(app, start)["expire_requests"] == "expired=1, errors=0"


def test_an_answered_request_is_left_alone(app, make_user):
    from sharemarket.bookings import services as bookings

    loan, owner, _borrower = _request(make_user, date(2026, 12, 10), date(2026, 12, 12))
    bookings.act(booking=loan, action="decline", actor=owner, now=T0 + timedelta(hours=1))
    db.session.commit()
    assert _run(app, T0 + timedelta(days=3))["expire_requests"] == "expired=0, errors=0"
    assert db.session.get(Loan, loan.id).status == "declined"
