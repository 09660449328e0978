"""theme gist and naming (Dutch title source, codebook topic and score, keywords per language)

Revision ID: 7a2f4c9e1d35
Revises: 5c1e7a9d2b40
Create Date: 2026-12-08 01:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a2f4c9e1d35'
down_revision = '5c1e7a9d2b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gist', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('naming', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('report_theme', schema=None) as batch_op:
        batch_op.drop_column('naming')
        batch_op.drop_column('gist')
