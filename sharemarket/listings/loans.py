"""Asking to borrow a listing, and what the owner's and borrower's pages list. Callers commit."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sharemarket.accounts.models import User
from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.errors import BookingConflict, Conflict, NotAllowed, ValidationFailed
from sharemarket.extensions import db
from sharemarket.listings import rules
from sharemarket.listings.models import HeldDay, Listing, Loan
from sharemarket.notifications.services import notify


def listing_link(listing_id: int) -> str:
    return f"/listings/{listing_id}"


def request_loan(*, listing: Listing, borrower: User, start: date, end: date, now: datetime) -> Loan:
    """Ask the owner for [start, end] (inclusive days): a `requested` loan the owner answers.

    Refused: own listing (403); bad dates (422); paused or archived listing, a suspended or
    closed owner's, days already lent or blocked, or the same borrower already asking for
    overlapping days (409). The final word on clashes is the approval, which holds the days in
    the database.
    """
    if listing.owner_id == borrower.id:
        raise NotAllowed(_l("This is your own listing."))
    if listing.status != "active" or listing.owner.status != "active":  # paused, or a suspended owner
        raise Conflict(_l("The owner does not lend this item at the moment."))
    tz = current_app.config["SHAREMARKET_TIMEZONE"]
    today = rules.local_today(now, tz)
    problems = rules.date_problems(
        start, end, today=today, max_days=listing.max_loan_days, notice_days=listing.min_notice_days
    )
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed(first, problems)
    clash = db.session.execute(
        select(HeldDay.reason)
        .where(HeldDay.listing_id == listing.id, HeldDay.day >= start, HeldDay.day <= end)
        .order_by(HeldDay.day)
        .limit(1)
    ).scalar()
    if clash == "blocked":
        raise BookingConflict(_l("The owner does not lend this item on some of these days."))
    if clash is not None:
        raise BookingConflict(_l("The item is already lent on some of these days."))
    already = db.session.scalar(
        select(
            select(Loan.id)
            .where(
                Loan.listing_id == listing.id,
                Loan.user_id == borrower.id,
                Loan.status.in_(booking_rules.OPEN),
                Loan.start_date <= end,
                Loan.end_date >= start,
            )
            .exists()
        )
    )
    if already:
        raise BookingConflict(_l("You already asked for some of these days."))
    starts_at, ends_at = rules.loan_instants(start, end, tz)
    loan = Loan(
        listing=listing,
        user=borrower,
        status="requested",
        start_date=start,
        end_date=end,
        starts_at=starts_at,
        ends_at=ends_at,
        respond_by=rules.respond_by(now, starts_at, ends_at, current_app.config["REQUEST_EXPIRY_HOURS"]),
    )
    bookings.start(loan, now=now, actor_id=borrower.id)
    notify(
        user=listing.owner,
        kind="loan_requested",
        title=_l("%(name)s asks to borrow %(title)s", name=borrower.display_name, title=listing.title),
        body=_l(
            "%(name)s would like to borrow %(title)s from %(start)s to %(end)s. Approve or decline on the item's page.",
            name=borrower.display_name,
            title=listing.title,
            start=start.isoformat(),
            end=end.isoformat(),
        ),
        link=listing_link(listing.id),
        now=now,
    )
    return loan


def loans_to_handle(listing: Listing) -> list[Loan]:
    """Requests waiting for the owner and loans confirmed or under way, soonest first."""
    return list(
        db.session.scalars(
            select(Loan)
            .where(Loan.listing_id == listing.id, Loan.status.in_(booking_rules.OPEN))
            .order_by(Loan.start_date, Loan.id)
        )
    )


def clashing_ids(listing: Listing, loans: list[Loan]) -> set[int]:
    """Requests that can no longer be approved: some of their days are held already."""
    requested = [loan for loan in loans if loan.status == "requested"]
    if not requested:
        return set()
    first = min(loan.start_date for loan in requested)
    last = max(loan.end_date for loan in requested)
    held = set(
        db.session.scalars(
            select(HeldDay.day).where(HeldDay.listing_id == listing.id, HeldDay.day >= first, HeldDay.day <= last)
        )
    )
    return {loan.id for loan in requested if any(day in held for day in rules.days(loan.start_date, loan.end_date))}


def loans_of_borrower(listing: Listing, borrower: User) -> list[Loan]:
    return list(
        db.session.scalars(
            select(Loan)
            .where(Loan.listing_id == listing.id, Loan.user_id == borrower.id, Loan.status.in_(booking_rules.OPEN))
            .order_by(Loan.start_date)
        )
    )
