"""With CSRF protection switched on (as in production): the survey has its own long-lived token."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from klankbord.surveys.models import Deployment, Response


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_respondent_flow_works_without_the_session_csrf_token(db, proef, respondent):
    person = respondent(proef, "nl")
    person.start()
    assert person.step().status_code == 200
    person.step([("a.kitchen", "none")])
    for _ in range(6):
        if person.page() == "check":
            break
        person.step()
    assert person.submit().status_code == 303
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 1


def test_staff_posts_still_need_the_csrf_token(client, db, make, versions, login_as):
    org = make.org()
    location = make.location(org)
    user = make.user(org, "facilitator")
    # Log in through the form with its token.
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    from tests.conftest import TEST_PASSWORD

    client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert client.get("/surveys/deploy?survey=koken").status_code == 200  # logged in as an editor
    response = client.post(
        "/surveys/deploy?survey=koken",
        data={
            "version": versions["koken"].id,
            "locations": [location.id],
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-02-01T17:00",
        },
    )
    assert response.status_code == 400
    assert db.session.execute(select(func.count(Deployment.id))).scalar_one() == 0
