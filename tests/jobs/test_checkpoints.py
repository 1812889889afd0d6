"""SQLite: the scheduler merges the WAL once after each job, not at its batches' commits."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from sharemarket.extensions import db
from sharemarket.jobs import registry, runner
from tests.conftest import NOW


def test_job_runs_defer_the_wal_merge_to_the_end_of_each_job(live_app):
    with live_app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL has no WAL checkpoints to defer")
        with engine.connect() as connection:
            default = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert default > 0
        statements = []
        noted = _noted(statements)
        event.listen(engine, "before_cursor_execute", noted)
        try:
            results = runner.run_once(NOW)
            with engine.connect() as connection:
                # The scheduler's connections merge nothing at commit...
                assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
                # ... and keep no more than this much WAL file once it has been merged.
                assert connection.exec_driver_sql("PRAGMA journal_size_limit").scalar() == runner.WAL_FILE_KEPT
                # ... and map less of the database file than web workers do.
                assert connection.exec_driver_sql("PRAGMA mmap_size").scalar() == runner.SCHEDULER_MMAP_BYTES
        finally:
            event.remove(engine, "checkout", runner._no_automatic_checkpoint)
            event.remove(engine, "before_cursor_execute", noted)
            db.session.remove()
            engine.dispose()
        # ... and each job's run ends with one merge that waits for nobody.
        assert all(ok for _name, ok, _line in results)
        assert statements.count("PRAGMA wal_checkpoint(PASSIVE)") == len(registry.all_jobs())
        with engine.connect() as connection:  # connections made afterwards have the default again
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == default


def test_a_session_bound_to_one_connection_is_left_as_it_is(app):
    """A session bound to a connection (as in tests) has no pool to listen to: nothing deferred."""
    runner.defer_checkpoints()
    runner.run_job(registry.Job("nothing", lambda now: {}, 60), NOW)
    assert not event.contains(db.session.get_bind().engine, "checkout", runner._no_automatic_checkpoint)


def _noted(statements: list):
    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    return note
