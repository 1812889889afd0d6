from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.jobs import runner
from sharemarket.jobs.models import JobLease


def test_one_holder_at_a_time_and_takeover_after_expiry(app, now):
    assert runner.hold_lease(now, 60, holder="server-a:1")
    assert not runner.hold_lease(now + timedelta(seconds=1), 60, holder="server-b:2")
    # A renews while alive; B still waits.
    assert runner.hold_lease(now + timedelta(seconds=30), 60, holder="server-a:1")
    assert not runner.hold_lease(now + timedelta(seconds=89), 60, holder="server-b:2")
    # A dies: once its lease has run out, B takes over and A is refused.
    assert runner.hold_lease(now + timedelta(seconds=91), 60, holder="server-b:2")
    assert not runner.hold_lease(now + timedelta(seconds=92), 60, holder="server-a:1")
    lease = db.session.scalar(select(JobLease))
    assert (lease.holder, lease.expires_at) == ("server-b:2", now + timedelta(seconds=151))


def test_release_hands_over_at_once(app, now):
    assert runner.hold_lease(now, 60, holder="server-a:1")
    runner.release_lease(now + timedelta(seconds=5), holder="server-b:2")  # not B's to give up
    assert not runner.hold_lease(now + timedelta(seconds=6), 60, holder="server-b:2")
    runner.release_lease(now + timedelta(seconds=5), holder="server-a:1")
    assert runner.hold_lease(now + timedelta(seconds=6), 60, holder="server-b:2")


def test_racing_schedulers_elect_exactly_one(live_app):
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    winners, errors = [], []
    start = threading.Barrier(20)

    def contend(index: int):
        try:
            with live_app.app_context():
                start.wait()
                if runner.hold_lease(now, 60, holder=f"server-{index}"):
                    winners.append(index)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=contend, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(winners) == 1
    with live_app.app_context():
        assert db.session.scalar(select(JobLease.holder)) == f"server-{winners[0]}"
