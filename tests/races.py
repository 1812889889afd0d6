"""Parallel clients that really commit: each piece of work runs in its own thread, app context and
database session, all released at once by a barrier."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sharemarket.errors import DomainError
from sharemarket.extensions import db


def race(app, work: Callable, items: Iterable) -> list:
    """Runs `work(item)` for every item at the same moment and commits each one that succeeds.

    Returns, in the items' order, what `work` returned ("ok" when it returned nothing), or the
    name of the DomainError it raised (its transaction rolled back)."""
    items = list(items)
    gate = Barrier(len(items))

    def one(item):
        with app.app_context():
            gate.wait(timeout=60)
            try:
                result = work(item)
                db.session.commit()
                return "ok" if result is None else result
            except DomainError as exc:
                db.session.rollback()
                return type(exc).__name__
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(one, items, timeout=120))
