"""Two app processes with the same settings ("nodes" behind a proxy) serve one person in turns.

Nothing a request needs from an earlier request may live in one process: a login, a CSRF token
or a phone's meeting session made by node 1 must hold on node 2 (docs/deploy.md; ``make
scale-test`` shows the same with real processes behind nginx). A per-process secret or an
in-memory session store would fail here.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.conftest import TEST_PASSWORD, _wipe, is_postgres

from klankbord import create_app
from klankbord.extensions import db as _db


@pytest.fixture
def nodes(app_config, tmp_path):
    config = {**app_config, "WTF_CSRF_ENABLED": True}
    if not is_postgres():  # an in-memory SQLite database would be private to each app
        config["DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    node1, node2 = create_app(config), create_app(config)
    with node1.app_context():
        _db.create_all()
    yield node1, node2
    with node2.app_context():
        _db.engine.dispose()
    with node1.app_context():
        if is_postgres():
            _wipe(_db)
        else:
            _db.drop_all()
        _db.session.remove()
        _db.engine.dispose()


def _cookie(response, old: str = "") -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("klankbord_session="):
            return header.split(";", 1)[0]
    return old


def _csrf(response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match[1]


def test_login_and_csrf_from_node1_hold_on_node2(nodes):
    from klankbord.accounts import services

    node1, node2 = nodes
    with node1.app_context():
        org = services.create_organisation("Gemeente Twee Knopen", "twee-knopen")
        user = services.create_user("facilitator@knopen.example", "Fa", TEST_PASSWORD)
        services.set_membership(user, org, "facilitator")
        _db.session.commit()
        _db.session.remove()
    one, two = node1.test_client(use_cookies=False), node2.test_client(use_cookies=False)

    page = one.get("/login")
    cookie, token = _cookie(page), _csrf(page)
    form = {"email": "facilitator@knopen.example", "password": TEST_PASSWORD}
    forged = two.post("/login", data={**form, "csrf_token": token[:-4] + "AAAA"},
                      headers={"Cookie": cookie})
    assert forged.status_code == 400
    answer = two.post("/login", data={**form, "csrf_token": token}, headers={"Cookie": cookie})
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"]
    cookie = _cookie(answer, cookie)
    for client in (one, two):
        assert client.get("/meetings/", headers={"Cookie": cookie}).status_code == 200
    assert one.get("/meetings/").status_code == 302  # without the session: to the login


def test_a_phone_joins_on_node1_and_sends_its_idea_to_node2(nodes):
    from klankbord.accounts import services as accounts
    from klankbord.core.time import utcnow
    from klankbord.meetings import services as meetings
    from klankbord.meetings.models import MeetingIdea

    node1, node2 = nodes
    with node1.app_context():
        org = accounts.create_organisation("Gemeente Knopen", "knopen")
        group = meetings.create_group(org.id, "Klankbordgroep", "", ["ar"], [])
        meeting = meetings.create_meeting(group, "Avond", utcnow() - timedelta(minutes=5))
        meetings.add_agenda_item(meeting, "Koken", None, {"nl": "Wat is nodig?"})
        meetings.start_meeting(meeting)
        _db.session.commit()
        code, meeting_id = meeting.join_code, meeting.id
        _db.session.remove()
    room = f"/m/{code}/ar"
    page = node1.test_client(use_cookies=False).get(room)
    assert page.status_code == 200
    cookie, token = _cookie(page), _csrf(page)
    sent = node2.test_client(use_cookies=False).post(
        f"{room}/idea", data={"csrf_token": token, "text": "samen koken op vrijdag"},
        headers={"Cookie": cookie},
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#main")
    with node1.app_context():
        texts = _db.session.execute(
            select(MeetingIdea.text).where(MeetingIdea.meeting_id == meeting_id)
        ).scalars().all()
        _db.session.remove()
    assert texts == ["samen koken op vrijdag"]
