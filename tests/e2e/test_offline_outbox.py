"""A resident finishes a survey while the connection is gone: the answers stay on the phone, the
page says so, and they are sent (once) when the connection is back.

The network really fails: this test runs its own server for the shared app and stops it, so the
service worker's fetch is refused, not just emulated as offline.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from tests.e2e.conftest import PHONE
from tests.e2e.harness import check_a11y
from tests.e2e.test_survey_flow import new_deployment, stored_responses

pytestmark = pytest.mark.e2e


class Server:
    """The live app on its own port, which a test can take down and bring back on that port."""

    def __init__(self, app):
        self.app = app
        self.port = 0
        self.start()

    def start(self) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def own_server(live_server):
    server = Server(live_server.app)
    yield server
    server.stop()


def _evaluate(page, expression: str):
    """``page.evaluate`` once the page has settled: a navigation still in flight (the outbox
    sends and then opens the thank-you page; the browser may commit it twice) destroys the
    context an evaluation runs in, which says nothing about the answer. Evaluate again then."""
    from playwright.sync_api import Error

    for _ in range(10):
        try:
            page.wait_for_load_state("load")
            return page.evaluate(expression)
        except Error as error:
            if "Execution context was destroyed" not in str(error):
                raise
            page.wait_for_timeout(200)
    return page.evaluate(expression)


def _wait_until(page, expression: str, seconds: float = 15.0) -> None:
    """Poll ``expression`` from here: ``wait_for_function`` evaluates a string in the page,
    which the Content Security Policy (no unsafe-eval) rightly refuses."""
    deadline = time.monotonic() + seconds
    while not _evaluate(page, expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        page.wait_for_timeout(100)


def _wait_for_address(page, pattern: re.Pattern, seconds: float = 15.0) -> None:
    """Wait until the page's committed address matches ``pattern``. ``wait_for_url`` fails on the
    first aborted navigation (the outbox and the page's own online handler may both open the
    thank-you page, and the browser aborts one: net::ERR_ABORTED), which says nothing about
    where the page ends up."""
    deadline = time.monotonic() + seconds
    while not pattern.search(page.url):
        if time.monotonic() > deadline:
            raise AssertionError(f"still at {page.url} after {seconds} s, not {pattern.pattern}")
        page.wait_for_timeout(100)
    page.wait_for_load_state("load")


def _to_check_page(page, code: str) -> None:
    """Open the Dutch survey and skip every question (each may be skipped) up to the check page."""
    page.goto(f"/s/{code}/nl")
    for _ in range(30):
        if page.locator("[data-submit]").count():
            return
        with page.expect_navigation():
            page.click("main button[name=nav][value='next']")
    raise AssertionError("never reached the check page")


def test_a_survey_finished_offline_is_kept_and_sent_when_the_connection_is_back(
    browser, live_server, own_server
):
    code = new_deployment(live_server)
    context = browser.new_context(base_url=own_server.url, viewport=PHONE, screen=PHONE,
                                  is_mobile=True, has_touch=True, locale="nl-NL")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"/s/{code}")
    # The outbox worker controls the survey pages once it is active (clients.claim).
    _wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    _to_check_page(page, code)
    _wait_until(page, "navigator.serviceWorker.controller !== null")

    own_server.stop()  # the connection is gone
    context.set_offline(True)
    page.click("main button[data-submit]")
    message = page.locator("[data-offline-msg]")
    message.wait_for(state="visible")
    assert "bewaard op deze telefoon" in message.inner_text()
    assert page.locator("main button[data-submit]").is_disabled()
    assert stored_responses(live_server, code) == []
    stored = page.evaluate(
        "caches.open('klankbord-outbox-v1').then(c => c.keys()).then(k => k.length)")
    assert stored == 1  # in the worker's outbox, not (also) in localStorage
    assert page.evaluate("localStorage.getItem('klankbord-outbox')") in (None, "[]")
    check_a11y(page, "survey-nl-offline-saved")

    own_server.start()  # the connection is back, on the same address
    context.set_offline(False)
    _wait_for_address(page, re.compile(rf"/s/{code}/nl/thanks\?receipt="))
    assert len(stored_responses(live_server, code)) == 1
    assert _evaluate(
        page, "caches.open('klankbord-outbox-v1').then(c => c.keys()).then(k => k.length)") == 0
    check_a11y(page, "survey-nl-offline-sent")
    context.close()
