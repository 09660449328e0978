"""report sign-off: a named person signs off a release's curated themes before it is shared

Revision ID: 8c4e2a6f1b57
Revises: 9d5f3b7a2c68
Create Date: 2026-12-08 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4e2a6f1b57'
down_revision = '9d5f3b7a2c68'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_signoff',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope_id', sa.Integer(), nullable=False),
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('signed_by_id', sa.Integer(), nullable=True),
        sa.Column('signer_name', sa.String(length=200), nullable=False),
        sa.Column('signer_role', sa.String(length=20), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.Column('cleared_at', sa.DateTime(), nullable=True),
        sa.Column('cleared_reason', sa.String(length=40), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['organisation_id'], ['organisation.id'],
            name=op.f('fk_report_signoff_organisation_id_organisation'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['release_id'], ['report_release.id'],
            name=op.f('fk_report_signoff_release_id_report_release'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['scope_id'], ['report_scope.id'],
            name=op.f('fk_report_signoff_scope_id_report_scope'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['signed_by_id'], ['user.id'],
            name=op.f('fk_report_signoff_signed_by_id_user'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_signoff')),
    )
    with op.batch_alter_table('report_signoff', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_report_signoff_organisation_id'), ['organisation_id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_report_signoff_release_id'), ['release_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_signoff_scope_id'), ['scope_id'], unique=False)


def downgrade():
    with op.batch_alter_table('report_signoff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_signoff_scope_id'))
        batch_op.drop_index(batch_op.f('ix_report_signoff_release_id'))
        batch_op.drop_index(batch_op.f('ix_report_signoff_organisation_id'))
    op.drop_table('report_signoff')
