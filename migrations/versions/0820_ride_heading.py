"""ride heading: where each ride goes, for the search to drop rides going the wrong way in SQL

Revision ID: 0820
Revises: 0810
Create Date: 2026-11-26 07:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

from sharemarket.rides.rules import heading


# revision identifiers, used by Alembic.
revision = "0820"
down_revision = "0810"
branch_labels = None
depends_on = None

COLUMNS = ("heading_per_lat", "heading_per_lng", "heading_slack_km")


def upgrade():
    for name in COLUMNS:
        op.add_column("rides", sa.Column(name, sa.Float(), server_default="0", nullable=False))
    bind = op.get_bind()
    rides = sa.table(
        "rides",
        sa.column("id", sa.Integer),
        *(sa.column(name, sa.Float) for name in ("origin_lat", "origin_lng", "destination_lat", "destination_lng")),
        *(sa.column(name, sa.Float) for name in COLUMNS),
    )
    rows = bind.execute(
        sa.select(rides.c.id, rides.c.origin_lat, rides.c.origin_lng, rides.c.destination_lat, rides.c.destination_lng)
    ).all()
    values = []
    for ride_id, origin_lat, origin_lng, destination_lat, destination_lng in rows:
        found = heading((origin_lat, origin_lng), (destination_lat, destination_lng))
        values.append({"ride_id": ride_id, "per_lat": found.per_lat, "per_lng": found.per_lng, "slack": found.slack_km})
    if values:
        bind.execute(
            rides.update()
            .where(rides.c.id == sa.bindparam("ride_id"))
            .values(
                heading_per_lat=sa.bindparam("per_lat"),
                heading_per_lng=sa.bindparam("per_lng"),
                heading_slack_km=sa.bindparam("slack"),
            ),
            values,
        )


def downgrade():
    with op.batch_alter_table("rides", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
