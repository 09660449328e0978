"""Shared parts of the load benchmarks (load.py, submit.py): databases, gunicorn, a load client.

Standard library only for the load itself (threads + http.client on loopback); the app is used
in-process only to seed the database, make form tokens and count what was stored.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
#: Server of the temporary PostgreSQL databases (one is created and dropped per run).
PG_SERVER = os.environ.get("KLANKBORD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_together(threads: list[threading.Thread]) -> float:
    """Start the client threads, wait for all of them, return the seconds they took."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def latency_summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p95_ms": round(percentile(values, 95) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1) if values else 0.0,
    }


@contextmanager
def temporary_database(kind: str, tmp: Path):
    """Yield a SQLAlchemy URL of an empty database: a SQLite file or a new PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'load.sqlite'}"
        return
    import psycopg

    name = f"klankbord_load_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url: str, secret: str, instance: Path):
    from klankbord import create_app

    return create_app({
        "DATABASE_URL": url,
        "SECRET_KEY": secret,
        "INSTANCE_PATH": str(instance),
        "RATELIMIT_ENABLED": False,
    })


@dataclass
class Seeded:
    survey_code: str
    deployment_id: int
    survey_id: str
    languages: tuple[str, ...]
    meeting_code: str | None
    meeting_id: int | None


def seed(app, survey_id: str = "koken", with_meeting: bool = True) -> Seeded:
    """Create the schema, an open deployment of a shipped survey and (optionally) a live meeting."""
    from klankbord.accounts import services as accounts
    from klankbord.core.time import utcnow
    from klankbord.extensions import db
    from klankbord.meetings import services as meetings
    from klankbord.surveys import services as surveys
    from klankbord.surveys.definitions import load_definition

    with app.app_context():
        db.create_all()
        slug = f"belasting-{secrets.token_hex(2)}"
        org = accounts.create_organisation("Gemeente Belasting", slug)
        location = accounts.add_location(org, "AZC Belasting", "azc")
        defn = load_definition(Path(app.config["SURVEYS_DIR"]) / f"{survey_id}.yaml")
        (result,) = surveys.store_versions([defn])
        now = utcnow().replace(microsecond=0)
        deployment = surveys.create_deployment(
            org, result.version, [location], now - timedelta(hours=1), now + timedelta(days=7)
        )
        meeting = None
        if with_meeting:
            group = meetings.create_group(org.id, "Klankbordgroep", "", ["ar", "ti", "fa"], [])
            meeting = meetings.create_meeting(group, "Drukke avond", now)
            meetings.add_agenda_item(meeting, "Koken", None, {"nl": "Wat is nodig?"})
            meetings.start_meeting(meeting)
        db.session.commit()
        seeded = Seeded(
            deployment.code, deployment.id, survey_id, defn.language_codes,
            meeting.join_code if meeting else None, meeting.id if meeting else None,
        )
        db.session.remove()
        db.engine.dispose()
    return seeded


class AnswerMaker:
    """Valid, varied answer sets for a survey definition, and the rows each one stores."""

    def __init__(self, app, survey_id: str):
        from klankbord.surveys.definitions import load_definition

        self.defn = load_definition(Path(app.config["SURVEYS_DIR"]) / f"{survey_id}.yaml")
        self._made: dict[int, tuple[list[tuple[str, str]], int]] = {}

    def make(self, n: int) -> tuple[list[tuple[str, str]], int]:
        """Answer set number ``n`` (97 variants, so the client spends its time sending)."""
        n %= 97
        if n not in self._made:
            self._made[n] = self._build(n)
        return self._made[n]

    def _build(self, n: int) -> tuple[list[tuple[str, str]], int]:
        from klankbord.surveys import answering
        from klankbord.surveys.definitions import visible_questions

        answers: dict = {}
        for _ in range(len(self.defn.questions) + 1):
            changed = False
            for q in visible_questions(self.defn, answers):
                if q.id in answers:
                    continue
                changed = True
                if q.type == "multiple_choice":
                    answers[q.id] = [o.value for o in q.options[: 1 + n % 2]]
                elif q.has_options:
                    answers[q.id] = q.options[n % len(q.options)].value
                elif q.type == "number":
                    low = q.min_value if q.min_value is not None else 0
                    high = q.max_value if q.max_value is not None else low + 10
                    answers[q.id] = low + n % (high - low + 1)
                else:
                    answers[q.id] = f"Meer licht in de gang en een schone keuken ({n % 97})"[
                        : q.max_length or 60
                    ]
            if not changed:
                break
        shown = answering.shown_answers(self.defn, answers)
        rows = sum(len(v) if isinstance(v, list) else 1 for v in shown.values())
        return answering.hidden_values(shown), rows


class Tokens:
    """Form tokens as the intro page would hand them out (same secret as the server)."""

    def __init__(self, app):
        self.app = app

    def state(self, code: str) -> dict[str, str]:
        from klankbord.surveys.respondent import form_token

        key = secrets.token_urlsafe(16)
        with self.app.test_request_context():
            return {"key": key, "token": form_token(code, key)}


def key_hash(deployment_id: int, key: str) -> str:
    return hashlib.sha256(f"{deployment_id}:{key}".encode()).hexdigest()


@contextmanager
def gunicorn(app_spec: str, env: dict, workers: int, extra: list[str] | None = None):
    """Run gunicorn on a free loopback port; yield the port; stop it afterwards."""
    port = free_port()
    # --preload: the app is built once before the workers fork, so the timed window measures
    # requests, not each worker importing the app (the bare endpoint would start far faster).
    command = [
        sys.executable, "-m", "gunicorn", "-c", "python:klankbord.gunicorn_conf", "--preload",
        "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
        *(extra or []), app_spec,
    ]
    env = {**os.environ, "KLANKBORD_ACCESS_LOG": "", **env}
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError("gunicorn stopped:\n" + log.read().decode()[-3000:])
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def request(port: int, method: str, path: str, body: list | dict | None = None,
            cookie: str = "") -> tuple[int, bytes, dict]:
    """One request on a fresh connection (gunicorn's sync workers close after each response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, payload, dict(response.getheaders())
    finally:
        conn.close()


@dataclass
class Tally:
    """Thread-safe counters and latency samples of one load run."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    status: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, status: int | None, seconds: float, error: str | None = None):
        with self.lock:
            self.status[f"{kind}:{status}"] += 1
            if status is not None:
                self.latencies.setdefault(kind, []).append(seconds)
            if error and len(self.errors) < 20:
                self.errors.append(f"{kind}: {error}")

    def five_xx(self) -> int:
        return sum(n for key, n in self.status.items() if key.rsplit(":", 1)[1].startswith("5"))
