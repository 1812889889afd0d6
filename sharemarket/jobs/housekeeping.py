"""Jobs that belong to no one feature: expire unanswered requests, purge what has outlived its use.

Each walks its due rows in keyset batches (bounded memory on any table size), commits per
batch, and isolates the rows of a batch (`each_isolated`) so that one bad row leaves the others
done. A run stops starting batches when its time budget is spent (see batches.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import MANYTOONE, selectin_polymorphic, selectinload

from sharemarket.accounts.models import ApiToken
from sharemarket.bookings import rules
from sharemarket.bookings import services as bookings
from sharemarket.bookings.kinds import KINDS, handler_for
from sharemarket.bookings.models import Booking
from sharemarket.extensions import db
from sharemarket.jobs.batches import MORE_DUE, Budget, each_isolated, write_lock
from sharemarket.jobs.models import JobRun
from sharemarket.notifications.models import OutboxEmail
from sharemarket.notifications.services import notify

log = logging.getLogger("sharemarket.jobs")
BATCH = 100
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
    budget = Budget()
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
        done, errors = each_isolated(_load_locked([row.id for row in rows]), lambda b: _expire(b, now))
        counts["expired"] += done["expired"]
        counts["errors"] += errors
        db.session.commit()
        after = rows[-1]
        if len(rows) < batch:
            return counts
        if budget.spent():
            counts[MORE_DUE] = 1
            return counts


def _load_locked(ids: list[int]) -> list[Booking]:
    """The batch's bookings, write-locked until the batch commits, with what acting on them reads."""
    table = Booking.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(table.c.id).where(table.c.id.in_(ids)).with_for_update())
    else:  # SQLite: the database's write lock, taken before reading the batch
        write_lock()
    joined = [handler.model for handler in KINDS.values() if handler.model.__table__ is not table]
    query = (
        select(Booking)
        .where(Booking.id.in_(ids))
        .options(selectinload(Booking.user), selectinload(Booking.events))
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    )
    if joined:
        query = query.options(selectin_polymorphic(Booking, joined), *_what_kinds_read(joined))
    return list(db.session.scalars(query))


def _what_kinds_read(models: list[type]) -> list:
    """Each kind's many-to-one links and theirs (a loan's listing and its owner, a seat's ride and its
    driver): what describing and moving a booking reads, loaded for the batch in a few queries."""
    options = []
    for model in models:
        for link in _many_to_one(model, own_only=True):
            target = link.mapper.class_
            options.append(selectinload(getattr(model, link.key)))
            options += [
                selectinload(getattr(model, link.key)).selectinload(getattr(target, further.key))
                for further in _many_to_one(target)
            ]
    return options


def _many_to_one(model: type, own_only: bool = False) -> list:
    mapper = sa_inspect(model)
    return [
        link
        for link in mapper.relationships
        if link.direction is MANYTOONE and not (own_only and link.parent is not mapper)
    ]


def _expire(booking: Booking, now: datetime) -> dict[str, int]:
    if booking.status != "requested" or booking.respond_by is None or booking.respond_by > now:
        return {}  # answered or cancelled since the batch was chosen
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
    return {"expired": 1}


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
