from __future__ import annotations

from datetime import datetime

from sharemarket.jobs.registry import Job
from sharemarket.notifications import services


def deliver_outbox(now: datetime) -> dict:
    return services.deliver_outbox(now=now)


JOBS = [Job("deliver_outbox", deliver_outbox, 15)]
