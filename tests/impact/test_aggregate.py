"""Refreshing many months at once counts each loan in its own month, as refreshing them one by one does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.impact import aggregate
from sharemarket.impact.models import ImpactFigure
from sharemarket.listings.models import Listing, Loan


def _figures() -> list[tuple]:
    rows = db.session.execute(
        select(ImpactFigure.dimension, ImpactFigure.key, ImpactFigure.month, ImpactFigure.value, ImpactFigure.people)
    )
    return sorted(tuple(row) for row in rows)


def test_months_refreshed_together_or_one_by_one_give_the_same_figures(town):
    listings = db.session.scalars(select(Listing).order_by(Listing.id)).all()
    borrowers = db.session.scalars(select(Loan.user_id).order_by(Loan.id)).all()
    # Loans over eleven months (more than one query's worth), on and just before month boundaries.
    for n in range(40):
        month = date(2026, 1 + n % 11, 1)
        start = datetime(month.year, month.month, 1, tzinfo=UTC) + timedelta(minutes=(n % 3 - 1))
        db.session.add(
            Loan(
                user_id=borrowers[n % len(borrowers)],
                listing_id=listings[n % len(listings)].id,
                status=("returned", "active", "cancelled", "overdue")[n % 4],
                starts_at=start,
                ends_at=start + timedelta(days=1),
                start_date=start.date(),
                end_date=start.date() + timedelta(days=1),
            )
        )
    db.session.flush()
    months = aggregate.months_between(date(2025, 12, 1), date(2026, 12, 1))
    assert len(months) > aggregate.MONTHS_PER_QUERY
    for month in months:
        aggregate.refresh([month])
    one_by_one = _figures()
    aggregate.refresh(months)
    assert _figures() == one_by_one
    assert {row[2] for row in one_by_one if row[0] == "loans"} >= {date(2026, 1, 1), date(2026, 10, 1)}
    aggregate.refresh(months[::3])  # months apart: each still counts its own loans only
    assert _figures() == one_by_one
