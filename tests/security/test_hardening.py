"""Hardening: rate limits (memory and Redis, shared between workers, no address stored), security
headers on every route and every error, and session fixation / password policy gaps.

Rate limits are off in the default test config; these tests build apps with them on.
"""

from __future__ import annotations

import uuid

import pytest
from tests.conftest import TEST_PASSWORD, login
from tests.security.helpers import (
    counts,
    limited_app,
    live_meeting,
    open_survey,
    signed_state,
    valid_answers,
)
from tests.security.inventory import dummy_value, inventory
from werkzeug.datastructures import MultiDict

from klankbord.core import respondent_errors
from klankbord.core.ratelimit import DEFAULT_RATE_LIMITS


def _redis_or_skip() -> str:
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # no Redis here: the memory tests still run
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


def test_login_is_limited_per_address(app, db, make):
    limited = limited_app(app)
    user = make.user(make.org(), "facilitator")
    client = limited.test_client()
    statuses = [
        client.post("/login", data={"email": user.email, "password": f"wrong {n}"},
                    environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    page = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD},
                       environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert page.status_code == 429 and "Traceback" not in page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"]
    # Reading the login page is not limited, and another address may still log in (another
    # account: this one is now locked by the per-account lockout as well).
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200
    other = limited.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.11"
    login(other, make.user(make.org(), "facilitator"))


@pytest.mark.parametrize("lang", ["ar", "nl"])
def test_survey_submission_limit_answers_in_the_language_and_stores_nothing_more(
    app, db, make, lang
):
    survey = open_survey(app, db, make)
    limited = limited_app(app, RATE_LIMITS={"respond.submit": "3 per minute"})
    phone = limited.test_client()
    statuses = []
    for _ in range(4):
        fields = [*signed_state(app, survey.code).items(), *valid_answers()]
        statuses.append(phone.post(f"/s/{survey.code}/{lang}/submit",
                                   data=MultiDict(fields)).status_code)
    assert statuses == [303, 303, 303, 429]
    fields = [*signed_state(app, survey.code).items(), *valid_answers()]
    page = phone.post(f"/s/{survey.code}/{lang}/submit", data=MultiDict(fields))
    html = page.get_data(as_text=True)
    assert page.status_code == 429 and page.headers["Retry-After"]
    assert f'<html lang="{lang}"' in html and respondent_errors.text("title_429", lang) in html
    assert counts(db)[0] == 3
    # The pages before the submission stay usable.
    assert phone.get(f"/s/{survey.code}/{lang}").status_code == 200


def test_live_input_limit_in_the_participants_language(app, db, make):
    meeting = live_meeting(db, make)
    limited = limited_app(app, RATE_LIMITS={"meetings_public.send_idea": "2 per minute"})
    phone = limited.test_client()
    url = f"/m/{meeting.join_code}/ti/idea"
    statuses = [phone.post(url, data={"text": f"ሓሳብ {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    page = phone.post(url, data={"text": "ሓሳብ"}).get_data(as_text=True)
    assert respondent_errors.text("title_429", "ti") in page and '<html lang="ti"' in page
    # Following the room is not limited.
    assert phone.get(f"/m/{meeting.join_code}/ti/state.json").status_code == 200


def test_the_default_limits_cover_login_submission_and_live_input(app):
    for endpoint in ("accounts.login", "respond.submit", "meetings_public.send_idea"):
        assert DEFAULT_RATE_LIMITS[endpoint]
        assert endpoint in app.view_functions


def test_limits_switched_off_leave_the_views_untouched(app):
    assert "klankbord_limiter" not in app.extensions  # the test config turns them off
    limited = limited_app(app)
    assert "klankbord_limiter" in limited.extensions
    # The access marks the route inventory reads survive the wrapping.
    assert getattr(limited.view_functions["accounts.login"], "klankbord_public", False)


def test_redis_counts_are_shared_between_workers_and_hold_no_address(app, db, make):
    import redis

    url = _redis_or_skip()
    prefix = f"klankbord-test-{uuid.uuid4().hex[:8]}"
    user = make.user(make.org(), "facilitator")
    workers = [
        limited_app(app, RATELIMIT_STORAGE_URI=url, RATE_LIMITS={"accounts.login": "4 per minute"},
                     RATELIMIT_KEY_PREFIX=prefix)
        for _ in range(2)
    ]
    for worker in workers:  # the key prefix is ours, so parallel runs do not share counts
        worker.extensions["klankbord_limiter"]._key_prefix = prefix
    address = "198.51.100.99"
    statuses = [
        workers[n % 2].test_client().post(
            "/login", data={"email": user.email, "password": "wrong"},
            environ_base={"REMOTE_ADDR": address}).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # counted across both "workers"
    store = redis.Redis.from_url(url)
    keys = [k.decode() for k in store.scan_iter(f"*{prefix}*")]
    try:
        assert keys, "nothing was counted in Redis"
        for key in keys:
            assert address not in key and "198.51" not in key
            assert 0 < store.ttl(key) <= 60  # counters expire with their window
    finally:
        if keys:
            store.delete(*keys)


def test_a_dead_redis_does_not_break_login(app, db, make):
    from tests.security.test_faults import free_port

    limited = limited_app(app, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    user = make.user(make.org(), "facilitator")
    client = limited.test_client()
    login(client, user)


# Security headers on every route ---------------------------------------------------------------

ROUTES = inventory()


def _check_headers(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") == "no-referrer", where
    if response.mimetype == "text/html":
        assert headers.get("Cache-Control") == "no-store", where


def test_security_headers_on_every_route_for_every_visitor(app, db, make):
    """Every registered route, anonymous and logged in, GET and POST, and every error page."""
    org = make.org()
    staff = app.test_client()
    login(staff, make.user(org, "admin"))
    anonymous = app.test_client()
    seen = 0
    for route in ROUTES:
        values = {name: dummy_value(kind) for name, kind in route.arguments}
        url = route.url(values)
        for client in (anonymous, staff):
            for method in route.methods:
                response = client.open(url, method=method)
                _check_headers(response, f"{method} {url} -> {response.status_code}")
                seen += 1
    assert seen > 2 * len(ROUTES)
    for method, url, data in (
        ("GET", "/no-such-page", None),
        ("DELETE", "/login", None),
        ("POST", "/login", {"password": "x" * 400_000}),
        ("GET", "/s/%00", None),
        ("GET", "/m/NOPE/ar", None),
    ):
        response = anonymous.open(url, method=method, data=data)
        assert response.status_code in (400, 404, 405, 413), url
        _check_headers(response, url)


def test_session_cookie_flags_and_fixation(app, db, make):
    user = make.user(make.org(), "facilitator")
    client = app.test_client()
    client.get("/login")
    planted = "attacker-chosen-session-value"
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], planted, domain="localhost")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    assert planted not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # The attacker's planted cookie does not give a session.
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], planted, domain="localhost")
    assert attacker.get("/").status_code == 302


@pytest.mark.parametrize("password, email", [
    (" " * 20, None),  # only spaces
    ("\u200b" * 14, None),  # only zero-width spaces
    ("x" * 1025, None),  # argon2 would happily hash megabytes: bounded
    ("Fatima.Planted@Example.org", "fatima.planted@example.org"),
    ("ｐａｓｓｗｏｒｄ１２３４", None),  # full-width letters fold (NFKC) to a leaked password
])
def test_password_policy_gaps(app, password, email):
    from klankbord.accounts.passwords import password_problem

    with app.test_request_context():
        assert password_problem(password, email) is not None
