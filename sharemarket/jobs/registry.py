from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Job:
    """A scheduled job: `run(now)` does its work (only flushing/committing in batches) and returns
    a summary of counts; `every_seconds` is its interval under `jobs serve`; `run-once` runs jobs
    by `order`, then feature order, so that what sends mail runs after what writes it."""

    name: str
    run: Callable[[datetime], dict]
    every_seconds: int
    order: int = 0


def all_jobs() -> list[Job]:
    from sharemarket import FEATURES, _feature_module

    jobs: list[Job] = []
    for feature in FEATURES:
        module = _feature_module(feature, "jobs")
        if module is not None:
            jobs.extend(module.JOBS)
    return sorted(jobs, key=lambda job: job.order)
