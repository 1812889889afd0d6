"""What every benchmark shares: a fresh database, fast seeding, a real gunicorn, HTTP load from
other processes, a figures table with ratios to `/hello`, worker memory and query plans.

A benchmark script looks like:

    args = harness.arguments(__doc__).parse_args()
    with harness.fresh_database("listings", args.database_url) as bench:
        harness.seed(bench, Item.__table__, rows)           # list/iterator of dicts
    with harness.Server(bench.url, workers=args.workers) as server:
        results = [server.load("/hello", **harness.load_options(args)), ...]
    harness.print_table(results)

Everything runs on 127.0.0.1 and every loop is bounded (a duration and a request cap).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-secret-key-not-for-production"


# ---------------------------------------------------------------- arguments


def arguments(description: str | None) -> argparse.ArgumentParser:
    """The options every benchmark accepts; a script may add its own."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL of a database to (re)create, e.g. postgresql://postgres@127.0.0.1/sm_bench "
        "(default: a SQLite file under bench/out/)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of load per endpoint (default 5)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="request cap per endpoint")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load first (default 1)")
    return parser


def load_options(args: argparse.Namespace) -> dict:
    return {
        "clients": args.clients,
        "duration": args.duration,
        "max_requests": args.max_requests,
        "warmup": args.warmup,
    }


# ---------------------------------------------------------------- database


@dataclass
class BenchDatabase:
    """A migrated database and an app bound to it (for seeding and EXPLAIN)."""

    url: str
    app: object

    @property
    def engine(self):
        from sharemarket.extensions import db

        with self.app.app_context():
            return db.engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _recreate_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def bench_app(url: str, **config):
    """An app on `url` configured as the benchmark's server is (production, no rate limits)."""
    os.environ.setdefault("SHAREMARKET_ENV", "production")
    from sharemarket import create_app

    settings = {
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(url),
        "RATELIMIT_ENABLED": False,
    }
    settings.update(config)
    return create_app(settings)


@contextlib.contextmanager
def fresh_database(name: str, database_url: str | None = None) -> Iterator[BenchDatabase]:
    """An empty database built by the migrations: bench/out/<name>.db, or `database_url` recreated."""
    import logging

    from flask_migrate import upgrade

    if database_url:
        url = _sqlalchemy_url(database_url)
        _recreate_postgres(url)
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    app = bench_app(url)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        upgrade()
    bench = BenchDatabase(url=url, app=app)
    try:
        yield bench
    finally:
        from sharemarket.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def seed(bench: BenchDatabase, table, rows: Iterable[dict], *, batch: int = 5000) -> int:
    """Insert rows (dicts) into a Core table with executemany, `batch` rows per statement; one
    transaction per batch. Returns how many were inserted. Triggers (R*Tree) still fire."""
    from sqlalchemy import insert

    table = getattr(table, "__table__", table)
    iterator = iter(rows)
    total = 0
    with bench.app.app_context():
        engine = bench.engine
        while chunk := list(islice(iterator, batch)):
            with engine.begin() as conn:
                conn.execute(insert(table), chunk)
            total += len(chunk)
    return total


def scalar(bench: BenchDatabase, statement, params: dict | None = None):
    """One value from the bench database (ids to build the next rows from, counts)."""
    from sqlalchemy import text

    if isinstance(statement, str):
        statement = text(statement)
    with bench.app.app_context(), bench.engine.connect() as conn:
        return conn.execute(statement, params or {}).scalar()


_PASSWORD_HASHES: dict[str, str] = {}


def password_hash(password: str = "bench-password") -> str:
    """One real hash, computed once and shared by every seeded user (scrypt is slow on purpose)."""
    if password not in _PASSWORD_HASHES:
        from werkzeug.security import generate_password_hash

        _PASSWORD_HASHES[password] = generate_password_hash(password)
    return _PASSWORD_HASHES[password]


def token_rows(user_ids: Iterable[int], *, now, days: int = 30) -> tuple[dict[int, str], list[dict]]:
    """API token rows for `api_tokens` and the raw tokens to send as `Authorization: Bearer ...`."""
    from datetime import timedelta

    raw_by_user: dict[int, str] = {}
    rows = []
    for user_id in user_ids:
        raw = f"bench-token-{user_id}-{os.urandom(8).hex()}"
        raw_by_user[user_id] = raw
        rows.append(
            {
                "user_id": user_id,
                "token_hash": hashlib.sha256(raw.encode()).hexdigest(),
                "label": "bench",
                "created_at": now,
                "expires_at": now + timedelta(days=days),
            }
        )
    return raw_by_user, rows


# ---------------------------------------------------------------- explain


def explain(bench: BenchDatabase, statement, params: dict | None = None, *, title: str = "") -> list[str]:
    """Print and return the query plan: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN.

    `statement` is a SQLAlchemy statement (compiled with its bound values) or SQL text with
    :name parameters given in `params`."""
    from sqlalchemy import text

    if isinstance(statement, str):
        statement = text(statement)
    with bench.app.app_context(), bench.engine.connect() as conn:
        rows = conn.execute(_Explain(statement), params or {}).all()
        dialect = conn.dialect.name
    lines = [str(row[-1]) if dialect == "sqlite" else str(row[0]) for row in rows]
    print(f"\n-- plan{': ' + title if title else ''} ({dialect})")
    for line in lines:
        print("   " + line)
    return lines


def _explain_construct():
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql.expression import ClauseElement, Executable

    class Explain(Executable, ClauseElement):
        inherit_cache = False

        def __init__(self, statement):
            self.statement = statement

    @compiles(Explain)
    def _compile(element, compiler, **kw):
        prefix = "EXPLAIN QUERY PLAN " if compiler.dialect.name == "sqlite" else "EXPLAIN "
        return prefix + compiler.process(element.statement, **kw)

    return Explain


_Explain = _explain_construct()


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app on a free 127.0.0.1 port, in production mode, rate limits off.

    Use as a context manager; `load(...)` drives HTTP load at it from other processes."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 2,
        worker_class: str = "sync",
        threads: int = 1,
        env: dict | None = None,
        log_name: str = "gunicorn",
    ):
        self.database_url = database_url
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.extra_env = env or {}
        self.port = free_port()
        OUT.mkdir(parents=True, exist_ok=True)
        self.log_path = OUT / f"{log_name}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> None:
        env = dict(os.environ)
        env.update(
            {
                "SHAREMARKET_ENV": "production",
                "SECRET_KEY": SECRET_KEY,
                "DATABASE_URL": self.database_url,
                "RATELIMIT_ENABLED": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--backlog",
            "256",
            "--log-level",
            "warning",
            "wsgi:app",
        ]
        log = open(self.log_path, "wb")  # noqa: SIM115 - kept open for the server's lifetime
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.get("/hello")[0] == 200 and len(self.worker_pids()) >= self.workers:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /hello within {timeout}s; see {self.log_path}")

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of master and workers
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def worker_pids(self) -> list[int]:
        return worker_pids(self.process.pid) if self.process else []

    def worker_rss_kb(self) -> dict[int, int]:
        return {pid: rss_kb(pid) for pid in self.worker_pids()}

    def load(self, path: str, **options) -> LoadResult:
        return load(self.port, path, **options)


# ---------------------------------------------------------------- memory


def rss_kb(pid: int) -> int:
    """Resident memory of a process in KiB, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def worker_pids(master_pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers), from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            children.append(int(entry))
    return sorted(children)


def print_memory(before: dict[int, int], after: dict[int, int], title: str = "worker RSS") -> None:
    print(f"\n{title} (KiB):")
    for pid in sorted(set(before) | set(after)):
        b, a = before.get(pid), after.get(pid)
        change = f"{a - b:+d}" if a is not None and b is not None else "n/a"
        print(f"   pid {pid}: before {b}  after {a}  change {change}")


# ---------------------------------------------------------------- load


@dataclass
class LoadResult:
    label: str
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    errors: int
    statuses: Counter

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)


def _client_thread(port, requests, deadline, budget, lock, latencies, statuses, errors):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    position = 0
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        method, path, headers, body = requests[position % len(requests)]
        position += 1
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            latencies.append(elapsed)
            statuses[response.status] += 1
            if response.will_close:
                conn.close()
        except (OSError, http.client.HTTPException):
            errors[0] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


def _client_process(port, requests, threads, duration, budget):
    """One load process: `threads` clients, each on its own keep-alive connection."""
    lock = threading.Lock()
    shared_budget = [budget]
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = [0]
    deadline = time.monotonic() + duration
    workers = [
        threading.Thread(
            target=_client_thread,
            args=(port, requests, deadline, shared_budget, lock, latencies, statuses, errors),
            daemon=True,
        )
        for _ in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(duration + 60)
    return latencies, dict(statuses), errors[0], time.perf_counter() - started


def _normalise_requests(path, method, headers, body, requests):
    if requests is None:
        requests = [(method, path, headers or {}, body)]
    normalised = []
    for item in requests:
        if isinstance(item, str):
            normalised.append(("GET", item, headers or {}, None))
        else:
            m, p, *rest = item
            h = rest[0] if rest else headers or {}
            b = rest[1] if len(rest) > 1 else None
            normalised.append((m, p, h, b.encode() if isinstance(b, str) else b))
    return normalised


def load(
    port: int,
    path: str,
    *,
    label: str | None = None,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes | str | None = None,
    requests: list | None = None,
    clients: int = 8,
    processes: int | None = None,
    duration: float = 5.0,
    max_requests: int = 200_000,
    warmup: float = 1.0,
) -> LoadResult:
    """Drive `clients` concurrent clients at 127.0.0.1:`port` from separate processes, for
    `duration` seconds or `max_requests` requests, whichever comes first.

    `requests` (optional) is a list of paths or (method, path[, headers[, body]]) tuples that
    each client cycles through, e.g. one bearer token per simulated user."""
    plan = _normalise_requests(path, method, headers, body, requests)
    processes = max(1, min(processes or os.cpu_count() or 1, clients))
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    budgets = [max_requests // processes + (1 if i < max_requests % processes else 0) for i in range(processes)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        if warmup > 0:
            pool.starmap(_client_process, [(port, plan, n, warmup, 10_000) for n in per_process])
        outcomes = pool.starmap(
            _client_process, [(port, plan, n, duration, b) for n, b in zip(per_process, budgets, strict=True)]
        )
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = 0
    seconds = 0.0
    for lat, stat, err, elapsed in outcomes:
        latencies.extend(lat)
        statuses.update(stat)
        errors += err
        seconds = max(seconds, elapsed)
    return LoadResult(
        label=label or f"{plan[0][0]} {path}",
        requests=len(latencies),
        seconds=seconds,
        latencies_ms=latencies,
        errors=errors,
        statuses=statuses,
    )


# ---------------------------------------------------------------- report


def print_table(results: list[LoadResult], *, baseline: str = "/hello", title: str = "") -> None:
    """One line per endpoint; ratios compare with the result whose label ends with `baseline`.

    rps ratio = endpoint req/s ÷ hello req/s (1.0 = as fast as a bare endpoint);
    p50 ratio = endpoint median latency ÷ hello median latency."""
    base = next((r for r in results if r.label.endswith(baseline)), None)
    if title:
        print(f"\n== {title}")
    header = (
        f"{'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>6} {'rps/hello':>9} {'p50/hello':>9}  statuses"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        rps_ratio = r.rps / base.rps if base and base.rps else float("nan")
        p50_ratio = r.p50 / base.p50 if base and base.p50 else float("nan")
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(r.statuses.items()))
        print(
            f"{r.label:<34} {r.rps:>8.0f} {r.p50:>8.2f} {r.p95:>8.2f} {r.p99:>8.2f} "
            f"{r.errors:>6} {rps_ratio:>9.2f} {p50_ratio:>9.2f}  {statuses}"
        )


def describe(args: argparse.Namespace, bench: BenchDatabase) -> str:
    return (
        f"{bench.dialect}, gunicorn -w {args.workers} ({args.worker_class}), {args.clients} clients, "
        f"{args.duration:g}s per endpoint, {os.cpu_count()} CPUs"
    )
