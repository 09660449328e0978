"""Load test of a live meeting: 40 and 200 phones sending ideas and following the room at once.

Usage::

    .venv/bin/python benchmarks/meetings_live.py           # 40 and 200 phones, both clients
    .venv/bin/python benchmarks/meetings_live.py --baseline-tree /tmp/main-checkout
    .venv/bin/python benchmarks/meetings_live.py --phones 40 --rounds 20 --clients partial,reload

What it does, per (phones, client, code tree): seeds a temporary SQLite file (WAL) with one live
meeting, starts gunicorn with 2 workers (gthread, 4 threads) on a free loopback port, then runs the
phones as Python threads with their own cookie and CSRF token (as a browser would). Each round a
phone sends one idea and follows the room; at the end each phone gives the same approved idea a
+1. Rounds come every ``--think`` seconds per phone (default 4 s ±25 %, the live script's
interval; an idea every 4 s from every phone is far more than a room types), so the figures say
whether the server keeps up with a room; ``--think 0`` runs the phones back to back instead, a
throughput test in which latency is simply phones divided by requests per second.

Two clients, so the old and the new behaviour are measured in the same run:

* ``reload`` (the old script, and every phone without JavaScript): the idea is posted and the
  redirect followed by a full page load; the state JSON is asked for without a validator.
* ``partial`` (the live script now): the idea is posted in the background and answered with the
  live region (no redirect, no page); the state endpoint is asked with ``If-None-Match`` and answers
  304 from the meeting's counter; the region is fetched only when the counter moved.

``--baseline-tree`` runs the ``reload`` client once more against another checkout of the code (for
example main before this change: ``git archive main | tar -x -C /tmp/main-checkout``), in the
same run. Reported per run: requests/s, p50/p95 per request kind, errors (unexpected status or
connection failures) and lost input (ideas sent minus stored; +1s sent minus counted). Results
go to ``benchmarks/results/meetings_live.json`` and ``.md``. Only the standard library is used
for load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
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
        self.etag = ""
        self.version = ""

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, bytes, dict]:
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
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
        answer_headers = {}
        for header, value in response.getheaders():
            answer_headers[header.lower()] = value
            if header.lower() == "set-cookie" and value.startswith("klankbord_session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, payload, answer_headers


VERSION = re.compile(rb'data-live-version="([^"]*)"')
PART = {"X-Live-Part": "1"}


def run_phone(
    phone: Phone,
    n: int,
    rounds: int,
    idea_id: int,
    client: str,
    think: float,
    barrier: threading.Barrier,
    samples: list,
    errors: list,
    sent: list,
) -> None:
    def timed(
        kind: str, method: str, path: str, expect: tuple, body: dict | None = None, headers=None
    ) -> tuple[int, bytes, dict]:
        start = time.perf_counter()
        try:
            status, payload, answer = phone.request(method, path, body, headers)
        except Exception as error:  # count every failure, keep the phone going
            errors.append(f"{kind}: {error!r}")
            return 0, b"", {}
        samples.append((kind, time.perf_counter() - start))
        if status not in expect:
            errors.append(f"{kind}: HTTP {status}")
        return status, payload, answer

    def follow_region(payload: bytes) -> None:
        match = VERSION.search(payload)
        if match:
            phone.version = match.group(1).decode()

    _, page, _ = timed("join", "GET", phone.room, (200,))  # every phone at once, before the start
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    phone.token = match.group(1).decode() if match else ""
    follow_region(page)
    barrier.wait(timeout=120)
    pause = random.Random(n)
    if think:
        time.sleep(pause.uniform(0, think))  # phones joined at different moments
    for i in range(rounds):
        if think and i:
            time.sleep(pause.uniform(0.75 * think, 1.25 * think))
        body = {
            "csrf_token": phone.token,
            "text": f"idee {n}-{i}: samen koken en taalles in de avond",
        }
        if client == "reload":
            timed("idea", "POST", f"{phone.room}/idea", (302,), body)
            sent.append(1)
            timed("state", "GET", f"{phone.room}/state.json", (200,))
            timed("page", "GET", phone.room, (200,))  # the redirect, followed as a browser does
            continue
        _, region, _ = timed("idea", "POST", f"{phone.room}/idea", (200,), body, PART)
        sent.append(1)
        follow_region(region)
        conditional = {"If-None-Match": phone.etag} if phone.etag else {}
        status, payload, answer = timed(
            "state", "GET", f"{phone.room}/state.json", (200, 304), headers=conditional
        )
        if status == 200:
            phone.etag = answer.get("etag", "")
            if str(json.loads(payload)["version"]) != phone.version:
                _, region, _ = timed("part", "GET", f"{phone.room}?part=1", (200,), headers=PART)
                follow_region(region)
    if client == "reload":
        timed(
            "support",
            "POST",
            f"{phone.room}/support/{idea_id}",
            (302,),
            {"csrf_token": phone.token},
        )
    else:
        timed(
            "support",
            "POST",
            f"{phone.room}/support/{idea_id}",
            (200,),
            {"csrf_token": phone.token},
            PART,
        )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0
    )


def run_once(args, phones: int, client: str, tree: Path) -> dict:
    """One run: a fresh database, gunicorn from ``tree``, ``phones`` phones with ``client``."""
    tmp = Path(tempfile.mkdtemp(prefix="klankbord-bench-"))
    database = tmp / "live.sqlite"
    env = {
        **os.environ,
        "KLANKBORD_INSTANCE": str(tmp),
        "KLANKBORD_DATABASE_URL": f"sqlite:///{database}",
        "KLANKBORD_SECRET_KEY": secrets.token_hex(32),
        # 40 phones on one loopback address exceed the per-address live-input limit by design.
        "KLANKBORD_RATELIMIT_ENABLED": "false",
        "KLANKBORD_ACCESS_LOG": "",
        "PYTHONPATH": str(tree / "platform"),
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
        cwd=tree,
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
        barrier = threading.Barrier(phones)
        clients = [Phone(port, code, LANGS[n % len(LANGS)]) for n in range(phones)]
        threads = [
            threading.Thread(
                target=run_phone,
                args=(
                    phone,
                    n,
                    args.rounds,
                    idea_id,
                    client,
                    args.think,
                    barrier,
                    samples,
                    errors,
                    sent,
                ),
            )
            for n, phone in enumerate(clients)
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
    return {
        "phones": phones,
        "client": client,
        "code": "baseline" if tree != REPO else "this checkout",
        "journal_mode": journal,
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
        "supports_sent": phones,
        "supports_counted": supports,
        "supports_lost": phones - supports,
    }


def markdown(result: dict) -> str:
    setup = result["setup"]
    think = setup["think_seconds"]
    pace = (
        f"one round (an idea and a state check) every {think:g} s ±25 % per phone"
        if think
        else "back to back (a throughput test: latency is about phones / requests per second)"
    )
    lines = [
        "# Live meeting: phones sending ideas and following the room",
        "",
        f"{result['date']}, `{result['command']}`; gunicorn {setup['gunicorn_workers']} workers x "
        f"{setup['threads_per_worker']} threads (gthread), SQLite file (WAL), {setup['rounds']} "
        f"rounds per phone, {pace}; {setup['cpus']} CPUs shared with other users "
        "(figures are noisy: compare rows of the same run).",
        "",
        "| phones | client | code | req/s | p95 all | "
        + " | ".join(f"p95 {k}" for k in KINDS)
        + " | errors | lost |",
        "|---|---|---|---|---|" + "---|" * len(KINDS) + "---|---|",
    ]
    for run in result["runs"]:
        by_kind = run["latency_ms_by_kind"]
        cells = [f"{by_kind[k]['p95']} ms" if k in by_kind else "–" for k in KINDS]
        lost = run["ideas_lost"] + run["supports_lost"]
        lines.append(
            f"| {run['phones']} | {run['client']} | {run['code']} | {run['requests_per_second']} "
            f"| {run['latency_ms']['p95']} ms | "
            + " | ".join(cells)
            + f" | {run['errors']} | {lost} |"
        )
    lines += [
        "",
        "Request kinds: `join` the first full room page (all phones at the same moment, before the "
        "rounds), `page` a full room page after each post (reload client), `idea` posting an idea, "
        "`state` the state JSON (304 when unchanged, with the partial "
        "client), `part` the live region alone, `support` a +1.",
        "",
    ]
    return "\n".join(lines)


KINDS = ("join", "page", "idea", "state", "part", "support")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", default="40,200", help="comma-separated phone counts")
    parser.add_argument("--rounds", type=int, default=10, help="ideas per phone (each with a read)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="gthread threads per gunicorn worker"
    )
    parser.add_argument(
        "--clients", default="partial,reload", help="comma-separated: partial, reload"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=4.0,
        help="seconds a phone waits between rounds (the live script asks every 4 s); 0 = back "
        "to back, a throughput test where latency is phones / requests per second",
    )
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="another checkout of the code, run with the reload client in the same run",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration")
    parser.add_argument("--out", type=Path, default=RESULTS / "meetings_live.json")
    args = parser.parse_args()

    plan = [
        (int(phones), client, REPO)
        for phones in args.phones.split(",")
        for client in args.clients.split(",")
    ]
    if args.baseline_tree:
        plan += [
            (int(phones), "reload", args.baseline_tree.resolve())
            for phones in args.phones.split(",")
        ]
    # Repeats are interleaved (A, B, A, B), so a change in the machine's other load between runs
    # hits every configuration alike.
    plan = plan * args.repeat
    plan.sort(key=lambda step: step[0])
    runs = []
    for phones, client, tree in plan:
        print(f"== {phones} phones, {client} client, {tree}", file=sys.stderr, flush=True)
        runs.append(run_once(args, phones, client, tree))
    result = {
        "benchmark": "meetings_live",
        "date": datetime.now().isoformat(timespec="seconds"),
        "command": "python benchmarks/meetings_live.py " + " ".join(sys.argv[1:]),
        "setup": {
            "rounds": args.rounds,
            "gunicorn_workers": args.workers,
            "worker_class": "gthread",
            "threads_per_worker": args.threads,
            "think_seconds": args.think,
            "database": "sqlite file",
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "baseline_tree": str(args.baseline_tree) if args.baseline_tree else None,
        },
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    args.out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    failed = [r for r in runs if r["errors"] or r["ideas_lost"] or r["supports_lost"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
