"""Scheduled work of the tool library. Each job is a function of `now`, safe to run twice
(notifications carry dedupe keys; transitions are checked under the listing's lock), and
reads its rows BATCH at a time. Unanswered requests are expired by the generic job."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sharemarket.bookings import services as bookings
from sharemarket.bookings.models import Booking
from sharemarket.errors import DomainError
from sharemarket.extensions import db
from sharemarket.jobs.registry import Job
from sharemarket.listings import rules
from sharemarket.listings.loans import listing_link
from sharemarket.listings.models import Listing, Loan
from sharemarket.notifications.services import notify

BATCH = 200
OVERDUE_REMINDER_DAYS = 3


def _today(now: datetime):
    return rules.local_today(now, current_app.config["SHAREMARKET_TIMEZONE"])


def _each(model, *conditions) -> Iterator:
    """Every matching row, fetched BATCH at a time in id order (rows a step moved out of the
    conditions are not met again; a job never holds the whole table in memory)."""
    last_id = 0
    while True:
        query = select(model).where(model.id > last_id, *conditions).order_by(model.id).limit(BATCH)
        rows = list(db.session.scalars(query))
        yield from rows
        if len(rows) < BATCH:
            return
        last_id = rows[-1].id


def _loans(status: str, *conditions) -> Iterator[Loan]:
    """The loans in `status` that meet `conditions` (on their days), BATCH at a time in id order.

    Each batch walks the bookings' (status, kind, id) index and looks each candidate's loan up by
    its key to test the conditions (a subquery per row, which the database cannot turn into a
    join): a job reads the loans of its status only, however long the history. (Joined in one
    query, PostgreSQL walks both primary keys in step, the whole table, for it cannot know that,
    say, the confirmed loans all end in the future.) Each batch is read with all its conditions,
    so a loan a step moved out of them is not met again.
    """
    loans = Loan.__table__
    meets = select(loans.c.id).where(loans.c.id == Booking.id, *conditions).scalar_subquery()
    after = 0
    while True:
        ids = db.session.scalars(
            select(Booking.id)
            .where(Booking.status == status, Booking.kind == "loan", Booking.id > after, meets.is_not(None))
            .order_by(Booking.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return
        query = select(Loan).where(Loan.id.in_(ids), Loan.status == status, *conditions).order_by(Loan.id)
        yield from list(db.session.scalars(query))
        if len(ids) < BATCH:
            return
        after = ids[-1]


def _move(loan: Loan, action: str, now: datetime) -> bool:
    """One scheduler transition in its own savepoint: a loan changed meanwhile is skipped."""
    try:
        with db.session.begin_nested():
            bookings.system_act(booking=loan, action=action, now=now)
    except DomainError:
        return False
    return True


def mark_overdue(now: datetime) -> dict:
    """Loans picked up and not returned after their last day become overdue; both sides are told,
    then the borrower is reminded every 3 days until the owner records the return."""
    today = _today(now)
    marked = reminded = 0
    for loan in _loans("active", Loan.end_date < today):
        if _move(loan, "mark_overdue", now):
            marked += 1
    for loan in _loans("overdue"):
        late = (today - loan.end_date).days
        round_ = late // OVERDUE_REMINDER_DAYS
        texts = dict(title=loan.listing.title, end=loan.end_date.isoformat(), days=late)
        link = listing_link(loan.listing_id)
        sent = notify(
            user=loan.user,
            kind="loan_overdue",
            title=_l("Please return %(title)s", **texts),
            body=_l(
                "The loan of %(title)s ended on %(end)s (%(days)s days ago). Please bring it back to its owner "
                "or agree on a day with them.",
                **texts,
            ),
            link=link,
            now=now,
            dedupe_key=f"loan-overdue:{loan.id}:{round_}",
        )
        reminded += sent is not None
        notify(
            user=loan.listing.owner,
            kind="loan_overdue",
            title=_l("%(title)s has not come back yet", **texts),
            body=_l(
                "%(name)s should have returned %(title)s on %(end)s. We reminded them. Record the return on "
                "the item's page once you have it back.",
                name=loan.user.display_name,
                **texts,
            ),
            link=link,
            now=now,
            dedupe_key=f"loan-overdue:{loan.id}",
        )
    return {"marked_overdue": marked, "reminded": reminded}


def expire_unpicked(now: datetime) -> dict:
    """A confirmed loan never picked up by its last day expires and frees its days."""
    expired = 0
    for loan in _loans("confirmed", Loan.end_date < _today(now)):
        if not _move(loan, "expire", now):
            continue
        expired += 1
        texts = dict(title=loan.listing.title, start=loan.start_date.isoformat(), end=loan.end_date.isoformat())
        for user in (loan.user, loan.listing.owner):
            notify(
                user=user,
                kind="loan_expired",
                title=_l("Loan of %(title)s expired", **texts),
                body=_l(
                    "The loan of %(title)s from %(start)s to %(end)s was never picked up; it has expired.", **texts
                ),
                link=listing_link(loan.listing_id),
                now=now,
                dedupe_key=f"loan-expired:{loan.id}",
            )
    return {"expired": expired}


def remind_pickup_and_return(now: datetime) -> dict:
    """The day before: the borrower is reminded to pick the item up, or to bring it back."""
    tomorrow = _today(now) + timedelta(days=1)
    pickups = returns = 0
    for loan in _loans("confirmed", Loan.start_date == tomorrow):
        pickups += (
            notify(
                user=loan.user,
                kind="loan_pickup_reminder",
                title=_l("Tomorrow you pick up %(title)s", title=loan.listing.title),
                body=_l(
                    "Your loan of %(title)s starts tomorrow. The place and the owner's instructions are on the "
                    "item's page.",
                    title=loan.listing.title,
                ),
                link=listing_link(loan.listing_id),
                now=now,
                dedupe_key=f"loan-pickup-reminder:{loan.id}",
            )
            is not None
        )
    for loan in _loans("active", Loan.end_date == tomorrow):
        returns += (
            notify(
                user=loan.user,
                kind="loan_return_reminder",
                title=_l("Tomorrow you bring back %(title)s", title=loan.listing.title),
                body=_l("Your loan of %(title)s ends tomorrow: please bring it back.", title=loan.listing.title),
                link=listing_link(loan.listing_id),
                now=now,
                dedupe_key=f"loan-return-reminder:{loan.id}",
            )
            is not None
        )
    return {"pickup_reminders": pickups, "return_reminders": returns}


def pause_forgotten_listings(now: datetime) -> dict:
    """Listings their owner has not touched for 6 months: warn, then pause two weeks later."""
    warned = paused = 0
    stale = _each(
        Listing,
        Listing.status == "active",
        Listing.stale_warned_at.is_(None),
        Listing.updated_at <= now - rules.STALE_AFTER,
    )
    for listing in stale:
        listing.stale_warned_at = now
        notify(
            user=listing.owner,
            kind="listing_stale",
            title=_l("Do you still lend %(title)s?", title=listing.title),
            body=_l(
                "You have not updated %(title)s for six months. If you still lend it, open “What I lend” and "
                "press “Still available”; otherwise it will be paused in two weeks.",
                title=listing.title,
            ),
            link="/listings/mine",
            now=now,
            dedupe_key=f"listing-stale:{listing.id}:{listing.updated_at.date().isoformat()}",
        )
        warned += 1
    forgotten = _each(Listing, Listing.status == "active", Listing.stale_warned_at <= now - rules.STALE_GRACE)
    for listing in forgotten:
        listing.status = "paused"
        notify(
            user=listing.owner,
            kind="listing_paused",
            title=_l("%(title)s is paused", title=listing.title),
            body=_l(
                "Nobody updated %(title)s for six months, so it no longer shows in searches. Edit it to make it "
                "active again.",
                title=listing.title,
            ),
            link=listing_link(listing.id),
            now=now,
            dedupe_key=f"listing-paused:{listing.id}:{listing.stale_warned_at.date().isoformat()}",
        )
        paused += 1
    db.session.flush()
    return {"warned": warned, "paused": paused}


JOBS = [
    Job("loans_mark_overdue", mark_overdue, 3600),
    Job("loans_expire_unpicked", expire_unpicked, 3600),
    Job("loans_remind_pickup_and_return", remind_pickup_and_return, 1800),
    Job("listings_pause_forgotten", pause_forgotten_listings, 6 * 3600),
]
