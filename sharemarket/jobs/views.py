"""The admins' view of the scheduler: each job's last run, and what waits in the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from sharemarket.db import utcnow
from sharemarket.jobs import runner
from sharemarket.jobs.registry import all_jobs
from sharemarket.notifications import outbox

bp = Blueprint("jobs", __name__)


@bp.get("/admin/jobs")
@login_required
def status():
    if not current_user.is_admin:
        abort(403)
    now = utcnow()
    runs = runner.last_runs()
    return render_template(
        "jobs/status.html",
        jobs=[(job, runs.get(job.name)) for job in all_jobs()],
        lease=runner.lease(),
        now=now,
        backlog=outbox.backlog(now),
        failures=outbox.failures(),
        max_attempts=outbox.MAX_ATTEMPTS,
    )
