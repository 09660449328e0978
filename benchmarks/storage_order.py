"""Does the database keep the order in which residents answered? (issue 13, item 3)

For SQLite (a WAL file, as in production) and PostgreSQL: 1,000 "koken" submissions through the
real endpoint, one request each; then, for survey_response and survey_answer, the Spearman
correlation between the page a row is stored in (SQLite: found in the file's own bytes;
PostgreSQL: ctid) and the order of submission, the share of same-page row pairs stored in
submission order (0.5 = none), and on PostgreSQL the transaction ids (xmin). Measured right after
the submissions and after the nightly ``reorder`` job; on SQLite also for the same rows written
in the same order into a rowid table, the layout before this change. ``--scale N`` also times
the job on N bulk-inserted responses (with their answers).

    .venv/bin/python benchmarks/storage_order.py [--submissions 1000] [--scale 100000]

Results: benchmarks/results/storage-order.json and .md.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _kit  # noqa: E402


def _submit(app, seeded, count: int) -> list[str]:
    from werkzeug.datastructures import MultiDict

    answers, tokens = _kit.AnswerMaker(app, seeded.survey_id), _kit.Tokens(app)
    client = app.test_client()
    keys = []
    for n in range(count):
        state = tokens.state(seeded.survey_code)
        fields, _ = answers.make(n)
        lang = seeded.languages[n % len(seeded.languages)]
        response = client.post(f"/s/{seeded.survey_code}/{lang}/submit",
                               data=MultiDict([*state.items(), *fields]))
        assert response.status_code == 303, response.status_code
        keys.append(state["key"])
    return keys


def _measure(ids: list[str], with_xmin: bool) -> dict:
    from sqlalchemy import text

    from klankbord.extensions import db
    from klankbord.jobs import reorder

    result = {}
    for table, column in (("survey_response", "id"), ("survey_answer", "response_id")):
        positions = reorder.physical_positions(table, column)
        result[table] = {
            "rows_found": len(positions),
            "spearman_page_vs_order": round(reorder.order_correlation(positions, ids), 3),
            "same_page_pairs_in_order": round(reorder.within_page_concordance(positions, ids), 3),
        }
        if with_xmin:
            xmins = dict(db.session.execute(
                text(f"SELECT {column}, min(xmin::text::bigint) FROM {table} GROUP BY {column}")
            ).all())
            result[table]["distinct_xmin"] = len(set(xmins.values()))
            result[table]["spearman_xmin_vs_order"] = round(
                reorder.order_correlation({k: (v,) for k, v in xmins.items()}, ids), 3
            ) if len(set(xmins.values())) > 1 else None
    db.session.commit()
    return result


def _rowid_control(ids: list[str]) -> dict:
    """The same response rows, written one per transaction in the same order into a rowid
    table with the old schema's layout (a text primary key beside the rowid)."""
    from sqlalchemy import text

    from klankbord.extensions import db
    from klankbord.jobs import reorder

    db.session.execute(text(
        "CREATE TABLE old_layout (id VARCHAR(32) PRIMARY KEY, deployment_id INT, version_id INT,"
        " language VARCHAR(5), submitted_on DATE, submission_key_hash VARCHAR(64),"
        " answers_hash VARCHAR(64))"))
    db.session.commit()
    rows = {r["id"]: dict(r) for r in db.session.execute(
        text("SELECT * FROM survey_response")).mappings()}
    for rid in ids:
        db.session.execute(text(
            "INSERT INTO old_layout VALUES (:id, :deployment_id, :version_id, :language,"
            " :submitted_on, :submission_key_hash, :answers_hash)"), rows[rid])
        db.session.commit()
    positions = reorder.physical_positions("old_layout", "id")
    db.session.execute(text("DROP TABLE old_layout"))
    db.session.commit()
    return {"spearman_page_vs_order": round(reorder.order_correlation(positions, ids), 3),
            "same_page_pairs_in_order": round(reorder.within_page_concordance(positions, ids), 3)}


def _bulk(seeded, count: int) -> None:
    """``count`` more responses with 10 answers each, in batches (for timing the job)."""
    from sqlalchemy import insert

    from klankbord.extensions import db
    from klankbord.surveys.models import Answer, Response

    version = db.session.execute(
        Response.__table__.select().limit(1)).mappings().first()["version_id"]
    for start in range(0, count, 5000):
        responses, answers = [], []
        for _ in range(min(5000, count - start)):
            rid = uuid.uuid4().hex
            responses.append({"id": rid, "deployment_id": seeded.deployment_id,
                              "version_id": version, "language": "nl",
                              "submitted_on": date.today(),
                              "submission_key_hash": secrets.token_hex(32),
                              "answers_hash": "x" * 64})
            answers += [{"response_id": rid, "question_id": f"q{q}", "position": 0,
                         "value_text": "Meer licht in de gang", "value_number": None}
                        for q in range(10)]
        db.session.execute(insert(Response), responses)
        db.session.execute(insert(Answer), answers)
        db.session.commit()


def run(kind: str, submissions: int, scale: int) -> dict:
    from klankbord.extensions import db
    from klankbord.jobs import reorder

    tmp = Path(tempfile.mkdtemp())
    with _kit.temporary_database(kind, tmp) as url:
        app = _kit.make_app(url, secrets.token_hex(32), tmp)
        seeded = _kit.seed(app, with_meeting=False)
        keys = _submit(app, seeded, submissions)
        with app.app_context():
            from sqlalchemy import select

            from klankbord.surveys.models import Response

            by_hash = dict(db.session.execute(
                select(Response.submission_key_hash, Response.id)).all())
            ids = [by_hash[_kit.key_hash(seeded.deployment_id, k)] for k in keys]
            postgres = kind == "postgresql"
            result = {"database": kind, "submissions": submissions}
            if not postgres:
                result["old_rowid_layout"] = _rowid_control(ids)
            result["after_submitting"] = _measure(ids, postgres)
            started = time.perf_counter()
            reorder.reorder(None)
            result["reorder_seconds"] = round(time.perf_counter() - started, 2)
            result["after_reorder"] = _measure(ids, postgres)
            if scale:
                _bulk(seeded, scale)
                started = time.perf_counter()
                reorder.reorder(None)
                first = round(time.perf_counter() - started, 2)
                # A night later: only that day's rows are rewritten, the tables are clustered.
                started = time.perf_counter()
                reorder.reorder(datetime.now())
                result["scale"] = {"responses": scale + submissions,
                                   "answers": db.session.execute(
                                       select(db.func.count()).select_from(
                                           db.metadata.tables["survey_answer"])).scalar_one(),
                                   "reorder_seconds": first,
                                   "next_night_seconds": round(time.perf_counter() - started, 2)}
            db.session.remove()
            db.engine.dispose()
    return result


def _markdown(results: list[dict]) -> str:
    lines = ["| Database | Table | When | Spearman page ~ order | same-page pairs in order |"
             " distinct xmin |", "|---|---|---|---:|---:|---:|"]
    for r in results:
        if "old_rowid_layout" in r:
            o = r["old_rowid_layout"]
            lines.append(f"| {r['database']} | survey_response | rowid layout (before) |"
                         f" {o['spearman_page_vs_order']} | {o['same_page_pairs_in_order']} | |")
        for when in ("after_submitting", "after_reorder"):
            for table, m in r[when].items():
                lines.append(f"| {r['database']} | {table} | {when.replace('_', ' ')} |"
                             f" {m['spearman_page_vs_order']} | {m['same_page_pairs_in_order']} |"
                             f" {m.get('distinct_xmin', '')} |")
    lines.append("")
    for r in results:
        line = f"- {r['database']}: reorder of {r['submissions']} responses"
        line += f" {r['reorder_seconds']} s"
        if "scale" in r:
            s = r["scale"]
            line += (f"; of {s['responses']:,} responses and {s['answers']:,} answers"
                     f" {s['reorder_seconds']} s (first run, every row)")
            if "next_night_seconds" in s:
                line += f", {s['next_night_seconds']} s (a night later)"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=0)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    results = [run(kind, args.submissions, args.scale) for kind in kinds]
    _kit.RESULTS.mkdir(parents=True, exist_ok=True)
    (_kit.RESULTS / "storage-order.json").write_text(json.dumps(results, indent=2) + "\n")
    (_kit.RESULTS / "storage-order.md").write_text(_markdown(results))
    print(_markdown(results))


if __name__ == "__main__":
    main()
