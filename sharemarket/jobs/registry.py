from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], dict]
    every_seconds: int


def all_jobs() -> list[Job]:
    from sharemarket import FEATURES, _feature_module

    jobs: list[Job] = []
    for feature in FEATURES:
        module = _feature_module(feature, "jobs")
        if module is not None and module.__name__ != "sharemarket.jobs.jobs":
            jobs.extend(module.JOBS)
    return jobs
