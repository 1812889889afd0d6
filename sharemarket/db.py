"""The declarative base, the UTC column type and row locking shared by every feature."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import orjson
from sqlalchemy import ARRAY, ColumnElement, DateTime, MetaData, Select, Table, any_, bindparam, event, insert, text
from sqlalchemy.engine import Compiled, Engine, Result
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def json_loads(text: str | bytes):
    """A JSON column's value: orjson, or the standard library for what orjson refuses (the NaN
    and Infinity that `json.dumps` writes)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and gives them back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Reads through a memory map instead of a read() per page missing from SQLite's small
        # cache: an index search that visits a few hundred rows costs half as much.
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()


def lock_row(session, model, row_id) -> None:
    """Take the write lock on one row before a check-then-write on what it guards.

    PostgreSQL: SELECT ... FOR UPDATE holds other writers of that row until commit.
    SQLite: a no-op UPDATE starts the write transaction, so every other writer of the
    database waits for our commit (pysqlite opens the transaction on the first write).
    """
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        session.execute(table.select().with_only_columns(table.c.id).where(table.c.id == row_id).with_for_update())
    else:
        session.execute(
            text(f"UPDATE {table.name} SET id = id WHERE id = :id"),
            {"id": row_id},
        )


def migration_include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate ignores the spatial indexes, which migrations build by hand (see spatial.py)."""
    if type_ == "table" and name and "_rtree" in name:
        return False
    if type_ == "index" and name and name.endswith("_box"):
        return False
    return True


def among(column, values: Collection) -> ColumnElement[bool]:
    """`column IN values`, for the long lists of a job's batch (a thousand ids). PostgreSQL gets
    them as one array parameter (`column = ANY(:values)`, the same plan): as a list of a thousand
    placeholders, psycopg spends longer preparing the statement than the database running it."""
    from sharemarket.extensions import db

    return _among(column, db.session.get_bind().dialect.name, None, list(values))


def among_bound(column, name: str, dialect: str) -> ColumnElement[bool]:
    """`among` with the list given at execution as parameter `name`, for a statement built once
    per dialect: on PostgreSQL lists of any length then share one prepared statement."""
    return _among(column, dialect, name)


def _among(column, dialect: str, name: str | None, values: list | None = None) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return column == any_(bindparam(name, values, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, values, expanding=True))


def read_without_transaction() -> None:
    """For a request that only reads, called before its first statement: on PostgreSQL the
    session's connection runs each statement on its own (autocommit), without the BEGIN and
    COMMIT round trips of a transaction (0.17 ms of the web's and the database's CPU per request,
    a thirtieth of a ride search). Under READ COMMITTED each statement of a transaction already
    sees its own snapshot, so the reads see what they would have seen. SQLite's driver begins no
    transaction for reads anyway; a session already bound to a connection (tests) is left as is."""
    from sharemarket.extensions import db

    bind = db.session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def insert_many(table: Table, rows: list[dict]) -> None:
    """INSERT a job's batch of rows (dicts with the same keys) in the session's transaction.
    PostgreSQL gets them by COPY: as an executemany, psycopg sends and prepares a statement per
    row, and as arrays of text (`unnest`) it escapes every value in Python; COPY's rows are encoded
    in C and are the server's cheapest insert. Constraints and triggers apply as to any INSERT.
    SQLite's executemany runs in C already."""
    if not rows:
        return
    from sharemarket.extensions import db

    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


@dataclass
class _DriverStatement:
    compiled: Compiled
    positions: tuple[str, ...] | None  # qmark drivers (SQLite): the parameters' order
    processors: dict  # parameter name -> the bind processor of its type
    expands: bool  # has IN lists to write out at each execution
    columns: tuple | None = None  # `driver_records`: the result's keys and processors


_driver_statements: dict[tuple, _DriverStatement] = {}


def driver_rows(statement: Select, values: dict) -> list[tuple]:
    """The rows of a hot read, run by the database driver itself on the session's connection
    (in its transaction). SQLAlchemy compiles the statement once per dialect and the parameters
    go through their types' bind processors, but the rows skip SQLAlchemy's result layer: they
    come as the driver gives them (SQLite: datetimes as text). PostgreSQL sends them in binary,
    so floats and instants are not parsed from text. For a search's ~140 candidates: 0.4 ms of
    CPU on PostgreSQL instead of 1.2 ms through `execute`, and 0.7M fewer instructions on SQLite.
    SQLAlchemy's execution events do not see these statements."""
    return _driver_execute(statement, values)[1].fetchall()


def driver_records(statement: Select, values: dict) -> list[SimpleNamespace]:
    """`driver_rows` with each value made what SQLAlchemy's `execute` gives (its type's result
    processor: SQLite's dates, booleans, JSON; our UTC instants), as plain objects with the
    columns as attributes, as `plain_rows` gives them. A page of search results on PostgreSQL:
    0.65M fewer instructions per request (13.84M -> 13.19M); on SQLite about the same."""
    prepared, cursor = _driver_execute(statement, values)
    rows = cursor.fetchall()
    if prepared.columns is None:
        prepared.columns = _columns_of(prepared.compiled, cursor.description)
    keys, processors = prepared.columns
    records = _records(keys, rows)
    for key, process in processors:
        for record in records:
            setattr(record, key, process(getattr(record, key)))
    return records


def _columns_of(compiled: Compiled, description) -> tuple[list[str], list[tuple]]:
    """A statement's column keys, and (key, result processor) for the columns that have one. The
    driver's type codes are those of its first execution. (`_result_columns` and
    `_cached_result_processor` are SQLAlchemy's own, as `construct_params` flags below: the
    tests comparing with `execute` are what an upgrade must pass.)"""
    keys, processors = [], []
    for entry, column in zip(compiled._result_columns, description, strict=True):
        keys.append(entry.keyname)
        process = entry.type._cached_result_processor(compiled.dialect, column[1])
        if process is not None:
            processors.append((entry.keyname, process))
    return keys, processors


def _driver_execute(statement: Select, values: dict):
    """The driver's cursor of a statement run with its values, and its compiled form."""
    from sharemarket.extensions import db

    connection = db.session.connection()
    dialect = connection.dialect
    prepared = _driver_statements.get((statement, dialect.name))
    if prepared is None:
        prepared = _driver_statements[statement, dialect.name] = _driver_statement(statement, dialect)
    compiled = prepared.compiled
    params = compiled.construct_params(values, _no_postcompile=True)
    for name, process in prepared.processors.items():
        params[name] = process(params[name])
    sql, positions = compiled.string, prepared.positions
    if prepared.expands:  # IN lists (SQLite): one placeholder per value, in a string of its own
        expanded = compiled.construct_expanded_state(params)
        sql, params, positions = expanded.statement, expanded.parameters, expanded.positiontup
    driver = connection.connection.driver_connection
    if positions is None:
        return prepared, driver.execute(sql, params, binary=True)
    return prepared, driver.execute(sql, [params[name] for name in positions])


def _driver_statement(statement: Select, dialect) -> _DriverStatement:
    compiled = statement.compile(dialect=dialect)
    processors = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = _each(process) if bind.expanding else process
    positions = tuple(compiled.positiontup) if compiled.positional else None
    expands = any(bind.expanding for bind in compiled.bind_names)
    return _DriverStatement(compiled, positions, processors, expands)


def _each(process):
    return lambda values: [process(value) for value in values]


def plain_rows(result: Result) -> list[SimpleNamespace]:
    """A result's rows as plain objects with the columns as attributes, for code that reads many
    fields of a few rows (a page of search results): a Row's attribute costs ten times more."""
    return _records(list(result.keys()), result.all())


def _records(keys: list[str], rows) -> list[SimpleNamespace]:
    return [SimpleNamespace(**dict(zip(keys, row, strict=True))) for row in rows]
