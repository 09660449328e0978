"""job runs per organisation, and session security (issue 14)

- job_run.organisation_id: which organisation's part an admin ran (NULL: every organisation).
- user.totp_failures, user.totp_locked_until: per-account limit on wrong second-factor codes.
- auth_session.reauthenticated_at: when the password was last typed in the session.
- auth_session.second_factor_done now means "a TOTP code was accepted in this session" for every
  role (it was set to true at login for non-admins); sessions of non-admins are reset to false,
  so one promoted to admin later has to give a code.

Revision ID: 3c1d5e7a9b20
Revises: 5c1d7e2a9f40
Create Date: 2026-12-07 23:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1d5e7a9b20'
down_revision = '5c1d7e2a9f40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_run_organisation_id'), ['organisation_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_failures', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('totp_locked_until', sa.DateTime(), nullable=True))

    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reauthenticated_at', sa.DateTime(), nullable=True))

    op.execute(
        "UPDATE auth_session SET second_factor_done = false WHERE user_id NOT IN "
        "(SELECT user_id FROM membership WHERE role = 'admin')"
    )


def downgrade():
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('reauthenticated_at')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('totp_locked_until')
        batch_op.drop_column('totp_failures')

    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_organisation_id'))
        batch_op.drop_column('organisation_id')
