from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from sharemarket.extensions import db
from sharemarket.notifications import outbox
from sharemarket.notifications.models import OutboxEmail
from sharemarket.notifications.services import notify
from tests.notifications.fake_smtp import FakeSMTP, closed_port


def _queue(make_user, now, n=1, **user):
    person = make_user(**user)
    for i in range(n):
        notify(user=person, kind="loan", title=_l("Hello <%(i)s>", i=i), body=_l("Body line"), now=now)
    db.session.commit()
    return person


def _mails():
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_sent_once_as_text_and_html_with_one_click_unsubscribe(app, make_user, now, smtp_config):
    person = _queue(make_user, now, n=2, display_name="Ana")
    with FakeSMTP("accept") as smtp:
        smtp_config(smtp.port)
        assert outbox.deliver(now=now) == {"sent": 2}
        assert outbox.deliver(now=now + timedelta(hours=1)) == {"sent": 0}
    assert len(smtp.messages) == 2
    assert smtp.connections == 1  # one connection for the round
    message = smtp.messages[0]
    assert message["To"] == person.email
    assert message["Subject"] == "Hello <0>"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:5000/notifications/unsubscribe/") and unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "outbox" in message["Message-ID"]
    assert message.get_body(("plain",)).get_content().startswith("Body line")
    html = message.get_body(("html",)).get_content()
    assert "Hello &lt;0&gt;" in html and "<0>" not in html
    assert all(mail.sent_at == now and mail.attempts == 1 for mail in _mails())


def test_refusing_server_retries_with_backoff_then_gives_up_visibly(app, make_user, now, smtp_config):
    _queue(make_user, now)
    with FakeSMTP("refuse") as smtp:
        smtp_config(smtp.port)
        moment = now
        for attempt, wait in enumerate(outbox.RETRY_BACKOFF, start=1):
            expected = "failed" if attempt < outbox.MAX_ATTEMPTS else "given_up"
            assert outbox.deliver(now=moment) == {"sent": 0, expected: 1}
            (mail,) = _mails()
            assert mail.attempts == attempt and mail.sent_at is None
            assert "554" in mail.last_error
            if attempt < outbox.MAX_ATTEMPTS:
                assert mail.next_attempt_at == moment + timedelta(seconds=wait)
                # Not due yet: nothing is tried before the backoff ends.
                assert outbox.deliver(now=moment + timedelta(seconds=wait - 1)) == {"sent": 0}
                moment += timedelta(seconds=wait)
        assert outbox.deliver(now=moment + timedelta(days=30)) == {"sent": 0}
    assert smtp.connections == outbox.MAX_ATTEMPTS
    assert outbox.backlog(moment) == {"pending": 0, "failed": 1, "oldest_pending_seconds": None}
    assert [m.id for m in outbox.failures()] == [mail.id]


def test_hanging_server_times_out_and_the_round_stops(app, make_user, now, smtp_config):
    _queue(make_user, now, n=3)
    with FakeSMTP("hang") as smtp:
        smtp_config(smtp.port)
        assert outbox.deliver(now=now) == {"sent": 0, "failed": 1}
    first, *others = _mails()
    assert first.attempts == 1 and "timed out" in first.last_error
    # The server is down: the other mails were not tried, so they lose no attempt.
    assert [(m.attempts, m.last_error) for m in others] == [(0, None), (0, None)]
    assert outbox.backlog(now + timedelta(seconds=90)) == {"pending": 3, "failed": 0, "oldest_pending_seconds": 90}
    # The server comes back: everything goes, exactly once.
    with FakeSMTP("accept") as smtp:
        smtp_config(smtp.port)
        assert outbox.deliver(now=now + timedelta(minutes=1)) == {"sent": 3}
        assert outbox.deliver(now=now + timedelta(days=1)) == {"sent": 0}
    assert sorted(m["Subject"] for m in smtp.messages) == ["Hello <0>", "Hello <1>", "Hello <2>"]


def test_unreachable_server_and_rejected_recipient(app, make_user, now, smtp_config):
    _queue(make_user, now)
    smtp_config(closed_port())
    assert outbox.deliver(now=now) == {"sent": 0, "failed": 1}
    assert "ConnectionRefused" in _mails()[0].last_error
    with FakeSMTP("reject") as smtp:
        smtp_config(smtp.port)
        assert outbox.deliver(now=now + timedelta(minutes=1)) == {"sent": 0, "failed": 1}
    (mail,) = _mails()
    assert mail.attempts == 2 and "550" in mail.last_error and mail.sent_at is None


def test_without_mail_server_the_mail_goes_to_the_log(app, make_user, now, caplog):
    _queue(make_user, now)
    with caplog.at_level("INFO", logger="sharemarket.notifications.outbox"):
        assert outbox.deliver(now=now) == {"sent": 1}
    assert "Hello <0>" in caplog.text and "Body line" in caplog.text


def test_parallel_senders_never_send_one_twice(live_app, smtp_config):
    from datetime import UTC, datetime

    from sharemarket.accounts import services as accounts

    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with live_app.app_context():
        person = accounts.register_user(
            email="many@example.org", password="long enough pw", display_name="Many", now=now, locale="en"
        )
        for i in range(30):
            notify(user=person, kind="loan", title=_l("Mail %(i)s", i=i), body=_l("Body line"), now=now)
        db.session.commit()
    errors = []
    with FakeSMTP("accept") as smtp:
        smtp_config(smtp.port, target=live_app, timeout=10)

        def sender():
            try:
                with live_app.app_context():
                    outbox.deliver(now=now)
                    db.session.remove()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=sender) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted(m["Subject"] for m in smtp.messages) == sorted(f"Mail {i}" for i in range(30))
    with live_app.app_context():
        assert db.session.scalar(select(func.count()).where(OutboxEmail.sent_at.is_not(None))) == 30


def test_a_requests_mail_goes_right_after_its_response(app, client, make_user, smtp_config, monkeypatch):
    person = make_user()
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_REQUEST", True)
    with FakeSMTP("accept") as smtp:
        smtp_config(smtp.port)
        response = client.post("/password-reset", data={"email": person.email})
        assert response.status_code == 302
        (mail,) = _mails()
        assert mail.sent_at is None  # not inside the request and its transaction
        response.close()  # the server has sent the response
        db.session.expire_all()
        assert _mails()[0].sent_at is not None
    assert [m["To"] for m in smtp.messages] == [person.email]
    # The job finds nothing left to send.
    assert outbox.deliver(now=mail.created_at + timedelta(minutes=1)) == {"sent": 0}


def test_after_a_failed_send_the_job_still_has_the_mail(app, client, make_user, smtp_config, monkeypatch):
    person = make_user()
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_REQUEST", True)
    smtp_config(closed_port())
    client.post("/password-reset", data={"email": person.email}).close()
    db.session.expire_all()
    (mail,) = _mails()
    assert mail.sent_at is None and mail.attempts == 1 and "ConnectionRefused" in mail.last_error


def test_delivery_walks_batches_until_its_budget_is_spent(app, make_user, now, monkeypatch):
    _queue(make_user, now, n=5)
    assert outbox.deliver(now=now, batch=2) == {"sent": 5}
    _queue(make_user, now, n=5)
    monkeypatch.setitem(app.config, "JOB_RUN_SECONDS", 0)
    assert outbox.deliver(now=now, batch=2) == {"sent": 2, "more_due": 1}
    assert outbox.deliver(now=now, batch=2) == {"sent": 2, "more_due": 1}
    assert outbox.deliver(now=now, batch=2) == {"sent": 1}


def test_a_sender_dying_mid_batch_leaves_the_rest_claimed_then_sent_once(app, make_user, now, monkeypatch):
    _queue(make_user, now, n=4)
    sent = []
    really_send = outbox.Mailer.send

    def send(mailer, mail):
        if mail.subject == "Hello <2>":
            raise RuntimeError("the process dies here")
        sent.append(mail.subject)
        really_send(mailer, mail)

    monkeypatch.setattr(outbox.Mailer, "send", send)
    with pytest.raises(RuntimeError):
        outbox.deliver(now=now)
    db.session.rollback()
    # What went before the crash is recorded as sent, each in its own commit.
    assert [(m.subject, m.sent_at, m.attempts) for m in _mails()] == [
        ("Hello <0>", now, 1),
        ("Hello <1>", now, 1),
        ("Hello <2>", None, 0),
        ("Hello <3>", None, 0),
    ]
    # The rest stay claimed: no other sender takes them until the claim runs out.
    assert outbox.deliver(now=now + outbox.CLAIM - timedelta(seconds=1)) == {"sent": 0}
    monkeypatch.setattr(outbox.Mailer, "send", really_send)
    assert outbox.deliver(now=now + outbox.CLAIM) == {"sent": 2}
    assert outbox.deliver(now=now + timedelta(days=1)) == {"sent": 0}
    assert sent == ["Hello <0>", "Hello <1>"]
    assert all(m.sent_at is not None and m.attempts == 1 for m in _mails())
