from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.notifications import digest, services
from sharemarket.notifications.models import Notification, OutboxEmail

MORNING = "2026-12-01T08:00:00+01:00"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _say(user, when, title, kind="loan"):
    services.notify(user=user, kind=kind, title=_l(title), body=_l("Details of %(t)s", t=title), now=_at(when))
    db.session.commit()


def _run(app, at):
    result = app.test_cli_runner().invoke(args=["jobs", "run-once", "--at", at])
    assert result.exit_code == 0, result.output
    return dict(line.split(": ", 1) for line in result.output.splitlines())


def _digests(user):
    return list(
        db.session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.user_id == user.id, OutboxEmail.kind == "digest")
            .order_by(OutboxEmail.id)
        )
    )


@pytest.mark.parametrize(
    "now, expected",
    [
        ("2026-12-02T06:59:00+01:00", "2026-12-01T07:00:00+01:00"),
        ("2026-12-02T07:00:00+01:00", "2026-12-02T07:00:00+01:00"),
        ("2026-03-28T07:30:00+01:00", "2026-03-28T07:00:00+01:00"),  # the day before summer time
        ("2026-03-29T08:30:00+02:00", "2026-03-29T07:00:00+02:00"),  # summer time: still 07:00 local
    ],
)
def test_the_digest_hour_is_local_wall_time(app, now, expected):
    assert digest.cutoff(_at(now)) == _at(expected)


def test_one_digest_a_day_through_run_once_exactly_once(app, make_user, caplog):
    ana = make_user(display_name="Ana")
    bob = make_user(display_name="Bob")
    services.set_preferences(user=ana, choices=dict.fromkeys(("loan", "desk"), "digest"), now=_at(MORNING))
    db.session.commit()
    _say(ana, "2026-12-01T11:00:00+01:00", "Drill request")
    _say(ana, "2026-12-01T21:00:00+01:00", "Desk tomorrow", kind="desk")
    _say(bob, "2026-12-01T21:00:00+01:00", "Bob's own mail")  # e-mailed at once, not in a digest
    _say(ana, "2026-12-01T21:30:00+01:00", "Ride offer", kind="ride")  # ana still gets rides by e-mail

    summary = _run(app, "2026-12-02T06:59:00+01:00")
    assert summary["send_digests"].startswith("digests=0")
    assert summary["deliver_outbox"] == "sent=2"
    assert _digests(ana) == []

    with caplog.at_level("INFO", logger="sharemarket.notifications.outbox"):
        summary = _run(app, "2026-12-02T07:00:00+01:00")
    assert summary["send_digests"] == "digests=1, items=2, dropped=0, errors=0"
    assert summary["deliver_outbox"] == "sent=1"
    (mail,) = _digests(ana)
    assert mail.subject == "Your sharemarket day: 2 new notifications"
    assert "Drill request" in mail.text_body and "Desk tomorrow" in mail.text_body
    assert "Details of Drill request" in mail.html_body
    assert mail.unsubscribe_url and mail.sent_at == _at("2026-12-02T07:00:00+01:00")
    assert f"to {ana.email}: Your sharemarket day: 2 new notifications" in caplog.text

    # Later the same day: nothing twice; what came after 07:00 waits for tomorrow.
    _say(ana, "2026-12-02T08:00:00+01:00", "Drill returned")
    summary = _run(app, "2026-12-02T18:00:00+01:00")
    assert summary["send_digests"].startswith("digests=0") and summary["deliver_outbox"] == "sent=0"
    summary = _run(app, "2026-12-03T07:05:00+01:00")
    assert summary["send_digests"] == "digests=1, items=1, dropped=0, errors=0"
    assert [m.subject for m in _digests(ana)][-1] == "Your sharemarket day: 1 new notification"
    assert _run(app, "2026-12-03T07:10:00+01:00")["send_digests"].startswith("digests=0")
    anas = db.session.scalars(select(Notification).where(Notification.user_id == ana.id))
    assert {n.digest_status for n in anas} == {"sent", None}


def test_kinds_switched_to_inbox_meanwhile_are_dropped(app, make_user):
    ana = make_user()
    services.set_preferences(user=ana, choices=dict.fromkeys(("loan", "desk"), "digest"), now=_at(MORNING))
    _say(ana, "2026-12-01T11:00:00+01:00", "Drill request")
    _say(ana, "2026-12-01T11:00:00+01:00", "Desk", kind="desk")
    services.set_preferences(user=ana, choices={"loan": "inbox"}, now=_at("2026-12-01T12:00:00+01:00"))
    assert digest.send_digests(_at("2026-12-02T07:00:00+01:00")) == {
        "digests": 1,
        "items": 1,
        "dropped": 1,
        "errors": 0,
    }
    (mail,) = _digests(ana)
    assert "Desk" in mail.text_body and "Drill request" not in mail.text_body


def test_long_digests_point_to_the_inbox(app, make_user, monkeypatch):
    monkeypatch.setattr(digest, "ITEMS_SHOWN", 2)
    ana = make_user()
    services.set_preferences(user=ana, choices={"loan": "digest"}, now=_at("2026-12-01T08:00:00+01:00"))
    for title in ("One", "Two", "Three"):
        _say(ana, "2026-12-01T11:00:00+01:00", title)
    assert digest.send_digests(_at("2026-12-02T07:00:00+01:00"))["items"] == 3
    (mail,) = _digests(ana)
    assert "Three" not in mail.text_body and "And 1 more in your notifications:" in mail.text_body
    assert "http://127.0.0.1:5000/notifications" in mail.text_body


def test_one_failing_digest_does_not_stop_the_others(app, make_user, monkeypatch):
    ana, bob = make_user(display_name="Ana"), make_user(display_name="Bob")
    for person in (ana, bob):
        services.set_preferences(user=person, choices={"loan": "digest"}, now=_at("2026-12-01T08:00:00+01:00"))
        _say(person, "2026-12-01T11:00:00+01:00", "Drill request")
    real_render = digest._render

    def render(user, items, total):
        if user.id == ana.id:
            raise RuntimeError("template broken for Ana")
        return real_render(user, items, total)

    monkeypatch.setattr(digest, "_render", render)
    summary = digest.send_digests(_at("2026-12-02T07:00:00+01:00"))
    assert summary == {"digests": 1, "items": 1, "dropped": 0, "errors": 1}
    assert _digests(ana) == [] and len(_digests(bob)) == 1
    # Ana's items still wait, and go at the next run once the fault is gone.
    monkeypatch.setattr(digest, "_render", real_render)
    assert digest.send_digests(_at("2026-12-02T07:15:00+01:00"))["digests"] == 1
    assert len(_digests(ana)) == 1 and len(_digests(bob)) == 1


def test_batches_walk_every_person(app, make_user, monkeypatch):
    monkeypatch.setattr(digest, "USERS_PER_BATCH", 2)
    people = [make_user() for _ in range(5)]
    for person in people:
        services.set_preferences(user=person, choices={"loan": "digest"}, now=_at("2026-12-01T08:00:00+01:00"))
        _say(person, "2026-12-01T11:00:00+01:00", "Drill request")
    assert digest.send_digests(_at("2026-12-02T07:00:00+01:00"))["digests"] == 5
    assert all(len(_digests(person)) == 1 for person in people)


def test_digests_beside_busy_writers_fail_nobody(live_app, monkeypatch):
    """Other processes write while the digest runs: on SQLite a batch that read first and wrote
    second would fail with "database is locked"; the job takes its write lock first."""
    import threading

    from sharemarket.accounts import services as accounts

    monkeypatch.setattr(digest, "USERS_PER_BATCH", 5)
    # What is tested is the locking: the run's time budget must not end it early on a busy machine.
    monkeypatch.setitem(live_app.config, "JOB_RUN_SECONDS", 600)
    morning = _at(MORNING)
    with live_app.app_context():
        people = []
        for n in range(30):
            person = accounts.register_user(
                email=f"d{n}@example.org", password="long enough pw", display_name=f"D{n}", now=morning, locale="en"
            )
            services.set_preferences(user=person, choices={"loan": "digest"}, now=morning)
            services.notify(user=person, kind="loan", title=_l("Waiting"), body=_l("x"), now=morning)
            people.append(person.id)
        db.session.commit()
    stop, errors, results = threading.Event(), [], []

    def writer(index: int):
        try:
            with live_app.app_context():
                from sharemarket.accounts.models import User

                person = db.session.get(User, people[index])
                while not stop.is_set():
                    services.notify(user=person, kind="alert", title=_l("Busy"), body=_l("y"), now=morning)
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    def digester():
        try:
            with live_app.app_context():
                results.append(digest.send_digests(_at("2026-12-02T07:00:00+01:00")))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in writers:
        thread.start()
    job = threading.Thread(target=digester)
    job.start()
    job.join()
    stop.set()
    for thread in writers:
        thread.join()
    assert errors == []
    assert results == [{"digests": 30, "items": 30, "dropped": 0, "errors": 0}]


def test_an_address_that_receives_nothing_gets_no_digest(app, make_user):
    partner = make_user()
    partner.email = "passenger-7@partner.invalid"  # as partner operators' passengers are stored
    services.set_preferences(user=partner, choices={"ride": "digest"}, now=_at(MORNING))
    _say(partner, "2026-12-01T11:00:00+01:00", "Seat confirmed", kind="seat_confirmed")
    assert digest.send_digests(_at("2026-12-02T07:00:00+01:00")) == {
        "digests": 0,
        "items": 0,
        "dropped": 1,
        "errors": 0,
    }
    assert _digests(partner) == []
