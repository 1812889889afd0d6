"""Carpool search: 100,000 ride occurrences over the next 7 days across Brittany.

1. Server-side cost of one passenger search (the whole request, in process, no network), against
   scanning every occurrence in Python with the same rules, in the same run.
2. GET /api/v1/rides/search under load from other processes, gunicorn with 2 workers, against a
   bare GET /hello served by the same gunicorn.
3. How the cost grows: at 10k, 100k and 1M occurrences, (a) with rides spread evenly over Brittany
   (more rides near the passenger too) and (b) with the extra rides far from the passenger
   (eastern Brittany): the cost follows the candidates the index returns, not the table.

Rides start and end near real towns (commutes of 10-60 km, some longer trips); 80 % are weekday
commutes with one occurrence per weekday, 20 % one-off trips; departures peak at 7-9 h and 17-19 h.
The official carpool areas (BNLC) are loaded, as in production.

    .venv/bin/python bench/rides_search.py                                            # SQLite
    .venv/bin/python bench/rides_search.py --database-url postgresql://postgres@127.0.0.1/sm_bench
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import harness

PARIS = ZoneInfo("Europe/Paris")
# (name, lat, lng, weight): where Breton commuters live and work.
WEST = [
    ("Brest", 48.3904, -4.4861, 8),
    ("Quimper", 47.9960, -4.1025, 6),
    ("Lorient", 47.7483, -3.3700, 7),
    ("Lanester", 47.7614, -3.3419, 3),
    ("Hennebont", 47.8050, -3.2770, 2),
    ("Ploemeur", 47.7356, -3.4264, 2),
    ("Vannes", 47.6582, -2.7608, 7),
    ("Auray", 47.6680, -2.9829, 2),
    ("Quimperlé", 47.8728, -3.5497, 2),
    ("Concarneau", 47.8753, -3.9189, 2),
    ("Morlaix", 48.5775, -3.8278, 2),
    ("Landerneau", 48.4508, -4.2494, 2),
    ("Douarnenez", 48.0925, -4.3292, 1),
    ("Carhaix", 48.2756, -3.5728, 1),
    ("Pontivy", 48.0689, -2.9628, 2),
    ("Saint-Brieuc", 48.5136, -2.7603, 5),
    ("Guingamp", 48.5625, -3.1508, 2),
    ("Lannion", 48.7325, -3.4553, 2),
    ("Loudéac", 48.1778, -2.7533, 1),
    ("Ploërmel", 47.9317, -2.3975, 1),
    ("Quiberon", 47.4833, -3.1167, 1),
]
EAST = [
    ("Rennes", 48.1173, -1.6778, 14),
    ("Vitré", 48.1236, -1.2083, 2),
    ("Fougères", 48.3525, -1.1986, 2),
    ("Redon", 47.6514, -2.0842, 2),
    ("Saint-Malo", 48.6493, -2.0257, 3),
    ("Dinan", 48.4556, -2.0503, 2),
    ("Montfort-sur-Meu", 48.1378, -1.9564, 1),
    ("Châteaubourg", 48.1119, -1.4025, 1),
]
# Passengers' searches: commutes of the Lorient-Vannes-Quimper area.
SEARCHES = [
    ("Lanester", "Vannes"),
    ("Lorient", "Quimperlé"),
    ("Hennebont", "Auray"),
    ("Quimper", "Brest"),
    ("Ploemeur", "Lorient"),
    ("Lorient", "Vannes"),
    ("Concarneau", "Quimper"),
    ("Auray", "Vannes"),
    ("Quimperlé", "Lorient"),
    ("Pontivy", "Lorient"),
]
LAT_RANGE, LNG_RANGE = (47.2, 48.9), (-5.1, -1.0)


def _jitter(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    radius, angle = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat += radius * math.cos(angle) / 111.32
    lng += radius * math.sin(angle) / (111.32 * math.cos(math.radians(lat)))
    return min(max(lat, LAT_RANGE[0]), LAT_RANGE[1]), min(max(lng, LNG_RANGE[0]), LNG_RANGE[1])


def _local_departure(rng: random.Random) -> tuple[int, int]:
    peak = rng.random()
    hour = rng.choice([7, 8]) if peak < 0.45 else rng.choice([17, 18]) if peak < 0.8 else rng.randint(6, 20)
    return hour, rng.choice(range(0, 60, 5))


class Generator:
    """Rides and their occurrences as rows for the Core tables, until an occurrence budget."""

    def __init__(self, seed: int, now: datetime, drivers: int):
        from sharemarket.geo import fast_distance_km
        from sharemarket.rides import rules

        self.rng, self.now, self.drivers = random.Random(seed), now, drivers
        self.rules, self.distance = rules, fast_distance_km
        today = now.astimezone(PARIS).date()
        self.days = [today + timedelta(days=n) for n in range(8)]

    def _trip(self, towns):
        rng = self.rng
        names = [t for t in towns]
        origin = rng.choices(names, weights=[t[3] for t in names])[0]
        near = [t for t in names if t is not origin and 8 <= self.distance(origin[1], origin[2], t[1], t[2]) <= 70]
        target = rng.choice(near) if near and rng.random() < 0.9 else rng.choice([t for t in names if t is not origin])
        return _jitter(rng, origin[1], origin[2], 4), _jitter(rng, target[1], target[2], 3), target[0]

    def rides(self, towns, occurrences: int, first_ride_id: int):
        """(ride rows, occurrence rows) holding `occurrences` occurrences."""
        rng, rules = self.rng, self.rules
        ride_rows, occurrence_rows = [], []
        ride_id = first_ride_id
        while len(occurrence_rows) < occurrences:
            (olat, olng), (dlat, dlng), label = self._trip(towns)
            detour = rng.choice([2.0, 5.0, 5.0, 10.0, 10.0, 15.0])
            seats = rng.choice([1, 2, 3, 3, 4])
            hour, minute = _local_departure(rng)
            commute = rng.random() < 0.8
            if commute:
                days = [d for d in self.days if d.weekday() < 5]
            else:
                days = [rng.choice(self.days)]
            departures = [
                datetime.combine(d, datetime.min.time().replace(hour=hour, minute=minute), tzinfo=PARIS).astimezone(UTC)
                for d in days
            ]
            departures = [
                (d, at) for d, at in zip(days, departures, strict=True) if self.now < at <= self.now + timedelta(days=7)
            ]
            if not departures:
                continue
            box = rules.ellipse_box((olat, olng), (dlat, dlng), detour)
            distance = self.distance(olat, olng, dlat, dlng)
            heading = rules.heading((olat, olng), (dlat, dlng))
            ride_rows.append(
                {
                    "id": ride_id,
                    "driver_id": rng.randint(1, self.drivers),
                    "origin_lat": olat,
                    "origin_lng": olng,
                    "origin_label": None,
                    "destination_lat": dlat,
                    "destination_lng": dlng,
                    "destination_label": label,
                    "distance_km": distance,
                    "heading_per_lat": heading.per_lat,
                    "heading_per_lng": heading.per_lng,
                    "heading_slack_km": heading.slack_km,
                    "departure_at": departures[0][1],
                    "timezone": "Europe/Paris",
                    "seats": seats,
                    "price_cents": rules.suggested_price_cents(distance, 6),
                    "currency": "EUR",
                    "max_detour_km": detour,
                    "smoking": False,
                    "pets": False,
                    "music": True,
                    "talkative": True,
                    "luggage": "medium",
                    "note": "",
                    "weekdays": [0, 1, 2, 3, 4] if commute else None,
                    "local_time": f"{hour:02d}:{minute:02d}" if commute else None,
                    "valid_from": self.days[0] if commute else None,
                    "valid_until": None,
                    "skip_dates": [],
                    "materialised_until": self.days[-1] if commute else None,
                    "status": "active",
                    "created_at": self.now,
                    "updated_at": self.now,
                }
            )
            for day, departs_at in departures:
                occurrence_rows.append(
                    {
                        "ride_id": ride_id,
                        "date": day,
                        "departs_at": departs_at,
                        "seats": seats,
                        "seats_left": seats,
                        "cancelled": False,
                        "closed_at": None,
                        "min_lat": box.min_lat,
                        "max_lat": box.max_lat,
                        "min_lng": box.min_lng,
                        "max_lng": box.max_lng,
                    }
                )
            ride_id += 1
        return ride_rows, occurrence_rows


def user_rows(count: int, now: datetime) -> list[dict]:
    password = harness.password_hash()
    return [
        {
            "email": f"driver{n}@example.org",
            "email_key": f"driver{n}@example.org",
            "password_hash": password,
            "display_name": f"Driver {n}",
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


def passenger_queries(seed: int, now: datetime, count: int) -> list[dict]:
    """Passengers of the Lorient area asking for a 1-hour morning window on one of the next days."""
    rng = random.Random(seed)
    towns = {t[0]: t for t in WEST}
    today = now.astimezone(PARIS).date()
    queries = []
    for _ in range(count):
        a, b = rng.choice(SEARCHES)
        day = today + timedelta(days=rng.randint(1, 6))
        start = datetime.combine(day, datetime.min.time().replace(hour=rng.choice([6, 7, 8]), minute=30), tzinfo=PARIS)
        queries.append(
            {
                "from": _jitter(rng, towns[a][1], towns[a][2], 2),
                "to": _jitter(rng, towns[b][1], towns[b][2], 2),
                "after": start,
                "before": start + timedelta(hours=1),
            }
        )
    return queries


def query_path(q: dict) -> str:
    params = {
        "from": f"{q['from'][0]:.5f},{q['from'][1]:.5f}",
        "to": f"{q['to'][0]:.5f},{q['to'][1]:.5f}",
        "depart_after": q["after"].isoformat(),
        "depart_before": q["before"].isoformat(),
        "seats": 1,
    }
    return "/api/v1/rides/search?" + urlencode(params)


class Seeder:
    """Grows one bench database step by step: users and carpool areas once, then occurrences."""

    def __init__(self, bench, now: datetime, seed: int, drivers: int = 5000):
        from sharemarket.accounts.models import User

        self.bench, self.now = bench, now
        self.generator = Generator(seed, now, drivers)
        self.occurrences = 0
        self.next_ride = 1
        harness.seed(bench, User, user_rows(drivers, now))
        with bench.app.app_context():
            from sharemarket.extensions import db
            from sharemarket.rides import meeting_points

            meeting_points.load_csv()
            db.session.commit()

    def grow_to(self, total: int, towns) -> float:
        from sharemarket.rides.models import Ride, RideOccurrence

        started = time.perf_counter()
        while self.occurrences < total:
            step = min(50_000, total - self.occurrences)
            rides, occurrences = self.generator.rides(towns, step, self.next_ride)
            self.next_ride += len(rides)
            harness.seed(self.bench, Ride, rides)
            self.occurrences += harness.seed(self.bench, RideOccurrence, occurrences)
        if self.bench.dialect == "postgresql":
            with self.bench.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        return time.perf_counter() - started


def timed_searches(bench, queries: list[dict], now: datetime, repeat: int = 1) -> dict:
    """The whole search request in process (routing, validation, index query, rules, JSON): wall
    time, and CPU time of this process (on SQLite that includes the database's work; it is what a
    busy shared machine distorts least); the service alone; candidates = rows the index returned."""
    from sharemarket.extensions import db
    from sharemarket.geo import Place
    from sharemarket.rides import search

    client = bench.app.test_client()
    request_ms, request_cpu_ms, service_ms, candidates, found = [], [], [], [], []
    with bench.app.app_context():
        for _ in range(repeat):
            for q in queries:
                started, cpu = time.perf_counter(), time.process_time()
                response = client.get(query_path(q))
                request_ms.append((time.perf_counter() - started) * 1000)
                request_cpu_ms.append((time.process_time() - cpu) * 1000)
                assert response.status_code == 200, response.get_data(as_text=True)
                found.append(len(response.json["results"]))
                origin, destination = Place(*q["from"]), Place(*q["to"])
                started = time.perf_counter()
                result = search.search(
                    origin=origin, destination=destination, depart_after=q["after"], depart_before=q["before"], now=now
                )
                result.shown(0, 20)
                service_ms.append((time.perf_counter() - started) * 1000)
                statement = search.candidate_query(
                    *search.end_options(origin, destination), q["after"], q["before"], 1, now
                )
                candidates.append(len(db.session.execute(statement).all()))
                db.session.rollback()
    return {
        "request_p50": statistics.median(request_ms),
        "request_p95": sorted(request_ms)[int(len(request_ms) * 0.95) - 1],
        "request_cpu_p50": statistics.median(request_cpu_ms),
        "service_p50": statistics.median(service_ms),
        "candidates": statistics.mean(candidates),
        "found": statistics.mean(found),
    }


def full_scan(bench, queries: list[dict], now: datetime) -> tuple[float, int]:
    """The naive way: every occurrence with its ride, fetched and checked in Python with the
    same rules. Returns (median wall ms, median CPU ms per search, matches of the first query)."""
    from sqlalchemy import select

    from sharemarket.extensions import db
    from sharemarket.geo import Place
    from sharemarket.rides import rules, search
    from sharemarket.rides.models import Ride, RideOccurrence

    times, cpu_times, first = [], [], None
    with bench.app.app_context():
        for q in queries:
            started, cpu = time.perf_counter(), time.process_time()
            pickups, dropoffs = search.end_options(Place(*q["from"]), Place(*q["to"]))
            trip = rules.PassengerTrip(pickups, dropoffs)
            rows = db.session.execute(
                select(
                    RideOccurrence.departs_at,
                    RideOccurrence.seats_left,
                    RideOccurrence.cancelled,
                    Ride.origin_lat,
                    Ride.origin_lng,
                    Ride.destination_lat,
                    Ride.destination_lng,
                    Ride.max_detour_km,
                    Ride.status,
                ).join(Ride, Ride.id == RideOccurrence.ride_id)
            ).all()
            matches = 0
            for row in rows:
                if row.cancelled or row.status != "active" or row.seats_left < 1:
                    continue
                if not (max(q["after"], now) <= row.departs_at <= q["before"]):
                    continue
                route = trip.best_route(
                    (row.origin_lat, row.origin_lng),
                    (row.destination_lat, row.destination_lng),
                    row.max_detour_km * search.FAST_SLACK + 0.01,
                )
                matches += route is not None
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
            first = matches if first is None else first
            db.session.rollback()
    return statistics.median(times), statistics.median(cpu_times), first


def explain_candidates(bench, query: dict, now: datetime) -> None:
    from sharemarket.geo import Place
    from sharemarket.rides import search

    with bench.app.app_context():
        pickups, dropoffs = search.end_options(Place(*query["from"]), Place(*query["to"]))
        statement = search.candidate_query(pickups, dropoffs, query["after"], query["before"], 1, now)
    harness.explain(bench, statement, title="candidate occurrences of one search")


def scaling(args, name: str, queries, now, elsewhere: bool) -> list[tuple]:
    lines = []
    with harness.fresh_database(name, args.database_url) as bench:
        seeder = Seeder(bench, now, seed=11)
        for total in args.scales:
            if elsewhere and seeder.occurrences:
                seconds = seeder.grow_to(total, EAST)
            else:
                seconds = seeder.grow_to(total, WEST + EAST)
            figures = timed_searches(bench, queries, now)
            lines.append((total, seconds, figures))
            print(
                f"   {total:>9,} occurrences (seeded in {seconds:5.1f} s): "
                f"request p50 {figures['request_p50']:6.2f} ms (CPU {figures['request_cpu_p50']:6.2f}), "
                f"service p50 {figures['service_p50']:6.2f} ms, "
                f"{figures['candidates']:7.1f} candidates, {figures['found']:4.1f} results",
                flush=True,
            )
    return lines


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--occurrences", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=100, help="distinct passenger searches (default 100)")
    parser.add_argument("--scans", type=int, default=5, help="full scans to time (default 5)")
    parser.add_argument("--scales", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--no-scaling", action="store_true", help="skip the 10k/100k/1M part")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    queries = passenger_queries(5, now, args.searches)

    with harness.fresh_database("rides", args.database_url) as bench:
        seeder = Seeder(bench, now, seed=3)
        seconds = seeder.grow_to(args.occurrences, WEST + EAST)
        description = harness.describe(args, bench)
        print(f"seeded {seeder.occurrences:,} occurrences of {seeder.next_ride - 1:,} rides in {seconds:.1f} s")
        explain_candidates(bench, queries[0], now)
        indexed = timed_searches(bench, queries, now, repeat=2)
        scan_ms, scan_cpu_ms, scan_first = full_scan(bench, queries[: args.scans], now)
    print(f"\n== one search, server side ({seeder.occurrences:,} occurrences; {description})")
    print(
        f"   whole request in process: p50 {indexed['request_p50']:.2f} ms, p95 {indexed['request_p95']:.2f} ms"
        f" (CPU p50 {indexed['request_cpu_p50']:.2f} ms)"
    )
    print(f"   search service alone:     p50 {indexed['service_p50']:.2f} ms")
    print(f"   index candidates per search: {indexed['candidates']:.1f}; results per search: {indexed['found']:.1f}")
    print(f"   full scan in Python:      p50 {scan_ms:.1f} ms, CPU {scan_cpu_ms:.1f} ms ({scan_first} matches, 1st)")
    print(
        f"   full scan / indexed request: {scan_ms / indexed['request_p50']:.0f}x wall,"
        f" {scan_cpu_ms / indexed['request_cpu_p50']:.0f}x CPU"
    )

    paths = [query_path(q) for q in queries]
    options = harness.load_options(args)
    with harness.Server(bench.url, workers=args.workers, worker_class=args.worker_class) as server:
        status, body = server.get(paths[0])
        assert status == 200, body[:300]
        print(f"   sample: {len(json.loads(body)['results'])} results for {paths[0]}")
        before = server.worker_rss_kb()
        results = [
            server.load("/hello", **options),
            server.load("/api/v1/rides/search", label="GET /api/v1/rides/search", requests=paths, **options),
        ]
        after = server.worker_rss_kb()
    harness.print_table(results, title=f"rides_search: {seeder.occurrences:,} occurrences; {description}")
    harness.print_memory(before, after)

    if not args.no_scaling:
        print("\n== cost as the table grows: rides spread evenly over Brittany (more near the passenger too)")
        scaling(args, "rides_even", queries[:50], now, elsewhere=False)
        print("\n== cost as the table grows: the extra rides in eastern Brittany, far from the passenger")
        scaling(args, "rides_elsewhere", queries[:50], now, elsewhere=True)


if __name__ == "__main__":
    main()
