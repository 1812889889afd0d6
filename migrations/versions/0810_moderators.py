"""moderators: the moderator role, hidden booking messages and hidden profiles

Revision ID: 0810
Revises: 0800
Create Date: 2026-11-26 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from sharemarket.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0810'
down_revision = "0800"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs (no batch copy of the tables on SQLite).
    op.add_column('users', sa.Column('is_moderator', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('users', sa.Column('hidden_at', UTCDateTime(timezone=True), nullable=True))
    op.add_column('booking_messages', sa.Column('hidden_at', UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('booking_messages', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('hidden_at')
        batch_op.drop_column('is_moderator')
