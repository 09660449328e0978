"""The migrations build the models' schema: upgrade an empty database to head, then no diff.

Runs on a fresh SQLite file, and on a fresh temporary PostgreSQL database (created on the server of
KLANKBORD_TEST_DATABASE_URL and dropped afterwards) when that variable is set.

While engineers add models before the lead generates their migrations, the diff test fails and
lists the missing tables and columns: that is its job.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from klankbord import create_app
from klankbord.extensions import db

PG_URL = os.environ.get("KLANKBORD_TEST_DATABASE_URL", "")


@pytest.fixture
def keep_logging():
    """env.py runs logging.fileConfig, which disables every logger it does not name; undo that."""
    loggers = {name: logger.disabled for name, logger in logging.root.manager.loggerDict.items()
               if isinstance(logger, logging.Logger)}
    root_level, root_handlers = logging.root.level, list(logging.root.handlers)
    yield
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = loggers.get(name, False)
    logging.root.setLevel(root_level)
    logging.root.handlers[:] = root_handlers


def _fresh_sqlite(tmp_path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"


def _fresh_postgres() -> Iterator[str]:
    import psycopg

    server = make_url(PG_URL)
    name = f"klankbord_migr_{secrets.token_hex(6)}"
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


ENGINES = ["sqlite"] + (["postgresql"] if PG_URL.startswith("postgres") else [])


@pytest.fixture(params=ENGINES)
def migrated_app(request, tmp_path, keep_logging):
    """An app on a fresh, empty database, upgraded to the newest migration."""
    urls = _fresh_sqlite(tmp_path) if request.param == "sqlite" else _fresh_postgres()
    url = next(urls)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "migration-test-secret-key-long-enough-0123456789",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
    })
    try:
        with app.app_context():
            flask_migrate.upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        urls.close()  # drops the temporary PostgreSQL database


def test_upgrade_reaches_head(migrated_app):
    script = ScriptDirectory.from_config(migrated_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert set(current) == set(script.get_heads())
    tables = set(inspect(db.engine).get_table_names())
    assert {"organisation", "user", "membership", "location", "audit_event"} <= tables


def test_models_match_the_migrations(migrated_app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], (
        "The models differ from the migrations; generate a migration "
        "(klankbord db migrate -m '...') and review it. Differences:\n"
        + "\n".join(repr(d) for d in diff)
    )
