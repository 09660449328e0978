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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "report.json"))
    args = parser.parse_args(argv)

    from klankbord import create_app
    from klankbord.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-" + "x" * 40,
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite",
                "INSTANCE_PATH": tmp,
                "WTF_CSRF_ENABLED": False,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 1024,
                "SERVER_NAME": "localhost",
            }
        )
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            scope, user = seed(args.responses, args.texts, random.Random(7))
            seed_seconds = time.perf_counter() - started
            scope_id, email = scope.id, user.email
            rss_after_seed = rss_mb()
        client = app.test_client()
        login = client.post(
            "/login", data={"email": email, "password": "bench-wachtwoord-lang-genoeg"}
        )
        assert login.status_code == 302, login.status_code
        timings = []
        size = 0
        for _ in range(args.runs + 1):  # the first request warms caches and imports
            t0 = time.perf_counter()
            response = client.get(f"/reports/{scope_id}")
            timings.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
            size = len(response.data)
        page = timings[1:]
        peak = rss_mb()
        result = {
            "benchmark": "report page (themes already computed)",
            "responses": args.responses,
            "free_text_answers": args.texts,
            "runs": args.runs,
            "median_seconds": round(statistics.median(page), 3),
            "min_seconds": round(min(page), 3),
            "max_seconds": round(max(page), 3),
            "first_request_seconds": round(timings[0], 3),
            "page_bytes": size,
            "peak_rss_mb": round(peak, 1),
            "rss_after_seed_mb": round(rss_after_seed, 1),
            "seed_seconds": round(seed_seconds, 1),
            "database": "sqlite (temporary file)",
            "goal": {"median_seconds_below": 1.0, "peak_rss_mb_below": 500},
            "python": platform.python_version(),
            "machine": platform.machine(),
            "measured_at": datetime.now().isoformat(timespec="seconds"),
        }
        result["goal_met"] = result["median_seconds"] < 1.0 and result["peak_rss_mb"] < 500
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
