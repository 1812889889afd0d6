"""Loans as a kind of booking: who provides them, and how approval holds the days."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, insert, or_, select
from sqlalchemy.exc import IntegrityError

from sharemarket.bookings import kinds
from sharemarket.bookings import rules as booking_rules
from sharemarket.bookings import services as bookings
from sharemarket.db import among, lock_row
from sharemarket.errors import BookingConflict, InvalidTransition
from sharemarket.extensions import db
from sharemarket.listings import rules
from sharemarket.listings.models import HeldDay, Listing, Loan
from sharemarket.notifications.services import notify
from sharemarket.organisations import services as organisations

RELEASING = frozenset({"declined", "cancelled", "expired", "returned"})


class LoanKind:
    kind = "loan"
    model = Loan

    def provider_ids(self, booking: Loan) -> set[int]:
        listing = booking.listing
        if listing.organisation_id is None:
            return {listing.owner_id}
        return {listing.owner_id} | organisations.admin_ids(listing.organisation_id)

    def handled_by(self, user_id: int) -> Select:
        return (
            select(Loan.id)
            .join(Listing, Listing.id == Loan.listing_id)
            .where(
                or_(Listing.owner_id == user_id, Listing.organisation_id.in_(organisations.administered_by(user_id)))
            )
        )

    def check_action(self, booking: Loan, action: str, now: datetime) -> None:
        today = rules.local_today(now, current_app.config["SHAREMARKET_TIMEZONE"])
        if action == "approve" and today > booking.start_date:
            raise InvalidTransition(_l("This request is for days that have begun; it can no longer be approved."))
        if action == "pickup" and not booking.start_date - timedelta(days=1) <= today <= booking.end_date:
            raise InvalidTransition(
                _l("Record the pick-up from the day before the loan starts (%(day)s).", day=booking.start_date)
            )

    def on_transition(self, booking: Loan, action: str, old_status: str, actor_id: int | None, now: datetime) -> None:
        """Every move of a loan takes its listing's row lock first, so moves of one listing's loans
        happen one after the other, then re-reads the loan's status under the loan's own row lock
        (what the scheduler's bulk expiry locks); approval then holds the days, whose primary key
        refuses a second holder even if a lock were ever missed."""
        with db.session.no_autoflush:
            lock_row(db.session, Listing, booking.listing_id)
        stored = bookings.locked_status(booking)
        if stored != old_status:
            raise InvalidTransition(_l("This loan changed meanwhile (it is now %(status)s).", status=stored))
        if booking.status == "confirmed" and old_status == "requested":
            self._hold_days(booking)
        elif booking.status in RELEASING:
            db.session.execute(delete(HeldDay).where(HeldDay.loan_id == booking.id))
        self._tell_the_other_side(booking, action, actor_id, now)

    def on_bulk_transition(self, ids: list[int], action: str, now: datetime) -> None:
        """Nothing to do: a bulk move holds nothing before or after (a request has no days yet:
        approval takes them), and the borrower hears of an expiry from the expiry job."""

    def _hold_days(self, loan: Loan) -> None:
        listing = loan.listing
        rows = [
            {"listing_id": listing.id, "day": day, "reason": reason, "loan_id": loan.id}
            for day, reason in rules.held_days_of_loan(loan.start_date, loan.end_date, listing.buffer_days)
        ]
        try:
            with db.session.begin_nested():
                db.session.execute(insert(HeldDay), rows)
        except IntegrityError:
            raise BookingConflict(
                _l("These days are no longer free: another loan or a blocked period holds some of them.")
            ) from None

    def _tell_the_other_side(self, loan: Loan, action: str, actor_id: int | None, now: datetime) -> None:
        listing = loan.listing
        owner, borrower = listing.owner, loan.user
        texts = dict(title=listing.title, start=loan.start_date.isoformat(), end=loan.end_date.isoformat())
        link = f"/listings/{listing.id}"
        if action == "approve":
            notify(
                user=borrower,
                kind="loan_confirmed",
                title=_l("You can borrow %(title)s", **texts),
                body=_l(
                    "%(owner)s approved your loan of %(title)s from %(start)s to %(end)s. The item's page now "
                    "shows where to pick it up.",
                    owner=owner.display_name,
                    **texts,
                ),
                link=link,
                now=now,
            )
        elif action == "decline":
            notify(
                user=borrower,
                kind="loan_declined",
                title=_l("%(title)s is not available", **texts),
                body=_l("The owner declined your request for %(title)s from %(start)s to %(end)s.", **texts),
                link=link,
                now=now,
            )
        elif action == "cancel":
            other = owner if actor_id == borrower.id else borrower
            notify(
                user=other,
                kind="loan_cancelled",
                title=_l("Loan of %(title)s cancelled", **texts),
                body=_l("The loan of %(title)s from %(start)s to %(end)s is cancelled.", **texts),
                link=link,
                now=now,
            )

    def describe(self, booking: Loan) -> dict:
        return {"title": booking.listing.title, "link": f"/listings/{booking.listing_id}"}

    def describe_many(self, ids: list[int]) -> dict[int, dict]:
        loans = Loan.__table__
        rows = db.session.execute(
            select(loans.c.id, loans.c.listing_id, Listing.title)
            .join(Listing, Listing.id == loans.c.listing_id)
            .where(among(loans.c.id, ids))
        )
        return {row.id: {"title": row.title, "link": f"/listings/{row.listing_id}"} for row in rows}

    def to_json(self, booking: Loan, viewer_id: int | None) -> dict:
        listing = booking.listing
        data = {
            "listing_id": booking.listing_id,
            "start_date": booking.start_date.isoformat(),
            "end_date": booking.end_date.isoformat(),
            "listing": {"id": listing.id, "title": listing.title},
            "deposit_cents": listing.deposit_cents,
            "currency": listing.currency,
        }
        is_owner = viewer_id == listing.owner_id
        if is_owner or (viewer_id == booking.user_id and booking.status in booking_rules.HOLDING):
            place = {"lat": listing.lat, "lng": listing.lng}
            if listing.place_label:
                place["label"] = listing.place_label
            data["pickup"] = {"location": place, "instructions": listing.pickup_instructions}
        return data


kinds.register(LoanKind())
