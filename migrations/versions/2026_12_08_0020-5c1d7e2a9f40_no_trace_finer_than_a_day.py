"""no trace finer than a day: storage order, slip hashes, day-level meeting input

Revision ID: 5c1d7e2a9f40
Revises: ef31a553f505
Create Date: 2026-12-07 23:50:00

* SQLite: ``survey_response`` and ``survey_answer`` become WITHOUT ROWID tables, so their rows
  are stored in the order of the random response id instead of the order of arrival. (PostgreSQL
  has no such option; the nightly ``reorder`` job rewrites its tables, see jobs/reorder.py.)
* ``survey_slip``: the "used on" day becomes a "used" flag, and every stored code hash (an
  unkeyed sha256 of a guessable code) is replaced by an HMAC of it, keyed with a key derived from
  the app's SECRET_KEY. The codes are not needed for that, so every slip, used or not, keeps
  working. This needs the app's configuration: run it with ``klankbord db upgrade`` (online).
  The downgrade cannot undo the HMAC: slips that were still unused stop working after it.
* ``meeting_idea``: ``created_at`` (a moment) becomes ``created_on`` (its day); ``moderated_at``
  (set seconds after an idea arrived, so it told the idea's time) is dropped.
* ``meeting_idea_support`` and ``meeting_poll_answer`` lose their counting id and their time; they
  are keyed by (idea or poll, participant key), WITHOUT ROWID on SQLite. The old participant
  keys were one per phone and meeting, which joined a phone's votes across polls; the new keys are
  one per phone and poll (or idea). Old keys cannot be turned into new ones (that needs the
  phone's cookie), so each stored row gets a fresh random key: counts stay, links go. A phone
  that voted before the upgrade in a poll that is still open could vote there once more.
* ``text_embedding.created_at`` is dropped: the embed job runs every 10 minutes on new texts, so
  it told within 10 minutes when a free-text answer had arrived.
"""
import hashlib
import hmac
import secrets

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '5c1d7e2a9f40'
down_revision = 'ef31a553f505'
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


def _upgrade_ideas() -> None:
    with op.batch_alter_table('meeting_idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_on', sa.Date(), nullable=True))
    ideas = sa.table('meeting_idea', sa.column('id', sa.Integer),
                     sa.column('created_at', sa.DateTime), sa.column('created_on', sa.Date))
    bind = op.get_bind()
    for idea_id, moment in bind.execute(sa.select(ideas.c.id, ideas.c.created_at)).all():
        bind.execute(ideas.update().where(ideas.c.id == idea_id).values(created_on=moment.date()))
    with op.batch_alter_table('meeting_idea', schema=None) as batch_op:
        batch_op.alter_column('created_on', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('moderated_at')
        batch_op.drop_column('created_at')


def _downgrade_ideas() -> None:
    with op.batch_alter_table('meeting_idea', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('moderated_at', sa.DateTime(), nullable=True))
    op.execute(sa.text('UPDATE meeting_idea SET created_at = created_on'))
    with op.batch_alter_table('meeting_idea', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_column('created_on')


def _poll_answer_columns() -> list:
    return [
        sa.Column('option_index', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=5), nullable=False),
    ]


#: (table, parent table, parent column, its other columns) of the keyed participant tables.
_KEYED = (
    ('meeting_idea_support', 'meeting_idea', 'idea_id', list),
    ('meeting_poll_answer', 'meeting_poll', 'poll_id', _poll_answer_columns),
)


def _upgrade_keyed(table: str, parent: str, parent_id: str, columns) -> None:
    """Rebuild with the key (parent, participant key); every row gets a fresh random key."""
    extra = columns()
    bind = op.get_bind()
    names = [parent_id, *(c.name for c in extra)]
    old = sa.table(table, *(sa.column(n) for n in names))
    rows = [dict(r._mapping) for r in bind.execute(sa.select(*old.c)).all()]
    op.drop_table(table)
    op.create_table(
        table,
        sa.Column(parent_id, sa.Integer(), nullable=False),
        sa.Column('participant_key', sa.String(length=64), nullable=False),
        *extra,
        sa.ForeignKeyConstraint([parent_id], [f'{parent}.id'],
                                name=op.f(f'fk_{table}_{parent_id}_{parent}'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(parent_id, 'participant_key', name=op.f(f'pk_{table}')),
        sqlite_with_rowid=False,
    )
    rows.sort(key=lambda r: secrets.token_bytes(8))  # not even the order of arrival is copied
    if rows:
        new = sa.table(table, sa.column('participant_key'), *(sa.column(n) for n in names))
        bind.execute(new.insert(), [{**r, 'participant_key': secrets.token_hex(32)} for r in rows])


def _downgrade_keyed(table: str, parent: str, parent_id: str, columns) -> None:
    extra = columns()
    bind = op.get_bind()
    names = [parent_id, 'participant_key', *(c.name for c in extra)]
    old = sa.table(table, *(sa.column(n) for n in names))
    rows = [dict(r._mapping) for r in bind.execute(sa.select(*old.c)).all()]
    op.drop_table(table)
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column(parent_id, sa.Integer(), nullable=False),
        sa.Column('participant_key', sa.String(length=64), nullable=False),
        *extra,
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint([parent_id], [f'{parent}.id'],
                                name=op.f(f'fk_{table}_{parent_id}_{parent}'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint(parent_id, 'participant_key',
                            name=op.f(f'uq_{table}_{parent_id}_participant_key')),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_{parent_id}'), [parent_id], unique=False)
    if rows:
        new = sa.table(table, sa.column('created_at'), *(sa.column(n) for n in names))
        moment = sa.func.current_timestamp()
        bind.execute(new.insert().values(created_at=moment), rows)


def upgrade():
    if _sqlite():
        _rebuild('survey_response', with_rowid=False)
        _rebuild('survey_answer', with_rowid=False)
    _upgrade_slips()
    _upgrade_ideas()
    for keyed in _KEYED:
        _upgrade_keyed(*keyed)
    with op.batch_alter_table('text_embedding', schema=None) as batch_op:
        batch_op.drop_column('created_at')


def downgrade():
    with op.batch_alter_table('text_embedding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=True))
    op.execute(sa.text('UPDATE text_embedding SET created_at = CURRENT_TIMESTAMP'))
    with op.batch_alter_table('text_embedding', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(), nullable=False)
    for keyed in reversed(_KEYED):
        _downgrade_keyed(*keyed)
    _downgrade_ideas()
    _downgrade_slips()
    if _sqlite():
        _rebuild('survey_answer', with_rowid=True)
        _rebuild('survey_response', with_rowid=True)
