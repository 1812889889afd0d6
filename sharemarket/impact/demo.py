from __future__ import annotations

from sharemarket.impact import aggregate, demo_history


def load(ctx) -> None:
    """A year of the town's history, pre-aggregated so that the dashboard has figures at once."""
    demo_history.load(ctx)
    first = aggregate.history_start()
    if first is not None:
        aggregate.refresh(aggregate.months_between(first, ctx.now.date()))
