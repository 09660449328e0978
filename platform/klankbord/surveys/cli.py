"""`klankbord surveys ...` commands and the demo seeder for surveys."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from klankbord.core.registry import demo_base_url
from klankbord.extensions import db

surveys_cli = AppGroup("surveys", help="Survey definitions and deployments.")


@surveys_cli.command("sync")
def sync() -> None:
    """Load surveys/*.yaml into survey versions; a changed survey becomes a new version."""
    from klankbord.surveys.definitions import SurveyDefinitionError
    from klankbord.surveys.services import sync_definitions

    directory = current_app.config["SURVEYS_DIR"]
    try:
        results = sync_definitions(directory)
    except (SurveyDefinitionError, OSError) as error:
        db.session.rollback()
        raise click.ClickException(f"Nothing was changed. {error}") from error
    db.session.commit()
    for result in results:
        state = "new version" if result.created else "unchanged, version"
        short_hash = result.version.content_hash[:12]
        click.echo(f"{result.survey_id}: {state} {result.version.number} ({short_hash})")
    if not results:
        click.echo(f"No survey files in {directory}.")


def public_link(code: str) -> str:
    base = demo_base_url()
    return f"{base}/s/{code}"


def seed_demo_surveys(org) -> list[str]:
    """Deploy every shipped survey, open now for 60 days, at the organisation's first location."""
    from klankbord.core.time import utcnow
    from klankbord.surveys import services

    services.sync_definitions(current_app.config["SURVEYS_DIR"])
    locations = services.all_locations(org)
    if not locations:
        return []
    now = utcnow().replace(microsecond=0)
    lines = ["", f"Surveys open now at {locations[0].name} (for 60 days):"]
    for version in services.latest_versions():
        deployment = services.create_deployment(
            org, version, locations[:1], now - timedelta(minutes=1), now + timedelta(days=60)
        )
        lines.append(f"  {version.survey_id:<12} {public_link(deployment.code)}")
    seed_demo_clips(org)
    return lines


DEMO_CLIPS = Path(__file__).resolve().parent / "data"


def seed_demo_clips(org) -> int:
    """Store the shipped spoken questions of the demo (data/demo-clips.json) for ``org``.

    They were made once with espeak-ng and converted like a staff upload, so the demo needs no
    ffmpeg; return how many were stored.
    """
    import hashlib
    import json

    from klankbord.surveys import audio, clips, services

    manifest = json.loads((DEMO_CLIPS / "demo-clips.json").read_text(encoding="utf-8"))
    stored = 0
    for survey_id, questions in manifest.items():
        versions = services.versions_of(survey_id) if not survey_id.startswith("_") else []
        if not versions:
            continue
        defn = services.definition_of(versions[0])
        for question_id, durations in questions.items():
            for language, duration_ms in durations.items():
                path = DEMO_CLIPS / f"demo-{survey_id}-{question_id}-{language}.{audio.EXTENSION}"
                data = path.read_bytes()
                clip = audio.Clip(data, audio.MIME, duration_ms, hashlib.sha256(data).hexdigest())
                clips.save_clip(org, defn, question_id, language, clip)
                stored += 1
    return stored
