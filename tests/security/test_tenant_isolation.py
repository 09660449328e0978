"""Tenant isolation matrix: no organisation reaches another organisation's objects.

Generated from the route inventory: every protected route that takes a URL argument is opened,
with every method, by every role of organisation B, with ids of objects that belong to
organisation A (made by the factories in ``tests/security/factories/``). A role that the route
lets in must get 404, exactly as for an id that does not exist; a role that the route refuses gets
the same 403 for a foreign id as for a missing one, so nothing tells a foreign object from a missing
one. The owner's own request proves each factory made a real object (it is not 404).
"""

from __future__ import annotations

import pytest
from tests.conftest import login
from tests.security.factories import FactoryContext, find_factory, load_all, missing_message
from tests.security.inventory import ROLES, dummy_value, inventory

load_all()


@pytest.fixture
def app(fast_app):
    """One app for the whole module, wiped between tests (see conftest.py)."""
    return fast_app


ROUTES = [r for r in inventory() if not r.public and r.arguments]


def test_matrix_is_not_empty():
    assert {"staff.location_detail", "staff.change_role"} <= {r.endpoint for r in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_other_organisations_get_404(route, app, make):
    missing = [name for name, _ in route.arguments if find_factory(route.endpoint, name) is None]
    if missing:
        pytest.fail(" ".join(missing_message(route.endpoint, name) for name in missing))
    owner_org = make.org("Gemeente Eigenaar")
    other_org = make.org("Gemeente Buurman")
    ctx = FactoryContext(owner_org, make, route.endpoint)
    foreign = {name: ctx.value(name) for name, _conv in route.arguments}
    make.db.session.commit()
    nowhere = {name: dummy_value(conv) for name, conv in route.arguments}

    for role in ROLES:
        client = app.test_client()
        login(client, make.user(other_org, role))
        for method in route.methods:
            response = client.open(route.url(foreign), method=method)
            if route.role_may(role, method):
                assert response.status_code == 404, (
                    f"{role} of another organisation got {response.status_code} for {method} "
                    f"{route.url(foreign)}; load the object with get_scoped_or_404()"
                )
            else:
                control = client.open(route.url(nowhere), method=method)
                assert response.status_code == control.status_code, (
                    f"{method} {route.rule}: a foreign id answers {response.status_code}, "
                    f"a missing id {control.status_code}"
                )
                assert response.status_code in (403, 404)

    # The same URL works for the organisation that owns the objects.
    owner_role = next(r for r in ROLES if all(route.role_may(r, m) for m in route.methods))
    client = app.test_client()
    login(client, make.user(owner_org, owner_role))
    method = "GET" if "GET" in route.methods else route.methods[0]
    response = client.open(route.url(foreign), method=method)
    assert response.status_code != 404 and response.status_code < 500, (
        f"{owner_role} of the owning organisation got {response.status_code} for {method} "
        f"{route.url(foreign)}: the factory does not make a reachable object"
    )
