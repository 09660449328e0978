"""What participants type cannot identify them on the projector, travel in a cookie, or carry
HTML into exports (issue 14, item 6)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select
from tests.conftest import login

from klankbord.meetings import services
from klankbord.meetings.models import MeetingIdea


def _room(live, lang="nl"):
    return f"/m/{live.meeting.join_code}/{lang}"


def _session_cookie(app, response) -> dict:
    """The decoded session cookie a response sets (empty when it sets none)."""
    name = app.config["SESSION_COOKIE_NAME"]
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            value = header.split(";", 1)[0].split("=", 1)[1]
            serializer = app.session_interface.get_signing_serializer(app)
            return dict(serializer.loads(value)) if value else {}
    return {}


@pytest.mark.parametrize(
    "alias, shown",
    [
        ("06-12345678", None),
        ("fatima@gmail.com", None),
        ("Fatima Ahmadi", "Fatima"),
        ("Mijn naam is Sara", None),
        ("Yonas", "Yonas"),
    ],
)
def test_alias_is_scrubbed_and_a_first_name_at_most(app, client, live, db, alias, shown):
    client.post(f"{_room(live)}/idea", data={"text": "Een gedeelde keuken", "alias": alias})
    idea = db.session.execute(select(MeetingIdea)).scalar_one()
    assert idea.alias == shown
    services.moderate_idea(idea, "approved")
    db.session.commit()
    staff = app.test_client()
    login(staff, live.facilitator)
    projector = staff.get(f"/meetings/{live.meeting.id}/projector").get_data(as_text=True)
    for secret in ("12345678", "gmail", "Ahmadi"):
        assert secret not in projector
    state = client.get(f"{_room(live)}/state.json").get_data(as_text=True)
    for secret in ("12345678", "gmail", "Ahmadi"):
        assert secret not in state


def test_a_refused_idea_comes_back_in_the_page_not_in_the_cookie(app, client, live, db):
    text = "Bel me op 0612345678 " + "ي" * 500  # too long: refused before scrubbing
    response = client.post(f"{_room(live, 'ar')}/idea", data={"text": text})
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)  # given back to edit, nothing lost
    cookie = _session_cookie(app, response)
    assert "0612345678" not in repr(cookie) and "idea_draft" not in cookie
    assert db.session.execute(select(MeetingIdea)).first() is None


def test_an_expired_form_gives_the_text_back_without_a_cookie(app, client, live, db):
    client.get(_room(live))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            f"{_room(live)}/idea", data={"text": "Bel me op 0612345678", "csrf_token": "oud"}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Bel me op 0612345678" in response.get_data(as_text=True)
    assert "0612345678" not in repr(_session_cookie(app, response))


def test_markdown_summary_escapes_participant_html(app, live, db):
    hostile = '<script>alert(1)</script> <img src=x onerror=alert(2)> [klik](javascript:x) # kop'
    services.submit_idea(live.meeting, hostile, "nl")
    idea = db.session.execute(select(MeetingIdea)).scalar_one()
    services.moderate_idea(idea, "approved")
    live.items[0].notes = "Staff note with <b>html</b> and **bold**"
    db.session.commit()
    staff = app.test_client()
    login(staff, live.facilitator)
    body = staff.get(f"/meetings/{live.meeting.id}/summary.md").get_data(as_text=True)
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in body
    assert "\\[klik\\]\\(javascript:x\\)" in body and "\\# kop" in body
    assert "**bold**" in body  # staff Markdown still works


class _Counter(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    _Counter.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_meeting_pdf_fetches_no_url(app, listener, tmp_path):
    pytest.importorskip("weasyprint")
    from klankbord.core import pdf as pdf_path

    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = (
        f'<html><head><link rel="stylesheet" href="{listener}/style.css">'
        f'<link rel="stylesheet" href="file://{secret}"></head>'
        f'<body><img src="{listener}/beacon.png"><p>Verslag</p></body></html>'
    )
    with app.test_request_context():
        pdf = pdf_path.render(html, app.static_folder)
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert _Counter.hits == []


def test_meeting_pdf_route_still_renders(app, live, db):
    pytest.importorskip("weasyprint")
    staff = app.test_client()
    login(staff, live.facilitator)
    response = staff.get(f"/meetings/{live.meeting.id}/summary.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
