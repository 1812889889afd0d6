from __future__ import annotations

from datetime import datetime

from sharemarket.jobs.registry import Job
from sharemarket.notifications import digest, outbox


def deliver_outbox(now: datetime) -> dict:
    return outbox.deliver(now=now)


def send_digests(now: datetime) -> dict:
    return digest.send_digests(now)


# The digest gathers what the other jobs wrote, and delivery sends what all of them queued.
JOBS = [
    Job("send_digests", send_digests, 300, order=1),
    Job("deliver_outbox", deliver_outbox, 15, order=2),
]
