"""no trace finer than a day: storage order, slip hashes, day-level meeting input

Revision ID: 5c1d7e2a9f40
Revises: ba0e6f004bbd
Create Date: 2026-12-07 23:50:00

* SQLite: ``survey_response`` and ``survey_answer`` become WITHOUT ROWID tables, so their rows
  are stored in the order of the random response id instead of the order of arrival. (PostgreSQL
  has no such option; the nightly ``reorder`` job rewrites its tables, see jobs/reorder.py.)
* ``survey_slip``: the "used on" day becomes a "used" flag, and every stored code hash (an
  unkeyed sha256 of a guessable code) is replaced by an HMAC of it, keyed with a key derived from
  the app's SECRET_KEY. The codes are not needed for that, so every slip, used or not, keeps
  working. This needs the app's configuration: run it with ``klankbord db upgrade`` (online).
  The downgrade cannot undo the HMAC: slips that were still unused stop working after it.
"""
import hashlib
import hmac

from alembic import op
import sqlalchemy as sa
from flask import current_app


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


def _slip_key() -> bytes:
    """As klankbord.surveys.services.slip_key (copied: a migration must not change later)."""
    secret = current_app.config['SECRET_KEY'].encode()
    return hmac.new(secret, b'klankbord slip codes v1', hashlib.sha256).digest()


def _upgrade_slips() -> None:
    with op.batch_alter_table('survey_slip', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used', sa.Boolean(), nullable=False, server_default=sa.false()))
    slips = sa.table(
        'survey_slip',
        sa.column('id', sa.Integer),
        sa.column('code_hash', sa.String),
        sa.column('used', sa.Boolean),
        sa.column('used_on', sa.Date),
    )
    bind = op.get_bind()
    bind.execute(slips.update().where(slips.c.used_on.is_not(None)).values(used=True))
    key = _slip_key()
    rows = bind.execute(sa.select(slips.c.id, slips.c.code_hash)).all()
    for slip_id, plain in rows:
        keyed = hmac.new(key, plain.encode(), hashlib.sha256).hexdigest()
        bind.execute(slips.update().where(slips.c.id == slip_id).values(code_hash=keyed))
    with op.batch_alter_table('survey_slip', schema=None) as batch_op:
        batch_op.drop_column('used_on')


def _downgrade_slips() -> None:
    with op.batch_alter_table('survey_slip', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_on', sa.Date(), nullable=True))
    # The day is gone; a used slip gets the day of the downgrade so it stays used.
    op.execute(sa.text('UPDATE survey_slip SET used_on = CURRENT_DATE WHERE used'))
    with op.batch_alter_table('survey_slip', schema=None) as batch_op:
        batch_op.drop_column('used')


def upgrade():
    if _sqlite():
        _rebuild('survey_response', with_rowid=False)
        _rebuild('survey_answer', with_rowid=False)
    _upgrade_slips()


def downgrade():
    _downgrade_slips()
    if _sqlite():
        _rebuild('survey_answer', with_rowid=True)
        _rebuild('survey_response', with_rowid=True)
