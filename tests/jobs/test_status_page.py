from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.jobs import runner
from sharemarket.jobs.registry import Job
from sharemarket.notifications.models import OutboxEmail
from sharemarket.notifications.services import notify


def _fail(now):
    raise ValueError("no such table: widgets")


def test_admins_see_each_jobs_last_run_and_the_outbox_backlog(client, login, make_user):
    admin = make_user(display_name="Admin")
    admin.is_admin = True
    now = utcnow()
    runner.run_job(Job("expire_requests", lambda now: {"expired": 3, "errors": 0}, 300), now - timedelta(minutes=10))
    runner.run_job(Job("expire_requests", lambda now: {"expired": 7, "errors": 1}, 300), now - timedelta(minutes=5))
    runner.run_job(Job("send_digests", _fail, 300), now - timedelta(minutes=5))
    runner.hold_lease(now, 60, holder="jobs-host:4242")
    person = make_user()
    for minutes in (30, 2):
        notify(user=person, kind="loan", title=_l("Hi"), body=_l("x"), now=now - timedelta(minutes=minutes))
    db.session.add(
        OutboxEmail(
            to_address="gone@example.org",
            kind="loan",
            subject="Bounced",
            text_body="",
            created_at=now,
            next_attempt_at=now,
            attempts=5,
            last_error="SMTPRecipientsRefused: 550 no such mailbox",
        )
    )
    db.session.commit()
    login(admin)
    response = client.get("/admin/jobs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "expired=7, errors=1" in page and "expired=3" not in page
    assert "failed: ValueError: no such table: widgets" in page
    assert "jobs-host:4242" in page
    assert "deliver_outbox" in page and "never run" in page
    assert '<dd id="outbox-pending">2</dd>' in page
    assert '<dd id="outbox-failed">1</dd>' in page
    oldest = page.split('<dd id="outbox-oldest">')[1].split(" s<")[0]
    assert 1800 <= int(oldest) < 1900
    assert "550 no such mailbox" in page and "gone@example.org" in page


def test_others_are_refused(client, login, make_user):
    assert client.get("/admin/jobs").status_code == 302  # anonymous: to the login page
    login(make_user())
    assert client.get("/admin/jobs").status_code == 403
