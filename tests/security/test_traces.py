"""No trace finer than a day (issue 13, item 3): logs of resident requests.

A log line of a resident's request holds the day, the method, the route pattern and the status:
no time of day, no survey or meeting code, no language, no size (it differs per language), no
address or query. Staff routes keep their times. Checked through the real werkzeug development
server and a real gunicorn with ``klankbord.gunicorn_conf``.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from datetime import datetime
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pytest
from tests.conftest import Factory
from tests.security.helpers import PROEF, live_meeting, open_survey, signed_state

from klankbord.extensions import db as _db

REPO = Path(__file__).resolve().parents[2]
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")


def _resident_requests(survey_code: str, meeting_code: str, fields) -> list[tuple[str, str, str]]:
    return [
        ("POST", f"/s/{survey_code}/ti/submit", urlencode(fields)),
        ("GET", f"/s/{survey_code}/ti?slip=SLIPCODE9", ""),
        ("GET", f"/s/{survey_code}/audio/ti/kitchen.mp3", ""),
        ("GET", f"/m/{meeting_code}/ar", ""),
        ("POST", f"/m/{meeting_code}/ar/poll/12345", "option=0"),
        ("GET", "/s/does/not/exist/ti", ""),
    ]


def _assert_no_trace(line: str, codes: tuple[str, ...]) -> None:
    assert not TIME_OF_DAY.search(line), line
    for needle in (*codes, "/ti", "/ar", "SLIPCODE9", "slip=", "127.0.0.1", "kitchen"):
        assert needle not in line, (needle, line)


def test_dev_server_logs_resident_requests_with_the_day_and_route_only(app, db, make, caplog):
    from werkzeug.serving import make_server

    survey = open_survey(app, db, make)
    meeting = live_meeting(db, make)
    fields = [*signed_state(app, survey.code).items(), ("a.kitchen", "own")]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    caplog.set_level(logging.INFO, logger="werkzeug")
    try:
        for method, path, body in [
            *_resident_requests(survey.code, meeting.join_code, fields),
            ("GET", "/login", ""),
        ]:
            conn = HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request(method, path, body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert conn.getresponse().status < 500, path
            conn.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    records = [r for r in caplog.records if r.name == "werkzeug" and '"' in r.getMessage()]
    resident = [r for r in records if "/login" not in r.getMessage()]
    staff = [r for r in records if "/login" in r.getMessage()]
    assert len(resident) == 6 and len(staff) == 1, [r.getMessage() for r in records]
    today = datetime.now().strftime("%d/%b/%Y")
    for record in resident:
        line = record.getMessage()
        _assert_no_trace(line, (survey.code, meeting.join_code))
        assert line.startswith(f"- - - [{today}] "), line
        assert line.rstrip().endswith(" -"), line  # no response size
        created = datetime.fromtimestamp(record.created)
        assert (created.hour, created.minute, created.second, record.msecs) == (0, 0, 0, 0)
    lines = " ".join(r.getMessage() for r in resident)
    assert re.search(r'- - - \[[^]]+\] "POST /s/<code>/<lang>/submit HTTP/1.1" 30\d -', lines)
    assert "/s/<code>/audio/<path:filename>" in lines
    assert "/m/<code>/<lang>/poll/<int:poll_id>" in lines
    assert '"GET /s/… HTTP/1.1" 404' in lines  # no route: the prefix only
    assert TIME_OF_DAY.search(staff[0].getMessage()) and "127.0.0.1" in staff[0].getMessage()


@pytest.mark.slow
def test_gunicorn_logs_resident_requests_with_the_day_and_route_only(app, db, make, tmp_path):
    from tests.security.test_faults import _wait_for_port, free_port

    from klankbord import create_app

    database = tmp_path / "traces.sqlite"
    file_app = create_app({**{k: app.config[k] for k in ("TESTING", "SECRET_KEY")},
                           "DATABASE_URL": f"sqlite:///{database}",
                           "INSTANCE_PATH": str(tmp_path / "instance")})
    with file_app.app_context():
        _db.create_all()
        factory = Factory(_db)
        survey_code = open_survey(file_app, _db, factory).code
        meeting_code = live_meeting(_db, factory).join_code
        fields = [*signed_state(file_app, survey_code).items(), ("a.kitchen", "own")]
        _db.session.remove()
        _db.engine.dispose()
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {**os.environ, "KLANKBORD_DATABASE_URL": f"sqlite:///{database}",
           "KLANKBORD_SECRET_KEY": app.config["SECRET_KEY"],
           "KLANKBORD_INSTANCE": str(tmp_path / "instance"),
           "KLANKBORD_SURVEYS_DIR": str(PROEF.parent),
           "KLANKBORD_ACCESS_LOG": str(access_log), "KLANKBORD_RATELIMIT_ENABLED": "false",
           "KLANKBORD_WTF_CSRF_ENABLED": "false"}
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:klankbord.gunicorn_conf", "-w", "1",
         "-b", f"127.0.0.1:{port}", "klankbord:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
    )
    try:
        _wait_for_port(port, gunicorn)
        for method, path, body in [
            *_resident_requests(survey_code, meeting_code, fields),
            ("GET", "/login", ""),
        ]:
            conn = HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(method, path, body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert conn.getresponse().status < 500, path
            conn.close()
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    lines = access_log.read_text().splitlines()
    resident = [line for line in lines if "/login" not in line]
    staff = [line for line in lines if "/login" in line]
    assert len(resident) == 6 and len(staff) == 1, lines
    for line in resident:
        _assert_no_trace(line, (survey_code, meeting_code))
        assert re.match(r'^- \[\d{2}/\w{3}/\d{4}\] "', line), line
    text = "\n".join(resident)
    assert re.search(r'"POST /s/<code>/<lang>/submit HTTP/1.1" 30\d - -ms', text)
    assert "/m/<code>/<lang>/poll/<int:poll_id>" in text
    assert TIME_OF_DAY.search(staff[0])


def test_slip_codes_are_stored_as_a_keyed_hash_and_only_marked_used(app, db, make):
    """A copy of the database without the secret key cannot try the 31^8 codes; no day of use."""
    import hashlib

    from sqlalchemy import inspect, select

    from klankbord.surveys import services
    from klankbord.surveys.models import ParticipationSlip

    deployment = open_survey(app, db, make)
    codes = services.create_slips(deployment, 3)
    db.session.commit()
    stored = set(db.session.execute(select(ParticipationSlip.code_hash)).scalars())
    for code in codes:
        plain = hashlib.sha256(f"slip:{deployment.id}:{code}".encode()).hexdigest()
        assert plain not in stored and services.find_slip(deployment, code) is not None
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = secret + "-another-installation"
    try:
        assert services.find_slip(deployment, codes[0]) is None  # the hash needs the key
    finally:
        app.config["SECRET_KEY"] = secret
    columns = {c.name: c for c in inspect(ParticipationSlip).columns}
    assert "used_on" not in columns and str(columns["used"].type) == "BOOLEAN"


def test_one_phone_in_two_polls_leaves_no_key_that_joins_its_votes(app, db, make):
    """Over HTTP, as a phone: two polls, a +1 and an idea. Stored: days only, and a key per poll
    (and per idea), so the phone's answers in the two polls cannot be joined."""
    from datetime import date

    from sqlalchemy import DateTime, inspect, select

    from klankbord.meetings import services
    from klankbord.meetings.models import (
        MeetingIdea,
        MeetingIdeaSupport,
        MeetingPoll,
        MeetingPollAnswer,
    )

    meeting = live_meeting(db, make)
    room = f"/m/{meeting.join_code}/ti"
    idea = services.submit_idea(meeting, "Een keuken per gang", "nl")
    services.moderate_idea(idea, "approved")
    first = services.create_poll(meeting, {"nl": "Een?"}, [{"nl": "Ja"}, {"nl": "Nee"}])
    second = services.create_poll(meeting, {"nl": "Twee?"}, [{"nl": "Ja"}, {"nl": "Nee"}])
    db.session.commit()
    phone, other = app.test_client(), app.test_client()
    for poll in (first, second):
        services.open_poll(db.session.get(MeetingPoll, poll.id))
        db.session.commit()
        for client in (phone, other):
            assert client.post(f"{room}/poll/{poll.id}", data={"option": "1"}).status_code == 302
    assert phone.post(f"{room}/support/{idea.id}").status_code == 302
    assert phone.post(f"{room}/idea", data={"text": "Meer licht"}).status_code == 302
    # The phone still sees its own +1 and cannot vote twice: "once per phone" still holds.
    supported = '<span class="ok">'
    assert supported in phone.get(room).get_data(as_text=True)
    assert supported not in other.get(room).get_data(as_text=True)
    assert phone.post(f"{room}/poll/{second.id}", data={"option": "0"}).status_code == 302
    assert services.poll_results(second) == [0, 2]

    answers = db.session.execute(select(MeetingPollAnswer)).scalars().all()
    keys = [a.participant_key for a in answers]
    assert len(answers) == 4 and len(set(keys)) == 4  # no key repeats across the two polls
    supports = db.session.execute(select(MeetingIdeaSupport.participant_key)).scalars().all()
    assert set(supports).isdisjoint(keys)
    for model in (MeetingIdea, MeetingPollAnswer, MeetingIdeaSupport):
        timed = [c.name for c in inspect(model).columns if isinstance(c.type, DateTime)]
        assert timed == [], (model.__tablename__, timed)
    days = db.session.execute(select(MeetingIdea.created_on)).scalars().all()
    assert days and all(type(day) is date for day in days)


def test_nothing_residents_create_or_what_is_derived_from_it_has_a_time_column(app):
    """Days only: a DateTime column on these tables would store when a resident answered."""
    from sqlalchemy import DateTime, inspect

    from klankbord.embeddings.models import TextEmbedding
    from klankbord.meetings.models import MeetingIdea, MeetingIdeaSupport, MeetingPollAnswer
    from klankbord.surveys.models import Answer, ParticipationSlip, Response

    for model in (Response, Answer, MeetingIdea, MeetingIdeaSupport, MeetingPollAnswer,
                  TextEmbedding):
        timed = [c.name for c in inspect(model).columns if isinstance(c.type, DateTime)]
        assert timed == [], (model.__tablename__, timed)
    assert "used_on" not in inspect(ParticipationSlip).columns
