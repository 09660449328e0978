"""``Cache-Control: no-store`` on every response that carries data, HTML or not (issue 14).

The walk covers every GET route of the route inventory with real objects of the visitor's own
organisation (the security factories), as an admin and anonymously, plus the POST that exports a
member. Only the endpoints in ``core.security.CACHEABLE_ENDPOINTS`` (style, script, survey
recordings) may be kept by a browser or proxy.
"""

from __future__ import annotations

import pytest
from tests.conftest import login
from tests.security.factories import FactoryContext, find_factory, load_all
from tests.security.inventory import dummy_value, inventory

from klankbord.core.security import CACHEABLE_ENDPOINTS

#: Public files a browser may keep; anything added to CACHEABLE_ENDPOINTS must be argued here.
MAY_BE_CACHED = frozenset({"static", "respond.audio", "respond.service_worker"})

load_all()


@pytest.fixture
def app(fast_app):
    return fast_app


ROUTES = inventory()


def _own_values(route, org, make) -> dict:
    ctx = FactoryContext(org, make, route.endpoint)
    values = {}
    for name, kind in route.arguments:
        values[name] = ctx.value(name) if find_factory(route.endpoint, name) else dummy_value(kind)
    make.db.session.commit()
    return values


def test_every_data_response_is_no_store(app, db, make):
    org = make.org()
    admin = make.user(org, "admin")
    staff = app.test_client()
    login(staff, admin)
    anonymous = app.test_client()
    non_html = {}
    for route in ROUTES:
        if "GET" not in route.methods or route.endpoint in MAY_BE_CACHED:
            continue
        url = route.url(_own_values(route, org, make))
        for client in (staff, anonymous):
            response = client.get(url)
            assert response.headers.get("Cache-Control") == "no-store", (
                f"GET {url} -> {response.status_code} {response.mimetype} "
                f"Cache-Control={response.headers.get('Cache-Control')!r}"
            )
            if response.status_code == 200 and response.mimetype != "text/html":
                non_html[route.endpoint] = response.mimetype
    # The walk really reached the exports the issue names (so the assertion above saw them).
    assert {
        "reports.export_csv",
        "reports.export_pdf",
        "meetings.summary_markdown",
        "meetings.summary_pdf",
        "meetings.live_state",
        "meetings_public.state",
    } <= set(non_html), non_html


def test_member_export_is_no_store(app, db, make):

    org = make.org()
    route = next(r for r in ROUTES if r.endpoint == "meetings.export_member")
    values = _own_values(route, org, make)
    client = app.test_client()
    login(client, make.user(org, "admin"))
    response = client.post(route.url(values))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("endpoint", sorted(CACHEABLE_ENDPOINTS))
def test_cacheable_endpoints_are_public_files(endpoint):
    """What may be cached is open to everyone and serves files, not data."""
    assert endpoint in MAY_BE_CACHED
    route = next(r for r in ROUTES if r.endpoint == endpoint)
    assert route.public and route.methods == ("GET",)
