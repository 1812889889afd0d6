from sqlalchemy import select

from sharemarket.accounts.models import User
from sharemarket.db import among, among_bound
from sharemarket.extensions import db


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
