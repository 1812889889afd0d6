from __future__ import annotations

from sharemarket.jobs import housekeeping
from sharemarket.jobs.registry import Job

JOBS = [
    Job("expire_requests", housekeeping.expire_requests, 300),
    Job("purge_expired", housekeeping.purge, 3600),
]
