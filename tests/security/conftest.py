"""Opt-in: one app per test module, with every row wiped between tests.

The route inventory and the isolation matrix run hundreds of small tests; building the app and its
schema for each would take minutes. A module opts in by overriding the root ``app`` fixture::

    @pytest.fixture
    def app(fast_app):
        return fast_app

after which ``db``, ``client``, ``make`` and ``login_as`` work as everywhere else. Other modules
here keep the root fixture (a fresh app per test).
"""

from __future__ import annotations

import pytest
import tests.conftest as root

from klankbord import create_app
from klankbord.extensions import db as _db


@pytest.fixture(scope="module")
def _module_app(tmp_path_factory):
    engine_options = getattr(root, "engine_options", dict)()
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests-0123456789",
        "DATABASE_URL": root.TEST_DATABASE_URL,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
    })
    with app.app_context():
        _db.create_all()
        yield app
        root._wipe(_db)
        if _db.engine.dialect.name != "postgresql":
            _db.drop_all()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def fast_app(_module_app):
    root._wipe(_db)
    _module_app.config["WTF_CSRF_ENABLED"] = False
    yield _module_app
    _db.session.remove()
