from __future__ import annotations

from datetime import datetime, timedelta

from sharemarket.impact import aggregate
from sharemarket.jobs.registry import Job


def refresh_recent(now: datetime) -> dict:
    """Bookings change near the present: recompute the previous, current and next month."""
    today = now.date()
    months = aggregate.months_between(today - timedelta(days=31), today + timedelta(days=31))
    written = aggregate.refresh(months)
    return {"months": len(months), "figures": written}


JOBS = [Job("impact_refresh_recent", refresh_recent, 3600)]
