"""bookings by status and kind in id order: the loan jobs page through one status's loans by it

Revision ID: 0830
Revises: 0820
Create Date: 2026-11-26 11:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0830"
down_revision = "0820"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_bookings_status_kind_id", "bookings", ["status", "kind", "id"])
    op.drop_index("ix_bookings_status_kind", table_name="bookings")


def downgrade():
    op.create_index("ix_bookings_status_kind", "bookings", ["status", "kind"])
    op.drop_index("ix_bookings_status_kind_id", table_name="bookings")
