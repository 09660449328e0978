"""no trace finer than a day: storage order, slip hashes, day-level meeting input

Revision ID: 5c1d7e2a9f40
Revises: ba0e6f004bbd
Create Date: 2026-12-07 23:50:00

* SQLite: ``survey_response`` and ``survey_answer`` become WITHOUT ROWID tables, so their rows
  are stored in the order of the random response id instead of the order of arrival. (PostgreSQL
  has no such option; the nightly ``reorder`` job rewrites its tables, see jobs/reorder.py.)
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d7e2a9f40'
down_revision = 'ba0e6f004bbd'
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _rebuild(table: str, with_rowid: bool) -> None:
    """Rebuild a SQLite table with or without rowid (batch mode copies every row)."""
    with op.batch_alter_table(
        table, recreate='always', table_kwargs={'sqlite_with_rowid': with_rowid}
    ):
        pass


def upgrade():
    if _sqlite():
        _rebuild('survey_response', with_rowid=False)
        _rebuild('survey_answer', with_rowid=False)


def downgrade():
    if _sqlite():
        _rebuild('survey_answer', with_rowid=True)
        _rebuild('survey_response', with_rowid=True)
