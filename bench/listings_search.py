"""The tool library's figures: searching 100,000 listings spread over Brittany.

Measures, against a bare GET /hello served by the same gunicorn (2 workers) in the same run:
  - GET /api/v1/listings?near=LAT,LNG&radius_km=5 (anonymous, cycling through 48 points),
  - the HTML search page /listings?lat=..&lng=..&radius_km=5,
with requests per second and client-side latency, plus the median time spent inside the server
(gunicorn's access log, %(D)s: from reading the request to the last byte written). Then the
query plan of the search (it must use the spatial index), each worker's memory before and
after 10,000 more API searches, and 200 loan requests on 200 distinct listings sent at once.

    .venv/bin/python bench/listings_search.py                                              # SQLite
    .venv/bin/python bench/listings_search.py --database-url postgresql://postgres@127.0.0.1/sm_bench
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import harness

TOWNS = [
    ("Rennes", 48.1173, -1.6778, 0.22),
    ("Brest", 48.3904, -4.4861, 0.14),
    ("Quimper", 47.9960, -4.1024, 0.08),
    ("Lorient", 47.7483, -3.3700, 0.09),
    ("Vannes", 47.6582, -2.7608, 0.08),
    ("Saint-Brieuc", 48.5136, -2.7602, 0.07),
    ("Saint-Malo", 48.6493, -2.0257, 0.06),
    ("Lannion", 48.7326, -3.4566, 0.04),
    ("Morlaix", 48.5776, -3.8280, 0.03),
    ("Fougères", 48.3524, -1.1993, 0.03),
    ("Pontivy", 48.0680, -2.9630, 0.03),
    ("Concarneau", 47.8753, -3.9189, 0.03),
]
BRITTANY = (47.3, 48.9, -4.8, -1.0)  # lat min/max, lng min/max
KM_LAT = 111.32


def _point(rng: random.Random) -> tuple[float, float, str]:
    """60 % around towns (Gaussian, ~6 km), 40 % anywhere in the region."""
    if rng.random() < 0.6:
        name, lat, lng, _ = rng.choices(TOWNS, weights=[t[3] for t in TOWNS])[0]
        return lat + rng.gauss(0, 6) / KM_LAT, lng + rng.gauss(0, 6) / (KM_LAT * 0.67), name
    return rng.uniform(*BRITTANY[:2]), rng.uniform(*BRITTANY[2:]), "Bretagne"


def user_rows(count: int, now: datetime, rng: random.Random) -> list[dict]:
    password = harness.password_hash()
    rows = []
    for n in range(1, count + 1):
        lat, lng, town = _point(rng)
        rows.append(
            {
                "email": f"voisin{n}@example.org",
                "email_key": f"voisin{n}@example.org",
                "password_hash": password,
                "display_name": f"Voisin {n}",
                "bio": "",
                "locale": "fr",
                "home_lat": lat,
                "home_lng": lng,
                "home_label": town,
                "is_admin": False,
                "status": "active",
                "created_at": now,
                "updated_at": now,
                "password_changed_at": now,
            }
        )
    return rows


def listing_rows(count: int, owners: int, now: datetime, rng: random.Random):
    from sharemarket.listings import rules
    from sharemarket.listings.demo import CATALOGUE

    for n in range(count):
        category, title, description, deposit, value = CATALOGUE[n % len(CATALOGUE)]
        lat, lng, town = _point(rng)
        created = now - timedelta(minutes=count - n)
        yield {
            "owner_id": rng.randint(1, owners),
            "title": title,
            "description": description,
            "category": category,
            "condition": rng.choice(list(rules.CONDITIONS)),
            "lat": lat,
            "lng": lng,
            "place_label": town,
            "deposit_cents": deposit * 100,
            "currency": "EUR",
            "replacement_value_cents": value * 100,
            "max_loan_days": rng.choice([3, 5, 7, 14]),
            "min_notice_days": rng.choice([0, 0, 1, 2]),
            "buffer_days": 0,
            "pickup_instructions": "Sonnez à l'interphone.",
            "status": "active" if rng.random() < 0.95 else "paused",
            "search_text": rules.search_text(title, description),
            "created_at": created,
            "updated_at": created,
        }


def search_points(rng: random.Random, count: int = 48) -> list[tuple[float, float]]:
    points = []
    for i in range(count):
        _, lat, lng, _ = TOWNS[i % len(TOWNS)]
        points.append((round(lat + rng.gauss(0, 2) / KM_LAT, 5), round(lng + rng.gauss(0, 2) / 75, 5)))
    return points


def server_times(log_path, start: int, prefix: str) -> list[float]:
    """Milliseconds inside the server for the access-log lines written since byte `start`."""
    with open(log_path, "rb") as log:
        log.seek(start)
        lines = log.read().decode(errors="replace").splitlines()
    times = []
    for line in lines:
        parts = line.strip().split("|")
        if len(parts) == 3 and parts[0] == prefix:
            times.append(int(parts[1]) / 1000)
    return times


def post_all_at_once(port: int, requests: list[tuple[str, dict, bytes]]) -> tuple[Counter, int, float]:
    """Send every request from its own thread, released together; statuses, errors, seconds."""
    barrier = threading.Barrier(len(requests))
    statuses: Counter = Counter()
    errors = [0]
    lock = threading.Lock()

    def send(path: str, headers: dict, body: bytes) -> None:
        barrier.wait()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("POST", path, body=body, headers=headers)
            status = conn.getresponse().status
            with lock:
                statuses[status] += 1
        except (OSError, http.client.HTTPException):
            with lock:
                errors[0] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=send, args=r) for r in requests]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses, errors[0], time.perf_counter() - started


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--owners", type=int, default=5_000)
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--loan-requests", type=int, default=200)
    args = parser.parse_args()
    from sqlalchemy import func, select, text

    from sharemarket.accounts.models import ApiToken, User
    from sharemarket.listings import rules, search
    from sharemarket.listings.models import Listing

    rng = random.Random(2026)
    now = datetime.now(UTC)
    borrowers = args.loan_requests
    with harness.fresh_database("listings_search", args.database_url) as bench:
        started = time.perf_counter()
        harness.seed(bench, User, user_rows(args.owners + borrowers, now, rng))
        harness.seed(bench, Listing, listing_rows(args.listings, args.owners, now, rng))
        borrower_ids = range(args.owners + 1, args.owners + borrowers + 1)
        tokens, rows = harness.token_rows(borrower_ids, now=now)
        harness.seed(bench, ApiToken, rows)
        with bench.app.app_context(), bench.engine.begin() as conn:
            conn.execute(text("ANALYZE"))  # as a live database would be, by autovacuum or `PRAGMA optimize`
        seconds = time.perf_counter() - started
        print(f"seeded {args.listings} listings and {args.owners + borrowers} users in {seconds:.1f}s")
        description = harness.describe(args, bench)
        lorient = (47.7483, -3.3700)
        with bench.app.app_context():
            five_km = search.SearchQuery(near=lorient, radius_km=5)
            whole, whole_params = search.nearest_statement(five_km, 20, None, bench.dialect)
            ring, ring_params = search.nearest_statement(five_km, 20, None, bench.dialect, within_km=5 / 8)
        harness.explain(bench, whole, whole_params, title="listings within 5 km of Lorient, nearest first")
        harness.explain(bench, ring, ring_params, title="the same, first ring (625 m), which fills the page here")
        in_box = harness.scalar(
            bench,
            select(func.count(Listing.id)).where(
                Listing.lat.between(lorient[0] - 0.05, lorient[0] + 0.05),
                Listing.lng.between(lorient[1] - 0.07, lorient[1] + 0.07),
            ),
        )
        print(f"   ({in_box} listings in the ~11 x 10 km box around Lorient)")
        with bench.app.app_context(), bench.engine.connect() as conn:
            active = select(Listing.id).where(Listing.status == "active").order_by(Listing.id).limit(borrowers)
            loan_listing_ids = list(conn.execute(active).scalars())
        with bench.app.app_context():
            today = rules.local_today(now, bench.app.config["SHAREMARKET_TIMEZONE"])

    points = search_points(rng)
    api_paths = [f"/api/v1/listings?near={lat},{lng}&radius_km=5" for lat, lng in points]
    page_paths = [f"/listings?lat={lat}&lng={lng}&radius_km=5" for lat, lng in points]
    log_path = harness.OUT / "listings_search-access.log"
    log_path.unlink(missing_ok=True)
    access_log = {"GUNICORN_CMD_ARGS": f"--access-logfile {log_path} --access-logformat %(U)s|%(D)s|%(s)s"}
    options = harness.load_options(args)
    with harness.Server(bench.url, workers=args.workers, worker_class=args.worker_class, env=access_log) as server:
        status, body = server.get(api_paths[0])
        assert status == 200, f"{api_paths[0]} answered {status}: {body[:300]!r}"
        sample = json.loads(body)["results"]
        print(
            f"\nfirst search: {len(sample)} results, nearest {sample[0]['distance_km']} km" if sample else "no result"
        )
        results, inside = [], {}
        for label, prefix, plan in (
            ("GET /hello", "/hello", ["/hello"]),
            ("GET /api/v1/listings near 5 km", "/api/v1/listings", api_paths),
            ("GET /listings (HTML) near 5 km", "/listings", page_paths),
        ):
            mark = log_path.stat().st_size if log_path.exists() else 0
            results.append(server.load(plan[0], label=label, requests=plan, **options))
            time.sleep(0.5)  # let the workers flush their access log lines
            inside[label] = server_times(log_path, mark, prefix)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        title = f"listings_search: {args.listings} listings; {description}; load average {load}"
        harness.print_table(results, baseline="/hello", title=title)
        print("\nmedian time inside the server (gunicorn access log, request read to response written):")
        for label, times in inside.items():
            if times:
                p95 = sorted(times)[int(len(times) * 0.95) - 1]
                p50 = statistics.median(times)
                print(f"   {label:<34} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   ({len(times)} requests)")

        before = server.worker_rss_kb()
        memory_run = server.load(
            api_paths[0],
            label="memory run",
            requests=api_paths,
            clients=args.clients,
            duration=600,
            max_requests=args.memory_requests,
            warmup=0,
        )
        after = server.worker_rss_kb()
        harness.print_memory(before, after, title=f"worker RSS over {memory_run.requests} API searches")

        start, end = today + timedelta(days=7), today + timedelta(days=8)
        body = json.dumps({"start_date": start.isoformat(), "end_date": end.isoformat()}).encode()
        posts = [
            (
                f"/api/v1/listings/{listing_id}/bookings",
                {"Authorization": f"Bearer {tokens[user_id]}", "Content-Type": "application/json"},
                body,
            )
            for listing_id, user_id in zip(loan_listing_ids, borrower_ids, strict=True)
        ]
        statuses, errors, seconds = post_all_at_once(server.port, posts)
        print(
            f"\n{len(posts)} loan requests on distinct listings sent at once: statuses {dict(statuses)}, "
            f"connection errors {errors}, {seconds:.2f}s"
        )


if __name__ == "__main__":
    main()
