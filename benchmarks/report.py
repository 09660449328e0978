"""Benchmark: the report page for a scope of 100,000 responses and 20,000 free-text answers.

Builds a temporary SQLite file database with bulk inserts (core ``insert`` with executemany), stores
a theme run directly (themes "already computed": the benchmark measures the page, not clustering),
then renders the report page with the test client several times and reports the median and the
peak memory (``ru_maxrss``) to ``benchmarks/results/report.json``.

Run: ``.venv/bin/python benchmarks/report.py [--responses 100000] [--texts 20000] [--runs 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT))

CHUNK = 20_000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def seed(n_responses: int, n_texts: int, rng: random.Random):
    from sqlalchemy import insert

    from klankbord.accounts import services as accounts
    from klankbord.extensions import db
    from klankbord.reports import demo, services
    from klankbord.reports.models import ReportTheme, ThemeMember, ThemeRun
    from klankbord.surveys import services as surveys
    from klankbord.surveys.models import Answer, Response

    org = accounts.create_organisation("Gemeente Bench", "bench")
    locations = [
        accounts.add_location(org, f"AZC {name}") for name in ("Oost", "West", "Noord", "Zuid")
    ]
    versions = {r.survey_id: r.version for r in surveys.sync_definitions(str(ROOT / "surveys"))}
    version = versions["koken"]
    defn = surveys.definition_of(version)
    deployments = [
        surveys.create_deployment(
            org, version, [loc], datetime(2025, 1 + 3 * r, 1), datetime(2025, 3 + 3 * r, 28)
        )
        for loc in locations
        for r in range(2)
    ]
    user = accounts.create_user(
        "beleid@bench.example", "Bench", "bench-wachtwoord-lang-genoeg", check_policy=False
    )
    accounts.set_membership(user, org, "policymaker")
    db.session.commit()

    closed = [
        q
        for q in defn.questions
        if q.type in ("single_choice", "multiple_choice", "scale", "yes_no")
    ]
    text_every = max(1, n_responses // n_texts)
    texts_made = 0
    free_refs = []
    responses, answers = [], []

    def flush():
        db.session.execute(insert(Response), responses)
        db.session.execute(insert(Answer), answers)
        db.session.commit()
        responses.clear()
        answers.clear()

    for n in range(n_responses):
        dep = deployments[n % len(deployments)]
        rid = uuid.uuid4().hex
        day = dep.opens_at.date() + timedelta(days=rng.randrange(80))
        lang = rng.choice(("nl", "nl", "ar", "en", "uk", "fa", "tr", "ti"))
        responses.append(
            {
                "id": rid,
                "deployment_id": dep.id,
                "version_id": version.id,
                "language": lang,
                "submitted_on": day,
                "submission_key_hash": rid + rid,
                "answers_hash": rid + rid,
            }
        )
        for q in closed:
            values = [o.value for o in q.options]
            if q.type == "multiple_choice":
                picked = [v for v in values if rng.random() < 0.25] or values[:1]
            else:
                picked = [rng.choice(values)]
            answers += [
                {
                    "response_id": rid,
                    "question_id": q.id,
                    "position": p,
                    "value_text": v,
                    "value_number": None,
                }
                for p, v in enumerate(picked)
            ]
        if n % text_every == 0 and texts_made < n_texts:
            subject = rng.choice(list(demo.TEXTS))
            text, _ = demo.demo_text(rng, subject)
            answers.append(
                {
                    "response_id": rid,
                    "question_id": "what_would_help",
                    "position": 0,
                    "value_text": text,
                    "value_number": None,
                }
            )
            free_refs.append((rid, subject, lang, day))
            texts_made += 1
        if len(responses) >= CHUNK:
            flush()
    if responses:
        flush()

    scope = services.save_scope(
        org, services.ScopeData(name="Benchmark", deployment_ids=tuple(d.id for d in deployments))
    )
    db.session.flush()
    # Themes "already computed": one run, five themes per subject, members by reference.
    run = ThemeRun(
        organisation_id=org.id,
        scope_id=scope.id,
        method=services.METHOD_TFIDF,
        params={"n_clusters": "auto", "benchmark": True},
        n_texts=len(free_refs),
    )
    db.session.add(run)
    db.session.flush()
    subjects = list(demo.TEXTS)
    themes = {}
    for number, (subject, part) in enumerate((s, p) for s in subjects for p in range(3)):
        theme = ReportTheme(
            organisation_id=org.id,
            run_id=run.id,
            number=number,
            label=f"{subject} {part}",
            terms=[subject, "woord", "term"],
            size=0,
            share=0.0,
            languages={},
        )
        db.session.add(theme)
        themes[(subject, part)] = theme
    db.session.flush()
    members, other, ranks = [], 0, {}
    for rid, subject, lang, _day in free_refs:
        if rng.random() < 0.08:
            other += 1
            continue
        theme = themes[(subject, rng.randrange(3))]
        rank = ranks.get(theme.id, 0)
        ranks[theme.id] = rank + 1
        members.append(
            {
                "theme_id": theme.id,
                "response_id": rid,
                "question_id": "what_would_help",
                "idea_id": None,
                "language": lang,
                "rank": rank + 1 if rank < 8 else None,
                "pinned": False,
            }
        )
    for start in range(0, len(members), CHUNK):
        db.session.execute(insert(ThemeMember), members[start : start + CHUNK])
    run.n_themes, run.n_other = len(themes), other
    db.session.commit()
    return scope, user


def clear_caches() -> None:
    """Forget everything a previous request left in this process (a cold request)."""
    from klankbord.extensions import db
    from klankbord.reports import services, suppression

    services._AGGREGATES.clear()
    suppression._MEMO.clear()
    db.engine.dispose()  # new connections: SQLite's page cache starts empty too


def add_today(n: int, rng: random.Random) -> list[str]:
    """``n`` responses submitted today to the scope's deployments, with their closed answers."""
    from sqlalchemy import insert, select

    from klankbord.core.time import utcnow
    from klankbord.extensions import db
    from klankbord.surveys.models import Answer, Deployment, Response
    from klankbord.surveys.services import CLOSED_TYPES, definition_of

    deployments = db.session.execute(select(Deployment)).scalars().all()
    responses, answers = [], []
    for i in range(n):
        dep = deployments[i % len(deployments)]
        rid = uuid.uuid4().hex
        responses.append(
            {
                "id": rid,
                "deployment_id": dep.id,
                "version_id": dep.version_id,
                "language": "nl",
                "submitted_on": utcnow().date(),
                "submission_key_hash": rid + rid,
                "answers_hash": rid + rid,
            }
        )
        for q in definition_of(dep.version).questions:
            if q.type in CLOSED_TYPES:
                value = rng.choice([o.value for o in q.options])
                answers.append(
                    {"response_id": rid, "question_id": q.id, "position": 0, "value_text": value}
                )
    db.session.execute(insert(Response), responses)
    db.session.execute(insert(Answer), answers)
    db.session.commit()
    return [r["id"] for r in responses]


def remove(response_ids: list[str]) -> None:
    from sqlalchemy import delete

    from klankbord.extensions import db
    from klankbord.surveys.models import Answer, Response

    db.session.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
    db.session.execute(delete(Response).where(Response.id.in_(response_ids)))
    db.session.commit()


def measure(client, url: str, runs: int, *, cold: bool) -> list[tuple[float, float, int]]:
    """(wall seconds, CPU seconds, bytes) of ``runs`` requests; cold ones clear caches first."""
    out = []
    for _ in range(runs):
        if cold:
            with client.application.app_context():
                clear_caches()
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert response.status_code == 200, response.status_code
        out.append((wall, cpu, len(response.data)))
    return out


def _stats(samples: list[tuple[float, float, int]]) -> dict:
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    return {
        "median_seconds": round(statistics.median(walls), 3),
        "min_seconds": round(min(walls), 3),
        "max_seconds": round(max(walls), 3),
        "median_cpu_seconds": round(statistics.median(cpus), 3),
    }


def _figures(report) -> list:
    """Every shown figure of a report's tables, in a fixed order."""
    tables = [report.participation, report.response_languages]
    for q in report.questions:
        tables += [q.overall, q.by_location, q.by_period]
    out = []
    for table in tables:
        if table is None:
            continue
        for row in table.cells:
            out += row
        out += table.row_totals + (table.col_totals or [])
    return out


def utility_cost(scope) -> dict:
    """What the perturbation costs a reader: mean absolute change of shown counts and percents."""
    from klankbord.reports import ptable, releases, services

    release = releases.latest_release(scope=scope)
    noisy = _figures(services.build_report(scope, release=release))
    with ptable.exact_counts_for_tests():
        exact = _figures(services.build_report(scope, release=release))
    pairs = [(a, b) for a, b in zip(noisy, exact, strict=True) if a.value is not None]
    counts = [abs(a.value - b.value) for a, b in pairs]
    percents = [abs(a.percent - b.percent) for a, b in pairs if a.percent is not None]
    return {
        "shown_counts": len(counts),
        "mean_abs_count_change": round(statistics.mean(counts), 3) if counts else None,
        "max_abs_count_change": max(counts, default=None),
        "mean_abs_percent_point_change": round(statistics.mean(percents), 3) if percents else None,
        "mean_true_count": round(statistics.mean(b.value for _, b in pairs), 1) if pairs else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--db",
        help="SQLite file to keep the seeded data in (reused when it exists; default: temporary)",
    )
    parser.add_argument("--new-today", type=int, default=200, help="responses added today")
    parser.add_argument("--profile", help="write a pyinstrument HTML profile of one cold request")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "report.json"))
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from klankbord import create_app
    from klankbord.accounts.models import User
    from klankbord.extensions import db
    from klankbord.reports.models import ReportScope

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(args.db).resolve() if args.db else Path(tmp) / "bench.sqlite"
        reuse = db_path.exists()
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-" + "x" * 40,
                "DATABASE_URL": f"sqlite:///{db_path}",
                "INSTANCE_PATH": tmp,
                "WTF_CSRF_ENABLED": False,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 1024,
                "SERVER_NAME": "localhost",
            }
        )
        seed_seconds = None
        with app.app_context():
            if reuse:
                # Tables and indexes added to the models since the file was seeded.
                db.create_all()
                for table in db.metadata.sorted_tables:
                    for index in table.indexes:
                        index.create(db.engine, checkfirst=True)
                scope_id = db.session.execute(select(ReportScope.id)).scalars().first()
                email = "beleid@bench.example"
                assert db.session.execute(select(User.id).where(User.email == email)).first()
            else:
                db.create_all()
                started = time.perf_counter()
                scope, user = seed(args.responses, args.texts, random.Random(7))
                seed_seconds = round(time.perf_counter() - started, 1)
                scope_id, email = scope.id, user.email
            rss_after_seed = rss_mb()
            # The nightly release, made "tomorrow" so it holds every seeded day.
            from klankbord.core import time as clock
            from klankbord.reports import releases

            clock.freeze(clock.utcnow() + timedelta(days=1))
            scope_row = db.session.get(ReportScope, scope_id)
            release_seconds = None
            if releases.latest_release(scope=scope_row) is None:
                started = time.perf_counter()
                releases.make_scope_release(scope_row)
                db.session.commit()
                release_seconds = round(time.perf_counter() - started, 2)
            utility = utility_cost(scope_row)
            clear_caches()
        client = app.test_client()
        login = client.post(
            "/login", data={"email": email, "password": "bench-wachtwoord-lang-genoeg"}
        )
        assert login.status_code == 302, login.status_code
        url = f"/reports/{scope_id}"
        # The first request of a fresh process (imports, templates) and then cold requests.
        first = measure(client, url, 1, cold=True)[0]
        cold = measure(client, url, args.runs, cold=True)
        warm = measure(client, url, args.runs, cold=False)
        # New responses today (counted live), then a cold request.
        with app.app_context():
            added = add_today(args.new_today, random.Random(11))
        after_new = measure(client, url, 1, cold=True)[0]
        with app.app_context():
            remove(added)
        if args.profile:
            from pyinstrument import Profiler

            with app.app_context():
                clear_caches()
            profiler = Profiler(interval=0.001)
            profiler.start()
            client.get(url)
            profiler.stop()
            Path(args.profile).write_text(profiler.output_html(), encoding="utf-8")
            print(profiler.output_text(unicode=False, color=False, show_all=False))
        peak = rss_mb()
        result = {
            "benchmark": "report page (themes already computed)",
            "command": "python benchmarks/report.py " + " ".join(argv or sys.argv[1:]),
            "responses": args.responses,
            "free_text_answers": args.texts,
            "runs": args.runs,
            "release_seconds": release_seconds,
            "utility_cost": utility,
            "first_request_seconds": round(first[0], 3),
            "first_request_cpu_seconds": round(first[1], 3),
            "cold": _stats(cold),
            "after_new_responses": {
                "new_today": args.new_today,
                "seconds": round(after_new[0], 3),
                "cpu_seconds": round(after_new[1], 3),
            },
            "warm": _stats(warm),
            "page_bytes": first[2],
            "peak_rss_mb": round(peak, 1),
            "rss_after_seed_mb": round(rss_after_seed, 1),
            "seed_seconds": seed_seconds,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "cpus": os.cpu_count(),
            "database": "sqlite (file)",
            "cold_means": "in-process aggregate and suppression caches cleared, engine disposed "
            "(new SQLite connection); the OS file cache stays warm; the page renders the stored "
            "release (its frozen rows) and the theme sizes of its texts",
            "goal": {
                "cold_median_seconds_below": 1.0,
                "peak_rss_mb_below": 500,
                "release_seconds_below": 30,
            },
            "python": platform.python_version(),
            "machine": platform.machine(),
            "measured_at": datetime.now().isoformat(timespec="seconds"),
        }
        result["goal_met"] = (
            result["cold"]["median_seconds"] < 1.0
            and result["first_request_seconds"] < 1.0
            and result["after_new_responses"]["seconds"] < 1.0
            and result["peak_rss_mb"] < 500
            and (release_seconds is None or release_seconds < 30)
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


def markdown(r: dict) -> str:
    def row(name: str, st: dict) -> str:
        cells = ("median_seconds", "min_seconds", "max_seconds", "median_cpu_seconds")
        return f"| {name} | " + " | ".join(str(st[c]) for c in cells) + " |"

    first = {
        "median_seconds": r["first_request_seconds"],
        "min_seconds": "",
        "max_seconds": "",
        "median_cpu_seconds": r["first_request_cpu_seconds"],
    }
    lines = [
        "# Report page benchmark",
        "",
        f"`{r['command']}` — {r['measured_at']}, Python {r['python']}, {r['machine']}, "
        f"{r['cpus']} CPUs, {r['database']}.",
        "",
        f"Scope: {r['responses']:,} responses, {r['free_text_answers']:,} free-text answers, "
        "themes already computed.",
        f"Making the release (the nightly job's step for this scope): {r.get('release_seconds')} s "
        "(goal: under 30 s); every request below renders that release.",
        f"Cost of the perturbation to a reader: {r.get('utility_cost')}.",
        f"Load average (1/5/15 min) before: {r['load_average_before']}, after: "
        f"{r['load_average_after']} (the machine is shared; CPU time of the request is less "
        "sensitive to load than wall time).",
        "",
        "| request | median wall s | min | max | median CPU s |",
        "|---|---|---|---|---|",
        row("first of the process", first),
        row(f"cold ({r['runs']}x)", r["cold"]),
        row(f"warm ({r['runs']}x)", r["warm"]),
        row(
            f"cold, after {r['after_new_responses']['new_today']} new responses today",
            {
                "median_seconds": r["after_new_responses"]["seconds"],
                "min_seconds": "",
                "max_seconds": "",
                "median_cpu_seconds": r["after_new_responses"]["cpu_seconds"],
            },
        ),
        "",
        f"Cold: {r['cold_means']}.",
        f"Peak RSS {r['peak_rss_mb']} MB (after seeding {r['rss_after_seed_mb']} MB). "
        f"Goal: cold < 1 s and RSS < 500 MB; met: {r['goal_met']}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
