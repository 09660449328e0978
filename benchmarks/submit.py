"""Survey submissions/s: Klankbord's endpoint vs a bare Flask endpoint, in the same run (issue 3).

Usage::

    .venv/bin/python benchmarks/submit.py                  # SQLite and PostgreSQL, 3,000 each
    .venv/bin/python benchmarks/submit.py --db sqlite --quick

Per database, both under gunicorn with 2 sync workers (``klankbord.gunicorn_conf``) on a free
loopback port and the same ``--clients`` threads: first the real endpoint (``/s/<code>/<lang>/
submit``: form token, validation, scrubbing, idempotent key, ORM, templates) with complete answers
to the shipped survey "koken", then ``benchmarks/_bare_submit.py`` (parse the form, insert the
same rows with the raw driver in one transaction, 303). Reported: submissions/s of each, their
ratio (goal: >= 0.4), p50/p95/p99, and for Klankbord 0 lost / 0 duplicated (every 303 stored
once with all its answer rows). Results: ``benchmarks/results/submit-<db>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _kit  # noqa: E402

GOAL = 0.4


def _drive(port: int, total: int, clients: int, body_for, path_for) -> tuple[dict, float, list]:
    """Send ``total`` POSTs with ``clients`` threads; return tally, seconds, successful items."""
    tally = _kit.Tally()
    ok: list = []
    counter = iter(range(total))
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            item, body = body_for(i)
            started = time.perf_counter()
            try:
                status, _, _ = _kit.request(port, "POST", path_for(i), body)
            except Exception as error:  # counted, the client goes on
                tally.add("error", None, 0.0, repr(error))
                continue
            tally.add("submit", status, time.perf_counter() - started)
            if status == 303:
                with lock:
                    ok.append(item)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started, ok


def run(kind: str, total: int, clients: int, workers: int) -> dict:
    from sqlalchemy import func, select

    tmp = Path(tempfile.mkdtemp(prefix=f"klankbord-submit-{kind}-"))
    secret = secrets.token_hex(32)
    result: dict = {"database": kind, "when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                               f"Python {platform.python_version()}",
                    "gunicorn_workers": workers, "clients": clients, "submissions": total}
    with _kit.temporary_database(kind, tmp) as url:
        app = _kit.make_app(url, secret, tmp)
        seeded = _kit.seed(app, with_meeting=False)
        answers = _kit.AnswerMaker(app, seeded.survey_id)
        tokens = _kit.Tokens(app)
        env = {"KLANKBORD_DATABASE_URL": url, "KLANKBORD_SECRET_KEY": secret,
               "KLANKBORD_INSTANCE": str(tmp), "KLANKBORD_RATELIMIT_ENABLED": "false"}
        langs = seeded.languages

        def app_body(i):
            fields, rows = answers.make(i)
            state = tokens.state(seeded.survey_code)
            return (_kit.key_hash(seeded.deployment_id, state["key"]), rows), [
                *state.items(), *fields]

        with _kit.gunicorn("klankbord:create_app()", env, workers) as port:
            tally, seconds, ok = _drive(
                port, total, clients, app_body,
                lambda i: f"/s/{seeded.survey_code}/{langs[i % len(langs)]}/submit")
        from klankbord.extensions import db
        from klankbord.surveys.models import Answer, Response

        with app.app_context():
            stored = db.session.execute(
                select(Response.submission_key_hash, func.count(Answer.position))
                .join(Answer, Answer.response_id == Response.id, isouter=True)
                .group_by(Response.id, Response.submission_key_hash)
            ).all()
            db.session.remove()
            db.engine.dispose()
        stored_rows = dict(stored)
        expected = dict(ok)
        result["klankbord"] = {
            "ok": len(ok), "seconds": round(seconds, 2),
            "per_second": round(len(ok) / seconds, 1),
            "lost": len(set(expected) - set(stored_rows)),
            "duplicated": len(stored) - len(stored_rows),
            "incomplete": sum(1 for k, n in expected.items() if stored_rows.get(k, n) != n),
            "five_xx": tally.five_xx(), "status": dict(tally.status), "errors": tally.errors,
            "latency": _kit.latency_summary(tally.latencies.get("submit", [])),
        }
        bare_target = (str(tmp / "bare.sqlite") if kind == "sqlite"
                       else url.replace("postgresql+psycopg://", "postgresql://"))
        bare_env = {"BARE_DATABASE": bare_target, "PYTHONPATH": str(_kit.REPO / "benchmarks")}
        import _bare_submit

        _bare_submit.create_schema(bare_target)

        def bare_body(i):
            fields, _ = answers.make(i)
            key = secrets.token_urlsafe(16)
            return key, [("key", key), ("token", "x" * 40), *fields]

        with _kit.gunicorn("_bare_submit:app", bare_env, workers) as port:
            tally, seconds, ok = _drive(port, total, clients, bare_body, lambda i: "/submit")
        result["bare_flask"] = {
            "ok": len(ok), "seconds": round(seconds, 2),
            "per_second": round(len(ok) / seconds, 1), "five_xx": tally.five_xx(),
            "latency": _kit.latency_summary(tally.latencies.get("submit", [])),
        }
    bare = result["bare_flask"]["per_second"]
    result["ratio"] = round(result["klankbord"]["per_second"] / bare, 2) if bare else None
    result["goal"] = GOAL
    return result


def write(result: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"submit-{result['database']}"
    (out_dir / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    k, b = result["klankbord"], result["bare_flask"]
    lines = [
        f"# Survey submissions on {result['database']} ({result['when']})",
        "",
        f"gunicorn {result['gunicorn_workers']} workers, {result['clients']} client threads, "
        f"{result['submissions']} submissions each, {result['machine']}.",
        "",
        "| endpoint | ok | per second | p50 ms | p95 ms | p99 ms | 5xx |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| Klankbord | {k['ok']} | {k['per_second']} | {k['latency']['p50_ms']} | "
        f"{k['latency']['p95_ms']} | {k['latency']['p99_ms']} | {k['five_xx']} |",
        f"| bare Flask | {b['ok']} | {b['per_second']} | {b['latency']['p50_ms']} | "
        f"{b['latency']['p95_ms']} | {b['latency']['p99_ms']} | {b['five_xx']} |",
        "",
        f"Ratio {result['ratio']} (goal >= {result['goal']}). Klankbord: lost {k['lost']}, "
        f"duplicated {k['duplicated']}, incomplete {k['incomplete']}.",
        "",
    ]
    (out_dir / f"{name}.md").write_text("\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--total", type=int, default=3_000)
    parser.add_argument("--quick", action="store_true", help="500 submissions")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=_kit.RESULTS)
    args = parser.parse_args()
    total = 500 if args.quick else args.total
    failed = False
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        result = run(kind, total, args.clients, args.workers)
        write(result, args.out)
        k = result["klankbord"]
        ok = not (k["lost"] or k["duplicated"] or k["incomplete"] or k["five_xx"] or k["errors"])
        failed |= not ok
        print(f"{kind}: klankbord {k['per_second']}/s, bare {result['bare_flask']['per_second']}/s,"
              f" ratio {result['ratio']} (goal {GOAL}), p95 {k['latency']['p95_ms']} ms, "
              f"lost {k['lost']}, duplicated {k['duplicated']}" + ("" if ok else "  FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
