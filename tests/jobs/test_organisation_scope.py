"""/admin/jobs is per organisation (issue 14, item 2).

Before: B's admin saw every organisation's job history and "run now" acted on all of them
(the survey-window job sent A's staff their mails, re-cluster and retention touched A).
Now an organisation's admin sees and runs only that organisation's part; jobs for the whole
platform are the operator's, from the command line.
"""

from __future__ import annotations

import email
from datetime import date, datetime
from email import policy

from sqlalchemy import func, select
from tests.conftest import login
from tests.jobs import builders

from klankbord.jobs import recluster
from klankbord.jobs.mail import outbox_dir
from klankbord.jobs.models import JobRun
from klankbord.jobs.runner import run_job
from klankbord.meetings.models import MeetingIdea
from klankbord.reports.models import ThemeRun
from klankbord.surveys.models import Answer

TEXTS = [
    "We willen zelf koken in een eigen keuken",
    "Een keuken om zelf te koken zou fijn zijn",
    "Zelf koken met eigen pannen in de keuken",
    "Graag een keuken waar we zelf kunnen koken",
    "Koken in de keuken met een eigen fornuis",
    "Een fornuis en pannen om zelf te koken",
    "Meer taalles Nederlands per week graag",
    "Taalles in de avond zodat ik overdag werk",
    "Nederlandse taalles met een goede docent",
    "Ik wil vaker taalles om Nederlands te leren",
    "Taalles Nederlands voor moeders met kinderopvang",
    "De taalles Nederlands is te kort",
]


def _recipients() -> list[str]:
    folder = outbox_dir()
    if not folder.exists():
        return []
    return sorted(
        email.message_from_bytes(p.read_bytes(), policy=policy.default)["To"]
        for p in folder.glob("*.eml")
    )


def _two_organisations(app, db, make):
    """A and B, each with an admin, a facilitator, a survey open now and old text."""
    a, b = make.org("Gemeente A", min_group_size=5), make.org("Gemeente B", min_group_size=5)
    a_admin = make.user(a, "admin", email="admin@a.example")
    make.user(a, "facilitator", email="fac@a.example")
    b_admin = make.user(b, "admin", email="admin@b.example")
    make.user(b, "facilitator", email="fac@b.example")
    for org in (a, b):
        builders.deployment(app, org, datetime(2026, 3, 4, 9, 0), datetime(2026, 3, 20))
    return a, b, a_admin, b_admin


def test_b_runs_the_survey_window_job_and_a_gets_no_mail(app, client, db, make, frozen):
    a, b, a_admin, b_admin = _two_organisations(app, db, make)
    frozen(datetime(2026, 3, 4, 9, 5))
    login(client, b_admin)
    client.post("/admin/jobs/run", data={"job": "survey_windows"})
    assert _recipients() == ["admin@b.example", "fac@b.example"]
    # A's notice was not used up by B's run: the scheduler still tells A's staff.
    run_job("survey_windows", trigger="scheduler")
    assert "fac@a.example" in _recipients() and "admin@a.example" in _recipients()


def test_b_runs_retention_and_recluster_and_a_is_untouched(app, client, db, make, frozen):
    a, b, a_admin, b_admin = _two_organisations(app, db, make)
    frozen(datetime(2026, 3, 4, 9, 17))
    recluster.forget_models()
    for org in (a, b):
        org.retention_months = 1
        old = builders.deployment(app, org, datetime(2025, 6, 1), datetime(2025, 8, 1))
        builders.responses(old, TEXTS, day=date(2025, 7, 1))
        meeting = builders.meeting(
            org, datetime(2025, 7, 1, 18), finished=datetime(2025, 7, 1, 20)
        )
        builders.ideas(meeting, ["Samen koken op zondag"], created=datetime(2025, 7, 1, 19))
        builders.scope(org, deployments=[old], name=f"Koken {org.name}")
    db.session.commit()

    def a_state():
        from klankbord.surveys.models import Deployment, Response

        free_text = db.session.execute(
            select(func.count())
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .join(Deployment, Deployment.id == Response.deployment_id)
            .where(Deployment.organisation_id == a.id, Answer.question_id == "what_would_help")
        ).scalar_one()
        ideas = db.session.execute(
            select(func.count(MeetingIdea.id)).where(MeetingIdea.organisation_id == a.id)
        ).scalar_one()
        runs = db.session.execute(
            select(func.count(ThemeRun.id)).where(ThemeRun.organisation_id == a.id)
        ).scalar_one()
        return free_text, ideas, runs

    counts_before = a_state()
    assert counts_before == (len(TEXTS), 1, 0)
    login(client, b_admin)
    client.post("/admin/jobs/run", data={"job": "recluster"})
    client.post("/admin/jobs/run", data={"job": "retention"})
    db.session.expire_all()
    assert a_state() == counts_before  # A: no themes made, nothing deleted
    assert db.session.execute(
        select(func.count(ThemeRun.id)).where(ThemeRun.organisation_id == b.id)
    ).scalar_one() == 1
    assert db.session.execute(
        select(func.count(MeetingIdea.id)).where(MeetingIdea.organisation_id == b.id)
    ).scalar_one() == 0


def test_b_sees_only_its_own_job_history(app, db, make, frozen, test_job):
    a, b, a_admin, b_admin = _two_organisations(app, db, make)
    name = test_job("tellen", lambda ctx: {"for_org": ctx.organisation_id or 0})
    a_client, b_client = app.test_client(), app.test_client()
    login(a_client, a_admin)
    login(b_client, b_admin)
    a_client.post("/admin/jobs/run", data={"job": name})
    run_job(name, trigger="cli")  # the operator's run for everyone
    page = b_client.get("/admin/jobs").get_data(as_text=True)
    assert f"for_org={a.id}" not in page and "for_org=0" not in page
    b_client.post("/admin/jobs/run", data={"job": name})
    page = b_client.get("/admin/jobs").get_data(as_text=True)
    assert f"for_org={b.id}" in page and f"for_org={a.id}" not in page
    runs = db.session.execute(select(JobRun.organisation_id, JobRun.trigger)).all()
    assert sorted(runs, key=str) == sorted(
        [(a.id, "admin"), (None, "cli"), (b.id, "admin")], key=str
    )


def test_platform_jobs_are_not_offered_to_organisation_admins(app, client, db, make):
    admin = make.user(make.org(), "admin")
    login(client, admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "<code>embed</code>" not in page and "<code>retention</code>" in page
    response = client.post("/admin/jobs/run", data={"job": "embed"}, follow_redirects=True)
    assert "no job with that name" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(JobRun.id))).scalar_one() == 0


def test_operator_runs_one_organisations_part_from_the_cli(app, runner, db, make, test_job):
    org = make.org()
    name = test_job("deel", lambda ctx: {"org": ctx.organisation_id})
    result = runner.invoke(args=["jobs", "run", name, "--organisation", org.slug])
    assert result.exit_code == 0 and f"org={org.id}" in result.output
    bad = runner.invoke(args=["jobs", "run", name, "--organisation", "bestaat-niet"])
    assert bad.exit_code != 0 and "No organisation" in bad.output
