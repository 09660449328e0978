"""job runs per organisation, and session security (issue 14)

- job_run.organisation_id: which organisation's part an admin ran (NULL: every organisation).

Revision ID: 3c1d5e7a9b20
Revises: ba0e6f004bbd
Create Date: 2026-12-07 23:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d5e7a9b20'
down_revision = 'ba0e6f004bbd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_run_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_organisation_id'))
        batch_op.drop_column('organisation_id')
