"""The scheduler's figures: `jobs run-once` over a bookings table of 1,000,000 rows, 10,000 of them due.

Seeds (bulk inserts) loans of the tool library: mostly history (returned, cancelled, declined,
expired), some upcoming confirmed loans and requests still within their answer time, and
10,000 requests nobody answered whose `respond_by` has passed. Then, for a 100,000-row and a
1,000,000-row table with the same 10,000 due rows:

  1. `flask --app wsgi jobs run-once --at T` in its own process, as operators run it: wall time and
     peak memory, each job's own time, and the start-up alone (`flask jobs list`). Each job's
     run is budgeted (JOB_RUN_SECONDS, 1 s; the expiry, moved in bulk, five of them): it handles
     what it can and says `more_due=1`; the command is repeated (--runs, 3) to show the following
     runs. The expiry should handle all the due rows in run #1; the outbox drains over the runs.
  2. The same work in one unbudgeted run (the same runner, JOB_RUN_SECONDS=600) on the same due rows
     (put back, and on PostgreSQL the tables vacuumed, as run #1 found them), to show the cost per
     due row and that it does not grow with the table.
  3. The plans of the due-request query (it must use ix_bookings_status_respond_by) and of the bulk
     expiry's conditional UPDATE (by primary key).

The machine's CPUs are shared: each run-once line and the summary give the 1-minute load average
when it started.

The project's bytecode is compiled first (`compileall`), as a deployment has it: Python writes it on
a module's first import, but this workplace sets PYTHONDONTWRITEBYTECODE, and without it every
command would compile some 160 modules again (0.6 s of each start-up here).

Memory is sampled from /proc every 20 ms: the peak RSS (VmHWM, the child's own: wait4's ru_maxrss
also counts the pages of this big parent it was forked from) and, of it, the peak private memory
(RssAnon). On SQLite the rest is mostly the database file as mapped by `PRAGMA mmap_size` (64 MB for the scheduler):
pages of the page cache, shared and dropped under pressure, not the process's own.

    .venv/bin/python bench/jobs_run_once.py                                              # SQLite
    .venv/bin/python bench/jobs_run_once.py --database-url postgresql://postgres@127.0.0.1/sm_bench
    .venv/bin/python bench/jobs_run_once.py --sizes 20000,100000 --due 2000                 # quicker
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import harness

T = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Paris
USERS = 5_000
LISTINGS = 5_000
HISTORY = [("returned", 60), ("cancelled", 12), ("declined", 10), ("expired", 8)]


def user_rows(now: datetime):
    password = harness.password_hash()
    for n in range(1, USERS + 1):
        yield {
            "email": f"voisin{n}@example.org",
            "email_key": f"voisin{n}@example.org",
            "password_hash": password,
            "display_name": f"Voisin {n}",
            "bio": "",
            "locale": "fr" if n % 4 else "en",
            "is_admin": False,
            "status": "active",
            "created_at": now,
            "updated_at": now,
            "password_changed_at": now,
        }


def listing_rows(now: datetime, rng: random.Random):
    from sharemarket.listings import rules

    for n in range(LISTINGS):
        title = f"Perceuse {n}"
        yield {
            "owner_id": rng.randint(1, USERS),
            "title": title,
            "description": "",
            "category": "tools",
            "condition": "good",
            "lat": 47.75 + rng.uniform(-0.1, 0.1),
            "lng": -3.37 + rng.uniform(-0.1, 0.1),
            "deposit_cents": 0,
            "currency": "EUR",
            "max_loan_days": 14,
            "min_notice_days": 0,
            "buffer_days": 0,
            "pickup_instructions": "",
            "status": "active",
            "search_text": rules.search_text(title, ""),
            "created_at": now,
            "updated_at": now,
        }


def booking_plan(size: int, due: int, rng: random.Random):
    """(booking row, loan row) pairs; the due requests spread evenly among the ids."""
    step = size // due
    statuses, weights = zip(*HISTORY, strict=True)
    for booking_id in range(1, size + 1):
        if booking_id % step == 0 and booking_id // step <= due:
            status, created = "requested", T - timedelta(days=3, minutes=rng.randint(0, 600))
            start = T.date() + timedelta(days=rng.randint(5, 30))
            respond_by = T - timedelta(minutes=rng.randint(1, 1440))
        else:
            roll = rng.random()
            if roll < 0.02:  # upcoming confirmed loans (not tomorrow: no reminders due)
                status, start = "confirmed", T.date() + timedelta(days=rng.randint(3, 60))
                created = T - timedelta(days=rng.randint(1, 20))
            elif roll < 0.03:  # requests still within their answer time
                status, start = "requested", T.date() + timedelta(days=rng.randint(3, 60))
                created = T - timedelta(hours=rng.randint(1, 40))
            else:  # history over three years
                status = rng.choices(statuses, weights)[0]
                created = T - timedelta(days=rng.randint(10, 1100), minutes=rng.randint(0, 1440))
                start = (created + timedelta(days=rng.randint(1, 9))).date()
            respond_by = created + timedelta(hours=48)
        end = start + timedelta(days=rng.randint(0, 6))
        yield (
            {
                "id": booking_id,
                "kind": "loan",
                "status": status,
                "user_id": rng.randint(1, USERS),
                "created_at": created,
                "updated_at": created,
                "respond_by": respond_by,
                "starts_at": _midnight(start),
                "ends_at": _midnight(end + timedelta(days=1)),
            },
            {"id": booking_id, "listing_id": rng.randint(1, LISTINGS), "start_date": start, "end_date": end},
        )


def _midnight(day: date) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def seed(bench, size: int, due: int) -> None:
    from sharemarket.accounts.models import User
    from sharemarket.bookings.models import Booking
    from sharemarket.listings.models import Listing, Loan

    rng = random.Random(6)
    harness.seed(bench, User, user_rows(T - timedelta(days=1200)))
    harness.seed(bench, Listing, listing_rows(T - timedelta(days=10), rng))
    plan = booking_plan(size, due, rng)
    loans: list[dict] = []

    def bookings():
        for booking, loan in plan:
            loans.append(loan)
            yield booking

    started = time.perf_counter()
    total = 0
    while True:
        count = harness.seed(bench, Booking, _take(bookings(), 50_000))
        if not count:
            break
        harness.seed(bench, Loan, loans)
        loans.clear()
        total += count
    if bench.dialect == "postgresql":
        harness.scalar(bench, "SELECT setval('bookings_id_seq', (SELECT max(id) FROM bookings))")
    _execute(bench, "ANALYZE")
    print(f"seeded {total:,} bookings ({due:,} due) in {time.perf_counter() - started:.0f} s", flush=True)


def _take(iterator, count: int):
    for _ in range(count):
        try:
            yield next(iterator)
        except StopIteration:
            return


def _execute(bench, sql: str) -> None:
    from sqlalchemy import text

    with bench.app.app_context(), bench.engine.begin() as conn:
        conn.execute(text(sql))


def restore_due(bench) -> None:
    """Put the expired requests back as they were, and forget what the runs wrote."""
    from sqlalchemy import text

    with bench.app.app_context(), bench.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE bookings SET status = 'requested', updated_at = created_at "
                "WHERE id IN (SELECT booking_id FROM booking_events WHERE action = 'expire')"
            )
        )
        for table in ("booking_events", "notifications", "outbox_emails", "job_runs", "job_leases"):
            conn.execute(text(f"DELETE FROM {table}"))
    if bench.dialect == "postgresql":  # the dead rows left above would slow the next run's writes
        with bench.app.app_context(), bench.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


@dataclass
class Run:
    """A child process: wall and CPU seconds (its own: on PostgreSQL the server's work is not in
    it), peak RSS and private memory (MB), standard output, and the 1-minute load average when it
    started."""

    seconds: float
    cpu: float
    rss: int
    private: int
    output: str
    load: float


class MemoryPeaks(threading.Thread):
    """Samples a child's /proc status until it exits: peak VmHWM and RssAnon, in KiB."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peaks = {"VmHWM": 0, "RssAnon": 0}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as status:
                    for line in status:
                        key, _, value = line.partition(":")
                        if key in self.peaks:
                            self.peaks[key] = max(self.peaks[key], int(value.split()[0]))
            except OSError:
                return
            self.done.wait(0.02)


def timed(command: list[str], env: dict) -> Run:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=harness.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    memory = MemoryPeaks(process.pid)
    memory.start()
    output = process.stdout.read()
    memory.done.set()  # the last sample was taken while it was still running: exiting frees, never takes
    memory.join()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command} failed with {process.returncode}:\n{output}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(
        time.perf_counter() - started, cpu, memory.peaks["VmHWM"] // 1024, memory.peaks["RssAnon"] // 1024, output, load
    )


def child_env(bench) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "SHAREMARKET_ENV": "production",
            "SECRET_KEY": harness.SECRET_KEY,
            "DATABASE_URL": bench.url,
            "MAIL_SERVER": "",
            "PYTHONPATH": str(harness.ROOT),
        }
    )
    return env


FLASK = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs"]


def run_budgeted(bench, max_runs: int) -> list[Run]:
    runs = []
    while True:
        run = timed([*FLASK, "run-once", "--at", T.isoformat()], child_env(bench))
        run.output = _with_durations(bench, run.output)
        runs.append(run)
        if "more_due" not in run.output or len(runs) >= max_runs:
            return runs


def _with_durations(bench, output: str) -> str:
    """Each summary line of the last run with the seconds its job took (from job_runs)."""
    from sqlalchemy import select

    from sharemarket.extensions import db
    from sharemarket.jobs.models import JobRun

    with bench.app.app_context():
        latest = {}
        for run in db.session.scalars(select(JobRun).order_by(JobRun.id)):
            latest[run.name] = (run.finished_at - run.started_at).total_seconds()
        db.session.remove()
    lines = []
    for line in output.splitlines():
        name = line.split(":", 1)[0]
        lines.append(f"{line}  ({latest[name]:.2f} s)" if name in latest else line)
    return "\n".join(lines)


def run_unbudgeted(bench) -> Run:
    run = timed([sys.executable, __file__, "--child", bench.url], child_env(bench))
    run.output = _with_durations(bench, run.output)
    return run


def child(url: str) -> None:
    """One run of every job with no time budget (the same runner `run-once` uses)."""
    from sharemarket.jobs import runner

    app = harness.bench_app(url, JOB_RUN_SECONDS=600)
    with app.app_context():
        for name, _ok, line in runner.run_once(T):
            print(f"{name}: {line}", flush=True)


def job_line(output: str, name: str) -> str:
    for line in output.splitlines():
        if line.startswith(name + ":"):
            return line.split(": ", 1)[1]
    return "?"


def job_seconds(output: str, name: str) -> float:
    line = job_line(output, name)
    return float(line.rpartition("(")[2].split(" ")[0]) if "(" in line else float("nan")


def explain_plans(bench) -> None:
    from sqlalchemy import select

    from sharemarket.bookings.models import Booking

    harness.explain(
        bench,
        select(Booking.id, Booking.respond_by)
        .where(Booking.status == "requested", Booking.respond_by <= T, Booking.kind.in_(["loan"]))
        .order_by(Booking.respond_by, Booking.id)
        .limit(500),
        title="due requests",
    )
    ids = ", ".join(str(n) for n in range(1, 1001))
    with contextlib.redirect_stdout(io.StringIO()):  # printed below without its 1,000 ids
        lines = harness.explain(
            bench,
            f"UPDATE bookings SET status = 'expired', updated_at = :at WHERE id IN ({ids}) AND kind = 'loan' "
            "AND status = 'requested' AND respond_by <= :at RETURNING id",
            {"at": T.strftime("%Y-%m-%d %H:%M:%S")},
        )
    print(f"\n-- plan: bulk expiry of a batch (as bookings.services.system_act_many writes it) ({bench.dialect})")
    for line in lines:
        print("   " + (line if len(line) < 200 else line[:80] + " ... " + line[-40:]))


def compile_bytecode() -> None:
    """The app's .pyc files, as after a deployment's first run (see the module's docstring)."""
    sources = [str(harness.ROOT / name) for name in ("sharemarket", "config.py", "wsgi.py")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *sources], check=True)


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--sizes", default="100000,1000000", help="table sizes (default 100000,1000000)")
    parser.add_argument("--due", type=int, default=10_000, help="due requests in each table (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="budgeted run-once commands per table (default 3)")
    args = parser.parse_args()
    compile_bytecode()
    figures = []
    due = args.due
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"\n== {size:,} bookings, {args.due:,} due", flush=True)
        with harness.fresh_database(f"jobs_{size}", args.database_url) as bench:
            seed(bench, size, args.due)
            explain_plans(bench)
            startup = timed([*FLASK, "list"], child_env(bench))
            print(f"`flask jobs list` (start-up alone): {_figures(startup)}")
            runs = run_budgeted(bench, args.runs)
            for number, run in enumerate(runs, start=1):
                print(f"run-once #{number}: {_figures(run)}")
                for line in run.output.splitlines():
                    print("    " + line)
            restore_due(bench)
            whole = run_unbudgeted(bench)
            print(f"unbudgeted run: {_figures(whole)}")
            for line in whole.output.splitlines():
                print("    " + line)
            figures.append((size, startup, runs, whole, bench.dialect))
    print(
        f"\n{'table':>10} {'db':>10} {'start-up':>9} {'run-once #1':>12} {'CPU':>7} {'RSS':>7} {'private':>8} "
        f"{'expired':>8} "
        f"{'(expiry job)':>13} {'load':>5} {'run-once #2':>12} {'expired':>8} {'expire ms/row':>14} "
        f"{'deliver ms/mail':>16}"
    )
    for size, startup, runs, whole, dialect in figures:
        first, second = runs[0], runs[1] if len(runs) > 1 else None
        print(
            f"{size:>10,} {dialect:>10} {startup.seconds:>7.2f} s {first.seconds:>10.2f} s {first.cpu:>5.2f} s "
            f"{first.rss:>4} MB {first.private:>5} MB {_expired(first):>8} "
            f"{job_seconds(first.output, 'expire_requests'):>11.2f} s "
            f"{first.load:>5.1f} "
            + (f"{second.seconds:>10.2f} s {_expired(second):>8} " if second else f"{'-':>12} {'-':>8} ")
            + f"{1000 * job_seconds(whole.output, 'expire_requests') / due:>14.2f} "
            f"{1000 * job_seconds(whole.output, 'deliver_outbox') / due:>16.2f}"
        )
    print("(CPU: the run-once process's own; expire ms/row and deliver ms/mail: the unbudgeted run, all due rows)")
    print("(RSS: the child's peak; private: its anonymous memory, the rest mostly SQLite's mapped database file)")
    print(f"({os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the end)")


def _figures(run: Run) -> str:
    return (
        f"{run.seconds:.2f} s (CPU {run.cpu:.2f} s), {run.rss} MB ({run.private} MB private), "
        f"load average {run.load:.1f}"
    )


def _expired(run: Run) -> str:
    return job_line(run.output, "expire_requests").split(",")[0].removeprefix("expired=")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
