from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sharemarket.accounts.models import ApiToken
from sharemarket.extensions import db
from sharemarket.jobs import housekeeping
from sharemarket.jobs.models import JobRun
from sharemarket.notifications.models import OutboxEmail


def test_purge_drops_only_what_is_old_enough(app, make_user, now, monkeypatch):
    monkeypatch.setattr(housekeeping, "BATCH", 2)
    person = make_user()
    day = timedelta(days=1)
    tokens = {
        "expired long ago": dict(expires_at=now - 31 * day),
        "expired lately": dict(expires_at=now - 29 * day),
        "revoked long ago": dict(expires_at=now + day, revoked_at=now - 31 * day),
        "revoked lately": dict(expires_at=now + day, revoked_at=now - day),
        "live": dict(expires_at=now + 10 * day),
        "expired long ago 2": dict(expires_at=now - 40 * day),
        "expired long ago 3": dict(expires_at=now - 50 * day),
    }
    for label, fields in tokens.items():
        db.session.add(
            ApiToken(user=person, token_hash=label.ljust(64, "x"), label=label, created_at=now - 60 * day, **fields)
        )
    for age, sent in ((40, True), (40, False), (5, True)):
        at = now - age * day
        db.session.add(
            OutboxEmail(
                to_address="a@example.org",
                kind="loan",
                subject=f"{age} {sent}",
                text_body="",
                created_at=at,
                next_attempt_at=at,
                attempts=1,
                sent_at=at if sent else None,
            )
        )
    for age in (20, 1):
        db.session.add(JobRun(name="x", started_at=now - age * day, finished_at=now - age * day, ok=True, summary=""))
    db.session.commit()

    assert housekeeping.purge(now) == {"tokens": 4, "sent_emails": 1, "job_runs": 1}
    assert sorted(db.session.scalars(select(ApiToken.label))) == ["expired lately", "live", "revoked lately"]
    assert sorted(db.session.scalars(select(OutboxEmail.subject))) == ["40 False", "5 True"]
    assert housekeeping.purge(now) == {"tokens": 0, "sent_emails": 0, "job_runs": 0}
