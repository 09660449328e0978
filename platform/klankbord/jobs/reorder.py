"""Rewrite residents' rows so that the database keeps no order of arrival (issue 13, item 3).

Response ids are random, but a database stores rows where they arrive: a dump (``pg_dump``, a
copy of the SQLite file) lists them in submission order, and PostgreSQL stamps every row with the
id of the transaction that wrote it (``xmin``), which counts up. With the day of each response
stored, that order is all an attacker needs to match responses to a log, a camera or a queue.

* SQLite: ``survey_response``, ``survey_answer``, ``meeting_poll_answer`` and
  ``meeting_idea_support`` are WITHOUT ROWID tables, stored in the order of their random keys from
  the moment they are written. What remains until this job runs: inside one 4 KiB page, rows
  written since the page was last split sit in the order they came, and the write-ahead log
  (``-wal`` file) holds the latest transactions in order. The job runs ``VACUUM`` (every page
  rebuilt in key order, freed space, such as purged free text, overwritten) and truncates the
  write-ahead log.
* PostgreSQL: rows are appended in order of arrival and keep their ``xmin``; ``CLUSTER`` alone
  would reorder them but keeps ``xmin``. The job first rewrites every row that arrived since its
  last run in one transaction (so they all share that transaction's ``xmin``), commits, and then
  ``CLUSTER``s the tables on their random primary keys (which also drops the old row versions).
  Until it runs, the rows of the current day are in order of arrival (docs/privacy.md).

:func:`order_correlation` measures what remains, as the tests and ``benchmarks/storage_order.py``
do: the Spearman correlation between where a row is stored and when it was submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import text

from klankbord.extensions import db

#: Tables whose rows residents create, with their primary-key index, in the order rewritten.
TABLES = (
    ("survey_response", "pk_survey_response"),
    ("survey_answer", "pk_survey_answer"),
    ("meeting_poll_answer", "pk_meeting_poll_answer"),
    ("meeting_idea_support", "pk_meeting_idea_support"),
)
#: A lock the rewrite waits for at most; a busy night is retried the next night.
LOCK_TIMEOUT = "10s"


def reorder(last_success: datetime | None) -> dict[str, int]:
    """Rewrite the residents' tables in key order; commits (VACUUM and CLUSTER need it)."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        return _reorder_postgresql(last_success)
    if dialect == "sqlite":
        return _reorder_sqlite()
    return {}


def _reorder_postgresql(last_success: datetime | None) -> dict[str, int]:
    # A day of overlap: a response submitted just before the last run started may have been
    # committed after that run had read the table.
    since = (last_success - timedelta(days=1)).date() if last_success else None
    recent = "TRUE" if since is None else "submitted_on >= :since"
    params = {} if since is None else {"since": since}
    session = db.session
    counts = {
        "responses_rewritten": session.execute(
            text(f"UPDATE survey_response SET language = language WHERE {recent}"), params
        ).rowcount,
        "answers_rewritten": session.execute(
            text(
                "UPDATE survey_answer SET position = position WHERE response_id IN "
                f"(SELECT id FROM survey_response WHERE {recent})"
            ),
            params,
        ).rowcount,
        # Small tables without a day of their own: all of their rows, every night.
        "poll_answers_rewritten": session.execute(
            text("UPDATE meeting_poll_answer SET lang = lang")
        ).rowcount,
        "supports_rewritten": session.execute(
            text("UPDATE meeting_idea_support SET participant_key = participant_key")
        ).rowcount,
    }
    # The rewritten rows must be committed before CLUSTER, or it keeps their old versions
    # (with the old xmin) for our own still-open transaction.
    session.commit()
    # One table per transaction: each exclusive lock is held for one table's rewrite only.
    for table, index in TABLES:
        session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        session.execute(text(f"CLUSTER {table} USING {index}"))
        session.commit()
    return counts


def _reorder_sqlite() -> dict[str, int]:
    db.session.commit()
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"vacuumed": 1}


# Measuring ---------------------------------------------------------------------------------


def _spearman(pages: Sequence[int], sequence: Sequence[int]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(list(pages), list(sequence)).statistic)


def physical_positions(table: str, key_column: str) -> dict[str, tuple]:
    """Where each key's first row is stored: (page, offset) on SQLite, (page, item) on PostgreSQL.

    On SQLite, read from the database file's own bytes (what a copy of the file shows): the
    byte offset of the key inside the table's own pages (a WITHOUT ROWID table keeps some rows in
    its interior pages too). On PostgreSQL, the row's ``ctid``.
    """
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(text(f"SELECT {key_column}, ctid::text FROM {table}")).all()
        positions: dict[str, tuple] = {}
        for key, ctid in rows:
            page, item = ctid.strip("()").split(",")
            positions[key] = min(positions.get(key, (1 << 62, 0)), (int(page), int(item)))
        return positions
    db.session.commit()
    raw = db.session.connection().connection.driver_connection
    pages = dict(
        raw.execute(
            "SELECT pageno, name FROM dbstat WHERE name = ?", (table,)
        ).fetchall()
    )
    page_size = raw.execute("PRAGMA page_size").fetchone()[0]
    image = raw.serialize()
    keys = [k for (k,) in raw.execute(f"SELECT DISTINCT {key_column} FROM {table}").fetchall()]
    positions = {}
    for key in keys:
        needle, start = key.encode(), 0
        while (offset := image.find(needle, start)) >= 0:
            page = offset // page_size + 1
            if page in pages:
                positions[key] = (page, offset % page_size)
                break
            start = offset + 1
    return positions


def order_correlation(positions: dict[str, tuple], submitted: Sequence[str]) -> float:
    """Spearman correlation between the page a row is stored in and its place in the submission
    sequence (1 = stored in order; rows of one page are ties). Order inside a page is measured
    by :func:`within_page_concordance`."""
    seq = {k: i for i, k in enumerate(submitted)}
    keys = [k for k in submitted if k in positions]
    return _spearman([positions[k][0] for k in keys], [seq[k] for k in keys])


def within_page_concordance(positions: dict[str, tuple], submitted: Sequence[str]) -> float:
    """Of all pairs of rows in one page, the share stored in submission order (0.5 = none).

    A page fills from its end towards its start, so rows written one after another into the same
    page sit at falling offsets; this catches the order a global correlation averages away.
    """
    seq = {k: i for i, k in enumerate(submitted)}
    by_page: dict[int, list[tuple[int, int]]] = {}
    for key, (page, offset) in positions.items():
        if key in seq:
            by_page.setdefault(page, []).append((seq[key], offset))
    agree = total = 0
    for rows in by_page.values():
        for i, (s1, o1) in enumerate(rows):
            for s2, o2 in rows[i + 1 :]:
                total += 1
                agree += (s1 - s2) * (o1 - o2) > 0
    return agree / total if total else 0.5
