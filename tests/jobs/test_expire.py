"""The generic expiry job, driven through `run-once --at`, on a small booking kind defined here.

The kind lives in the `bookings` table alone (single-table subclass), so it needs no migration;
the real kinds (loans, seats) use the same job once they register.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sharemarket.bookings import kinds, rules
from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.extensions import db
from sharemarket.jobs import housekeeping
from sharemarket.notifications.models import Notification, OutboxEmail


class TrialBooking(Booking):
    __mapper_args__ = {"polymorphic_identity": "trial"}


class TrialKind:
    kind = "trial"
    model = TrialBooking

    def __init__(self):
        self.broken: set[int] = set()

    def provider_ids(self, booking):
        return set()

    def handled_by(self, user_id):
        return select(Booking.id).where(False)

    def on_transition(self, booking, action, old_status, actor_id, now):
        pass

    def on_bulk_transition(self, ids, action, now):
        if broken := self.broken.intersection(ids):
            raise RuntimeError(f"cannot expire bookings {sorted(broken)}")

    def check_action(self, booking, action, now):
        pass

    def describe(self, booking):
        return self.describe_many([booking.id])[booking.id]

    def describe_many(self, ids):
        return {i: {"title": f"the trial thing #{i}", "link": f"/bookings/{i}"} for i in ids}

    def to_json(self, booking, viewer_id):
        return {}


@pytest.fixture
def trial(monkeypatch):
    handler = TrialKind()
    monkeypatch.setitem(kinds.KINDS, "trial", handler)
    expire = rules.TRANSITIONS["expire"] + (rules._t("trial", "requested", "expired", "system"),)
    monkeypatch.setitem(rules.TRANSITIONS, "expire", expire)
    return handler


@pytest.fixture
def make_request(make_user, now):
    def make(respond_in: timedelta, status="requested", booker=None):
        booking = TrialBooking(
            user=booker or make_user(display_name="Booker"),
            status=status,
            respond_by=now + respond_in,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=4),
        )
        bookings.start(booking, now=now, actor_id=booking.user.id)
        db.session.commit()
        return booking

    return make


def _run(app, at):
    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "--at", at.isoformat()])
    assert result.exit_code == 0, result.output
    return dict(line.split(": ", 1) for line in result.output.splitlines())


def test_unanswered_requests_expire_and_bookers_hear_once(app, trial, make_request, make_user, now, caplog):
    ana = make_user(display_name="Ana")
    due = make_request(timedelta(hours=1), booker=ana)
    later = make_request(timedelta(hours=5))
    answered = make_request(timedelta(hours=-1), status="confirmed")
    assert "trial" in housekeeping.expirable_kinds()

    assert _run(app, now)["expire_requests"] == "expired=0, errors=0"
    with caplog.at_level("INFO", logger="sharemarket.notifications.outbox"):
        summary = _run(app, now + timedelta(hours=2))
    assert summary["expire_requests"] == "expired=1, errors=0"
    assert summary["deliver_outbox"] == "sent=1"
    assert (due.status, later.status, answered.status) == ("expired", "requested", "confirmed")
    assert [(e.action, e.from_status, e.to_status, e.actor_id) for e in due.events][-1] == (
        "expire",
        "requested",
        "expired",
        None,
    )
    (note,) = db.session.scalars(select(Notification).where(Notification.user_id == ana.id)).all()
    assert note.title == f"Your request expired: the trial thing #{due.id}"
    assert note.link == f"/bookings/{due.id}" and note.dedupe_key == f"booking:{due.id}:expired"
    assert f"to {ana.email}: Your request expired: the trial thing #{due.id}" in caplog.text

    # Running again (or twice at the same time) tells nobody anything twice.
    summary = _run(app, now + timedelta(hours=3))
    assert summary["expire_requests"] == "expired=0, errors=0" and summary["deliver_outbox"] == "sent=0"
    assert db.session.scalar(select(db.func.count(OutboxEmail.id)).where(OutboxEmail.user_id == ana.id)) == 1


def test_a_row_that_raises_leaves_the_others_done(app, trial, make_request, now):
    requests = [make_request(timedelta(minutes=i)) for i in range(5)]
    trial.broken.add(requests[1].id)
    summary = housekeeping.expire_requests(now + timedelta(hours=1), batch=2)
    db.session.commit()
    assert summary == {"expired": 4, "errors": 1}
    for booking in requests:
        db.session.refresh(booking)
    assert [b.status for b in requests] == ["expired", "requested", "expired", "expired", "expired"]
    # The broken one left nothing half done: no event, no message.
    assert [e.action for e in requests[1].events] == ["create"]
    assert db.session.scalar(select(Notification).where(Notification.user_id == requests[1].user_id)) is None
    trial.broken.clear()
    assert housekeeping.expire_requests(now + timedelta(hours=1)) == {"expired": 1, "errors": 0}


def test_a_closed_account_still_has_its_request_expired_silently(app, trial, make_request, make_user, now):
    from sharemarket.accounts import services as accounts

    gone = make_user()
    booking = make_request(timedelta(hours=1), booker=gone)
    accounts.delete_account(user=gone, now=now)
    db.session.commit()
    assert housekeeping.expire_requests(now + timedelta(hours=2)) == {"expired": 1, "errors": 0}
    assert booking.status == "expired"
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_a_spent_budget_leaves_the_rest_for_the_next_run(app, trial, make_request, now, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_RUN_SECONDS", 0)
    requests = [make_request(timedelta(minutes=i)) for i in range(5)]
    later = now + timedelta(hours=1)
    assert housekeeping.expire_requests(later, batch=2) == {"expired": 2, "errors": 0, "more_due": 1}
    assert housekeeping.expire_requests(later, batch=2) == {"expired": 2, "errors": 0, "more_due": 1}
    assert housekeeping.expire_requests(later, batch=2) == {"expired": 1, "errors": 0}
    assert {b.status for b in requests} == {"expired"}
