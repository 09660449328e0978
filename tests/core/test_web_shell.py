"""The web shell: health check, security headers, error pages, CSRF, roles and production config."""

from __future__ import annotations

import html
import re

import pytest
from flask import abort
from flask_babel import force_locale
from sqlalchemy import func, select
from tests.conftest import TEST_PASSWORD, login

from klankbord import create_app
from klankbord.accounts.models import AuthSession, Location, Membership
from klankbord.config import ConfigError
from klankbord.core.errors import ERROR_TEXTS

# Health ----------------------------------------------------------------------------------------


def test_healthz_answers_ok_with_the_database_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", [
    "sqlite:///{tmp}/no/such/folder/klankbord.sqlite",
    "postgresql+psycopg://nobody@127.0.0.1:1/klankbord?connect_timeout=2",
], ids=["sqlite-unopenable", "postgres-refused"])
def test_healthz_answers_503_when_the_database_does_not_answer(app_config, tmp_path, url):
    app = create_app({**app_config, "DATABASE_URL": url.format(tmp=tmp_path),
                      "SQLALCHEMY_ENGINE_OPTIONS": {}})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# Security headers ------------------------------------------------------------------------------


@pytest.mark.parametrize("path, mimetype", [
    ("/login", "text/html"),
    ("/healthz", "application/json"),
    ("/static/css/app.css", "text/css"),
    ("/no-such-page", "text/html"),
    ("/api/no-such-thing", "application/json"),
    ("/", None),  # redirect to the login page
])
def test_security_headers_on_every_kind_of_response(client, path, mimetype):
    response = client.get(path)
    if mimetype:
        assert response.mimetype == mimetype
    else:
        assert response.status_code == 302
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in response.headers["Permissions-Policy"]
    if mimetype == "text/html":
        assert response.headers["Cache-Control"] == "no-store"


def test_a_views_own_header_value_is_kept_and_nothing_is_doubled(app):
    from klankbord.core.access import public_endpoint

    @public_endpoint
    def own_headers():
        return "ok", 200, {"Cache-Control": "max-age=60", "x-frame-options": "SAMEORIGIN"}

    app.add_url_rule("/own-headers", "own_headers", own_headers)
    response = app.test_client().get("/own-headers")
    # No view may let data be cached: only public files (core.security.CACHEABLE_ENDPOINTS) may.
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Content-Security-Policy") != []
    assert len(response.headers.getlist("X-Content-Type-Options")) == 1


class _Stale:
    """An organisation left in ``g`` by an earlier request, whose session is gone."""

    @property
    def name(self):
        raise RuntimeError("stale organisation of an earlier request")


def test_a_request_refused_before_any_view_does_not_see_the_previous_requests_state(
    app, client, make
):
    from flask import g

    user = make.user(make.org(), "facilitator")
    login(client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    g.org = _Stale()  # tests keep one app context, so g outlives a request
    refused = client.post("/admin/locations", data={"name": "x"})
    assert refused.status_code == 400
    assert "Traceback" not in refused.get_data(as_text=True)


def test_production_adds_strict_transport_security(app_config):
    app = create_app({**app_config, "ENV_NAME": "production", "SESSION_COOKIE_SECURE": True})
    response = app.test_client().get("/static/css/app.css")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


# Error pages -----------------------------------------------------------------------------------


@pytest.fixture
def error_client(app, make):
    """A client on an app with two test-only routes, for the errors nothing real can cause."""

    def too_many():
        abort(429)

    def boom():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/_test/429", "test_429", too_many)
    app.add_url_rule("/_test/500", "test_500", boom)
    return app.test_client()


def _trigger(code: int, client, app, make, lang: str = "en"):
    if code == 400:
        app.config["WTF_CSRF_ENABLED"] = True
        return lambda headers: client.post("/login", data={"email": "a@b.nl"}, headers=headers)
    if code == 403:
        # A logged-in user sees their saved language, whatever the browser says.
        login(client, make.user(make.org(), "policymaker", language=lang))
        return lambda headers: client.get("/admin/members", headers=headers)
    if code == 404:
        return lambda headers: client.get("/no-such-page", headers=headers)
    if code == 405:
        return lambda headers: client.get("/logout", headers=headers)
    if code == 413:
        big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
        return lambda headers: client.post("/login", data={"email": big}, headers=headers)
    return lambda headers: client.get(f"/_test/{code}", headers=headers)


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_error_pages_in_the_users_language_without_traceback(error_client, app, make, code, lang):
    request = _trigger(code, error_client, app, make, lang)
    response = request({"Accept-Language": f"{lang},en;q=0.1"})
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="ltr">' in page
    with app.test_request_context(), force_locale(lang):
        title, text = (str(part) for part in ERROR_TEXTS[code])
    assert f"<h1>{html.escape(title)}</h1>" in page
    assert html.escape(text) in page
    for leak in ("Traceback", "RuntimeError", "secret internal detail", 'File "'):
        assert leak not in page


# CSRF and roles --------------------------------------------------------------------------------


def test_login_form_refuses_a_post_without_csrf_token(app, client, make, db):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make.user(make.org())
    refused = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert refused.status_code == 400
    assert db.session.execute(select(func.count(AuthSession.id))).scalar_one() == 0
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
        r'name="csrf_token" value="([^"]+)"', form)
    accepted = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD,
                                           "csrf_token": token.group(1)})
    assert accepted.status_code == 302
    assert client.get("/").status_code == 200


def test_policymaker_cannot_change_anything(client, make, db):
    org = make.org()
    colleague = make.user(org, "facilitator")
    membership_id = colleague.memberships[0].id
    login(client, make.user(org, "policymaker"))
    assert client.get("/admin/locations").status_code == 200
    attempts = [
        ("/admin/locations", {"name": "Nieuwe locatie", "kind": "azc"}),
        ("/admin/members/invite", {"email": "x@example.org", "role": "admin"}),
        (f"/admin/members/{membership_id}/role", {"role": "admin"}),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert db.session.execute(select(func.count(Location.id))).scalar_one() == 0
    assert db.session.get(Membership, membership_id).role == "facilitator"


def test_admin_invites_a_colleague_and_a_bad_address_is_refused(client, make, db):
    org = make.org()
    login(client, make.user(org, "admin"))
    page = client.post("/admin/members/invite", data={"email": "nieuw@example.org",
                                                      "role": "facilitator"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "nieuw@example.org" in html
    assert "/invite/" not in html  # the link goes by mail to the invited address only
    from klankbord.core.mail import outbox_dir

    (mail,) = outbox_dir().glob("*.eml")
    assert "/invite/" in mail.read_text() and "nieuw@example.org" in mail.read_text()
    bad = client.post("/admin/members/invite", data={"email": "geen adres", "role": "facilitator"})
    assert bad.status_code == 302


# Production configuration -----------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "too-short", "dev-only-insecure-secret-key-change-me"])
def test_production_refuses_to_start_without_a_real_secret_key(app_config, monkeypatch, key):
    monkeypatch.delenv("KLANKBORD_SECRET_KEY", raising=False)
    config = {**app_config, "ENV_NAME": "production"}
    if key is None:
        config.pop("SECRET_KEY")
    else:
        config["SECRET_KEY"] = key
    with pytest.raises(ConfigError, match="KLANKBORD_SECRET_KEY must be set to a random value"):
        create_app(config)


def test_production_starts_with_a_real_secret_key(app_config):
    app = create_app({**app_config, "ENV_NAME": "production", "SECRET_KEY": "k" * 8 + "x" * 56})
    assert app.config["ENV_NAME"] == "production"
