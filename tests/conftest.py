"""Test set-up: one app per session on a migrated database; each test in a rolled-back transaction.

DATABASE_URL picks the database (PostgreSQL in CI's second pass); without it, a SQLite file in
a temporary folder. Fixtures return creator functions with sensible defaults.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import has_app_context
from flask.globals import app_ctx
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from sharemarket import create_app
from sharemarket.accounts import services as accounts
from sharemarket.extensions import db
from sharemarket.rides import meeting_points

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_tmp = Path(tempfile.mkdtemp(prefix="sharemarket-tests-"))


def _database_url(suffix: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{_tmp / (suffix + '.db')}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    base = make_url(url)
    name = f"{base.database}_{suffix}" if suffix != "main" else base.database
    _recreate_postgres_database(base, name)
    return base.set(database=name).render_as_string(hide_password=False)


def _recreate_postgres_database(base, name: str) -> None:
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


class FreshGlobalsClient(FlaskClient):
    """Each request gets its own `g`, as in production, although the test's app context (which
    holds the rolled-back transaction) stays pushed: no locale, user or API caller leaks from
    one request into the next."""

    def open(self, *args, **kwargs):
        if not has_app_context():
            return super().open(*args, **kwargs)
        context = app_ctx._get_current_object()
        kept = context.g
        context.g = context.app.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            context.g = kept


def make_test_app(suffix: str, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(suffix),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "MAIL_SERVER": "",
        "SHAREMARKET_GEOCODER": "offline",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(extra)
    app = create_app(config)
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def app():
    app = make_test_app("main")
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            # pysqlite opens transactions lazily, which breaks SAVEPOINT-based rollback:
            # in tests only, begin explicitly so each test's outer transaction really holds.
            @event.listens_for(engine, "connect")
            def _connect(dbapi_connection, record):
                dbapi_connection.isolation_level = None

            @event.listens_for(engine, "begin")
            def _begin(conn):
                conn.exec_driver_sql("BEGIN")

            engine.dispose()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """What a process keeps between requests (the carpool areas) is read again in each test."""
    meeting_points.forget()


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Every test runs in one outer transaction, rolled back at the end; commits are savepoints."""
    if "live_app" in request.fixturenames:
        yield
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture(scope="session")
def _live_app():
    app = make_test_app("live")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_app(_live_app):
    """An app whose transactions really commit, for parallel clients; emptied after each test."""
    yield _live_app
    with _live_app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def client(app):
    """A browser that prefers English, so tests read the source strings; French is tested explicitly."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def now():
    return NOW


_emails = itertools.count(1)


@pytest.fixture
def make_user(app):
    def make(**overrides):
        data = {
            "email": f"person{next(_emails)}@example.org",
            "password": PASSWORD,
            "display_name": "Neighbour",
            "now": NOW,
            "locale": "en",
        }
        data.update(overrides)
        user = accounts.register_user(**data)
        db.session.commit()
        return user

    return make


@pytest.fixture
def auth_header(app):
    """A bearer header for a user: `auth_header(user)`."""

    def make(user):
        raw, _token = accounts.issue_token(user=user, now=datetime.now(UTC))
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def login(client):
    """Log a user in through the real form: `login(user)`."""

    def do(user, password=PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do
