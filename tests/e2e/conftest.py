"""Browser fixtures: the real app on a loopback port, Debian's Chromium, a 360x640 phone.

One browser and one server per test session; a fresh browser context (no cookies) per test.
The server uses its own SQLite file with CSRF on, seeded like ``klankbord demo``; it never touches
the shared PostgreSQL test database, whose rows other tests wipe.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.e2e.harness import unchecked_pages, watch

CHROMIUM = Path(os.environ.get("KLANKBORD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-quic", "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 640}


def pytest_collection_modifyitems(config, items):
    """Mark every test here as e2e, and skip them all when there is no Chromium."""
    here = Path(__file__).parent
    reason = None
    if not CHROMIUM.exists():
        reason = (f"{CHROMIUM} is missing: install the Debian packages chromium and "
                  "chromium-driver (make system-deps); browser tests are skipped")
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class LiveServer:
    url: str
    app: object
    #: Demo logins: role key → e-mail address; every demo user has the demo password.
    emails: dict[str, str]
    password: str
    admin_totp_secret: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from klankbord import create_app
    from klankbord.accounts.models import User
    from klankbord.cli import DEMO_PASSWORD, seed_demo
    from klankbord.extensions import db

    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app({
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789abcdef",
        "DATABASE_URL": f"sqlite:///{instance / 'e2e.sqlite'}",
        "INSTANCE_PATH": str(instance),
        "WTF_CSRF_ENABLED": True,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_ENABLED": False,
        "ANALYSIS_EMBEDDINGS": "off",
    })
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
        admin = db.session.execute(
            select(User).where(User.email == "admin@voorbeeldstad.example")).scalar_one()
        secret = admin.totp_secret
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}",
            app=app,
            emails={key: f"{key}@voorbeeldstad.example"
                    for key in ("admin", "facilitator", "beleid")},
            password=DEMO_PASSWORD,
            admin_totp_secret=secret,
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # the test extra is not installed
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh 360x640 phone page on the live server; fails if a visited page went unchecked."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, screen=PHONE, device_scale_factor=1,
        is_mobile=True, has_touch=True, locale="nl-NL",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch(page)
    yield page
    unchecked = unchecked_pages(page)
    context.close()
    assert not unchecked, (
        "These pages were visited but not checked with check_a11y(page, name): "
        + ", ".join(unchecked)
    )
