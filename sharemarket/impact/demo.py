from __future__ import annotations

from sharemarket.impact import aggregate


def load(ctx) -> None:
    """Pre-aggregate the demo town's history so the dashboard has figures at once."""
    first = aggregate.history_start()
    if first is not None:
        aggregate.refresh(aggregate.months_between(first, ctx.now.date()))
