"""Flask-Migrate is bound on first use, yet the `db` command and `flask_migrate.upgrade()` work as before."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(database: Path, *args: str) -> str:
    # A process of its own: this test session imported Flask-Migrate long ago (conftest upgrades).
    env = dict(os.environ, SHAREMARKET_ENV="development", DATABASE_URL=f"sqlite:///{database}")
    command = [sys.executable, *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout


def test_creating_the_app_imports_no_alembic_and_flask_db_upgrade_still_migrates(tmp_path):
    imported = _run(
        tmp_path / "a.db",
        "-c",
        "import sys; from wsgi import app; assert 'db' in app.cli.commands; "
        "print(sorted(m for m in ('alembic', 'flask_migrate') if m in sys.modules))",
    )
    assert imported.strip() == "[]"
    database = tmp_path / "b.db"
    _run(database, "-m", "flask", "--app", "wsgi", "db", "upgrade")
    heads = _run(database, "-m", "flask", "--app", "wsgi", "db", "heads")
    with sqlite3.connect(database) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert heads.split()[0] == revision
