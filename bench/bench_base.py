"""The foundation's figures: GET /api/v1/me (bearer token) and GET / (home page), each against a
bare GET /hello served by the same gunicorn in the same run.

Seeds ~30 users with one API token each; the /me load cycles through the tokens.

    .venv/bin/python bench/bench_base.py                                            # SQLite
    .venv/bin/python bench/bench_base.py --database-url postgresql://postgres@127.0.0.1/sm_bench
"""

from __future__ import annotations

from datetime import UTC, datetime

import harness


def user_rows(count: int, now: datetime) -> list[dict]:
    password = harness.password_hash()
    rows = []
    for n in range(1, count + 1):
        email = f"bench{n}@example.org"
        rows.append(
            {
                "email": email,
                "email_key": email,
                "password_hash": password,
                "display_name": f"Bench neighbour {n}",
                "bio": "",
                "locale": "fr",
                "home_lat": 47.74 + n / 1000,
                "home_lng": -3.37 - n / 1000,
                "home_label": "Lorient",
                "is_admin": False,
                "status": "active",
                "created_at": now,
                "updated_at": now,
                "password_changed_at": now,
            }
        )
    return rows


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--users", type=int, default=30)
    args = parser.parse_args()
    from sharemarket.accounts.models import ApiToken, User

    now = datetime.now(UTC)
    with harness.fresh_database("base", args.database_url) as bench:
        harness.seed(bench, User, user_rows(args.users, now))
        user_ids = range(1, args.users + 1)
        tokens, rows = harness.token_rows(user_ids, now=now)
        harness.seed(bench, ApiToken, rows)
        description = harness.describe(args, bench)
        from sqlalchemy import select

        harness.explain(
            bench,
            select(ApiToken).where(ApiToken.token_hash == rows[0]["token_hash"]),
            title="bearer token lookup",
        )
    me_requests = [("GET", "/api/v1/me", {"Authorization": f"Bearer {raw}"}) for raw in tokens.values()]
    options = harness.load_options(args)
    with harness.Server(bench.url, workers=args.workers, worker_class=args.worker_class) as server:
        status, _ = server.get("/api/v1/me", {"Authorization": f"Bearer {tokens[1]}"})
        assert status == 200, f"/api/v1/me answered {status}"
        before = server.worker_rss_kb()
        results = [
            server.load("/hello", **options),
            server.load("/api/v1/me", requests=me_requests, **options),
            server.load("/", **options),
        ]
        after = server.worker_rss_kb()
    harness.print_table(results, title=f"bench_base: {args.users} users; {description}")
    harness.print_memory(before, after)


if __name__ == "__main__":
    main()
