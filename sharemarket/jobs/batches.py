"""Tools for writing jobs: a time budget per run, and rows isolated from each other's failures.

A run stops starting new batches once its budget (JOB_RUN_SECONDS, wall clock) is spent and
leaves the rest, reporting `more_due=1`: no run outlives the scheduler's lease (60 s) however large
a backlog grows, and `run-once` stays short; `jobs serve` runs such a job again at once, renewing
its lease in between, so a backlog still drains at full speed. A started batch always finishes.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy import text

from sharemarket.extensions import db

log = logging.getLogger("sharemarket.jobs")
DEFAULT_RUN_SECONDS = 1.0
# The summary key of a run that stopped on its budget with work left (`jobs serve` runs it again).
MORE_DUE = "more_due"


class Budget:
    """`times` JOB_RUN_SECONDS from now: a job whose rows are cheap in bulk may take a few."""

    def __init__(self, times: float = 1):
        self.ends = time.monotonic() + times * current_app.config.get("JOB_RUN_SECONDS", DEFAULT_RUN_SECONDS)

    def spent(self) -> bool:
        return time.monotonic() >= self.ends


def write_lock() -> None:
    """SQLite: take the database's write lock now, before the batch reads what it will change. A
    transaction that reads, then writes after another process has written, fails at once with
    "database is locked" (its snapshot is stale); one that starts by writing just waits its turn.
    PostgreSQL needs nothing here: its jobs lock the rows they change."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("UPDATE job_leases SET holder = holder WHERE 0"))


def each_isolated(items: Iterable, act: Callable[[Any], dict[str, int]]) -> tuple[Counter, int]:
    """`act` on every item, adding up the counts it returns, isolated as `in_isolation` says."""

    def act_on_all(chunk: list) -> Counter:
        total: Counter = Counter()
        for item in chunk:
            total.update(act(item))
        return total

    return in_isolation(list(items), act_on_all)


def in_isolation(items: list, act_on: Callable[[list], Mapping[str, int]]) -> tuple[Counter, int]:
    """`act_on` all the items at once in one savepoint and, if that raises, on each item alone in
    its own savepoint, so that only the failing items are left undone. Returns (the counts of the
    items done, how many failed). The caller commits the batch."""
    write_lock()
    try:
        with db.session.begin_nested():
            return Counter(act_on(items)), 0
    except Exception:  # noqa: BLE001 - the one-by-one pass below finds and logs the culprit
        log.info("a batch of %d failed; retrying its items one by one", len(items))
    total, failures = Counter(), 0
    for item in items:
        try:
            with db.session.begin_nested():
                counts = act_on([item])
            total.update(counts)
        except Exception:  # noqa: BLE001 - one broken row must not stop the others
            log.exception("job step failed on %r", item)
            failures += 1
    return total, failures
