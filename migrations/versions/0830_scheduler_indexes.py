"""scheduler indexes: bookings by (status, kind, id) and by (starts_at, status, user_id)

The loan jobs page through one status's loans in id order; the impact figures count a month's
bookings by status and person from the index alone. Each replaces a narrower index it covers.

Revision ID: 0830
Revises: 0825
Create Date: 2026-11-26 11:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0830"
down_revision = "0825"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_bookings_status_kind_id", "bookings", ["status", "kind", "id"])
    op.drop_index("ix_bookings_status_kind", table_name="bookings")
    op.create_index("ix_bookings_starts_at_status_user", "bookings", ["starts_at", "status", "user_id"])
    op.drop_index("ix_bookings_starts_at", table_name="bookings")


def downgrade():
    op.create_index("ix_bookings_starts_at", "bookings", ["starts_at"])
    op.drop_index("ix_bookings_starts_at_status_user", table_name="bookings")
    op.create_index("ix_bookings_status_kind", "bookings", ["status", "kind"])
    op.drop_index("ix_bookings_status_kind_id", table_name="bookings")
