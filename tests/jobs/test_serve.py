from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.jobs import runner, serve
from sharemarket.jobs.models import JobRun
from sharemarket.jobs.registry import Job

ROOT = Path(__file__).resolve().parents[2]


def test_a_tick_survives_a_failing_job_and_a_failing_database(app, monkeypatch, caplog):
    def broken(now):
        raise RuntimeError("boom")

    serve._tick(app, Job("broken", broken, 15), threading.Event())
    assert [(run.name, run.ok) for run in db.session.scalars(select(JobRun))] == [("broken", False)]

    def no_database(now, seconds):
        raise OSError("connection refused")

    monkeypatch.setattr(runner, "hold_lease", no_database)
    with caplog.at_level("ERROR", logger="sharemarket.jobs"):
        serve._tick(app, Job("later", lambda now: {}, 15), threading.Event())
    assert "job later could not run" in caplog.text


def test_a_tick_without_the_lease_does_nothing(app, now, monkeypatch):
    from sharemarket.db import utcnow

    assert runner.hold_lease(utcnow(), 600, holder="other-server:1")
    ran = []
    serve._tick(app, Job("counted", lambda now: ran.append(now) or {}, 15), threading.Event())
    assert ran == []


def test_a_tick_runs_a_job_again_while_it_leaves_work_due(app):
    backlog = [3]

    def drain(now):
        backlog[0] -= 1
        return {"done": 1, "more_due": 1} if backlog[0] else {"done": 1}

    serve._tick(app, Job("drain", drain, 60), threading.Event())
    assert backlog == [0]
    assert [run.summary for run in db.session.scalars(select(JobRun).order_by(JobRun.id))] == [
        "done=1, more_due=1",
        "done=1, more_due=1",
        "done=1",
    ]
    stopping = threading.Event()
    stopping.set()
    backlog[0] = 3
    serve._tick(app, Job("drain", drain, 60), stopping)  # shutting down: one run, the rest later
    assert backlog == [2]


def test_serve_logs_summaries_and_mail_then_stops_on_sigterm(tmp_path):
    env = {
        **os.environ,
        "SHAREMARKET_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "MAIL_SERVER": "",
        "FLASK_DEBUG": "0",
    }
    upgrade = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    assert subprocess.run(upgrade, cwd=ROOT, env=env, capture_output=True, timeout=60).returncode == 0
    seed = (
        "from datetime import UTC, datetime\n"
        "from flask_babel import lazy_gettext as _l\n"
        "from wsgi import app\n"
        "from sharemarket.accounts import services as accounts\n"
        "from sharemarket.notifications.services import notify\n"
        "from sharemarket.extensions import db\n"
        "with app.app_context():\n"
        "    now = datetime.now(UTC)\n"
        "    ana = accounts.register_user(email='ana@example.org', password='long enough pw',"
        " display_name='Ana', now=now, locale='en')\n"
        "    notify(user=ana, kind='loan', title=_l('Your drill is ready'), body=_l('Come and get it.'), now=now)\n"
        "    db.session.commit()\n"
    )
    assert subprocess.run([sys.executable, "-c", seed], cwd=ROOT, env=env, timeout=60).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    seen = threading.Event()

    def read():
        for line in process.stdout:
            lines.append(line)
            if "job deliver_outbox: sent=1" in line:
                seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert seen.wait(timeout=60), "".join(lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    reader.join(timeout=5)
    process.stdout.close()
    output = "".join(lines)
    assert "e-mail #1 to ana@example.org: Your drill is ready" in output
    with sqlite3.connect(tmp_path / "serve.db") as conn:
        recorded = {name for (name,) in conn.execute("SELECT name FROM job_runs WHERE ok")}
    conn.close()
    assert {"expire_requests", "purge_expired", "send_digests", "deliver_outbox"} <= recorded
    assert "SIGTERM received" in output and "stopped" in output
