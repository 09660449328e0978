"""meeting live versions: room_version and staff_version counters for ETag/304 state endpoints

Revision ID: 5c1e7a9d2b40
Revises: 3c1d5e7a9b20
Create Date: 2026-12-08 00:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a9d2b40'
down_revision = '3c1d5e7a9b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('staff_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('staff_version')
        batch_op.drop_column('room_version')
