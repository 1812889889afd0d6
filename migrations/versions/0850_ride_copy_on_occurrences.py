"""ride copy on occurrences: what the search needs of a ride and its driver, on each occurrence

Kept by triggers (`sharemarket.rides.ride_copy`), so the search reads one table.

Revision ID: 0850
Revises: 0830
Create Date: 2026-11-26 17:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from sharemarket.rides import ride_copy


# revision identifiers, used by Alembic.
revision = "0850"
down_revision = "0830"
branch_labels = None
depends_on = None

TYPES = {"driver_id": sa.Integer(), "community_id": sa.Integer(), "searchable": sa.Boolean()}


def upgrade():
    for name in (*ride_copy.COLUMNS, "searchable"):
        op.add_column("ride_occurrences", sa.Column(name, TYPES.get(name, sa.Float()), nullable=True))
    op.execute(ride_copy.backfill())
    for statement in ride_copy.ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in ride_copy.drop_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    for name in (*ride_copy.COLUMNS, "searchable"):
        op.drop_column("ride_occurrences", name)
