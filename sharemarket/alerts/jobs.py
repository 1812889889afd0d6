"""The alert job: new rides and new commute days against the saved searches (see `matching`)."""

from __future__ import annotations

from datetime import datetime

from sharemarket.alerts import matching
from sharemarket.jobs.registry import Job


def alert_new_rides(now: datetime) -> dict:
    return matching.alert_new_rides(now=now)


JOBS = [Job("alerts_new_rides", alert_new_rides, 300)]
