"""The ``klankbord`` commands ``check`` and ``create-admin`` through Flask's CLI runner."""

from __future__ import annotations

from sqlalchemy import select

from klankbord import create_app
from klankbord.accounts.models import Membership, Organisation, User
from klankbord.accounts.passwords import verify_password

ADMIN_ARGS = ["create-admin", "--email", "Beheer@Voorbeeld.NL", "--name", "Bea Beheer",
              "--organisation", "Gemeente Voorbeeld",
              "--password", "een lange zin voor de beheerder"]


def test_check_reports_a_working_database(runner):
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "Database: ok" in result.output
    assert "Configuration checked" in result.output


def test_check_fails_in_production_with_remarks(app_config):
    app = create_app({**app_config, "ENV_NAME": "production", "SESSION_COOKIE_SECURE": False})
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "KLANKBORD_SESSION_COOKIE_SECURE" in result.output


def test_check_says_when_the_database_does_not_answer(app_config, tmp_path):
    app = create_app({**app_config, "SQLALCHEMY_ENGINE_OPTIONS": {},
                      "DATABASE_URL": f"sqlite:///{tmp_path}/missing/folder/x.sqlite"})
    result = app.test_cli_runner().invoke(args=["check"])
    assert "Database does not answer: OperationalError" in result.output
    assert "Traceback" not in result.output


def test_create_admin_makes_organisation_user_and_admin_membership(runner, db):
    result = runner.invoke(args=ADMIN_ARGS)
    assert result.exit_code == 0, result.output
    assert "beheer@voorbeeld.nl" in result.output
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.email == "beheer@voorbeeld.nl")).scalar_one()
    assert verify_password(user.password_hash, "een lange zin voor de beheerder")
    org = db.session.execute(select(Organisation)).scalar_one()
    assert org.name == "Gemeente Voorbeeld" and org.slug == "gemeente-voorbeeld"
    membership = db.session.execute(select(Membership)).scalar_one()
    assert (membership.user_id, membership.organisation_id, membership.role) == (
        user.id, org.id, "admin")


def test_create_admin_refuses_a_weak_password_and_stores_nothing(runner, db):
    args = [*ADMIN_ARGS[:-1], "password1234"]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.execute(select(User)).first() is None
    assert db.session.execute(select(Organisation)).first() is None


def test_create_admin_refuses_an_existing_address(runner, db):
    assert runner.invoke(args=ADMIN_ARGS).exit_code == 0
    again = runner.invoke(args=ADMIN_ARGS)
    assert again.exit_code == 1
    assert "bestaat al" in again.output  # commands speak the default language, Dutch
    db.session.expire_all()
    assert len(db.session.execute(select(User)).all()) == 1


def test_cluster_command_takes_its_features_from_the_embeddings_setting(app, runner, tmp_path):
    import json

    rows = [{"id": str(i), "text": f"{word} {i}", "lang": "nl"}
            for i, word in enumerate(["keuken dicht koken", "taalles te kort"] * 8)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    out = tmp_path / "out.json"
    app.config["ANALYSIS_EMBEDDINGS"] = "off"
    result = runner.invoke(args=["cluster", str(src), "--out", str(out), "--k", "2"])
    assert result.exit_code == 0, result.output
    params = json.loads(out.read_text("utf-8"))["params"]
    assert params["features"] == "tfidf" and params["vectorizer"]["vectorizer"] == "tfidf"
    result = runner.invoke(args=["cluster", str(src), "--out", str(out), "--features", "nope"])
    assert result.exit_code == 2 and "nope" in result.output


def test_demo_prints_progress_and_links_with_the_real_address(app, db, runner):
    """`make run PORT=8123` passes the address on; the seed says what it does while it works, and
    its meeting "ready to start" is planned for the coming evening, not the second it ran."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from klankbord.core import time as clock
    from klankbord.meetings.demo import next_evening
    from klankbord.meetings.models import Meeting

    app.config.update(PUBLIC_BASE_URL="http://127.0.0.1:8123/", ANALYSIS_EMBEDDINGS="off")
    now = datetime(2026, 12, 7, 20, 15, 42)  # 21:15 in Amsterdam: too late for tonight
    clock.freeze(now)
    try:
        result = runner.invoke(args=["demo", "--if-empty"])
    finally:
        clock.freeze(None)
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/s/" in result.output
    assert "http://127.0.0.1:8123/m/" in result.output
    assert ":5000" not in result.output
    assert "] organisations, locations and demo logins" in result.output
    assert "] done" in result.output
    planned = db.session.execute(select(Meeting).where(Meeting.status == "planned")).scalar_one()
    local = planned.starts_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Amsterdam"))
    assert (local.hour, local.minute, local.second) == (19, 30, 0)
    assert timedelta(0) < planned.starts_at - now <= timedelta(days=1)
    assert next_evening(datetime(2026, 6, 1, 8, 0), "Europe/Amsterdam") == datetime(
        2026, 6, 1, 17, 30)  # summer time: 19:30 in Amsterdam is 17:30 UTC, the same day
    # 46 days before a winter evening is a summer-time day: still 19:30 in Amsterdam.
    assert next_evening(now, "Europe/Amsterdam", days_before=46) == datetime(2026, 10, 23, 17, 30)
    finished = db.session.execute(select(Meeting).where(Meeting.status == "finished")).scalar_one()
    assert finished.starts_at == datetime(2026, 10, 23, 17, 30)
