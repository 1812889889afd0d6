from __future__ import annotations

from sharemarket.desks import upkeep
from sharemarket.jobs.registry import Job

JOBS = [
    Job("desks_release_no_shows", upkeep.release_no_shows, 300),
    Job("desks_remind_members", upkeep.remind_members, 300),
    Job("desks_close_past_slots", upkeep.close_past_slots, 900),
]
