"""Builders shared by the hostile-input, fault and privacy tests: an open survey, a live meeting."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from klankbord import create_app
from klankbord.core import time as clock
from klankbord.extensions import db as _db

#: The small test survey of the surveys domain: every question type, nl/en/ar, free text <= 60.
PROEF = Path(__file__).resolve().parents[1] / "surveys" / "data" / "flow" / "proef.yaml"


def open_survey(app, db, make, org=None):
    """An open deployment of 'proef' (opened an hour ago, for a week)."""
    from klankbord.surveys import services
    from klankbord.surveys.definitions import load_definition

    app.config["SURVEYS_DIR"] = str(PROEF.parent)
    (result,) = services.store_versions([load_definition(PROEF)])
    org = org or make.org()
    location = make.location(org)
    now = clock.utcnow().replace(microsecond=0)
    deployment = services.create_deployment(
        org, result.version, [location], now - timedelta(hours=1), now + timedelta(days=7)
    )
    db.session.commit()
    return deployment


def live_meeting(db, make, org=None):
    """A live meeting (languages nl, ar, ti, fa) with one agenda item; returns the meeting."""
    from klankbord.meetings import services

    org = org or make.org()
    group = services.create_group(org.id, "Klankbordgroep", "Meedenken", ["ar", "ti", "fa"], [])
    meeting = services.create_meeting(group, "Avond over koken", datetime(2026, 3, 2, 18, 0))
    services.add_agenda_item(meeting, "Koken", None, {"nl": "Wat is nodig?", "ar": "ما المطلوب؟"})
    services.start_meeting(meeting)
    db.session.commit()
    return meeting


def new_key() -> str:
    return secrets.token_urlsafe(16)


def signed_state(app, code: str, key: str | None = None) -> dict[str, str]:
    """The key and token a respondent form carries (what the intro page would hand out)."""
    from klankbord.surveys.respondent import form_token

    key = key or new_key()
    with app.test_request_context():
        return {"key": key, "token": form_token(code, key)}


def valid_answers(story: str | None = "Meer licht in de gang") -> list[tuple[str, str]]:
    """A complete, valid answer set for 'proef' (6 answer rows with a story)."""
    fields = [
        ("a.kitchen", "own"),
        ("a.days", "3"),
        ("a.happy", "4"),
        ("a.barriers", "money"),
        ("a.barriers", "time"),
    ]
    if story is not None:
        fields.append(("a.story", story))
    return fields


def submit(client, app, deployment, fields, lang="nl", key=None, **kw):
    """POST a submission with a valid key/token plus ``fields``."""
    state = signed_state(app, deployment.code, key)
    data = MultiDict([*state.items(), *fields])
    return client.post(f"/s/{deployment.code}/{lang}/submit", data=data, **kw)


def counts(db) -> tuple[int, int]:
    """(responses, answers) in the database."""
    from klankbord.surveys.models import Answer, Response

    responses = db.session.execute(select(func.count()).select_from(Response)).scalar_one()
    answers = db.session.execute(select(func.count()).select_from(Answer)).scalar_one()
    return responses, answers


def answers_per_response(db) -> list[int]:
    from klankbord.surveys.models import Answer, Response

    rows = db.session.execute(
        select(func.count(Answer.response_id))
        .select_from(Response)
        .join(Answer, Answer.response_id == Response.id, isouter=True)
        .group_by(Response.id)
    ).all()
    return [n for (n,) in rows]


def limited_app(app, **overrides):
    """A second app on the same database as ``app``, with rate limits on."""
    config = {k: app.config[k] for k in (
        "TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "SERVER_NAME", "SQLALCHEMY_DATABASE_URI",
        "SQLALCHEMY_ENGINE_OPTIONS", "ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "SURVEYS_DIR",
    )}
    config["DATABASE_URL"] = config.pop("SQLALCHEMY_DATABASE_URI")
    config["INSTANCE_PATH"] = app.instance_path
    config.update({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", **overrides})
    limited = create_app(config)
    if config["DATABASE_URL"] == "sqlite://":  # one in-memory database: share the engine
        with app.app_context():
            engine = _db.engine
        with limited.app_context():
            _db._app_engines[limited] = {None: engine}
    return limited
