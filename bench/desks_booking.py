"""Desk seats under load, and the slot search.

1. Booking: `--attempts` POST /api/v1/slots/{id}/bookings (default 1,000; one in four asks for
   the waitlist) from `--booking-clients` concurrent clients (default 50, each its own member
   and keep-alive connection) onto `--slots` slots of capacity 5 (default 100, so twice as
   many attempts as seats). Prints bookings/s, status codes, and checks in the database that
   no slot holds more confirmed bookings than its capacity and that each slot's seat counter
   equals its confirmed bookings. Over-bookings and 5xx must both be 0.
2. Search: GET /api/v1/slots?near=<Lorient station>&radius_km=10 (and 50) over
   `--search-slots` future slots (default 50,000) in spaces spread over ~60 km around Lorient,
   against a bare GET /hello in the same run (target: search ≥ 25 % of hello's requests/s).

    .venv/bin/python bench/desks_booking.py --database-url postgresql://postgres@127.0.0.1/sm_desks_bench
    .venv/bin/python bench/desks_booking.py            # SQLite file (booking then serialises on the file lock)
"""

from __future__ import annotations

import http.client
import json
import math
import random
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from queue import Empty, Queue
from zoneinfo import ZoneInfo

import harness

PARIS = ZoneInfo("Europe/Paris")
STATION = (47.7553, -3.3655)


def users(count: int, now: datetime) -> list[dict]:
    password = harness.password_hash()
    return [
        {
            "email": f"member{n}@example.org",
            "email_key": f"member{n}@example.org",
            "password_hash": password,
            "display_name": f"Member {n}",
            "bio": "",
            "locale": "fr",
            "is_admin": False,
            "status": "active",
            "created_at": now,
            "updated_at": now,
            "password_changed_at": now,
        }
        for n in range(1, count + 1)
    ]


def spaces(count: int, rng: random.Random, now: datetime) -> list[dict]:
    rows = []
    for n in range(count):
        # Uniform over a disc of ~60 km around the station (the first one at the station).
        distance, angle = (60 * math.sqrt(rng.random()), rng.random() * 2 * math.pi) if n else (0.2, 0)
        lat = STATION[0] + distance * math.sin(angle) / 111.32
        lng = STATION[1] + distance * math.cos(angle) / (111.32 * math.cos(math.radians(STATION[0])))
        rows.append(
            {
                "name": f"Tiers-lieu {n}",
                "description": "",
                "address": "",
                "lat": lat,
                "lng": lng,
                "place_label": None,
                "timezone": "Europe/Paris",
                "opening_hours": "",
                "amenities": "wifi",
                "house_rules": "",
                "cancel_cutoff_hours": 2,
                "checkin_code": f"code{n}",
                "calendar_token": f"feed{n}",
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def slot_row(desk_id: int, space_id: int, starts: datetime, ends: datetime, capacity: int, now: datetime) -> dict:
    return {
        "desk_id": desk_id,
        "space_id": space_id,
        "starts_at": starts,
        "ends_at": ends,
        "capacity": capacity,
        "booked": 0,
        "price_cents": 0,
        "currency": "EUR",
        "created_at": now,
    }


def schedule(first: date, days: int) -> list[tuple[datetime, datetime]]:
    """Weekday mornings and afternoons, Paris time, as UTC instants."""
    from sharemarket.desks.rules import local_occurrences

    found = []
    for start, end in ((clock(9), clock(13)), (clock(14), clock(18))):
        found += local_occurrences(
            first_day=first, last_day=first + timedelta(days=days), weekdays=range(5), start=start, end=end, tz=PARIS
        )
    return sorted(found)


def seed(bench, args, now: datetime) -> tuple[list[int], dict[int, str]]:
    from sharemarket.accounts.models import ApiToken, User
    from sharemarket.desks.models import Desk, Slot, Space

    rng = random.Random(7)
    harness.seed(bench, User, users(args.attempts, now))
    tokens, token_rows = harness.token_rows(range(1, args.attempts + 1), now=now)
    harness.seed(bench, ApiToken, token_rows)
    harness.seed(bench, Space, spaces(args.spaces + 1, rng, now))
    # Space 1 (at the station) holds the booking slots: one desk each, tomorrow morning.
    desks = [{"space_id": 1, "label": f"Poste {n}", "kind": "hot_desk", "seats": 5, "created_at": now}
             for n in range(args.slots)]  # fmt: skip
    desks += [{"space_id": s, "label": label, "kind": "hot_desk", "seats": 4, "created_at": now}
              for s in range(2, args.spaces + 2) for label in ("Plateau", "Salle")]  # fmt: skip
    harness.seed(bench, Desk, desks)
    tomorrow = (now.astimezone(PARIS) + timedelta(days=1)).date()
    start = datetime.combine(tomorrow, clock(9), tzinfo=PARIS).astimezone(UTC)
    harness.seed(
        bench, Slot, (slot_row(d, 1, start, start + timedelta(hours=4), 5, now) for d in range(1, args.slots + 1))
    )
    per_desk = max(1, args.search_slots // (2 * args.spaces))
    times = schedule(tomorrow, days=math.ceil(per_desk / 2 * 7 / 5) + 7)[:per_desk]
    rows = (
        slot_row(args.slots + 2 * (space - 2) + k + 1, space, starts, ends, 4, now)
        for space in range(2, args.spaces + 2)
        for k in range(2)
        for starts, ends in times
    )
    seeded = harness.seed(bench, Slot, rows)
    with bench.app.app_context(), bench.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")  # fresh statistics, as autovacuum would give a live database
    print(
        f"seeded {args.attempts} members, {args.spaces + 1} spaces, {args.slots} booking slots, {seeded} search slots"
    )
    return list(range(1, args.slots + 1)), tokens


def attempt_plan(args, slot_ids: list[int], tokens: dict[int, str]) -> list[tuple[int, int, bool]]:
    """(user, slot, waitlist): each slot gets attempts/slots attempts, in a shuffled order."""
    rng = random.Random(11)
    plan = [(user, slot_ids[(user - 1) % len(slot_ids)], user % 4 == 0) for user in tokens]
    rng.shuffle(plan)
    return plan


def run_bookings(port: int, plan, tokens: dict[int, str], clients: int) -> tuple[Counter, float, list[float]]:
    work: Queue = Queue()
    for item in plan:
        work.put(item)
    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        gate.wait()
        while True:
            try:
                user, slot, waitlist = work.get_nowait()
            except Empty:
                break
            body = json.dumps({"waitlist": waitlist})
            headers = {"Authorization": f"Bearer {tokens[user]}", "Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                conn.request("POST", f"/api/v1/slots/{slot}/bookings", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                if status == 201:
                    status = f"201 {json.loads(payload)['status']}"
            except (OSError, http.client.HTTPException):
                status = "connection error"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                statuses[status] += 1
                latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    return statuses, time.perf_counter() - started, latencies


def check_capacity(bench) -> dict:
    rows = (
        bench.engine.connect()
        .execute(
            harness_text(
                """
            SELECT s.id, s.capacity, s.booked,
                   (SELECT count(*) FROM desk_bookings d JOIN bookings b ON b.id = d.id
                     WHERE d.slot_id = s.id AND b.status = 'confirmed') AS confirmed,
                   (SELECT count(*) FROM desk_bookings d JOIN bookings b ON b.id = d.id
                     WHERE d.slot_id = s.id AND b.status = 'waitlisted') AS waiting
            FROM slots s WHERE s.space_id = 1
            """
            )
        )
        .all()
    )
    return {
        "slots": len(rows),
        "confirmed": sum(r.confirmed for r in rows),
        "waitlisted": sum(r.waiting for r in rows),
        "over_bookings": sum(max(0, r.confirmed - r.capacity) for r in rows),
        "counter_mismatches": sum(r.booked != r.confirmed for r in rows),
        "full_slots": sum(r.confirmed == r.capacity for r in rows),
    }


def harness_text(sql: str):
    from sqlalchemy import text

    return text(sql)


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.set_defaults(workers=4, clients=16)
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--booking-clients", type=int, default=50)
    parser.add_argument("--slots", type=int, default=100)
    parser.add_argument("--spaces", type=int, default=200, help="spaces holding the search slots")
    parser.add_argument("--search-slots", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of search load (default 3)")
    args = parser.parse_args()
    now = datetime.now(UTC)
    with harness.fresh_database("desks", args.database_url) as bench:
        slot_ids, tokens = seed(bench, args, now)
        description = harness.describe(args, bench)
        from sharemarket.desks import search

        with bench.app.app_context():
            query, params = search.slots_query(
                now=now, starts_from=now, starts_before=now + timedelta(days=7), near=search.Near(*STATION, 10)
            )
        harness.explain(bench, query, params, title="slot search, 10 km, 7 days")
        plan = attempt_plan(args, slot_ids, tokens)
        with harness.Server(bench.url, workers=args.workers, worker_class=args.worker_class) as server:
            statuses, seconds, latencies = run_bookings(server.port, plan, tokens, args.booking_clients)
            with bench.app.app_context():
                outcome = check_capacity(bench)
            options = harness.load_options(args)
            near = f"{STATION[0]},{STATION[1]}"
            status, body = server.get(f"/api/v1/slots?near={near}&radius_km=10")
            assert status == 200, body[:300]
            shown = len(json.loads(body)["results"])
            endpoints = [
                ("/hello", "GET /hello"),
                ("/healthz", "GET /healthz (one SELECT 1)"),
                (f"/api/v1/slots?near={near}&radius_km=10", "GET /api/v1/slots 10 km"),
                (f"/api/v1/slots?near={near}&radius_km=50", "GET /api/v1/slots 50 km"),
                ("/api/v1/slots", "GET /api/v1/slots (no point)"),
            ]
            # Several short rounds, hello measured in each: the ratio of each round, then the median,
            # is steadier than one long run on a machine that other work shares.
            rounds = [
                [server.load(path, label=label, **options) for path, label in endpoints] for _ in range(args.rounds)
            ]
    server_errors = sum(n for code, n in statuses.items() if str(code).startswith("5"))
    ordered = sorted(latencies)
    p50, p95 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]
    print(
        f"\n== booking: {len(plan)} attempts from {args.booking_clients} clients onto {args.slots} slots of 5; "
        f"{bench.dialect}, gunicorn -w {args.workers}"
    )
    print(
        f"   {len(plan) / seconds:.0f} attempts/s, {outcome['confirmed'] / seconds:.0f} confirmed bookings/s, "
        f"{seconds:.2f} s; p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    )
    print(f"   statuses: {dict(sorted(statuses.items(), key=str))}")
    print(f"   database: {outcome}")
    print(f"   over-bookings: {outcome['over_bookings']}   5xx: {server_errors}")
    for number, results in enumerate(rounds, 1):
        title = f"slot search, round {number}/{args.rounds} ({shown} results on the first page); {description}"
        harness.print_table(results, title=title)
    print("\nmedian over the rounds: requests/s, and ratio to /hello of the same round")
    for index, (_path, label) in enumerate(endpoints):
        rps = statistics.median(r[index].rps for r in rounds)
        ratio = statistics.median(r[index].rps / r[0].rps for r in rounds if r[0].rps)
        print(f"   {label:<34} {rps:>8.0f} req/s  {ratio:>6.0%} of /hello")
    print("target: the 10 km search at ≥ 25 % of /hello")
    if outcome["over_bookings"] or outcome["counter_mismatches"] or server_errors:
        raise SystemExit("FAILED: over-booking, seat counter mismatch or server errors")


if __name__ == "__main__":
    main()
