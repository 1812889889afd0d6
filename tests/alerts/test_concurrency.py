"""Whatever the concurrency, a member never keeps more than SAVED_MAX saved searches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.alerts import rules, services
from sharemarket.alerts.models import SavedSearch
from sharemarket.db import utcnow
from sharemarket.extensions import db
from tests.races import race
from tests.rides.conftest import LANESTER, VANNES

THREADS = rules.SAVED_MAX + 6


@pytest.mark.concurrency
def test_parallel_saves_never_keep_more_than_the_maximum(live_app):
    with live_app.app_context():
        user = accounts.register_user(
            email="saver@example.org", password="long enough pw", display_name="S", now=utcnow()
        )
        db.session.commit()
        user_id = user.id
        db.session.remove()

    def save(n: int) -> None:
        services.save_search(
            user=db.session.get(User, user_id),
            origin=LANESTER,
            destination=VANNES,
            weekdays=[0, 1, 2, 3, 4],
            time_from=f"06:{n:02d}",
            time_to="09:00",
            seats=1,
            now=utcnow(),
        )

    outcomes = race(live_app, save, range(THREADS))
    assert sorted(outcomes) == ["Conflict"] * (THREADS - rules.SAVED_MAX) + ["ok"] * rules.SAVED_MAX
    with live_app.app_context():
        kept = db.session.scalar(select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user_id))
        db.session.remove()
    assert kept == rules.SAVED_MAX
