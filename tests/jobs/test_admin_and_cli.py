"""The admin page /admin/jobs and the ``klankbord jobs`` commands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.conftest import login

from klankbord.jobs.models import JobRun


def _count_runs(db, name=None):
    query = select(func.count(JobRun.id))
    if name:
        query = query.where(JobRun.job == name)
    return db.session.execute(query).scalar_one()


def test_admin_sees_jobs_history_and_next_runs(app, client, make, frozen, test_job):
    name = test_job("visible", lambda ctx: {"rows": 7})
    app.config["JOB_SCHEDULES"] = {name: "15 3 * * *"}
    org = make.org()
    admin = make.user(org, "admin")
    login(client, admin)
    response = client.post("/admin/jobs/run", data={"job": name}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ran successfully" in html
    # 03:15 in Amsterdam (02:15 UTC), shown in the reader's time and language; the next one
    # after Wednesday 09:17 UTC is on Thursday.
    for expected in (name, "15 3 * * *", "Mar 5, 2026, 3:15", "rows=7", "(admin)", ">ok<"):
        assert expected in html


def test_run_now_of_an_unknown_job_runs_nothing(client, make, db):
    admin = make.user(make.org(), "admin")
    login(client, admin)
    response = client.post("/admin/jobs/run", data={"job": "rm -rf"}, follow_redirects=True)
    assert response.status_code == 200
    assert "no job with that name" in response.get_data(as_text=True)
    assert _count_runs(db) == 0


@pytest.mark.parametrize("role", ["facilitator", "policymaker"])
def test_only_admins_open_the_jobs_page(client, make, db, role, test_job):
    name = test_job("forbidden", lambda ctx: None)
    login(client, make.user(make.org(), role))
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/run", data={"job": name}).status_code == 403
    assert _count_runs(db, name) == 0


def test_run_now_needs_a_csrf_token(app, client, db, make, test_job):
    name = test_job("csrf", lambda ctx: None)
    login(client, make.user(make.org(), "admin"))
    app.config["WTF_CSRF_ENABLED"] = True  # Flask-WTF reads it per request
    assert client.post("/admin/jobs/run", data={"job": name}).status_code == 400
    assert _count_runs(db) == 0


def test_cli_lists_and_runs_jobs(app, runner, db, frozen, test_job):
    name = test_job("cli_job", lambda ctx: {"items": 2})
    app.config["JOB_SCHEDULES"] = {name: "0 8 * * mon"}
    listed = runner.invoke(args=["jobs", "list"])
    assert listed.exit_code == 0
    line = next(row for row in listed.output.splitlines() if row.startswith(name))
    assert "0 8 * * mon" in line and "2026-03-09 07:00 UTC" in line and "never run" in line

    ran = runner.invoke(args=["jobs", "run", name])
    assert ran.exit_code == 0 and "ok; items=2" in ran.output
    assert "ok at 2026-03-04 09:17" in runner.invoke(args=["jobs", "list"]).output

    again = runner.invoke(args=["jobs", "run", name, "--scheduled"])  # the current period: runs
    assert "ok" in again.output and _count_runs(db, name) == 2

    unknown = runner.invoke(args=["jobs", "run", "nope"])
    assert unknown.exit_code != 0 and "Unknown job" in unknown.output


def test_cli_reports_a_failing_job_with_exit_code_1(runner, db, test_job):
    def broken(ctx):
        raise ValueError("cannot read the scope")

    name = test_job("cli_broken", broken)
    result = runner.invoke(args=["jobs", "run", name])
    assert result.exit_code == 1 and "ValueError: cannot read the scope" in result.output
