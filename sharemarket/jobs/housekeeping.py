"""Jobs that belong to no one feature: expire unanswered requests, purge what has outlived its use.

Each walks its due rows in keyset batches (bounded memory on any table size), commits per
batch, and isolates the rows of a batch (`in_isolation`) so that one bad row leaves the others
done. A run stops starting batches when its time budget is spent (see batches.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select

from sharemarket.accounts.models import ApiToken
from sharemarket.bookings import rules
from sharemarket.bookings import services as bookings
from sharemarket.bookings.kinds import KINDS
from sharemarket.bookings.models import Booking
from sharemarket.extensions import db
from sharemarket.jobs.batches import MORE_DUE, Budget, in_isolation
from sharemarket.jobs.models import JobRun
from sharemarket.notifications.models import OutboxEmail
from sharemarket.notifications.services import Notice, notify_many, recipients

BATCH = 100
# Expired requests per batch: a few statements each, whatever the size; a batch's rows, texts
# and e-mails stay a few MB.
EXPIRE_BATCH = 1000
# The expiry's run has five budgets: in bulk a due request costs about 0.2-0.3 ms, so a backlog of
# 10,000 (a town's unanswered requests after a scheduler outage) expires in one run of a few seconds,
# even on a busy 2-CPU machine, and far inside the lease, instead of trickling over many runs.
EXPIRE_BUDGETS = 5
KEEP_TOKENS = timedelta(days=30)
KEEP_SENT_EMAILS = timedelta(days=30)
KEEP_JOB_RUNS = timedelta(days=14)


def expirable_kinds() -> list[str]:
    """Booking kinds whose unanswered requests the state machine lets the scheduler expire."""
    return sorted(k for k in KINDS if rules.find_transition(k, "expire", "requested", rules.SYSTEM))


def expire_requests(now: datetime, batch: int = EXPIRE_BATCH) -> dict:
    """Requests nobody answered by their `respond_by` become expired, and their bookers are told.

    Each batch is moved by the booking engine in bulk (`system_act_many`: one conditional UPDATE
    per kind, so a request approved meanwhile stays approved) and its bookers are told in bulk
    (`notify_many`), a few statements per batch whatever its size."""
    counts = {"expired": 0, "errors": 0}
    expirable = expirable_kinds()
    if not expirable:
        return counts
    due = select(Booking.id, Booking.respond_by, Booking.kind, Booking.user_id).where(
        Booking.status == "requested", Booking.respond_by <= now, Booking.kind.in_(expirable)
    )
    budget = Budget(times=EXPIRE_BUDGETS)
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
        bookers = {row.id: row.user_id for row in rows}
        for kind in sorted({row.kind for row in rows}):
            ids = [row.id for row in rows if row.kind == kind]
            done, errors = in_isolation(ids, partial(_expire, kind, now=now, bookers=bookers))
            counts["expired"] += done["expired"]
            counts["errors"] += errors
        db.session.commit()
        after = rows[-1]
        if len(rows) < batch:
            return counts
        if budget.spent():
            counts[MORE_DUE] = 1
            return counts


def _expire(kind: str, ids: list[int], now: datetime, bookers: dict[int, int]) -> dict[str, int]:
    """Expire those of `ids` still unanswered (others were answered or cancelled since the batch
    was chosen) and tell their bookers (`bookers`: booking id -> user id), once (the dedupe key)."""
    moved = bookings.system_act_many(
        kind=kind,
        action="expire",
        source="requested",
        ids=ids,
        now=now,
        note="not answered in time",
        due=(Booking.respond_by <= now,),
    )
    if not moved:
        return {}
    if getattr(KINDS[kind], "announces_expiry", False):  # its own message already went out
        return {"expired": len(moved)}
    what = KINDS[kind].describe_many(moved)
    people = recipients(bookers[booking_id] for booking_id in moved)
    notices = []
    for booking_id in moved:
        booker, title = people[bookers[booking_id]], what[booking_id]["title"]
        notices.append(
            Notice(
                user=booker,
                kind=f"{kind}_request_expired",
                title=_l("Your request expired: %(what)s", what=title),
                body=_l(
                    "Hello %(name)s,\n\nNobody answered your request for %(what)s in time, so it has expired and "
                    "nothing is booked. You can ask again or look for something similar nearby.",
                    name=booker.display_name,
                    what=title,
                ),
                link=what[booking_id].get("link"),
                dedupe_key=f"booking:{booking_id}:expired",
            )
        )
    notify_many(notices, now=now)
    return {"expired": len(moved)}


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
