"""The impact dashboard over 3 years of history.

Seeds `--bookings` bookings (default 1,000,000: 40 % loans, 40 % desk bookings, 20 % seat bookings
on completed carpools) spread over the last 3 years with bulk inserts, pre-aggregates them
(`impact refresh`, timed), then measures:
1. the public dashboard's time inside the server (Flask test client in this process, median/p95
   of `--samples` renders; target < 200 ms), and its load through gunicorn against /hello;
2. the open-data CSV: streamed through gunicorn, worker RSS before/after.

    /work/venv/bin/python bench/impact_dashboard.py --database-url postgresql://postgres@127.0.0.1/sm_impact_bench
    /work/venv/bin/python bench/impact_dashboard.py --bookings 100000      # SQLite file, smaller
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from itertools import islice

import harness
from desks_booking import slot_row, spaces, users
from listings_search import listing_rows

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
DAYS = 3 * 365
USERS, LISTINGS, SPACES, DESKS_PER_SPACE, RIDES = 5000, 3000, 20, 6, 120


def _booking(booking_id, kind, status, user_id, starts, ends):
    return {
        "id": booking_id,
        "kind": kind,
        "status": status,
        "user_id": user_id,
        "created_at": starts - timedelta(days=3),
        "updated_at": ends,
        "respond_by": None,
        "starts_at": starts,
        "ends_at": ends,
    }


def reference_rows(bench, rng):
    """Members, listings, spaces, desks, weekday slots, commute rides and their daily occurrences."""
    from sharemarket.accounts.models import User
    from sharemarket.desks.models import Desk, Slot, Space
    from sharemarket.listings.models import Listing
    from sharemarket.rides.models import Ride, RideOccurrence

    start = NOW - timedelta(days=DAYS)
    harness.seed(bench, User, users(USERS, NOW))
    harness.seed(bench, Listing, listing_rows(LISTINGS, USERS, start, rng))
    harness.seed(bench, Space, spaces(SPACES, rng, start))
    desks = [
        {"space_id": s, "label": f"Poste {k}", "kind": "hot_desk", "seats": 8, "created_at": start}
        for s in range(1, SPACES + 1)
        for k in range(DESKS_PER_SPACE)
    ]
    harness.seed(bench, Desk, desks)
    days = [start + timedelta(days=n) for n in range(DAYS) if (start + timedelta(days=n)).weekday() < 5]
    slots = (
        slot_row(desk_id, (desk_id - 1) // DESKS_PER_SPACE + 1, day.replace(hour=8), day.replace(hour=12), 8, start)
        for day in days
        for desk_id in range(1, len(desks) + 1)
    )
    slot_count = harness.seed(bench, Slot, slots)
    rides = [
        {
            "id": r, "driver_id": r, "origin_lat": 47.80, "origin_lng": -3.28, "origin_label": "Hennebont",
            "destination_lat": 47.66, "destination_lng": -2.76, "destination_label": "Vannes", "distance_km": 45.0,
            "departure_at": start, "timezone": "Europe/Paris", "seats": 4, "price_cents": 300, "currency": "EUR",
            "max_detour_km": 5.0, "smoking": False, "pets": False, "music": True, "talkative": True,
            "luggage": "medium", "note": "", "weekdays": [0, 1, 2, 3, 4], "local_time": "07:45",
            "valid_from": start.date(), "valid_until": None, "skip_dates": [], "materialised_until": NOW.date(),
            "status": "active", "created_at": start, "updated_at": start,
        }
        for r in range(1, RIDES + 1)
    ]  # fmt: skip
    harness.seed(bench, Ride, rides)
    occurrences = (
        {
            "ride_id": r, "date": day.date(), "departs_at": day.replace(hour=6, minute=45), "seats": 4,
            "seats_left": 4, "cancelled": False, "closed_at": day, "min_lat": 47.6, "max_lat": 47.85,
            "min_lng": -3.35, "max_lng": -2.7,
        }
        for day in days
        for r in range(1, RIDES + 1)
    )  # fmt: skip
    occurrence_count = harness.seed(bench, RideOccurrence, occurrences)
    return len(days), slot_count, occurrence_count


def booking_plan(total: int, weekdays: int, rng: random.Random):
    """(kind, booking row, kind row) in a 40/40/20 mix; desk and seat bookings never exceed a slot's
    capacity (8) or an occurrence's seats (4): they fill slots and occurrences in turn."""
    start = NOW - timedelta(days=DAYS)
    desks_total = DESKS_PER_SPACE * SPACES
    for n in range(1, total + 1):
        user = rng.randint(RIDES + 1, USERS)
        bucket = n % 5
        if bucket < 2:
            day = start + timedelta(days=rng.randrange(DAYS - 10), hours=9)
            ends = day + timedelta(days=rng.randint(1, 6))
            booking = _booking(
                n, "loan", rng.choice(("returned", "returned", "returned", "cancelled")), user, day, ends
            )
            yield "loan", booking, {"id": n, "listing_id": rng.randint(1, LISTINGS), "start_date": day.date(),
                                    "end_date": ends.date()}  # fmt: skip
        elif bucket < 4:
            index = (n // 5 * 2 + bucket - 2) // 6  # six bookings per slot, slot after slot
            slot_id = index % (weekdays * desks_total) + 1
            day = start + timedelta(days=(slot_id - 1) // desks_total)
            booking = _booking(n, "desk", "checked_in", user, day.replace(hour=8), day.replace(hour=12))
            yield "desk", booking, {"id": n, "slot_id": slot_id, "open_user_id": None, "late_cancel": False,
                                    "confirmed_at": day, "checked_in_at": day}  # fmt: skip
        else:
            occurrence_id = (n // 5) // 3 % (weekdays * RIDES) + 1  # three passengers per departure
            ride_id = (occurrence_id - 1) % RIDES + 1
            day = start + timedelta(days=(occurrence_id - 1) // RIDES)
            booking = _booking(n, "seat", "confirmed", user, day.replace(hour=6), day.replace(hour=7))
            yield "seat", booking, {
                "id": n, "ride_id": ride_id, "occurrence_id": occurrence_id, "date": day.date(), "seats": 1,
                "pickup_lat": 47.80, "pickup_lng": -3.28, "pickup_label": None, "dropoff_lat": 47.66,
                "dropoff_lng": -2.76, "dropoff_label": None, "price_cents": 300, "shared_km": 45.0, "co2_kg": 8.685,
            }  # fmt: skip


def seed_bookings(bench, total: int, weekdays: int) -> None:
    from sqlalchemy import insert, text

    from sharemarket.bookings.models import Booking
    from sharemarket.desks.models import DeskBooking
    from sharemarket.listings.models import Loan
    from sharemarket.rides.models import SeatBooking

    tables = {"loan": Loan.__table__, "desk": DeskBooking.__table__, "seat": SeatBooking.__table__}
    plan = booking_plan(total, weekdays, random.Random(11))
    with bench.app.app_context():
        while chunk := list(islice(plan, 10_000)):
            with bench.engine.begin() as conn:
                conn.execute(insert(Booking.__table__), [b for _k, b, _r in chunk])
                for kind, table in tables.items():
                    rows = [r for k, _b, r in chunk if k == kind]
                    if rows:
                        conn.execute(insert(table), rows)
        with bench.engine.begin() as conn:
            # Slot counters as the booking engine keeps them (six checked-in per filled slot).
            conn.execute(
                text(
                    "UPDATE slots SET booked = CASE WHEN c.n > slots.capacity THEN slots.capacity ELSE c.n END "
                    "FROM (SELECT slot_id, count(*) AS n FROM desk_bookings "
                    "GROUP BY slot_id) AS c WHERE c.slot_id = slots.id"
                )
            )
            conn.exec_driver_sql("ANALYZE")


def refresh(bench) -> tuple[float, int]:
    from sharemarket.extensions import db
    from sharemarket.impact import aggregate

    with bench.app.app_context():
        began = time.perf_counter()
        months = aggregate.months_between(aggregate.history_start(), NOW.date())
        written = aggregate.refresh(months)
        db.session.commit()
        return time.perf_counter() - began, written


def server_time(bench, path: str, samples: int) -> tuple[float, float]:
    client = bench.app.test_client()
    client.get(path)
    times = []
    for _ in range(samples):
        began = time.perf_counter()
        response = client.get(path)
        response.get_data()
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    with harness.fresh_database("impact", args.database_url) as bench:
        began = time.perf_counter()
        weekdays, slots, occurrences = reference_rows(bench, random.Random(5))
        seed_bookings(bench, args.bookings, weekdays)
        seeded = time.perf_counter() - began
        print(f"seeded {args.bookings:,} bookings, {slots:,} slots, {occurrences:,} occurrences in {seeded:.0f} s")
        seconds, figures = refresh(bench)
        print(f"impact refresh of 3 years: {seconds:.1f} s, {figures:,} figures")
        to, since = NOW.strftime("%Y-%m"), (NOW - timedelta(days=DAYS)).strftime("%Y-%m")
        for path in ("/impact", f"/impact?from={since}&to={to}", f"/impact/open-data/impact.csv?from={since}&to={to}"):
            median, p95 = server_time(bench, path, args.samples)
            print(f"in-process server time {path}: median {median:.1f} ms, p95 {p95:.1f} ms")
        url = bench.url
        description = harness.describe(args, bench)
    with harness.Server(url, workers=args.workers, worker_class=args.worker_class) as server:
        options = harness.load_options(args)
        results = [server.load("/hello", **options)]
        before = server.worker_rss_kb()
        results.append(server.load("/impact", **options))
        results.append(server.load(f"/impact/open-data/impact.csv?from={since}&to={to}", **options))
        after = server.worker_rss_kb()
    harness.print_table(results, title=f"impact_dashboard: {args.bookings:,} bookings; {description}")
    harness.print_memory(before, after)


if __name__ == "__main__":
    main()
