"""Syncing survey files into versions, the CLI, and the demo deployments."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from klankbord.surveys import services
from klankbord.surveys.models import SurveyVersion

SHIPPED = ("koken", "privacy", "taallessen", "wonen")


def _count(db) -> int:
    return db.session.execute(select(func.count(SurveyVersion.id))).scalar_one()


def test_sync_loads_every_shipped_survey_once_and_is_idempotent(app, db):
    first = services.sync_definitions(app.config["SURVEYS_DIR"])
    db.session.commit()
    assert sorted(r.survey_id for r in first) == list(SHIPPED)
    assert all(r.created and r.version.number == 1 for r in first)
    again = services.sync_definitions(app.config["SURVEYS_DIR"])
    db.session.commit()
    assert not any(r.created for r in again)
    assert _count(db) == len(SHIPPED)


def test_changed_definition_becomes_a_new_version_and_old_answers_keep_theirs(app, db, tmp_path):
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    shutil.copy(Path(app.config["SURVEYS_DIR"]) / "koken.yaml", surveys / "koken.yaml")
    (v1,) = [r.version for r in services.sync_definitions(str(surveys))]
    db.session.commit()
    text = (surveys / "koken.yaml").read_text(encoding="utf-8")
    (surveys / "koken.yaml").write_text(
        text.replace("  nl: Koken en eten\n", "  nl: Koken en samen eten\n", 1), encoding="utf-8"
    )
    (result,) = services.sync_definitions(str(surveys))
    db.session.commit()
    assert result.created and result.version.number == 2
    assert result.version.content_hash != v1.content_hash
    # The stored snapshot of version 1 still reads as the old survey.
    assert services.definition_of(v1).title["nl"] == "Koken en eten"
    assert services.definition_of(result.version).title["nl"] == "Koken en samen eten"
    assert [v.number for v in services.latest_versions()] == [2]
    # A comment or re-indentation does not make a version.
    (surveys / "koken.yaml").write_text(
        "# a comment\n" + (surveys / "koken.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (result,) = services.sync_definitions(str(surveys))
    assert not result.created


def test_snapshot_rebuilds_the_same_definition(shipped, versions):
    for defn in shipped:
        rebuilt = services.definition_of(versions[defn.id])
        assert rebuilt == defn
        assert rebuilt.content_hash == defn.content_hash


def test_sync_command_reports_and_refuses_a_broken_file_without_changes(app, db, runner, tmp_path):
    result = runner.invoke(args=["surveys", "sync"])
    assert result.exit_code == 0, result.output
    assert "koken: new version 1" in result.output
    result = runner.invoke(args=["surveys", "sync"])
    assert "koken: unchanged, version 1" in result.output

    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(Path(app.config["SURVEYS_DIR"]) / "wonen.yaml", broken / "wonen.yaml")
    (broken / "aaa.yaml").write_text("id: aaa\nversion: 1\n", encoding="utf-8")
    app.config["SURVEYS_DIR"] = str(broken)
    before = _count(db)
    result = runner.invoke(args=["surveys", "sync"])
    assert result.exit_code != 0
    assert "Nothing was changed" in result.output and "aaa.yaml" in result.output
    assert _count(db) == before


def test_demo_deploys_every_survey_open_now_and_prints_links(app, db, make):
    from klankbord.core.registry import registry
    from klankbord.surveys.cli import seed_demo_surveys
    from klankbord.surveys.models import Deployment

    assert registry(app).demo_seeders.count(seed_demo_surveys) == 1  # `klankbord demo` runs it once
    org = make.org()
    make.location(org, "AZC Voorbeeldstad-Oost")
    output = "\n".join(seed_demo_surveys(org))
    db.session.commit()
    deployments = db.session.execute(select(Deployment)).scalars().all()
    assert sorted(d.version.survey_id for d in deployments) == list(SHIPPED)
    for deployment in deployments:
        assert services.deployment_state(deployment) == "open"
        assert f"/s/{deployment.code}" in output
        assert (deployment.closes_at - deployment.opens_at).days >= 59
    # Running the demo seeder again does not duplicate the versions.
    seed_demo_surveys(org)
    assert _count(db) == len(SHIPPED)
