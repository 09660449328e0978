"""question clips (staff recordings of a question per language, stored in the database)

Revision ID: 9d5f3b7a2c68
Revises: 7a2f4c9e1d35
Create Date: 2026-12-08 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d5f3b7a2c68'
down_revision = '7a2f4c9e1d35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'survey_question_clip',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.String(length=64), nullable=False),
        sa.Column('question_id', sa.String(length=64), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('mime', sa.String(length=40), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('text_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('duration_ms > 0', name=op.f('ck_survey_question_clip_positive_duration')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_survey_question_clip_created_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_survey_question_clip_organisation_id_organisation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question_clip')),
        sa.UniqueConstraint('organisation_id', 'survey_id', 'question_id', 'language', name='uq_survey_question_clip_per_language'),
    )
    with op.batch_alter_table('survey_question_clip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_clip_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_question_clip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_clip_organisation_id'))
    op.drop_table('survey_question_clip')
