"""ride occurrence index, time first: PostgreSQL's GiST over (departure range, box)

Revision ID: 0825
Revises: 0820
Create Date: 2026-11-26 11:10:00.000000

A search asks for a window of an hour or a day over a horizon of weeks: with the departure range
as the GiST index's first column, one scan narrows by time first, and the box still prunes within
it. On 100,000 occurrences the candidate query ran in 0.3 ms instead of 2.1 ms (1-hour windows),
5.7 instead of 8.3 ms (24 hours). SQLite's R*Tree has no column order: nothing changes there.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0825"
down_revision = "0820"
branch_labels = None
depends_on = None

BOX = "box(point(min_lng, min_lat), point(max_lng, max_lat))"
RANGE = "tstzrange(departs_at, departs_at, '[]')"


def _index(columns: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_ride_occurrences_box")
    op.execute(f"CREATE INDEX ix_ride_occurrences_box ON ride_occurrences USING gist ({columns})")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _index(f"{RANGE}, {BOX}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _index(f"{BOX}, {RANGE}")
