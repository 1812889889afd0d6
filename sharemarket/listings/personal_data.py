"""What the tool library holds about a person: in their GDPR export, and what closing the account does.

Closing an account archives the person's listings (open requests are declined, confirmed loans
cancelled) and drops their pick-up instructions; their loans stay, anonymised through the user row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.bookings import services as bookings
from sharemarket.extensions import db
from sharemarket.listings import services
from sharemarket.listings.models import Listing, Loan


def export_listings(user: User) -> tuple[str, object]:
    listings = db.session.scalars(select(Listing).where(Listing.owner_id == user.id).order_by(Listing.id))
    return "listings", [
        {
            "id": listing.id,
            "title": listing.title,
            "description": listing.description,
            "category": listing.category,
            "condition": listing.condition,
            "location": {"lat": listing.lat, "lng": listing.lng, "label": listing.place_label},
            "deposit_cents": listing.deposit_cents,
            "replacement_value_cents": listing.replacement_value_cents,
            "max_loan_days": listing.max_loan_days,
            "min_notice_days": listing.min_notice_days,
            "buffer_days": listing.buffer_days,
            "pickup_instructions": listing.pickup_instructions,
            "status": listing.status,
            "photos": [photo.key for photo in listing.photos],
            "created_at": listing.created_at.isoformat(),
            "updated_at": listing.updated_at.isoformat(),
        }
        for listing in listings
    ]


def export_loans(user: User) -> tuple[str, object]:
    loans = db.session.scalars(select(Loan).where(Loan.user_id == user.id).order_by(Loan.id))
    return "loans", [
        {
            "id": loan.id,
            "listing_id": loan.listing_id,
            "title": loan.listing.title,
            "start_date": loan.start_date.isoformat(),
            "end_date": loan.end_date.isoformat(),
            "status": loan.status,
            "created_at": loan.created_at.isoformat(),
        }
        for loan in loans
    ]


def erase(user: User, now: datetime) -> None:
    for loan in db.session.scalars(
        select(Loan).where(Loan.user_id == user.id, Loan.status.in_(("requested", "confirmed")))
    ):
        bookings.act(booking=loan, action="cancel", actor=user, now=now)
    for listing in db.session.scalars(select(Listing).where(Listing.owner_id == user.id)):
        if listing.status != "archived":
            services.set_status(listing=listing, actor=user, status="archived", now=now, force=True)
        listing.pickup_instructions = ""
    db.session.flush()


accounts.EXPORTERS.extend([export_listings, export_loans])
accounts.ERASERS.append(erase)
