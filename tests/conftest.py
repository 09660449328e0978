"""Shared fixtures: an app per test on a clean database (SQLite, or PostgreSQL when asked)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pyotp
import pytest
from sqlalchemy import text

from klankbord import create_app
from klankbord.extensions import db as _db

TEST_DATABASE_URL = os.environ.get("KLANKBORD_TEST_DATABASE_URL", "sqlite://")
TEST_PASSWORD = "een lange testzin voor klankbord"
#: Each test process gets its own PostgreSQL schema, so parallel runs never see each other's rows.
PG_SCHEMA = f"kb_test_{os.getpid()}"


def is_postgres(url: str = TEST_DATABASE_URL) -> bool:
    return url.startswith("postgres")


def _psycopg_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://").replace(
        "postgres://", "postgresql://"
    )


@pytest.fixture(scope="session", autouse=True)
def _postgres_schema():
    """Create a private schema for this test process and drop it at the end."""
    if not is_postgres():
        yield None
        return
    import psycopg

    with psycopg.connect(_psycopg_dsn(TEST_DATABASE_URL), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.execute(f"CREATE SCHEMA {PG_SCHEMA}")
    yield PG_SCHEMA
    with psycopg.connect(_psycopg_dsn(TEST_DATABASE_URL), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")


def engine_options() -> dict:
    """Engine options that point PostgreSQL connections at this process's schema."""
    if is_postgres():
        return {"connect_args": {"options": f"-csearch_path={PG_SCHEMA}"}}
    return {}


def pytest_report_header(config):
    return f"klankbord database: {TEST_DATABASE_URL.split('@')[-1]}"


def _wipe(database) -> None:
    """Remove every row (PostgreSQL keeps its schema between tests for speed)."""
    database.session.rollback()
    tables = list(reversed(database.metadata.sorted_tables))
    if database.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        if names:
            database.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            database.session.execute(table.delete())
    database.session.commit()


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests-0123456789",
        "DATABASE_URL": TEST_DATABASE_URL,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(),
        # The embedding model costs seconds per test; its own tests switch it on.
        "ANALYSIS_EMBEDDINGS": "off",
    }


@pytest.fixture
def app(app_config) -> Iterator:
    app = create_app(app_config)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        if _db.engine.dialect.name == "postgresql":
            _wipe(_db)
        else:
            _db.drop_all()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Small object factories so tests read like the situation they describe."""

    def __init__(self, db):
        self.db = db
        self.counter = 0

    def org(self, name: str | None = None, **fields):
        from klankbord.accounts import services

        self.counter += 1
        name = name or f"Gemeente Test {self.counter}"
        org = services.create_organisation(
            name, f"test-{self.counter}-{re.sub(r'[^a-z]', '', name.lower())[:20]}", **fields
        )
        self.db.session.commit()
        return org

    def location(self, org, name: str | None = None, kind: str = "azc"):
        from klankbord.accounts import services

        self.counter += 1
        location = services.add_location(org, name or f"AZC {self.counter}", kind)
        self.db.session.commit()
        return location

    def user(
        self,
        org=None,
        role: str = "facilitator",
        email: str | None = None,
        name: str = "Test Persoon",
        language: str = "en",
    ):
        """A staff user. Tests read English page text by default; Dutch is tested on its own."""
        from klankbord.accounts import services

        self.counter += 1
        user = services.create_user(email or f"user{self.counter}@example.org", name, TEST_PASSWORD)
        user.language = language
        if org is not None:
            services.set_membership(user, org, role)
        if role == "admin":
            user.totp_secret = pyotp.random_base32()
        self.db.session.commit()
        return user


@pytest.fixture
def make(db) -> Factory:
    return Factory(db)


def login(client, user, password: str = TEST_PASSWORD):
    """Log in through the real form (and the second factor for admins)."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if user.totp_secret:
        from klankbord.core.time import utcnow

        code = pyotp.TOTP(user.totp_secret).at(utcnow())
        response = client.post("/login/second-factor", data={"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(client):
    def _login(user):
        return login(client, user)

    return _login
