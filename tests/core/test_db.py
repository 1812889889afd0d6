import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, select

from sharemarket.accounts.models import User
from sharemarket.db import (
    UTCDateTime,
    among,
    among_bound,
    driver_records,
    driver_rows,
    insert_many,
    json_loads,
    plain_rows,
)
from sharemarket.extensions import db
from sharemarket.notifications.models import OutboxEmail


def test_among_is_in_on_every_database(make_user):
    people = [make_user() for _ in range(3)]
    ids = [person.id for person in people]

    def found(values):
        return set(db.session.scalars(select(User.id).where(among(User.id, values))))

    assert found(ids[:2]) == set(ids[:2])
    assert found({ids[2], ids[2] + 1000}) == {ids[2]}  # a set, and an id nobody has
    assert found([]) == set()


def test_among_bound_takes_its_list_at_execution(make_user):
    ids = [make_user().id for _ in range(3)]
    statement = select(User.id).where(among_bound(User.id, "ids", db.session.get_bind().dialect.name))
    for values in (ids[:2], [ids[2], ids[2] + 1000], []):
        assert set(db.session.scalars(statement, {"ids": values})) == set(ids) & set(values)


def test_insert_many_writes_every_value_as_an_insert_would(make_user, now):
    """On PostgreSQL by COPY: text that COPY's format must escape, NULLs and instants come back
    as given; on PostgreSQL a value too long for its column is refused, not cut short (SQLite
    does not enforce lengths)."""
    person = make_user()
    awkward = "tab\there, line\nbreak, CR\r, back\\slash \\N, \"quotes\", 'single', é ✓ <b>&amp;</b>"
    rows = [
        {
            "user_id": person.id,
            "to_address": person.email,
            "kind": "loan",
            "subject": awkward[:300],
            "text_body": awkward,
            "html_body": None if n else "",
            "created_at": now,
            "next_attempt_at": now + timedelta(microseconds=n),
            "attempts": n,
            "unsubscribe_url": None,
        }
        for n in range(3)
    ]
    insert_many(OutboxEmail.__table__, rows)
    table = OutboxEmail.__table__
    stored = db.session.execute(select(*(table.c[name] for name in rows[0])).order_by(table.c.id)).mappings().all()
    assert [dict(row) for row in stored] == rows

    if db.session.get_bind().dialect.name != "postgresql":
        return
    # COPY runs on the driver's cursor: the driver's own error, as any DB-API error.
    with pytest.raises(db.session.get_bind().dialect.dbapi.Error, match="too long"), db.session.begin_nested():
        insert_many(OutboxEmail.__table__, [{**rows[0], "subject": "x" * 301}])


def test_json_columns_are_read_by_orjson_and_what_it_refuses_by_the_standard_library(app):
    assert db.engine.dialect._json_deserializer is json_loads
    assert json_loads("[0, 1, 2, 3, 4]") == [0, 1, 2, 3, 4]
    assert json_loads(b'{"a": ["2026-12-25"]}') == {"a": ["2026-12-25"]}
    assert math.isnan(json_loads("[NaN]")[0]) and json_loads("[Infinity]") == [math.inf]
    with pytest.raises(ValueError):
        json_loads("[0, 1")


def test_driver_rows_are_the_rows_of_execute_as_the_driver_gives_them(make_user):
    people = [make_user() for _ in range(4)]
    since = min(person.created_at for person in people) - timedelta(seconds=1)
    statement = (
        select(User.id, User.display_name, User.created_at)
        .where(User.created_at >= bindparam("since", type_=UTCDateTime()), User.id > 0, User.is_admin.is_(False))
        .order_by(User.id)
        .limit(3)
    )
    expected = db.session.execute(statement, {"since": since}).all()
    found = driver_rows(statement, {"since": since})
    assert len(found) == 3 and [row[:2] for row in found] == [tuple(row[:2]) for row in expected]
    if db.engine.dialect.name == "sqlite":  # datetimes as SQLite keeps them: UTC text
        assert [datetime.fromisoformat(row[2]).replace(tzinfo=UTC) for row in found] == [row[2] for row in expected]
    else:
        assert [row[2] for row in found] == [row[2] for row in expected]
    assert driver_rows(statement, {"since": since + timedelta(days=1)}) == []


def test_driver_records_are_the_plain_rows_of_execute(make_user):
    """Each value through its type's result processor (booleans, UTC instants), an IN list bound
    at execution (SQLite writes one placeholder per value), lists of any length on one statement."""
    people = [make_user(display_name=f"P{n}") for n in range(4)]
    dialect = db.engine.dialect.name
    statement = (
        select(User.id, User.display_name, User.is_admin, User.created_at, User.status)
        .where(among_bound(User.id, "ids", dialect), User.created_at >= bindparam("since", type_=UTCDateTime()))
        .order_by(User.id)
    )
    since = datetime(2000, 1, 1, tzinfo=UTC)
    records = []
    for ids in ([people[0].id], [p.id for p in people], [p.id for p in people[1:3]], []):
        values = {"ids": ids, "since": since}
        expected = plain_rows(db.session.execute(statement, values))
        found = driver_records(statement, values)
        assert found == expected and len(found) == len(ids)
        records += found
    # `==` would take SQLite's 0 for False and a naive instant for nothing: the types themselves.
    assert len(records) == 7
    assert all(isinstance(r.is_admin, bool) and r.created_at.tzinfo is not None for r in records)
