"""Faults: the database gone, SQLite busy, workers and the scheduler killed. Nothing half-stored.

* The database does not answer during a submission (SQLite file that cannot be opened; on
  PostgreSQL a port where nothing listens, and a backend connection terminated in the middle of
  the INSERTs): the resident gets a 503 "try again" page in their language that carries all their
  answers, nothing is stored, and pressing "Try again" afterwards stores the response once.
* SQLite busy: several threads write to one file database at once; every submission is stored.
* A gunicorn worker killed with SIGKILL while submissions stream in: every stored response has
  all of its answers (one transaction per response).
* The scheduler process killed during a job: its lease expires and the next run completes the job.

The shared PostgreSQL server is never stopped: outages are simulated per connection.
"""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pytest
import tests.conftest as root
from sqlalchemy import event, select
from tests.security.helpers import (
    PROEF,
    answers_per_response,
    counts,
    open_survey,
    signed_state,
    valid_answers,
)
from werkzeug.datastructures import MultiDict

from klankbord import create_app
from klankbord.core import respondent_errors
from klankbord.extensions import db as _db

ON_POSTGRES = root.is_postgres()
REPO = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-that-is-long-enough-for-tests-0123456789"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _retry_form(page: str) -> tuple[str, list[tuple[str, str]]]:
    action = re.search(r'<form method="post" action="([^"]*)">', page)
    assert action, "the 503 page has no Try again form"
    return html.unescape(action.group(1)), [
        (html.unescape(k), html.unescape(v)) for k, v in _HIDDEN.findall(page)
    ]


def _down_url(tmp_path) -> str:
    if ON_POSTGRES:
        return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?connect_timeout=2"
    return f"sqlite:///{tmp_path / 'missing-folder' / 'klankbord.sqlite'}"


@pytest.fixture
def survey(app, db, make):
    return open_survey(app, db, make)


def test_database_down_shows_try_again_in_the_language_with_the_answers(
    app, client, db, survey, tmp_path, caplog
):
    """The app cannot reach its database; then it can again, and the same form goes through."""
    down = create_app({
        **{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED",
                                      "RATELIMIT_ENABLED", "SERVER_NAME")},
        "DATABASE_URL": _down_url(tmp_path),
        "INSTANCE_PATH": str(tmp_path / "down-instance"),
        "SURVEYS_DIR": str(PROEF.parent),
    })
    story = "Het licht in de gang is kapot"
    fields = [*signed_state(app, survey.code).items(), *valid_answers(story)]
    before = counts(db)
    for lang in ("ar", "nl"):
        response = down.test_client().post(
            f"/s/{survey.code}/{lang}/submit", data=MultiDict(fields)
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 503
        assert response.headers["Retry-After"]
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
        assert respondent_errors.text("title_503", lang) in page
        assert respondent_errors.text("try_again", lang) in page
        assert "Traceback" not in page and "OperationalError" not in page
        action, carried = _retry_form(page)
        assert action == f"/s/{survey.code}/{lang}/submit"
        assert sorted(carried) == sorted(fields)  # every answer, the key and the token
    assert counts(db) == before
    # The log says what failed, not what the resident wrote.
    assert any("Database unavailable" in r.getMessage() for r in caplog.records)
    assert all(story not in r.getMessage() for r in caplog.records)
    # The database is back: the Try again button posts the carried fields.
    response = client.post(action, data=MultiDict(carried))
    assert response.status_code == 303
    assert counts(db) == (before[0] + 1, before[1] + 6)
    # Pressing it twice stores nothing more (idempotent submission key).
    assert client.post(action, data=MultiDict(carried)).status_code == 303
    assert counts(db) == (before[0] + 1, before[1] + 6)


def test_live_input_with_the_database_down_keeps_the_text(app, db, make, tmp_path):
    down = create_app({
        **{k: app.config[k] for k in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED",
                                      "RATELIMIT_ENABLED", "SERVER_NAME")},
        "DATABASE_URL": _down_url(tmp_path),
        "INSTANCE_PATH": str(tmp_path / "down-instance"),
    })
    response = down.test_client().post("/m/ABCD2345/ti/idea", data={"text": "ቤት ምግቢ ጽቡቕ"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="ti" dir="ltr">' in page
    assert respondent_errors.text("title_503", "ti") in page
    assert _retry_form(page)[1] == [("text", "ቤት ምግቢ ጽቡቕ")]
    # Polling phones get JSON, not a page.
    state = down.test_client().get("/m/ABCD2345/ti/state.json")
    assert state.status_code == 503 and state.get_json()["status"] == 503


@pytest.mark.skipif(not ON_POSTGRES, reason="terminates a PostgreSQL backend")
def test_postgres_connection_killed_between_the_inserts_stores_nothing_then_succeeds(
    app, client, db, survey
):
    import psycopg

    dsn = root._psycopg_dsn(root.TEST_DATABASE_URL)
    killed: list[int] = []

    def kill_before_answers(conn, cursor, statement, parameters, context, executemany):
        if killed or not statement.lstrip().upper().startswith("INSERT INTO SURVEY_ANSWER"):
            return
        pid = conn.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        killed.append(pid)

    fields = [*signed_state(app, survey.code).items(), *valid_answers()]
    before = counts(db)
    event.listen(db.engine, "before_cursor_execute", kill_before_answers)
    try:
        response = client.post(f"/s/{survey.code}/en/submit", data=MultiDict(fields))
    finally:
        event.remove(db.engine, "before_cursor_execute", kill_before_answers)
    assert killed, "the INSERT of the answers was never reached"
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert respondent_errors.text("title_503", "en") in page
    db.session.remove()
    assert counts(db) == before  # the response row went with its transaction
    action, carried = _retry_form(page)
    assert client.post(action, data=MultiDict(carried)).status_code == 303
    assert counts(db) == (before[0] + 1, before[1] + 6)


# SQLite with several writers -----------------------------------------------------------------

WRITERS = 8
EACH = 15


@pytest.fixture
def file_app(tmp_path):
    """An app on a SQLite file (the default deployment), whatever database the suite uses."""
    file_app = create_app({
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'busy.sqlite'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
    })
    with file_app.app_context():
        _db.create_all()
        yield file_app
        _db.session.remove()
        _db.engine.dispose()


def test_sqlite_busy_with_several_writers_loses_nothing(file_app, make_file_survey):
    code = make_file_survey
    outcomes: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        phone = file_app.test_client()
        barrier.wait(timeout=30)
        for i in range(EACH):
            fields = [*signed_state(file_app, code).items(), *valid_answers(f"idee {n}-{i}")]
            statuses = [phone.post(f"/s/{code}/nl/submit", data=MultiDict(fields)).status_code]
            if i % 5 == 0:  # a phone that sends the same form twice (slow network)
                statuses.append(
                    phone.post(f"/s/{code}/nl/submit", data=MultiDict(fields)).status_code
                )
            with lock:
                outcomes.extend(statuses)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(outcomes) == {303}, sorted(set(outcomes))
    _db.session.remove()
    assert counts(_db) == (WRITERS * EACH, WRITERS * EACH * 6)
    assert set(answers_per_response(_db)) == {6}


@pytest.fixture
def make_file_survey(file_app):
    from klankbord.accounts import services as accounts
    from klankbord.core import time as clock
    from klankbord.surveys import services
    from klankbord.surveys.definitions import load_definition

    file_app.config["SURVEYS_DIR"] = str(PROEF.parent)
    org = accounts.create_organisation("Gemeente Druk", "druk")
    location = accounts.add_location(org, "AZC Druk", "azc")
    (result,) = services.store_versions([load_definition(PROEF)])
    now = clock.utcnow().replace(microsecond=0)
    deployment = services.create_deployment(
        org, result.version, [location], now - timedelta(hours=1), now + timedelta(days=7)
    )
    _db.session.commit()
    return deployment.code


# Killed processes ----------------------------------------------------------------------------


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + process.stderr.read().decode()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("gunicorn did not start")


def _workers(master_pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master_pid:
            found.append(int(entry.name))
    return found


KILLS = 6


@pytest.mark.slow
def test_gunicorn_workers_killed_during_submissions_leave_no_partial_response(
    file_app, make_file_survey, tmp_path
):
    code = make_file_survey
    port = free_port()
    env = {
        **os.environ,
        "KLANKBORD_DATABASE_URL": file_app.config["SQLALCHEMY_DATABASE_URI"],
        "KLANKBORD_SECRET_KEY": SECRET,
        "KLANKBORD_INSTANCE": str(tmp_path / "instance"),
        "KLANKBORD_SURVEYS_DIR": str(PROEF.parent),
        "KLANKBORD_RATELIMIT_ENABLED": "false",
        "KLANKBORD_ACCESS_LOG": "",
    }
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:klankbord.gunicorn_conf", "-w", "2",
         "-b", f"127.0.0.1:{port}", "--preload", "klankbord:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
    )
    stop = threading.Event()
    ok = dropped = 0
    tally = threading.Lock()

    def phone() -> None:
        nonlocal ok, dropped
        while not stop.is_set():
            fields = [*signed_state(file_app, code).items(), *valid_answers("licht kapot")]
            body = urlencode(fields)
            try:
                conn = HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", f"/s/{code}/nl/submit", body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded"})
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = None
            with tally:
                if status == 303:
                    ok += 1
                else:
                    dropped += 1

    try:
        _wait_for_port(port, gunicorn)
        phones = [threading.Thread(target=phone) for _ in range(6)]
        for thread in phones:
            thread.start()
        kills = 0
        deadline = time.monotonic() + 60
        while kills < KILLS and time.monotonic() < deadline:
            # Let the (re)started workers serve a few submissions, then kill one mid-stream.
            served = ok
            while ok < served + 5 and time.monotonic() < deadline:
                time.sleep(0.02)
            for pid in _workers(gunicorn.pid)[:1]:
                os.kill(pid, signal.SIGKILL)
                kills += 1
        stop.set()
        for thread in phones:
            thread.join(timeout=30)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    assert kills == KILLS and ok >= KILLS * 5, (kills, ok, dropped)
    _db.session.remove()
    stored, _ = counts(_db)
    # Every response is whole; a request cut off by the kill was stored whole or not at all.
    assert set(answers_per_response(_db)) == {6}
    assert ok <= stored <= ok + dropped


SLOW_JOB = textwrap.dedent(
    """
    import sys, time
    from klankbord import create_app
    from klankbord.jobs import runner

    @runner.job("fault_slow", "waits until it is killed", lease_seconds=2)
    def slow(ctx):
        print("started", flush=True)
        time.sleep(120)
        return {"done": 1}

    app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": sys.argv[2],
                      "INSTANCE_PATH": sys.argv[3], "RATELIMIT_ENABLED": False})
    with app.app_context():
        runner.run_job("fault_slow", period_key="p1", trigger="manual")
    """
)


@pytest.mark.slow
def test_scheduler_killed_during_a_job_its_lease_expires_and_the_next_run_completes(
    file_app, tmp_path
):
    from klankbord.core import time as clock
    from klankbord.jobs import runner
    from klankbord.jobs.models import JobRun

    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_JOB, file_app.config["SQLALCHEMY_DATABASE_URI"], SECRET,
         str(tmp_path / "instance")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
    )
    try:
        assert process.stdout.readline().strip() == b"started", process.stderr.read()[-2000:]
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    done: list[int] = []

    @runner.job("fault_slow", "completes", lease_seconds=2)
    def quick(ctx):
        done.append(1)
        return {"done": 1}

    try:
        # The killed process still holds the lease: a run right now is skipped, not doubled.
        early = runner.run_job("fault_slow", period_key="p1", trigger="manual")
        assert early.outcome == "skipped" and not done
        clock.freeze(clock.utcnow() + timedelta(seconds=5))  # the lease expired
        later = runner.run_job("fault_slow", period_key="p1", trigger="manual")
        assert later.outcome == "ok" and done == [1]
        again = runner.run_job("fault_slow", period_key="p1", trigger="manual")
        assert again.outcome == "skipped" and done == [1]  # exactly once for the period
    finally:
        clock.freeze(None)
        runner.JOBS.pop("fault_slow", None)
    runs = _db.session.execute(select(JobRun).where(JobRun.job == "fault_slow")).scalars().all()
    assert any(run.outcome == "ok" for run in runs)
    assert not any(run.outcome == "running" for run in runs)
    assert any(run.outcome == "error" and "abandoned" in (run.error or "") for run in runs)
