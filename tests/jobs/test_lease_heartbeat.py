"""Short job leases kept alive by a heartbeat (issue 18, item 2).

A running job renews its lease from a background thread, so the lease can be short: a killed
scheduler's job is free again within the lease time, well before the job's next period, while a
live job of any length keeps it. Runners in threads use separate apps and engines on one database
(a file on SQLite, or KLANKBORD_TEST_DATABASE_URL); every moment comes from the frozen clock.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from klankbord import create_app
from klankbord.extensions import db as _db
from klankbord.jobs import lease, runner, schedule
from klankbord.jobs.models import ERROR, OK, RUNNING, SKIPPED, JobLease, JobRun
from klankbord.jobs.runner import DEFAULT_LEASE_SECONDS, run_job

START = datetime(2026, 3, 4, 9, 17)


@pytest.fixture
def app_config(app_config, tmp_path):
    if app_config["DATABASE_URL"].startswith("sqlite"):
        return {**app_config, "DATABASE_URL": f"sqlite:///{tmp_path}/jobs.sqlite"}
    return app_config


@pytest.fixture
def second_app(app, app_config):
    other = create_app(app_config)
    yield other
    with other.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _lease_row(db, name):
    db.session.expire_all()
    row = db.session.get(JobLease, name)
    db.session.rollback()
    return row


def _every_ten_minutes(name, *apps):
    for each in apps:
        each.config["JOB_SCHEDULES"] = {name: "*/10 * * * *"}


def test_default_leases_are_short_and_beat_well_within_them(app):
    import klankbord.jobs.tasks  # noqa: F401  (registers the real jobs)

    shortest = timedelta(minutes=10)  # survey_windows and embed
    for name in schedule.DEFAULT_SCHEDULES:
        ttl = runner.lease_seconds_for(runner.JOBS[name])
        assert 60 <= ttl <= 120, name
        assert timedelta(seconds=ttl) < shortest / 4, name
        assert runner.heartbeat_seconds_for(ttl) <= ttl / 3
    app.config["JOB_HEARTBEAT_SECONDS"] = 5
    assert runner.heartbeat_seconds_for(90) == 5


def test_a_short_lease_expires_and_is_taken_over(app, db, frozen):
    frozen(START)
    assert lease.acquire("short", "a", DEFAULT_LEASE_SECONDS)
    frozen(START + timedelta(seconds=DEFAULT_LEASE_SECONDS - 1))
    assert not lease.acquire("short", "b", DEFAULT_LEASE_SECONDS)
    frozen(START + timedelta(seconds=DEFAULT_LEASE_SECONDS + 1))
    assert lease.acquire("short", "b", DEFAULT_LEASE_SECONDS)
    assert _lease_row(db, "short").holder == "b"


def test_a_heartbeat_renews_the_lease_and_notices_a_takeover(app, db, frozen):
    frozen(START)
    assert lease.acquire("beat", "a", 90)
    beat = lease.Heartbeat(db.engine, "beat", "a", 90, every=3600)
    frozen(START + timedelta(seconds=60))
    assert beat.beat()
    assert _lease_row(db, "beat").expires_at == START + timedelta(seconds=150)
    # Without that beat the lease would have lapsed at 9:18:30; now a rival waits till 9:19:30.
    frozen(START + timedelta(seconds=100))
    assert not lease.acquire("beat", "b", 90)
    frozen(START + timedelta(seconds=151))
    assert lease.acquire("beat", "b", 90)
    assert not beat.beat() and beat.lost
    assert _lease_row(db, "beat").holder == "b"  # the lost beat changed nothing


def test_a_failed_beat_is_tried_again(app, db, frozen, caplog):
    frozen(START)
    assert lease.acquire("flaky", "a", 90)
    real = db.engine
    failures = []

    class FlakyEngine:
        def begin(self):
            if not failures:
                failures.append(1)
                raise OperationalError("UPDATE job_lease", {}, Exception("database is locked"))
            return real.begin()

    frozen(START + timedelta(seconds=60))
    beat = lease.Heartbeat(FlakyEngine(), "flaky", "a", 90, every=0.02).start()
    try:
        deadline = time.monotonic() + 10
        while beat.beats < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        beat.stop()
    assert failures and beat.beats >= 1 and not beat.lost
    assert _lease_row(db, "flaky").expires_at == START + timedelta(seconds=150)
    assert "lease not renewed" in caplog.text


def test_a_running_job_keeps_its_short_lease_past_its_length(app, db, second_app, frozen, test_job):
    """The job runs four minutes (frozen clock) on a 90 s lease: the rival stays out throughout,
    also in the next period, and the job completes once."""
    frozen(START)
    app.config["JOB_HEARTBEAT_SECONDS"] = 0.02
    inside, proceed = threading.Event(), threading.Event()
    calls: list[str] = []

    def long_job(ctx):
        calls.append(ctx.period_key)
        inside.set()
        assert proceed.wait(30)
        return {"n": 1}

    name = test_job("long", long_job, lease_seconds=DEFAULT_LEASE_SECONDS)
    _every_ten_minutes(name, app, second_app)
    outcome: dict = {}

    def first():
        with app.app_context():
            try:
                outcome["first"] = run_job(name)
            finally:
                _db.session.remove()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(30)
        with second_app.app_context():
            for step in range(1, 5):
                now = frozen(START + timedelta(minutes=step))
                wanted = now + timedelta(seconds=DEFAULT_LEASE_SECONDS)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:  # a beat after the clock moved
                    _db.session.expire_all()
                    row = _db.session.get(JobLease, name)
                    _db.session.rollback()
                    if row.expires_at >= wanted:
                        break
                    time.sleep(0.02)
                assert row.expires_at >= wanted, (step, row.expires_at)
                rival = run_job(name)
                assert rival.outcome == SKIPPED
                assert rival.note == "another run of this job is busy"
            _db.session.remove()
    finally:
        proceed.set()
        thread.join(30)
    assert outcome["first"].outcome == OK
    assert calls == ["2026-03-04T09:10Z"]
    assert _lease_row(db, name) is None  # released at the end


def test_a_killed_schedulers_job_runs_again_in_the_next_period(app, db, frozen, test_job):
    frozen(START)
    calls: list[str] = []
    name = test_job(
        "killed_beat",
        lambda ctx: calls.append(ctx.period_key) or {"n": 1},
        lease_seconds=DEFAULT_LEASE_SECONDS,
    )
    _every_ten_minutes(name, app)
    # A scheduler took the lease, started the job and beat once; then it was killed (no more
    # beats, no release).
    dead = "dead-host:1:abc"
    assert lease.acquire(name, dead, DEFAULT_LEASE_SECONDS)
    db.session.add(
        JobRun(
            job=name,
            period_key="2026-03-04T09:10Z",
            outcome=RUNNING,
            trigger="scheduler",
            holder=dead,
            started_at=START,
        )
    )
    db.session.commit()
    frozen(START + timedelta(seconds=30))
    lease.Heartbeat(db.engine, name, dead, DEFAULT_LEASE_SECONDS, every=3600).beat()

    frozen(START + timedelta(seconds=100))  # still within the lease: the other one skips
    assert run_job(name).outcome == SKIPPED and not calls
    frozen(datetime(2026, 3, 4, 9, 20))  # the next period: the lease lapsed at 9:19:00
    assert run_job(name).outcome == OK
    assert calls == ["2026-03-04T09:20Z"]
    db.session.expire_all()
    abandoned = db.session.execute(
        select(JobRun).where(JobRun.job == name, JobRun.holder == dead)
    ).scalar_one()
    assert abandoned.outcome == ERROR and "abandoned" in abandoned.error


def _race(apps, target):
    barrier = threading.Barrier(len(apps))
    results, errors = [None] * len(apps), []

    def worker(index, each):
        try:
            with each.app_context():
                barrier.wait()
                results[index] = target()
        except Exception as error:  # surfaced by the assert below
            errors.append(error)
        finally:
            with each.app_context():
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_two_racing_schedulers_run_each_period_exactly_once(app, db, second_app, frozen, test_job):
    calls, guard = [], threading.Lock()

    def work(ctx):
        with guard:
            calls.append(ctx.period_key)
        time.sleep(0.15)  # several beats while both race
        return {"n": 1}

    name = test_job("raced", work, lease_seconds=DEFAULT_LEASE_SECONDS)
    _every_ten_minutes(name, app, second_app)
    for each in (app, second_app):
        each.config["JOB_HEARTBEAT_SECONDS"] = 0.02
    periods = []
    for tick in range(3):
        moment = frozen(datetime(2026, 3, 4, 9, 10 * tick + 1))
        periods.append(moment.replace(minute=10 * tick).strftime("%Y-%m-%dT%H:%MZ"))
        outcomes = _race([app, second_app], lambda: run_job(name).outcome)
        assert sorted(outcomes) == [OK, SKIPPED], tick
        # Later in the same period both wake again: nothing runs.
        frozen(moment + timedelta(minutes=5))
        assert _race([app, second_app], lambda: run_job(name).outcome) == [SKIPPED, SKIPPED]
    assert calls == periods
    db.session.expire_all()
    done = (
        db.session.execute(select(JobRun.done_key).where(JobRun.job == name, JobRun.outcome == OK))
        .scalars()
        .all()
    )
    assert (
        sorted(done) == periods == ["2026-03-04T09:00Z", "2026-03-04T09:10Z", "2026-03-04T09:20Z"]
    )
