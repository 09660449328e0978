"""Load test of live meeting input: 40 phones sending ideas and reading at once, on SQLite.

Usage::

    .venv/bin/python benchmarks/meetings_live.py                 # 40 phones x 10 rounds
    .venv/bin/python benchmarks/meetings_live.py --phones 40 --rounds 20 --threads 4

What it does: seeds a temporary SQLite file (WAL) with one live meeting, starts gunicorn with 2
workers on a free loopback port, then runs ``--phones`` participants as Python threads with their
own cookie and CSRF token (as a browser would). Each round a phone sends one idea, polls the JSON
state endpoint (what the live script does) and reloads its page; at the end each phone gives the
same approved idea a +1. Reported: requests/s, p50/p95 latency per kind, errors (unexpected status
or connection failures) and lost input (ideas sent minus ideas stored; +1s sent minus counted).
Results go to ``benchmarks/results/meetings_live.json``. Only the standard library is used for load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _kit  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
LANGS = ["ar", "ti", "fa", "uk", "nl"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(env: dict) -> tuple[str, int]:
    """Create the schema and a live meeting in a child interpreter; return (join code, idea id)."""
    script = """
import json
from datetime import datetime
from klankbord import create_app
from klankbord.extensions import db
from klankbord.accounts import services as accounts
from klankbord.meetings import services
app = create_app()
with app.app_context():
    db.create_all()
    org = accounts.create_organisation("Gemeente Belasting", "belasting")
    group = services.create_group(org.id, "Klankbordgroep", "", ["ar", "ti", "fa", "uk"], [])
    meeting = services.create_meeting(group, "Drukke avond", datetime(2026, 3, 1, 18))
    services.add_agenda_item(meeting, "Koken", None, {"nl": "Wat is nodig om zelf te koken?",
                             "ar": "ما الذي تحتاجه لتطبخ بنفسك؟"})
    services.start_meeting(meeting)
    idea = services.submit_idea(meeting, "Een gedeelde keuken per gang", "nl")
    services.moderate_idea(idea, "approved")
    db.session.commit()
    print(json.dumps([meeting.join_code, idea.id]))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    code, idea_id = json.loads(out.stdout.strip().splitlines()[-1])
    return code, idea_id


class Phone:
    """One participant: a keep-alive connection, a cookie and a CSRF token."""

    def __init__(self, port: int, code: str, lang: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.room = f"/m/{code}/{lang}"
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # reconnect once on a dropped keep-alive connection
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("klankbord_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, payload


def run_phone(
    phone: Phone,
    n: int,
    rounds: int,
    idea_id: int,
    barrier: threading.Barrier,
    samples: list,
    errors: list,
    sent: list,
) -> None:
    def timed(kind: str, method: str, path: str, expect: int, body: dict | None = None) -> bytes:
        start = time.perf_counter()
        try:
            status, payload = phone.request(method, path, body)
        except Exception as error:  # count every failure, keep the phone going
            errors.append(f"{kind}: {error!r}")
            return b""
        samples.append((kind, time.perf_counter() - start))
        if status != expect:
            errors.append(f"{kind}: HTTP {status}")
        return payload

    page = timed("page", "GET", phone.room, 200)
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    phone.token = match.group(1).decode() if match else ""
    barrier.wait(timeout=60)
    for i in range(rounds):
        body = {
            "csrf_token": phone.token,
            "text": f"idee {n}-{i}: samen koken en taalles in de avond",
        }
        timed("idea", "POST", f"{phone.room}/idea", 302, body)
        sent.append(1)
        timed("state", "GET", f"{phone.room}/state.json", 200)
        timed("page", "GET", phone.room, 200)
    timed("support", "POST", f"{phone.room}/support/{idea_id}", 302, {"csrf_token": phone.token})


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=10, help="ideas per phone (each with a read)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="gthread threads per gunicorn worker"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "meetings_live.json")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="klankbord-bench-"))
    database = tmp / "live.sqlite"
    env = {
        **os.environ,
        "KLANKBORD_INSTANCE": str(tmp),
        "KLANKBORD_DATABASE_URL": f"sqlite:///{database}",
        "KLANKBORD_SECRET_KEY": secrets.token_hex(32),
        # 40 phones on one loopback address exceed the per-address live-input limit by design.
        "KLANKBORD_RATELIMIT_ENABLED": "false",
        "PYTHONPATH": str(REPO / "platform"),
    }
    code, idea_id = seed(env)
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "klankbord:create_app()",
        ],
        env=env,
        cwd=REPO,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)

        samples: list[tuple[str, float]] = []
        errors: list[str] = []
        sent: list[int] = []
        barrier = threading.Barrier(args.phones)
        phones = [Phone(port, code, LANGS[n % len(LANGS)]) for n in range(args.phones)]
        threads = [
            threading.Thread(
                target=run_phone,
                args=(phone, n, args.rounds, idea_id, barrier, samples, errors, sent),
            )
            for n, phone in enumerate(phones)
        ]
        elapsed = _kit.run_together(threads)
    finally:
        server.terminate()
        server.wait(timeout=30)

    with sqlite3.connect(database) as con:
        stored = con.execute(
            "SELECT count(*) FROM meeting_idea WHERE id != ?", (idea_id,)
        ).fetchone()[0]
        supports = con.execute(
            "SELECT support_count FROM meeting_idea WHERE id = ?", (idea_id,)
        ).fetchone()[0]
        journal = con.execute("PRAGMA journal_mode").fetchone()[0]
    shutil.rmtree(tmp, ignore_errors=True)
    latencies = [s for _, s in samples]
    kinds = sorted({k for k, _ in samples})
    result = {
        "benchmark": "meetings_live",
        "date": datetime.now().isoformat(timespec="seconds"),
        "setup": {
            "phones": args.phones,
            "rounds": args.rounds,
            "gunicorn_workers": args.workers,
            "worker_class": "gthread",
            "threads_per_worker": args.threads,
            "database": "sqlite file",
            "journal_mode": journal,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        },
        "requests": len(samples),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(samples) / elapsed, 1) if elapsed else 0,
        "latency_ms": {
            "p50": round(percentile(latencies, 50) * 1000, 1),
            "p95": round(percentile(latencies, 95) * 1000, 1),
            "max": round(max(latencies, default=0) * 1000, 1),
        },
        "latency_ms_by_kind": {
            kind: {
                "n": len(v),
                "p50": round(percentile(v, 50) * 1000, 1),
                "p95": round(percentile(v, 95) * 1000, 1),
                "mean": round(statistics.fmean(v) * 1000, 1),
            }
            for kind in kinds
            for v in [[s for k, s in samples if k == kind]]
        },
        "errors": len(errors),
        "error_examples": errors[:5],
        "ideas_sent": len(sent),
        "ideas_stored": stored,
        "ideas_lost": len(sent) - stored,
        "supports_sent": args.phones,
        "supports_counted": supports,
        "supports_lost": args.phones - supports,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if not errors and result["ideas_lost"] == 0 and result["supports_lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
