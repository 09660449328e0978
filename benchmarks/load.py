"""Load: survey submissions and live meeting input at once, against gunicorn with 4 workers.

Usage::

    .venv/bin/python benchmarks/load.py                    # SQLite and PostgreSQL, 20,000 each
    .venv/bin/python benchmarks/load.py --db sqlite --quick
    .venv/bin/python benchmarks/load.py --db postgres --total 30000 --clients 24

Per database: a fresh database (a SQLite file in a temporary instance, or a temporary PostgreSQL
database ``klankbord_load_<pid>_<hex>`` created and dropped here, on the server in
``KLANKBORD_BENCH_PG``), one open deployment of the shipped survey "koken" and one live meeting,
then gunicorn (``klankbord.gunicorn_conf``, 4 sync workers) on a free loopback port. ``--clients``
Python threads (http.client, one connection per request) send ``--total`` submissions: 75 %
complete survey submissions in the survey's 7 languages (each with its own submission key and
form token, as the intro page hands them out), 25 % ideas from phones in a live meeting (each
phone with its own cookie and CSRF token). Every 50th survey submission is sent a second time
with the same key (a double tap on a slow network), which must be answered with the same receipt
and stored once.

Checked afterwards in the database: every successful submission stored exactly once (0 lost,
0 duplicated), every response with all of its answer rows, no 5xx. Reported: throughput,
p50/p95/p99 latency per kind. Results: ``benchmarks/results/load-<db>.json`` and ``.md``.
Rate limits are off for the run (all load comes from one loopback address, which the limits
exist to stop); everything else is the production configuration.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _kit  # noqa: E402


@dataclass
class Traffic:
    """What the clients saw: counters, the submissions answered with success, retries."""

    tally: _kit.Tally = field(default_factory=_kit.Tally)
    #: key hash of every survey submission answered 303 -> answer rows it must have stored.
    ok_keys: dict[str, int] = field(default_factory=dict)
    ok_ideas: list[str] = field(default_factory=list)
    resent: Counter = field(default_factory=Counter)
    #: Submissions sent again by the client after a 502/503/504 or a broken connection.
    retried: Counter = field(default_factory=Counter)
    seconds: float = 0.0


#: Answers that mean "the proxy could not get an answer from a node": the request may or may not
#: have been stored (see ``drive``).
RETRY_STATUS = (502, 503, 504)


def drive(port: int, seeded, answers, tokens, total: int, clients: int, *,
          retries: int = 0, on_index=None, label: str = "") -> Traffic:
    """Send ``total`` submissions to ``port`` from ``clients`` threads and record what they saw.

    ``retries``: how often a submission is sent again after a 502/503/504 or a broken connection
    (a node dying behind a proxy), as a person would press "send" again. A survey submission
    carries its key and is stored once; an idea has no key, so a resent idea whose first copy
    was stored after all shows up as duplicated in :func:`check`.
    ``on_index(i)`` is called before submission ``i`` is sent (the scale test kills nodes there).
    ``label`` starts every idea text, so the ideas of several runs on one meeting stay distinct.
    """
    traffic = Traffic()
    tally = traffic.tally
    counter = iter(range(total))
    counter_lock = threading.Lock()

    def next_index() -> int | None:
        with counter_lock:
            i = next(counter, None)
        if i is not None and on_index is not None:
            on_index(i)
        return i

    def send(kind: str, path: str, body: list | dict, cookie: str = "") -> tuple[int | None, dict]:
        """POST once, and again after a proxy error or a broken connection when retries allow."""
        for attempt in range(retries + 1):
            label_ = kind if attempt == 0 else f"{kind}-retry"
            started = time.perf_counter()
            try:
                status, _, headers = _kit.request(port, "POST", path, body, cookie)
            except OSError as error:
                tally.add(label_, None, 0.0, repr(error) if attempt == retries else None)
                status, headers = None, {}
            else:
                tally.add(label_, status, time.perf_counter() - started)
            if status not in RETRY_STATUS and status is not None:
                return status, headers
            if attempt < retries:
                with tally.lock:
                    traffic.retried[f"{kind} after {status or 'broken connection'}"] += 1
        return status, headers

    def client(n: int) -> None:
        lang_phone = ("ar", "ti", "fa", "nl")[n % 4]
        room = f"/m/{seeded.meeting_code}/{lang_phone}"
        status, page, headers = _kit.request(port, "GET", room)
        cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
        match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        csrf = match.group(1).decode() if match else ""
        while (i := next_index()) is not None:
            try:
                if i % 4 == 3:
                    text = f"idee {label}{n}-{i} samen koken en taalles"
                    status, headers = send(
                        "idea", f"{room}/idea", {"csrf_token": csrf, "text": text}, cookie
                    )
                    good = status == 302 and headers.get("Location", "").endswith("#main")
                    if good:
                        with tally.lock:
                            traffic.ok_ideas.append(text)
                    continue
                lang = seeded.languages[i % len(seeded.languages)]
                fields, rows = answers.make(i)
                state = tokens.state(seeded.survey_code)
                body = [*state.items(), *fields]
                path = f"/s/{seeded.survey_code}/{lang}/submit"
                status, headers = send("survey", path, body)
                if status == 303:
                    with tally.lock:
                        traffic.ok_keys[_kit.key_hash(seeded.deployment_id, state["key"])] = rows
                if i % 50 == 0:  # the same form sent again
                    again = time.perf_counter()
                    status2, _, headers2 = _kit.request(port, "POST", path, body)
                    tally.add("survey-resend", status2, time.perf_counter() - again)
                    same = headers2.get("Location") == headers.get("Location")
                    traffic.resent["same receipt" if same and status2 == 303 else "different"] += 1
            except Exception as error:  # a client thread counts failures and goes on
                tally.add("error", None, 0.0, repr(error))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    traffic.seconds = _kit.run_together(threads)
    return traffic


def stored(app, seeded) -> dict:
    """What the database holds for the seeded deployment and meeting."""
    from sqlalchemy import func, select

    from klankbord.extensions import db
    from klankbord.meetings.models import MeetingIdea
    from klankbord.surveys.models import Answer, Response

    with app.app_context():
        answers_per_key = dict(db.session.execute(
            select(Response.submission_key_hash, func.count(Answer.position))
            .join(Answer, Answer.response_id == Response.id, isouter=True)
            .where(Response.deployment_id == seeded.deployment_id)
            .group_by(Response.id, Response.submission_key_hash)
        ).all())
        response_rows = db.session.execute(
            select(func.count()).select_from(Response)
            .where(Response.deployment_id == seeded.deployment_id)
        ).scalar_one()
        idea_texts = Counter(db.session.execute(
            select(MeetingIdea.text).where(MeetingIdea.meeting_id == seeded.meeting_id)
        ).scalars())
        db.session.remove()
        db.engine.dispose()
    return {"answers_per_key": answers_per_key, "responses": response_rows, "ideas": idea_texts}


def check(traffic: Traffic, found: dict) -> dict:
    """Lost, duplicated, incomplete: what the clients were told against what was stored."""
    stored_keys = found["answers_per_key"]
    idea_texts = found["ideas"]
    ok_keys = traffic.ok_keys
    ok_idea_set = set(traffic.ok_ideas)
    lost = len(set(ok_keys) - set(stored_keys)) + sum(1 for t in ok_idea_set if idea_texts[t] == 0)
    duplicated = (found["responses"] - len(stored_keys)) + sum(
        n - 1 for n in idea_texts.values() if n > 1
    )
    return {
        "submissions_ok": len(ok_keys) + len(traffic.ok_ideas),
        "survey_ok": len(ok_keys),
        "ideas_ok": len(traffic.ok_ideas),
        "stored_responses": found["responses"],
        "stored_ideas": sum(idea_texts.values()),
        "lost": lost,
        "duplicated": duplicated,
        #: Stored although the client saw no success (e.g. a timeout after the commit): not
        #: lost, not duplicated, but reported.
        "stored_without_success_seen": len(set(stored_keys) - set(ok_keys))
        + len(set(idea_texts) - ok_idea_set),
        "responses_missing_answers": sum(
            1 for key, rows in ok_keys.items() if stored_keys.get(key, rows) != rows
        ),
    }


def run(kind: str, total: int, clients: int, workers: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"klankbord-load-{kind}-"))
    secret = secrets.token_hex(32)
    with _kit.temporary_database(kind, tmp) as url:
        app = _kit.make_app(url, secret, tmp)
        seeded = _kit.seed(app)
        answers = _kit.AnswerMaker(app, seeded.survey_id)
        tokens = _kit.Tokens(app)
        env = {
            "KLANKBORD_DATABASE_URL": url,
            "KLANKBORD_SECRET_KEY": secret,
            "KLANKBORD_INSTANCE": str(tmp),
            "KLANKBORD_RATELIMIT_ENABLED": "false",
        }
        with _kit.gunicorn("klankbord:create_app()", env, workers) as port:
            traffic = drive(port, seeded, answers, tokens, total, clients)
        found = stored(app, seeded)

    tally = traffic.tally
    elapsed = traffic.seconds
    counts = check(traffic, found)
    attempts = sum(n for k, n in tally.status.items() if not k.startswith("survey-resend"))
    return {
        "database": kind,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "gunicorn_workers": workers,
        "clients": clients,
        "submissions_attempted": attempts,
        **counts,
        "resent_same_key": dict(traffic.resent),
        "status": dict(sorted(tally.status.items())),
        "five_xx": tally.five_xx(),
        "errors": tally.errors,
        "seconds": round(elapsed, 1),
        "submissions_per_second": round(counts["submissions_ok"] / elapsed, 1) if elapsed else 0.0,
        "latency": {kind_: _kit.latency_summary(v) for kind_, v in tally.latencies.items()},
    }


def write(result: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"load-{result['database']}"
    (out_dir / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    lat = result["latency"]
    lines = [
        f"# Load on {result['database']} ({result['when']})",
        "",
        f"gunicorn {result['gunicorn_workers']} workers, {result['clients']} client threads, "
        f"{result['machine']}.",
        "",
        "| submissions ok | lost | duplicated | incomplete | 5xx | seconds | per second |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result['submissions_ok']} | {result['lost']} | {result['duplicated']} | "
        f"{result['responses_missing_answers']} | {result['five_xx']} | {result['seconds']} | "
        f"{result['submissions_per_second']} |",
        "",
        "| kind | n | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
        *[
            f"| {k} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['p99_ms']} | {v['max_ms']} |"
            for k, v in sorted(lat.items())
        ],
        "",
        f"Resent with the same key: {result['resent_same_key']}. Status counts: "
        f"{result['status']}.",
        "",
    ]
    (out_dir / f"{name}.md").write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--total", type=int, default=20_000, help="submissions per database")
    parser.add_argument("--quick", action="store_true", help="2,000 submissions per database")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--out", type=Path, default=_kit.RESULTS)
    args = parser.parse_args()
    total = 2_000 if args.quick else args.total
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    failed = False
    for kind in kinds:
        result = run(kind, total, args.clients, args.workers)
        write(result, args.out)
        ok = not (result["lost"] or result["duplicated"] or result["five_xx"]
                  or result["responses_missing_answers"] or result["errors"])
        failed |= not ok
        print(f"{kind}: {result['submissions_ok']} ok, lost {result['lost']}, duplicated "
              f"{result['duplicated']}, 5xx {result['five_xx']}, "
              f"{result['submissions_per_second']}/s, "
              f"survey p95 {result['latency'].get('survey', {}).get('p95_ms')} ms, "
              f"idea p95 {result['latency'].get('idea', {}).get('p95_ms')} ms"
              + ("" if ok else "  FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
