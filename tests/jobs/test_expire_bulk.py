"""The expiry of unanswered loan requests in bulk: the engine's `system_act_many` and the job on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking, BookingEvent
from sharemarket.errors import InvalidTransition
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.jobs import housekeeping
from sharemarket.listings import loans, services
from sharemarket.listings.models import HeldDay, Loan
from sharemarket.notifications import services as notifications
from sharemarket.notifications.models import Notification, OutboxEmail

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # requests asked now are due 48 hours later
DUE = T0 + timedelta(hours=49)


@pytest.fixture
def listing(make_user):
    owner = make_user(display_name="Owner")
    made = services.create_listing(
        owner=owner, now=T0, title="Perceuse <Bosch>", category="tools", place=Place(47.75, -3.37)
    )
    db.session.commit()
    return made


@pytest.fixture
def ask(listing, make_user):
    """`ask(**user_fields)`: a loan request of `listing` by a new borrower, made at `at` (T0)."""
    days = iter(range(10, 200, 3))

    def make(at=T0, **user_fields):
        start = date(2026, 12, 1) + timedelta(days=next(days))
        borrower = make_user(**user_fields)
        loan = loans.request_loan(listing=listing, borrower=borrower, start=start, end=start, now=at)
        db.session.commit()
        return loan

    return make


def _expiry_notes(loan) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == loan.user_id, Notification.kind == "loan_request_expired"
            )
        )
    )


def _mails(loan) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.user_id == loan.user_id, OutboxEmail.kind == "loan_request_expired")
        )
    )


def test_due_requests_expire_and_each_borrower_hears_once_as_chosen(ask):
    french = ask(locale="fr")
    english = ask(locale="en")
    inbox_only = ask(locale="en")
    notifications.set_preferences(user=inbox_only.user, choices={"loan": "inbox"}, now=T0)
    by_digest = ask(locale="en")
    notifications.set_preferences(user=by_digest.user, choices={"loan": "digest"}, now=T0)
    approved = ask()
    bookings.act(booking=approved, action="approve", actor=approved.listing.owner, now=T0 + timedelta(hours=1))
    later = ask(at=T0 + timedelta(hours=5))  # answer time ends at T0 + 53 h
    db.session.commit()

    assert housekeeping.expire_requests(DUE) == {"expired": 4, "errors": 0}
    db.session.commit()
    due = [french, english, inbox_only, by_digest]
    assert [loan.status for loan in due] == ["expired"] * 4
    assert (approved.status, later.status) == ("confirmed", "requested")
    for loan in due:
        last = loan.events[-1]
        assert (last.action, last.from_status, last.to_status, last.actor_id, last.at, last.note) == (
            "expire",
            "requested",
            "expired",
            None,
            DUE,
            "not answered in time",
        )
        assert loan.updated_at == DUE
    (note,) = _expiry_notes(french)
    assert note.title == "Votre demande a expiré : Perceuse <Bosch>"
    assert note.link == f"/listings/{french.listing_id}" and note.dedupe_key == f"booking:{french.id}:expired"
    assert [m.subject for m in _mails(french)] == ["Votre demande a expiré : Perceuse <Bosch>"]
    assert [n.title for n in _expiry_notes(english)] == ["Your request expired: Perceuse <Bosch>"]
    assert "Hello Neighbour," in _expiry_notes(english)[0].body
    assert len(_mails(english)) == 1
    assert len(_expiry_notes(inbox_only)) == 1 and _mails(inbox_only) == []
    assert [n.digest_status for n in _expiry_notes(by_digest)] == ["pending"] and _mails(by_digest) == []
    assert _expiry_notes(approved) == [] and _expiry_notes(later) == []
    assert db.session.scalar(select(func.count()).select_from(HeldDay).where(HeldDay.loan_id == approved.id)) == 1

    # Running again, even later, tells nobody anything twice; the later request's turn comes.
    assert housekeeping.expire_requests(DUE + timedelta(hours=10)) == {"expired": 1, "errors": 0}
    db.session.commit()
    for loan in due:
        assert len(_expiry_notes(loan)) == 1 and len(_mails(loan)) <= 1
    assert later.status == "expired" and len(_expiry_notes(later)) == 1


def _statements(run) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    engine = db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_a_batch_costs_the_same_statements_for_3_rows_as_for_30(ask):
    few = [ask() for _ in range(3)]
    small = _statements(lambda: housekeeping.expire_requests(DUE))
    many = [ask(at=T0 + timedelta(days=1)) for _ in range(30)]
    large = _statements(lambda: housekeeping.expire_requests(DUE + timedelta(days=1)))
    db.session.commit()
    assert {loan.status for loan in few + many} == {"expired"}
    assert large == small


def test_batches_walk_every_due_request(ask):
    requests = [ask(at=T0 + timedelta(minutes=n)) for n in range(7)]
    assert housekeeping.expire_requests(DUE, batch=3) == {"expired": 7, "errors": 0}
    assert {loan.status for loan in requests} == {"expired"}


def test_the_engine_moves_only_what_the_state_machine_allows_from_the_stated_status(ask):
    loan = ask()
    with pytest.raises(InvalidTransition):  # the scheduler never approves
        bookings.system_act_many(kind="loan", action="approve", source="requested", ids=[loan.id], now=DUE)
    with pytest.raises(InvalidTransition):  # an unpicked loan's expiry frees days: one at a time
        bookings.system_act_many(kind="loan", action="expire", source="confirmed", ids=[loan.id], now=DUE)
    with pytest.raises(InvalidTransition):  # a desk booking cannot expire
        bookings.system_act_many(kind="desk", action="expire", source="requested", ids=[loan.id], now=DUE)
    assert bookings.system_act_many(kind="seat", action="expire", source="requested", ids=[loan.id], now=DUE) == []
    early = bookings.system_act_many(
        kind="loan", action="expire", source="requested", ids=[loan.id], now=DUE, due=(Booking.respond_by <= T0,)
    )
    assert early == [] and loan.status == "requested"
    assert bookings.system_act_many(kind="loan", action="expire", source="requested", ids=[loan.id], now=DUE) == [
        loan.id
    ]
    assert loan.status == "expired" and loan.updated_at == DUE  # the session's copy follows
    assert db.session.scalar(select(func.count()).where(BookingEvent.booking_id == loan.id)) == 2


def test_an_approval_read_before_the_expiry_committed_is_refused(ask):
    """The owner's page showed the request; the job expired it before the owner clicked."""
    loan = ask()
    owner = loan.listing.owner
    db.session.execute(  # what another process's expiry wrote: this session's copy still says requested
        update(Booking.__table__).where(Booking.__table__.c.id == loan.id).values(status="expired")
    )
    assert loan.status == "requested"
    with pytest.raises(InvalidTransition), db.session.begin_nested():
        bookings.act(booking=loan, action="approve", actor=owner, now=T0 + timedelta(hours=50))
    db.session.expire_all()
    assert db.session.get(Loan, loan.id).status == "expired"
    assert db.session.scalar(select(func.count()).select_from(HeldDay).where(HeldDay.loan_id == loan.id)) == 0
