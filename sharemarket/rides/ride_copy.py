"""Each ride occurrence carries a copy of what a search needs of its ride and driver, kept by the
database, so that the search reads one table.

A passenger's search scans the occurrence index, then checks each candidate's ride (geometry,
detour, heading, community, status, moderation) and its driver (an active member). Joining
`rides` and `users` for each candidate cost more than the index scan itself: on the benchmark's
100,000 occurrences, the candidate query took 1.1 ms instead of 0.67 ms on SQLite and 1.65 ms
instead of 1.0 ms on PostgreSQL.

Triggers keep the copies equal to their sources whoever writes them (the ORM, a bulk update, a
migration, an operator in psql):
- an occurrence takes its ride's copy when it is inserted (or moved to another ride);
- a ride's occurrences follow any change of the copied columns, of its status or moderation;
- a member's occurrences follow a change of their account's status (suspended, deleted...).

`searchable` is the ride active, not hidden by a moderator, offered by an active member. On
PostgreSQL an inserted occurrence reads its ride and driver FOR SHARE: a suspension or a
cancellation committing meanwhile waits for it, then its own trigger sees the new occurrence.
(SQLite runs one writer at a time.)
"""

from __future__ import annotations

from sqlalchemy import DDL, Table, event

# The ride's columns copied under the same names.
COLUMNS = (
    "driver_id",
    "community_id",
    "origin_lat",
    "origin_lng",
    "destination_lat",
    "destination_lng",
    "max_detour_km",
    "distance_km",
    "heading_per_lat",
    "heading_per_lng",
    "heading_slack_km",
)
# Changes of these ride columns change a copy.
RIDE_SOURCES = (*COLUMNS, "status", "hidden_at")
SEARCHABLE = "rides.status = 'active' AND rides.hidden_at IS NULL AND users.status = 'active'"

_TARGETS = ", ".join((*COLUMNS, "searchable"))
_SOURCES = ", ".join((*(f"rides.{c}" for c in COLUMNS), f"({SEARCHABLE})"))
_FROM = "FROM rides JOIN users ON users.id = rides.driver_id"
_RIDE_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in RIDE_SOURCES)


def ddl(dialect: str) -> list[str]:
    """What creates the triggers (migrations; `create_all` via `install`)."""
    if dialect == "postgresql":
        return _postgresql()
    ride_changed = _RIDE_CHANGED.replace("IS DISTINCT FROM", "IS NOT")
    copy = f"SET ({_TARGETS}) = (SELECT {_SOURCES} {_FROM} WHERE rides.id = NEW.ride_id)"
    return [
        f"CREATE TRIGGER IF NOT EXISTS ride_occurrences_copy_ai AFTER INSERT ON ride_occurrences "
        f"BEGIN UPDATE ride_occurrences {copy} WHERE id = NEW.id; END",
        f"CREATE TRIGGER IF NOT EXISTS ride_occurrences_copy_au AFTER UPDATE OF ride_id ON ride_occurrences "
        f"BEGIN UPDATE ride_occurrences {copy} WHERE id = NEW.id; END",
        f"CREATE TRIGGER IF NOT EXISTS rides_copy_au AFTER UPDATE OF {', '.join(RIDE_SOURCES)} ON rides "
        f"WHEN {ride_changed} "
        f"BEGIN UPDATE ride_occurrences {copy.replace('NEW.ride_id', 'NEW.id')} WHERE ride_id = NEW.id; END",
        "CREATE TRIGGER IF NOT EXISTS users_copy_au AFTER UPDATE OF status ON users "
        "WHEN OLD.status IS NOT NEW.status BEGIN "
        f"UPDATE ride_occurrences SET searchable = (SELECT {SEARCHABLE} {_FROM} "
        "WHERE rides.id = ride_occurrences.ride_id) "
        "WHERE ride_id IN (SELECT id FROM rides WHERE driver_id = NEW.id); END",
    ]


def _postgresql() -> list[str]:
    into = ", ".join(f"NEW.{c}" for c in (*COLUMNS, "searchable"))
    return [
        "CREATE OR REPLACE FUNCTION ride_occurrences_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"SELECT {_SOURCES} INTO {into} {_FROM} WHERE rides.id = NEW.ride_id FOR SHARE OF rides, users; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER ride_occurrences_copy BEFORE INSERT OR UPDATE OF ride_id ON ride_occurrences "
        "FOR EACH ROW EXECUTE FUNCTION ride_occurrences_copy()",
        "CREATE OR REPLACE FUNCTION rides_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE ride_occurrences SET ({_TARGETS}) = (SELECT {_SOURCES} {_FROM} WHERE rides.id = NEW.id) "
        "WHERE ride_id = NEW.id; RETURN NULL; END $$",
        f"CREATE TRIGGER rides_copy AFTER UPDATE OF {', '.join(RIDE_SOURCES)} ON rides "
        f"FOR EACH ROW WHEN ({_RIDE_CHANGED}) EXECUTE FUNCTION rides_copy()",
        "CREATE OR REPLACE FUNCTION users_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE ride_occurrences SET searchable = (SELECT {SEARCHABLE} {_FROM} "
        "WHERE rides.id = ride_occurrences.ride_id) "
        "WHERE ride_id IN (SELECT id FROM rides WHERE driver_id = NEW.id); RETURN NULL; END $$",
        "CREATE TRIGGER users_copy AFTER UPDATE OF status ON users "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION users_copy()",
    ]


def drop_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            "DROP TRIGGER IF EXISTS ride_occurrences_copy ON ride_occurrences",
            "DROP TRIGGER IF EXISTS rides_copy ON rides",
            "DROP TRIGGER IF EXISTS users_copy ON users",
            "DROP FUNCTION IF EXISTS ride_occurrences_copy()",
            "DROP FUNCTION IF EXISTS rides_copy()",
            "DROP FUNCTION IF EXISTS users_copy()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in ("ride_occurrences_copy_ai", "ride_occurrences_copy_au", "rides_copy_au", "users_copy_au")
    ]


def backfill() -> str:
    """Sets every occurrence's copy from its ride (a migration adding or changing the copies)."""
    return (
        f"UPDATE ride_occurrences SET ({_TARGETS}) = "
        f"(SELECT {_SOURCES} {_FROM} WHERE rides.id = ride_occurrences.ride_id)"
    )


def install(table: Table) -> None:
    """Build the triggers with `create_all` too, as migrations do (rides and users exist by then)."""
    for dialect in ("postgresql", "sqlite"):
        for statement in ddl(dialect):
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
