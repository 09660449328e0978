"""Survey submissions/s: Klankbord's endpoint vs a bare Flask endpoint, in the same run (issue 3).

Usage::

    .venv/bin/python benchmarks/submit.py                  # SQLite and PostgreSQL, 3,000 each
    .venv/bin/python benchmarks/submit.py --db sqlite --quick

Per database, both under gunicorn with 2 sync workers (``klankbord.gunicorn_conf``) on free
loopback ports and the same ``--clients`` threads, the load alternating between them in
``--rounds`` rounds: the real endpoint (``/s/<code>/<lang>/submit``: form token, validation,
scrubbing, idempotent key, ORM) with complete answers to the shipped survey "koken", and
``benchmarks/_bare_submit.py`` (parse the form, insert the same rows with the raw driver in one
transaction, 303). Request bodies are made before each round's clock starts. Reported:
submissions/s of each, their ratio overall and per round (goal: >= 0.6, issue 18; it was 0.4 in
issue 3), p50/p95/p99, and for Klankbord 0 lost / 0 duplicated (every 303 stored once with all
its answer rows). Each worker's first submission to the deployment takes the full path; the
rest take the quick path (``services.submit_if_open``), as in production.
Results: ``benchmarks/results/submit-<db>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _kit  # noqa: E402

GOAL = 0.6


def _drive(
    port: int, indices: range, clients: int, body_for, path_for, tally
) -> tuple[float, list]:
    """POST one body per index with ``clients`` threads; return seconds and successful items."""
    ok: list = []
    counter = iter(indices)
    lock = threading.Lock()
    # Bodies (form tokens included) are made before the clock starts: the client shares the two
    # cores with the server, and making a token is the intro page's work, not the submission's.
    prepared = {i: body_for(i) for i in indices}

    def client() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            item, body = prepared[i]
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

    seconds = _kit.run_together([threading.Thread(target=client) for _ in range(clients)])
    return seconds, ok


def run(kind: str, total: int, clients: int, workers: int, rounds: int = 5) -> dict:
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

        bare_target = (str(tmp / "bare.sqlite") if kind == "sqlite"
                       else url.replace("postgresql+psycopg://", "postgresql://"))
        bare_env = {"BARE_DATABASE": bare_target, "PYTHONPATH": str(_kit.REPO / "benchmarks")}
        import _bare_submit

        _bare_submit.create_schema(bare_target)

        def bare_body(i):
            fields, _ = answers.make(i)
            key = secrets.token_urlsafe(16)
            return key, [("key", key), ("token", "x" * 40), *fields]

        # Both servers stay up; the load alternates between them in rounds, so a slow spell of
        # the machine (or of the disk under PostgreSQL) hits both about equally.
        k_tally, b_tally = _kit.Tally(), _kit.Tally()
        ok, k_seconds, b_ok, b_seconds, ratios = [], 0.0, [], 0.0, []
        per_round = max(1, total // rounds)
        with _kit.gunicorn("klankbord:create_app()", env, workers) as port, \
                _kit.gunicorn("_bare_submit:app", bare_env, workers) as bare_port:
            for r in range(rounds):
                indices = range(r * per_round, (r + 1) * per_round)
                seconds, done = _drive(
                    port, indices, clients, app_body,
                    lambda i: f"/s/{seeded.survey_code}/{langs[i % len(langs)]}/submit", k_tally)
                b_sec, b_done = _drive(
                    bare_port, indices, clients, bare_body, lambda i: "/submit", b_tally)
                ok += done
                b_ok += b_done
                k_seconds += seconds
                b_seconds += b_sec
                if seconds and b_sec and b_done:
                    ratios.append(round((len(done) / seconds) / (len(b_done) / b_sec), 3))
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
            "ok": len(ok), "seconds": round(k_seconds, 2),
            "per_second": round(len(ok) / k_seconds, 1),
            "lost": len(set(expected) - set(stored_rows)),
            "duplicated": len(stored) - len(stored_rows),
            "incomplete": sum(1 for k, n in expected.items() if stored_rows.get(k, n) != n),
            "five_xx": k_tally.five_xx(), "status": dict(k_tally.status), "errors": k_tally.errors,
            "latency": _kit.latency_summary(k_tally.latencies.get("submit", [])),
        }
        result["bare_flask"] = {
            "ok": len(b_ok), "seconds": round(b_seconds, 2),
            "per_second": round(len(b_ok) / b_seconds, 1), "five_xx": b_tally.five_xx(),
            "latency": _kit.latency_summary(b_tally.latencies.get("submit", [])),
        }
        result["round_ratios"] = ratios
    bare = result["bare_flask"]["per_second"]
    result["ratio"] = round(result["klankbord"]["per_second"] / bare, 2) if bare else None
    # The median of the rounds' ratios: robust to one slow spell in either endpoint's round.
    result["median_round_ratio"] = (
        round(statistics.median(result["round_ratios"]), 2) if result["round_ratios"] else None
    )
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
        f"Ratio {result['ratio']} (goal >= {result['goal']}); per round (Klankbord and bare "
        f"alternating): {result['round_ratios']}, median {result['median_round_ratio']}. "
        f"Klankbord: lost {k['lost']}, "
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
    parser.add_argument("--rounds", type=int, default=5, help="alternations between the servers")
    parser.add_argument("--out", type=Path, default=_kit.RESULTS)
    args = parser.parse_args()
    total = 500 if args.quick else args.total
    failed = False
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        result = run(kind, total, args.clients, args.workers, args.rounds)
        write(result, args.out)
        k = result["klankbord"]
        ok = not (k["lost"] or k["duplicated"] or k["incomplete"] or k["five_xx"] or k["errors"])
        failed |= not ok
        print(f"{kind}: klankbord {k['per_second']}/s, bare {result['bare_flask']['per_second']}/s,"
              f" ratio {result['ratio']} (median of rounds {result['median_round_ratio']}; goal"
              f" {GOAL}), p95 {k['latency']['p95_ms']} ms, "
              f"lost {k['lost']}, duplicated {k['duplicated']}" + ("" if ok else "  FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
