from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sharemarket.db import migration_include_object
from sharemarket.extensions import db


def test_migrations_build_exactly_the_models(app):
    """The test database was built by `flask db upgrade`; the models must not differ from it."""
    context = MigrationContext.configure(
        db.session.connection(),
        opts={"compare_type": True, "include_object": migration_include_object},
    )
    differences = compare_metadata(context, db.metadata)
    assert differences == []
