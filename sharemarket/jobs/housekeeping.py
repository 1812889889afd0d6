"""Jobs that belong to no one feature: expire unanswered requests, purge what has outlived its use.

Each walks its due rows in keyset batches (bounded memory on any table size), commits per
batch, and isolates every row in a savepoint so that one bad row leaves the others done.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select

from sharemarket.accounts.models import ApiToken
from sharemarket.bookings import rules
from sharemarket.bookings import services as bookings
from sharemarket.bookings.kinds import KINDS, handler_for
from sharemarket.bookings.models import Booking
from sharemarket.db import lock_row
from sharemarket.extensions import db
from sharemarket.jobs.models import JobRun
from sharemarket.notifications.models import OutboxEmail
from sharemarket.notifications.services import notify

log = logging.getLogger("sharemarket.jobs")
BATCH = 500
KEEP_TOKENS = timedelta(days=30)
KEEP_SENT_EMAILS = timedelta(days=30)
KEEP_JOB_RUNS = timedelta(days=14)


def expirable_kinds() -> list[str]:
    """Booking kinds whose unanswered requests the state machine lets the scheduler expire."""
    return sorted(k for k in KINDS if rules.find_transition(k, "expire", "requested", rules.SYSTEM))


def expire_requests(now: datetime, batch: int = BATCH) -> dict:
    """Requests nobody answered by their `respond_by` become expired, and their bookers are told."""
    counts = {"expired": 0, "errors": 0}
    expirable = expirable_kinds()
    if not expirable:
        return counts
    due = select(Booking.id, Booking.respond_by).where(
        Booking.status == "requested", Booking.respond_by <= now, Booking.kind.in_(expirable)
    )
    after = None
    while True:
        query = due
        if after is not None:
            query = query.where(
                or_(Booking.respond_by > after[1], and_(Booking.respond_by == after[1], Booking.id > after[0]))
            )
        rows = db.session.execute(query.order_by(Booking.respond_by, Booking.id).limit(batch)).all()
        if not rows:
            return counts
        for booking_id, _respond_by in rows:
            try:
                with db.session.begin_nested():
                    counts["expired"] += _expire(booking_id, now)
            except Exception:  # noqa: BLE001 - one broken booking must not stop the others
                log.exception("could not expire booking %s", booking_id)
                counts["errors"] += 1
        db.session.commit()
        after = rows[-1]


def _expire(booking_id: int, now: datetime) -> int:
    # Locked and re-read: a provider approving at this moment wins or waits, never both.
    lock_row(db.session, Booking, booking_id)
    booking = db.session.get(Booking, booking_id, populate_existing=True)
    if booking.status != "requested" or booking.respond_by is None or booking.respond_by > now:
        return 0
    bookings.system_act(booking=booking, action="expire", now=now, note="not answered in time")
    what = handler_for(booking).describe(booking)
    notify(
        user=booking.user,
        kind=f"{booking.kind}_request_expired",
        title=_l("Your request expired: %(what)s", what=what["title"]),
        body=_l(
            "Hello %(name)s,\n\nNobody answered your request for %(what)s in time, so it has expired and "
            "nothing is booked. You can ask again or look for something similar nearby.",
            name=booking.user.display_name,
            what=what["title"],
        ),
        link=what.get("link"),
        now=now,
        dedupe_key=f"booking:{booking.id}:expired",
    )
    return 1


def _delete_in_batches(model, condition, batch: int = BATCH) -> int:
    deleted = 0
    while True:
        ids = db.session.scalars(select(model.id).where(condition).limit(batch)).all()
        if not ids:
            return deleted
        db.session.execute(delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False))
        db.session.commit()
        deleted += len(ids)


def purge(now: datetime) -> dict:
    """Drop API tokens expired or revoked 30 days ago, old sent e-mails and old job run records.

    (Password reset links are signed and expire by themselves: nothing is stored to purge.)
    """
    token_cutoff = now - KEEP_TOKENS
    return {
        "tokens": _delete_in_batches(
            ApiToken, or_(ApiToken.expires_at < token_cutoff, ApiToken.revoked_at < token_cutoff)
        ),
        "sent_emails": _delete_in_batches(OutboxEmail, OutboxEmail.sent_at < now - KEEP_SENT_EMAILS),
        "job_runs": _delete_in_batches(JobRun, JobRun.started_at < now - KEEP_JOB_RUNS),
    }
