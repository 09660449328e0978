"""Builders for report tests: a survey round with responses written straight into the tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import insert

from klankbord.extensions import db
from klankbord.surveys import services as survey_services
from klankbord.surveys.models import Answer, Response, SurveyVersion


def version(app, survey_id: str = "koken"):
    """The stored version of a shipped survey (synced once per app: YAML parsing is slow)."""
    cache = app.extensions.setdefault("reports_test_versions", {})
    if not cache:
        for result in survey_services.sync_definitions(app.config["SURVEYS_DIR"]):
            cache[result.survey_id] = result.version.id
        db.session.commit()
    return db.session.get(SurveyVersion, cache[survey_id])


def deployment(app, org, locations, survey_id: str = "koken", opens=datetime(2025, 9, 1)):
    dep = survey_services.create_deployment(
        org, version(app, survey_id), locations, opens, datetime(2026, 3, 1)
    )
    db.session.commit()
    return dep


def add_responses(
    dep, answers: list[dict], *, language: str = "nl", day: date = date(2025, 10, 6)
) -> list[str]:
    """One response per dict {question_id: value or [values]}; returns the response ids."""
    ids, responses, rows = [], [], []
    for answer in answers:
        rid = uuid.uuid4().hex
        ids.append(rid)
        responses.append(
            {
                "id": rid,
                "deployment_id": dep.id,
                "version_id": dep.version_id,
                "language": answer.pop("_lang", language),
                "submitted_on": answer.pop("_day", day),
                "submission_key_hash": uuid.uuid4().hex * 2,
                "answers_hash": "0" * 64,
            }
        )
        for qid, value in answer.items():
            values = value if isinstance(value, list) else [value]
            for position, v in enumerate(values):
                rows.append(
                    {
                        "response_id": rid,
                        "question_id": qid,
                        "position": position,
                        "value_text": v,
                        "value_number": None,
                    }
                )
    db.session.execute(insert(Response), responses)
    if rows:
        db.session.execute(insert(Answer), rows)
    db.session.commit()
    return ids


def released_report(scope, *, lang: str = "nl", exact: bool = True, labels=None):
    """Release everything up to today (as tomorrow's nightly job would) and build its report.

    ``exact`` shows true counts, for tests of aggregation and suppression arithmetic; the
    perturbation has tests of its own (tests/reports/test_releases.py, tests/security/).
    """
    from klankbord.reports import ptable, releases, services

    # Everything stored so far, whatever the test's clock says (the release rule has tests of
    # its own in test_releases.py).
    release = releases._make(
        organisation_id=scope.organisation_id,
        scope=scope,
        deployment=None,
        data_until=date(2999, 12, 31),
        actor=None,
        run_id=scope.latest_run.id if scope.latest_run else None,
        check_rule=False,
    )
    if exact:
        with ptable.exact_counts_for_tests():
            return services.build_report(scope, release=release, lang=lang, labels=labels)
    return services.build_report(scope, release=release, lang=lang, labels=labels)
