"""The APScheduler wiring: one stored entry per job, and the dev server starts it only once."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import select

from klankbord.jobs import schedule
from klankbord.jobs.models import JobRun, apscheduler_jobs


@pytest.fixture
def two_jobs(app, test_job):
    a = test_job("tick", lambda ctx: {"ticked": 1})
    b = test_job("tock", lambda ctx: None)
    app.config["JOB_SCHEDULES"] = {a: "*/5 * * * *", b: "0 8 * * mon"}
    return a, b


def _stored_ids(db):
    return sorted(db.session.execute(select(apscheduler_jobs.c.id)).scalars())


def test_scheduler_stores_each_job_once_with_safe_defaults(app, db, two_jobs):
    for _ in range(2):  # a restart (or a second scheduler) replaces, never duplicates
        scheduler = schedule.build_scheduler(app, background=True)
        scheduler.start(paused=True)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
    assert {"klankbord:tick", "klankbord:tock"} <= set(jobs)
    tick = jobs["klankbord:tick"]
    assert (tick.coalesce, tick.max_instances, tick.misfire_grace_time) == (True, 1, 600)
    assert tick.func_ref == "klankbord.jobs.tasks:scheduled_run" and tick.args == ("tick",)
    assert [i for i in _stored_ids(db) if i in ("klankbord:tick", "klankbord:tock")] == [
        "klankbord:tick",
        "klankbord:tock",
    ]

    app.config["JOB_SCHEDULES"] = {"tick": "*/5 * * * *", "tock": ""}  # switched off
    scheduler = schedule.build_scheduler(app, background=True)
    scheduler.start(paused=True)
    scheduler.shutdown(wait=False)
    assert "klankbord:tock" not in _stored_ids(db)
    assert "klankbord:tick" in _stored_ids(db)


def test_an_invalid_schedule_stops_the_scheduler_with_a_clear_message(app, runner, two_jobs):
    app.config["JOB_SCHEDULES"] = {"tick": "every minute"}
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code != 0 and "schedule of job 'tick'" in result.output


def test_the_scheduled_entry_point_runs_the_job_in_the_scheduler_app(app, db, two_jobs, frozen):
    from klankbord.jobs.tasks import scheduled_run

    schedule.build_scheduler(app, background=True)
    scheduled_run("tick")
    scheduled_run("tick")  # the same tick twice: once
    runs = db.session.execute(select(JobRun).where(JobRun.job == "tick")).scalars().all()
    assert [(r.outcome, r.period_key, r.trigger) for r in runs] == [
        ("ok", "2026-03-04T09:15Z", "scheduler"),
        ("skipped", "2026-03-04T09:15Z", "scheduler"),
    ]


def _ctx(command_name: str, **params):
    ctx = click.Context(click.Command(command_name))
    ctx.params.update(params)
    return ctx


@pytest.mark.parametrize(
    ("command", "params", "run_main", "debug", "expected"),
    [
        ("run", {"reload": None}, None, False, True),  # make run: no reloader, one process
        ("run", {"reload": None}, None, True, False),  # --debug: the reloader's watching parent
        ("run", {"reload": None}, "true", True, True),  # ... and its serving child
        ("run", {"reload": True}, None, False, False),
        ("run", {"reload": False}, None, True, True),
        ("db", {}, None, False, False),  # any other command never starts it
    ],
)
def test_dev_server_starts_the_scheduler_exactly_once(
    app, monkeypatch, command, params, run_main, debug, expected
):
    monkeypatch.setenv("FLASK_DEBUG", "1" if debug else "0")
    if run_main:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", run_main)
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    app.config.update(SCHEDULER_IN_DEV=True, TESTING=False)
    with _ctx(command, **params):
        assert schedule.should_start_in_dev_server(app) is expected
        app.config["SCHEDULER_IN_DEV"] = False
        assert schedule.should_start_in_dev_server(app) is False
