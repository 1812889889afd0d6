"""Indexed bounding-box searches on SQLite (R*Tree) and PostgreSQL (GiST).

A feature declares the box of each row once (a point is a box of zero size) and filters with
`box_overlaps(...)`; the database then narrows candidates with its spatial index, and the
service computes exact distances on the few rows left.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DDL, Table, column, event, func, select
from sqlalchemy import table as table_clause
from sqlalchemy.sql.elements import ColumnElement


@dataclass(frozen=True)
class Box:
    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


def _rtree_name(table: Table) -> str:
    return f"{table.name}_rtree"


def add_box_index(table: Table, min_lat: str, max_lat: str, min_lng: str, max_lng: str) -> None:
    """Declare the spatial index of `table`; create_all and migrations both build it."""
    # DDL events rather than an Index in the metadata: autogenerate cannot compare expression
    # indexes on SQLite (it warns), and migration_include_object already skips the `_box` ones.
    for statement in migration_ddl("postgresql", table.name, min_lat, max_lat, min_lng, max_lng):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    for statement in sqlite_rtree_ddl(table.name, min_lat, max_lat, min_lng, max_lng):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    event.listen(
        table,
        "before_drop",
        DDL(f"DROP TABLE IF EXISTS {_rtree_name(table)}").execute_if(dialect="sqlite"),
    )
    table.info["box_columns"] = (min_lat, max_lat, min_lng, max_lng)


def add_point_index(table: Table, lat: str = "lat", lng: str = "lng") -> None:
    add_box_index(table, lat, lat, lng, lng)


def sqlite_rtree_ddl(name: str, min_lat: str, max_lat: str, min_lng: str, max_lng: str) -> list[str]:
    """The R*Tree table and the triggers that keep it equal to the base table."""
    rtree = f"{name}_rtree"
    values = f"NEW.id, NEW.{min_lat}, NEW.{max_lat}, NEW.{min_lng}, NEW.{max_lng}"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {rtree} USING rtree(id, min_lat, max_lat, min_lng, max_lng)",
        f"INSERT INTO {rtree} SELECT id, {min_lat}, {max_lat}, {min_lng}, {max_lng} FROM {name}",
        f"CREATE TRIGGER IF NOT EXISTS {rtree}_ai AFTER INSERT ON {name} BEGIN "
        f"INSERT INTO {rtree} VALUES ({values}); END",
        f"CREATE TRIGGER IF NOT EXISTS {rtree}_au AFTER UPDATE OF {min_lat}, {max_lat}, {min_lng}, "
        f"{max_lng} ON {name} BEGIN DELETE FROM {rtree} WHERE id = OLD.id; "
        f"INSERT INTO {rtree} VALUES ({values}); END",
        f"CREATE TRIGGER IF NOT EXISTS {rtree}_ad AFTER DELETE ON {name} BEGIN "
        f"DELETE FROM {rtree} WHERE id = OLD.id; END",
    ]


def migration_ddl(dialect: str, name: str, min_lat: str, max_lat: str, min_lng: str, max_lng: str) -> list[str]:
    """What a migration runs to build the index of an existing table."""
    if dialect == "sqlite":
        return sqlite_rtree_ddl(name, min_lat, max_lat, min_lng, max_lng)
    return [
        f"CREATE INDEX ix_{name}_box ON {name} USING gist "
        f"(box(point({min_lng}, {min_lat}), point({max_lng}, {max_lat})))"
    ]


def box_overlaps(table: Table, box: Box, dialect: str) -> ColumnElement[bool]:
    """Rows whose box overlaps `box` (for points: the point lies in it), via the index."""
    min_lat, max_lat, min_lng, max_lng = table.info["box_columns"]
    c = table.c
    if dialect == "postgresql":
        row_box = func.box(func.point(c[min_lng], c[min_lat]), func.point(c[max_lng], c[max_lat]))
        query_box = func.box(func.point(box.min_lng, box.min_lat), func.point(box.max_lng, box.max_lat))
        return row_box.op("&&")(query_box)
    rtree = table_clause(_rtree_name(table), *(column(n) for n in ("id", "min_lat", "max_lat", "min_lng", "max_lng")))
    ids = select(rtree.c.id).where(
        rtree.c.max_lat >= box.min_lat,
        rtree.c.min_lat <= box.max_lat,
        rtree.c.max_lng >= box.min_lng,
        rtree.c.min_lng <= box.max_lng,
    )
    return c.id.in_(ids)
