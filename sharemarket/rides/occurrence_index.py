"""The index that finds ride occurrences by place and time in one scan.

A passenger's search needs the occurrences whose detour-ellipse box reaches both their start and
their end AND that leave within their window. A 2-D box index alone returns every ride near the
passenger over the whole horizon (weeks of commutes), then filters the time; this one narrows
both at once, so a search costs what the rides near the passenger at that time cost.

- SQLite: a 3-D R*Tree (latitude, longitude, departure minute), kept equal to the table by
  triggers. Overlap tests only bound a row's max from below and its min from above, so the tests
  against the start's and the end's boxes combine into one scan.
- PostgreSQL: a GiST index over (departure range, box); both are built-in GiST operator classes,
  and one index scan checks the && of the window and of each box. The range comes first: a
  window of an hour or a day out of weeks narrows most, and the box still prunes within it
  (migration 0825 measured 0.3 ms instead of 2.1 ms per 1-hour search on 100,000 occurrences).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DDL, Float, Table, and_, bindparam, column, event, func, literal_column, select
from sqlalchemy import table as table_clause
from sqlalchemy.sql.elements import ColumnElement

from sharemarket.db import UTCDateTime
from sharemarket.spatial import Box

NAME = "ride_occurrences"
RTREE = f"{NAME}_rtree"
# Minutes since 2020-01-01 UTC fit the R*Tree's 32-bit floats to a quarter of a minute; the R*Tree
# rounds outwards, and the exact departure filter stays in the query.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_EPOCH_JULIAN_DAY = 2458849.5
_BOX = "box(point(min_lng, min_lat), point(max_lng, max_lat))"


def _minute_sql(value: str) -> str:
    return f"((julianday({value}) - {_EPOCH_JULIAN_DAY}) * 1440)"


def ddl(dialect: str) -> list[str]:
    """What creates the index on an existing table (migrations; `create_all` via `install`)."""
    if dialect == "postgresql":
        return [f"CREATE INDEX ix_{NAME}_box ON {NAME} USING gist (tstzrange(departs_at, departs_at, '[]'), {_BOX})"]
    row = "NEW.id, NEW.min_lat, NEW.max_lat, NEW.min_lng, NEW.max_lng, {m}, {m}".format(m=_minute_sql("NEW.departs_at"))
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {RTREE} USING rtree(id, min_lat, max_lat, min_lng, max_lng, min_t, max_t)",
        f"INSERT INTO {RTREE} SELECT id, min_lat, max_lat, min_lng, max_lng, "
        f"{_minute_sql('departs_at')}, {_minute_sql('departs_at')} FROM {NAME}",
        f"CREATE TRIGGER IF NOT EXISTS {RTREE}_ai AFTER INSERT ON {NAME} BEGIN INSERT INTO {RTREE} VALUES ({row}); END",
        f"CREATE TRIGGER IF NOT EXISTS {RTREE}_au AFTER UPDATE OF min_lat, max_lat, min_lng, max_lng, departs_at "
        f"ON {NAME} BEGIN DELETE FROM {RTREE} WHERE id = OLD.id; INSERT INTO {RTREE} VALUES ({row}); END",
        f"CREATE TRIGGER IF NOT EXISTS {RTREE}_ad AFTER DELETE ON {NAME} "
        f"BEGIN DELETE FROM {RTREE} WHERE id = OLD.id; END",
    ]


def install(table: Table) -> None:
    """Build the index with `create_all` too, as migrations do."""
    for dialect in ("postgresql", "sqlite"):
        for statement in ddl(dialect):
            event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
    event.listen(table, "before_drop", DDL(f"DROP TABLE IF EXISTS {RTREE}").execute_if(dialect="sqlite"))


def _minute(instant: datetime) -> float:
    return (instant - EPOCH).total_seconds() / 60


def reaching(table: Table, boxes: int, dialect: str) -> ColumnElement[bool]:
    """Occurrences whose box overlaps each of `boxes` boxes and that leave in a window, with bound
    parameters (`reaching_values` fills them), so that a statement using it is built once."""
    c = table.c
    after, before = bindparam("reach_after", type_=UTCDateTime()), bindparam("reach_before", type_=UTCDateTime())
    in_window = and_(c.departs_at >= after, c.departs_at <= before)
    if dialect == "postgresql":
        row_box = func.box(func.point(c.min_lng, c.min_lat), func.point(c.max_lng, c.max_lat))
        overlaps = [
            row_box.op("&&")(
                func.box(
                    func.point(_bound(f"reach_min_lng_{n}"), _bound(f"reach_min_lat_{n}")),
                    func.point(_bound(f"reach_max_lng_{n}"), _bound(f"reach_max_lat_{n}")),
                )
            )
            for n in range(boxes)
        ]
        # '[]' written in the SQL, not bound: a prepared statement's generic plan must see the
        # index's expression to use it.
        closed = literal_column("'[]'")
        window = func.tstzrange(after, before, closed)
        return and_(*overlaps, func.tstzrange(c.departs_at, c.departs_at, closed).op("&&")(window), in_window)
    rtree = table_clause(
        RTREE, *(column(n) for n in ("id", "min_lat", "max_lat", "min_lng", "max_lng", "min_t", "max_t"))
    )
    ids = select(rtree.c.id).where(
        rtree.c.max_lat >= _bound("reach_min_lat"),
        rtree.c.min_lat <= _bound("reach_max_lat"),
        rtree.c.max_lng >= _bound("reach_min_lng"),
        rtree.c.min_lng <= _bound("reach_max_lng"),
        rtree.c.max_t >= _bound("reach_min_t"),
        rtree.c.min_t <= _bound("reach_max_t"),
    )
    return and_(c.id.in_(ids), in_window)


def reaching_values(boxes: list[Box], after: datetime, before: datetime, dialect: str) -> dict | None:
    """The parameters of `reaching` for these boxes and window; None when the window is empty
    (`after` past `before`), which no query need ask."""
    if after > before:
        return None
    values: dict = {"reach_after": after, "reach_before": before}
    if dialect == "postgresql":
        for n, box in enumerate(boxes):
            values.update(
                {
                    f"reach_min_lat_{n}": box.min_lat,
                    f"reach_max_lat_{n}": box.max_lat,
                    f"reach_min_lng_{n}": box.min_lng,
                    f"reach_max_lng_{n}": box.max_lng,
                }
            )
        return values
    # Overlap tests only bound a row's max from below and its min from above: the tightest of
    # each makes one R*Tree scan.
    values.update(
        reach_min_lat=max(b.min_lat for b in boxes),
        reach_max_lat=min(b.max_lat for b in boxes),
        reach_min_lng=max(b.min_lng for b in boxes),
        reach_max_lng=min(b.max_lng for b in boxes),
        reach_min_t=_minute(after),
        reach_max_t=_minute(before),
    )
    return values


def _bound(name: str):
    return bindparam(name, type_=Float())
