"""Privacy: after residents answered with personal data in their text, from a known address and
browser, neither the database (every table, every column) nor the logs hold any of it.

Also: the development server's request log drops the client address on resident routes, the
gunicorn access-log format has no address, user agent or query string, and a member's data can be
exported and erased over HTTP, after which nothing of it is left in the database.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from datetime import date, datetime
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from tests.conftest import Factory, login
from tests.security.helpers import PROEF, counts, live_meeting, open_survey, signed_state
from werkzeug.datastructures import MultiDict

from klankbord.extensions import db as _db

REPO = Path(__file__).resolve().parents[2]

#: What a resident wrote: text that must be stored, with personal data that must not.
PLANTED = {
    "phone": ("Bel mij op 06-12345678 aub", ["06-12345678", "0612345678", "12345678"]),
    "email": ("Mail fatima.planted@example.org", ["fatima.planted@example.org", "fatima.planted"]),
    "bsn": ("Mijn bsn is 111222333", ["111222333"]),  # passes the 11-check
    "vnumber": ("V-nummer 1234567890 graag", ["1234567890"]),
    "iban": ("Rekening NL91ABNA0417164300", ["NL91ABNA0417164300", "0417164300"]),
}
ADDRESSES = ["203.0.113.77", "198.51.100.23", "2001:db8::77"]
AGENT = "PlantedAgent/9.9 (Klankbord privacy probe)"
HEADERS = {"X-Forwarded-For": f"{ADDRESSES[0]}, {ADDRESSES[2]}", "X-Real-IP": ADDRESSES[0],
           "User-Agent": AGENT, "Forwarded": f"for={ADDRESSES[0]}"}
ENVIRON = {"REMOTE_ADDR": ADDRESSES[1]}


def dump_database(db) -> str:
    """Every value of every column of every table, as text."""
    lines = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            lines.append(table.name + ": " + " | ".join(
                json.dumps(v, default=str, ensure_ascii=False) if isinstance(v, dict | list)
                else str(v) for v in row
            ))
    return "\n".join(lines)


def _forbidden() -> list[str]:
    return [*ADDRESSES, "PlantedAgent", *[s for _, raw in PLANTED.values() for s in raw]]


def _assert_clean(text: str, where: str) -> None:
    for needle in _forbidden():
        assert needle not in text, f"{needle!r} found in {where}"


def test_database_and_logs_hold_no_address_agent_or_planted_personal_data(
    app, client, db, make, caplog
):
    caplog.set_level(logging.DEBUG)
    survey = open_survey(app, db, make)
    meeting = live_meeting(db, make, org=survey.organisation)
    for n, (text, _) in enumerate(PLANTED.values()):
        lang = ("nl", "en", "ar")[n % 3]
        fields = [*signed_state(app, survey.code).items(), ("a.kitchen", "own"), ("a.story", text)]
        response = client.post(f"/s/{survey.code}/{lang}/submit", data=MultiDict(fields),
                               headers=HEADERS, environ_base=ENVIRON)
        assert response.status_code == 303
        assert client.get(response.headers["Location"], headers=HEADERS,
                          environ_base=ENVIRON).status_code == 200
        response = client.post(f"/m/{meeting.join_code}/nl/idea", data={"text": text},
                               headers=HEADERS, environ_base=ENVIRON)
        assert response.status_code == 302
    # Bad input and an unknown code are logged nowhere with the text either.
    client.post(f"/s/{survey.code}/nl/submit", data=MultiDict([
        *signed_state(app, survey.code).items(), ("a.kitchen", "own"),
        ("a.story", PLANTED["phone"][0] * 5)]), headers=HEADERS, environ_base=ENVIRON)
    client.get("/s/NOTACODE/nl", headers=HEADERS, environ_base=ENVIRON)
    # Staff log in and read from the same address and browser.
    staff = app.test_client()
    admin = make.user(survey.organisation, "admin")
    staff.environ_base.update(ENVIRON)
    staff.environ_base["HTTP_USER_AGENT"] = AGENT
    staff.environ_base["HTTP_X_FORWARDED_FOR"] = ADDRESSES[0]
    login(staff, admin)
    assert staff.get(f"/surveys/deployments/{survey.id}").status_code in (200, 404)
    staff.post("/login", data={"email": admin.email, "password": "wrong password here"})

    assert counts(db)[0] == len(PLANTED)
    dump = dump_database(db)
    assert "[telefoonnummer]" in dump and "[e-mail]" in dump and "[iban]" in dump  # scrubbed
    assert "Bel mij op" in dump and "Rekening" in dump  # ...and the rest of the text kept
    _assert_clean(dump, "the database")
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    _assert_clean(logs, "the logs")


def test_dev_server_log_drops_the_address_on_resident_routes_only(app, db, make, caplog):
    """Through the real werkzeug server: its request log goes through our filter."""
    from werkzeug.serving import make_server

    survey = open_survey(app, db, make)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    caplog.set_level(logging.INFO, logger="werkzeug")
    try:
        def get(path: str, method: str = "GET", body: str = "") -> int:
            conn = HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(method, path, body=body, headers={
                "User-Agent": AGENT, "Content-Type": "application/x-www-form-urlencoded"})
            status = conn.getresponse().status
            conn.close()
            return status

        fields = [*signed_state(app, survey.code).items(), ("a.kitchen", "own")]
        assert get(f"/s/{survey.code}/nl/submit", "POST", urlencode(fields)) == 303
        assert get(f"/s/{survey.code}/nl?slip=SLIPCODE9") in (200, 404)
        assert get("/m?code=ABCD") in (200, 404)
        assert get("/login") == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    resident = [line for line in lines if " /s/" in line or " /m" in line]
    staff = [line for line in lines if " /login" in line]
    assert len(resident) == 3 and staff, lines
    for line in resident:
        assert "127.0.0.1" not in line and "SLIPCODE9" not in line and "code=" not in line, line
        assert line.startswith("- - - [")
    assert all("127.0.0.1" in line for line in staff)  # the filter is selective, not broken


@pytest.mark.slow
def test_gunicorn_access_log_has_no_address_agent_or_query(app, db, make, tmp_path):
    from tests.security.test_faults import _wait_for_port, free_port

    from klankbord import create_app

    database = tmp_path / "privacy.sqlite"
    file_app = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY")},
                           "DATABASE_URL": f"sqlite:///{database}",
                           "INSTANCE_PATH": str(tmp_path / "instance")})
    with file_app.app_context():
        _db.create_all()
        code = open_survey(file_app, _db, Factory(_db)).code
        fields = [*signed_state(file_app, code).items(), ("a.kitchen", "own")]
        _db.session.remove()
        _db.engine.dispose()
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {**os.environ, "KLANKBORD_DATABASE_URL": f"sqlite:///{database}",
           "KLANKBORD_SECRET_KEY": app.config["SECRET_KEY"],
           "KLANKBORD_INSTANCE": str(tmp_path / "instance"),
           "KLANKBORD_SURVEYS_DIR": str(PROEF.parent),
           "KLANKBORD_ACCESS_LOG": str(access_log), "KLANKBORD_RATELIMIT_ENABLED": "false"}
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:klankbord.gunicorn_conf", "-w", "1",
         "-b", f"127.0.0.1:{port}", "klankbord:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
    )
    try:
        _wait_for_port(port, gunicorn)
        for method, path, body in (
            ("POST", f"/s/{code}/nl/submit", urlencode(fields)),
            ("GET", f"/s/{code}/nl?slip=SLIPCODE9", ""),
            ("GET", "/login?next=/secret-query", ""),
        ):
            conn = HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(method, path, body=body, headers={
                **HEADERS, "Content-Type": "application/x-www-form-urlencoded",
                "Referer": "http://referrer.example/private"})
            assert conn.getresponse().status < 500
            conn.close()
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    log = access_log.read_text()
    assert log.count("\n") == 3 and "/s/<code>/<lang>/submit" in log and code not in log
    for needle in ("127.0.0.1", *ADDRESSES, "PlantedAgent", "SLIPCODE9", "secret-query",
                   "referrer.example"):
        assert needle not in log, needle


def test_member_export_and_erase_end_to_end_leave_nothing_behind(app, client, db, make):
    from klankbord.meetings import services
    from klankbord.meetings.models import MeetingMember

    org = make.org()
    facilitator = make.user(org, "facilitator")
    group = services.create_group(org.id, "Groep", "", ["ar"], [facilitator.id])
    meeting = services.create_meeting(group, "Avond", datetime(2026, 3, 2, 18, 0))
    db.session.commit()
    login(client, facilitator)
    response = client.post(f"/meetings/groups/{group.id}/members/new", data={
        "alias": "Zeynep Planted", "languages": ["ar"], "consent_date": "2026-01-05",
        "consent_scope": "Deelname", "consent_given_by": "het lid zelf",
        "contact": "zeynep.planted@example.org", "contact_consent": "y"})
    assert response.status_code == 302
    member_id = db.session.execute(select(MeetingMember.id)).scalar_one()
    services.set_attendance(meeting, 5, [member_id])
    db.session.commit()
    export = client.post(f"/meetings/members/{member_id}/export")
    assert export.status_code == 200 and export.mimetype == "application/json"
    data = export.get_json()
    assert data["alias"] == "Zeynep Planted" and data["contact"] == "zeynep.planted@example.org"
    assert data["consent"]["date"] == date(2026, 1, 5).isoformat()
    assert data["meetings_attended"] == [{"title": "Avond", "date": "2026-03-02"}]
    # Without a CSRF token neither export nor erase works.
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/meetings/members/{member_id}/erase").status_code == 400
        assert client.post(f"/meetings/members/{member_id}/export").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert "zeynep.planted" in dump_database(db)
    assert client.post(f"/meetings/members/{member_id}/erase").status_code == 302
    db.session.expire_all()
    dump = dump_database(db)
    assert "zeynep.planted" not in dump and "Zeynep Planted" not in dump
    after = client.post(f"/meetings/members/{member_id}/export").get_json()
    assert after["contact"] is None and after["meetings_attended"] == []
