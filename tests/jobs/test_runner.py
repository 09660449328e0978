"""run_job: exactly once per period, errors recorded and retried, leases that expire."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from klankbord.accounts.models import AuditEvent
from klankbord.accounts.services import record_event
from klankbord.core import time as clock
from klankbord.jobs import lease
from klankbord.jobs.models import JobLease, JobRun
from klankbord.jobs.runner import run_job
from klankbord.jobs.schedule import next_fire_time, period_key, previous_fire_time, trigger_for


def _runs(db, name):
    return list(
        db.session.execute(select(JobRun).where(JobRun.job == name).order_by(JobRun.id)).scalars()
    )


def test_a_due_job_runs_once_per_period(app, db, frozen, test_job):
    calls = []
    name = test_job("every10", lambda ctx: calls.append(ctx.period_key) or {"things": 3})
    app.config["JOB_SCHEDULES"] = {name: "*/10 * * * *"}

    first = run_job(name)
    frozen(datetime(2026, 3, 4, 9, 19, 59))  # a second scheduler, late for the same tick
    second = run_job(name)
    frozen(datetime(2026, 3, 4, 9, 20))  # the next tick is a new period
    third = run_job(name)

    assert (first.outcome, second.outcome, third.outcome) == ("ok", "skipped", "ok")
    assert calls == ["2026-03-04T09:10Z", "2026-03-04T09:20Z"]
    assert second.note == "already done for this period"
    runs = _runs(db, name)
    assert [(r.outcome, r.done_key) for r in runs] == [
        ("ok", "2026-03-04T09:10Z"),
        ("skipped", None),
        ("ok", "2026-03-04T09:20Z"),
    ]
    assert runs[0].counts == {"things": 3} and runs[0].finished_at == datetime(2026, 3, 4, 9, 17)
    assert db.session.get(JobLease, name) is None  # released


def test_a_failing_job_is_recorded_rolled_back_and_runs_again(app, db, frozen, test_job):
    attempts = []

    def flaky(ctx):
        attempts.append(ctx.period_key)
        record_event("should_not_stay", details={"n": 1})
        db.session.flush()
        if len(attempts) == 1:
            raise RuntimeError("the analysis engine is not ready")
        return {"done": 1}

    name = test_job("flaky", flaky)
    app.config["JOB_SCHEDULES"] = {name: "*/10 * * * *"}
    failed = run_job(name)
    assert failed.outcome == "error"
    assert failed.error.startswith("RuntimeError: the analysis engine is not ready")
    assert "in flaky" in failed.error  # the code frame, for the admin
    run = _runs(db, name)[0]
    assert (run.outcome, run.done_key, run.finished_at is not None) == ("error", None, True)
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() == 0  # writes undone
    assert db.session.get(JobLease, name) is None

    retried = run_job(name)  # the same period again: it was not done, so it runs
    assert retried.outcome == "ok" and retried.period_key == failed.period_key
    assert db.session.execute(select(func.count(AuditEvent.id))).scalar_one() == 1


def test_a_database_error_is_recorded_without_its_parameters(app, db, frozen, test_job):
    from klankbord.accounts.models import Organisation

    def bad_insert(ctx):
        db.session.add(Organisation(name="Geheime tekst van een bewoner", slug=None))
        db.session.flush()

    name = test_job("bad_insert", bad_insert)
    result = run_job(name)
    assert result.outcome == "error" and "IntegrityError" in result.error
    assert "Geheime tekst" not in result.error


def test_a_held_lease_makes_a_concurrent_run_skip(app, db, frozen, test_job):
    calls = []
    name = test_job("held", lambda ctx: calls.append(1))
    assert lease.acquire(name, "other-process", 60)
    result = run_job(name)
    assert result.outcome == "skipped" and result.note == "another run of this job is busy"
    assert calls == []
    assert not lease.acquire(name, "third-process", 60)
    assert lease.acquire(name, "other-process", 60)  # the holder may renew


def test_an_expired_lease_of_a_killed_scheduler_is_taken_over(app, db, frozen, test_job):
    calls = []
    name = test_job("killed", lambda ctx: calls.append(1) or {"n": 1}, lease_seconds=300)
    # A scheduler took the lease, wrote its "running" row, and was killed.
    assert lease.acquire(name, "dead-host:1:abc", 300)
    db.session.add(JobRun(job=name, period_key="2026-03-04T09:10Z", holder="dead-host:1:abc"))
    db.session.commit()

    frozen(datetime(2026, 3, 4, 9, 21))  # lease still valid (until 9:22)
    assert run_job(name).outcome == "skipped" and calls == []

    frozen(datetime(2026, 3, 4, 9, 22, 1))
    result = run_job(name)
    assert result.outcome == "ok" and calls == [1]
    dead = _runs(db, name)[0]
    assert dead.outcome == "error" and dead.error.startswith("abandoned")


def test_periods_follow_the_cron_line_in_local_time(app):
    config = {
        "JOB_SCHEDULES": {"digest": "0 8 * * mon", "survey_windows": "*/10 * * * *"},
        "SCHEDULER_TIMEZONE": "Europe/Amsterdam",
    }
    wednesday = datetime(2026, 3, 4, 9, 17)
    assert period_key(config, "survey_windows", wednesday) == "2026-03-04T09:10Z"
    # Monday 08:00 in Amsterdam is 07:00 UTC in winter and 06:00 UTC in summer.
    assert period_key(config, "digest", wednesday) == "2026-03-02T07:00Z"
    assert period_key(config, "digest", datetime(2026, 6, 10, 12)) == "2026-06-08T06:00Z"
    assert period_key(config, "digest", datetime(2026, 3, 2, 7, 0)) == "2026-03-02T07:00Z"
    assert period_key(config, "digest", datetime(2026, 3, 2, 6, 59)) == "2026-02-23T07:00Z"
    trigger = trigger_for(config, "digest")
    assert next_fire_time(trigger, wednesday) == datetime(2026, 3, 9, 7, 0)
    assert previous_fire_time(trigger, wednesday) == datetime(2026, 3, 2, 7, 0)


def test_a_switched_off_or_invalid_schedule(app):
    import pytest

    config = {"JOB_SCHEDULES": {"digest": "", "retention": "99 * * * *"}}
    assert trigger_for(config, "digest") is None
    assert period_key(config, "digest", datetime(2026, 3, 4)).startswith("manual:")
    with pytest.raises(ValueError, match="retention"):
        trigger_for(config, "retention")


def test_manual_runs_run_even_when_the_period_is_done(app, db, frozen, test_job):
    from klankbord.jobs.schedule import manual_period_key

    calls = []
    name = test_job("manual", lambda ctx: calls.append(ctx.trigger))
    run_job(name)
    clock.freeze(clock.utcnow() + timedelta(seconds=1))
    result = run_job(name, period_key=manual_period_key(clock.utcnow()), trigger="admin")
    assert result.outcome == "ok" and calls == ["scheduler", "admin"]
