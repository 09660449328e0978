"""Every registered route obeys the access rule declared beside its view.

- Public (``@public_endpoint``): opens without a login and shows no personal data.
- Everything else needs a login: an anonymous request is sent to /login or refused, never served.
- Roles: ``require_role`` denies other roles with 403; policymakers cannot change anything
  (every state-changing staff route answers them 403 unless it is a ``@member_action``).
- CSRF: every state-changing route refuses a request without a valid token with 400 and stores
  nothing, also routes exempt from Flask-WTF that check a token of their own (respondent forms).

A new route is protected by default; if it is really open, or lets policymakers write, this test
fails until the view carries the matching mark from ``klankbord.core.access``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from tests.conftest import login
from tests.security.factories import FactoryContext, find_factory, load_all, missing_message
from tests.security.inventory import ROLES, Route, dummy_value, inventory

load_all()


@pytest.fixture
def app(fast_app):
    """One app for the whole module, wiped between tests (see conftest.py)."""
    return fast_app


ROUTES = inventory()
PUBLIC = [r for r in ROUTES if r.public]
PROTECTED = [r for r in ROUTES if not r.public]
WRITING = [r for r in ROUTES if r.writes]


def _ids(routes):
    return [r.id for r in routes]


def dummy_values(route: Route) -> dict:
    return {name: dummy_value(conv) for name, conv in route.arguments}


def own_values(route: Route, org, make, *, required: bool = False) -> dict:
    """Real objects of ``org`` for the URL where a factory exists, dummies otherwise."""
    ctx = FactoryContext(org, make, route.endpoint)
    values = {}
    for name, conv in route.arguments:
        if find_factory(route.endpoint, name) is not None:
            values[name] = ctx.value(name)
        elif required:
            pytest.fail(missing_message(route.endpoint, name))
        else:
            values[name] = dummy_value(conv)
    make.db.session.commit()
    return values


def call(client, method: str, url: str, **kwargs):
    return client.open(url, method=method, **kwargs)


def redirects_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def row_counts(db) -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def test_inventory_sees_the_known_routes():
    endpoints = {r.endpoint for r in ROUTES}
    assert {"accounts.login", "staff.dashboard", "staff.change_role", "health.healthz"} <= endpoints
    assert {"accounts.login", "health.healthz", "static"} <= {r.endpoint for r in PUBLIC}
    assert "staff.members" in {r.endpoint for r in PROTECTED}
    assert {r.endpoint for r in PROTECTED if r.roles == frozenset({"admin"})} >= {
        "staff.members", "staff.change_role", "staff.invite_member", "staff.audit_log"}


@pytest.mark.parametrize("route", PROTECTED, ids=_ids(PROTECTED))
def test_protected_route_needs_a_login(route, client, db):
    for method in route.methods:
        response = call(client, method, route.url(dummy_values(route)))
        assert redirects_to_login(response) or response.status_code in (401, 403, 404), (
            f"{method} {route.rule} answered {response.status_code} to an anonymous visitor. "
            "Put the view on a staff_blueprint (login required), or, if it is really meant to be "
            "open, mark it with @public_endpoint from klankbord.core.access."
        )


@pytest.mark.parametrize("route", PUBLIC, ids=_ids(PUBLIC))
def test_public_route_opens_without_login_and_shows_no_personal_data(route, client, make):
    org = make.org("Gemeente Geheimstad")
    make.user(org, "facilitator", email="planted.person@example.org", name="Plantina Persoon")
    values = own_values(route, org, make)
    for method in route.methods:
        response = call(client, method, route.url(values))
        assert response.status_code < 500
        assert not redirects_to_login(response) or route.endpoint == "accounts.logout", (
            f"{method} {route.rule} is marked public but sends visitors to the login page"
        )
        body = response.get_data(as_text=True)
        for secret in ("planted.person@example.org", "Plantina Persoon"):
            assert secret not in body, f"{route.rule} shows personal data ({secret})"


@pytest.mark.parametrize("route", PROTECTED, ids=_ids(PROTECTED))
def test_roles_are_enforced(route, app, make):
    org = make.org()
    values = own_values(route, org, make)
    # Policymaker first: a write by an allowed role must not change what later roles see.
    for role in reversed(ROLES):
        user = make.user(org, role)
        client = app.test_client()
        login(client, user)
        for method in route.methods:
            response = call(client, method, route.url(values))
            if not route.role_may(role, method):
                assert response.status_code == 403, (
                    f"{role} got {response.status_code} for {method} {route.rule}; expected 403. "
                    "Guard the view with @require_role(...) (policymakers only read), or mark it "
                    "@member_action if every member may really do this."
                )
            else:
                assert response.status_code < 500
                if method == "GET":
                    assert response.status_code != 403, f"{role} may open {route.rule} but got 403"


@pytest.mark.parametrize("route", WRITING, ids=_ids(WRITING))
def test_state_change_without_csrf_token_is_refused(route, app, db, make):
    org = make.org()
    # A real object, so a 404 for a missing one cannot pass for a refusal.
    values = own_values(route, org, make, required=True)
    admin = make.user(org, "admin")
    anonymous = app.test_client()
    logged_in = app.test_client()
    login(logged_in, admin)
    app.config["WTF_CSRF_ENABLED"] = True
    before = row_counts(db)
    for client in (anonymous, logged_in):
        for method in route.writes:
            for data in ({}, {"csrf_token": "forged-token"}):
                response = call(client, method, route.url(values), data=data)
                assert response.status_code == 400, (
                    f"{method} {route.rule} without a valid CSRF token answered "
                    f"{response.status_code}, expected 400"
                )
                assert "Traceback" not in response.get_data(as_text=True)
    db.session.rollback()
    assert row_counts(db) == before
