from __future__ import annotations

from sqlalchemy import func, select

from sharemarket.bookings.models import Booking
from sharemarket.demo import load_all
from sharemarket.extensions import db
from sharemarket.listings import rules
from sharemarket.listings.models import Listing, ListingPhoto
from tests.conftest import NOW


def test_demo_town_lends_about_120_things_with_loans_in_every_status(app):
    load_all(now=NOW)
    # 120 things lent, and the moderation demo's advert (hidden by a moderator).
    assert db.session.scalar(select(func.count(Listing.id)).where(Listing.hidden_at.is_(None))) == 120
    categories = set(db.session.scalars(select(Listing.category).distinct()))
    assert categories == set(rules.CATEGORIES)
    assert db.session.scalar(select(func.count(ListingPhoto.id))) >= 10
    statuses = set(db.session.scalars(select(Booking.status).where(Booking.kind == "loan").distinct()))
    assert {"requested", "confirmed", "active", "returned", "overdue", "declined", "cancelled", "expired"} <= statuses
    owners = set(db.session.scalars(select(Listing.owner_id).distinct()))
    assert len(owners) >= 25
