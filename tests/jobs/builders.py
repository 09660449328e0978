"""Builders for the job tests: survey rounds, meetings with ideas and report scopes, written
straight into the tables so each test reads like the situation it describes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import insert

# Import every domain's models so the test database has their tables.
import klankbord.meetings.models  # noqa: F401
import klankbord.reports.models  # noqa: F401
import klankbord.surveys.models  # noqa: F401
from klankbord.extensions import db
from klankbord.meetings import services as meeting_services
from klankbord.meetings.models import MeetingIdea
from klankbord.reports.models import ReportScope
from klankbord.surveys import services as survey_services
from klankbord.surveys.models import Answer, Response


def version(app, survey_id: str = "koken"):
    results = survey_services.sync_definitions(app.config["SURVEYS_DIR"])
    return next(r.version for r in results if r.survey_id == survey_id)


def deployment(app, org, opens: datetime, closes: datetime, location=None):
    from klankbord.accounts import services

    location = location or services.add_location(org, f"AZC {uuid.uuid4().hex[:6]}", "azc")
    dep = survey_services.create_deployment(org, version(app), [location], opens, closes)
    db.session.commit()
    return dep


def responses(
    dep,
    texts: list[str],
    *,
    day: date = date(2025, 10, 6),
    language: str = "nl",
    choice: str = "own_kitchen",
) -> list[str]:
    """One response per text: a closed answer plus the text as free answer to what_would_help."""
    ids, rows = [], []
    for text in texts:
        rid = uuid.uuid4().hex
        ids.append(rid)
        db.session.execute(
            insert(Response).values(
                id=rid,
                deployment_id=dep.id,
                version_id=dep.version_id,
                language=language,
                submitted_on=day,
                submission_key_hash=uuid.uuid4().hex * 2,
                answers_hash="0" * 64,
            )
        )
        rows.append(
            {
                "response_id": rid,
                "question_id": "kitchen_access",
                "position": 0,
                "value_text": choice,
                "value_number": None,
            }
        )
        rows.append(
            {
                "response_id": rid,
                "question_id": "what_would_help",
                "position": 0,
                "value_text": text,
                "value_number": None,
            }
        )
    db.session.execute(insert(Answer), rows)
    db.session.commit()
    return ids


def meeting(org, starts: datetime, *, finished: datetime | None = None, facilitator_ids=()):
    group = meeting_services.create_group(
        org.id, "Klankbordgroep", "Meedenken", ["ar"], list(facilitator_ids)
    )
    m = meeting_services.create_meeting(group, "Avond over koken", starts, place="AZC")
    if finished:
        m.status, m.started_at, m.finished_at = "finished", starts, finished
    db.session.commit()
    return m


def ideas(m, texts: list[str], *, created: datetime, lang: str = "nl") -> list[int]:
    rows = [
        MeetingIdea(
            organisation_id=m.organisation_id,
            meeting_id=m.id,
            text=t,
            lang=lang,
            created_on=created.date(),
            status="approved",
        )
        for t in texts
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]


def scope(org, *, deployments=(), meetings=(), name: str = "Koken") -> ReportScope:
    row = ReportScope(
        organisation_id=org.id,
        name=name,
        deployment_ids=[d.id for d in deployments],
        meeting_ids=[m.id for m in meetings],
    )
    db.session.add(row)
    db.session.commit()
    return row
