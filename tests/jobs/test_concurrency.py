"""Two runners (separate apps, engines and threads) against one database run a due job once.

On the default SQLite run this uses a file database; with KLANKBORD_TEST_DATABASE_URL set to
PostgreSQL it uses that database.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from klankbord import create_app
from klankbord.extensions import db as _db
from klankbord.jobs import lease
from klankbord.jobs.models import JobLease, JobRun
from klankbord.jobs.runner import run_job


@pytest.fixture
def app_config(app_config, tmp_path):
    if app_config["DATABASE_URL"].startswith("sqlite"):
        return {**app_config, "DATABASE_URL": f"sqlite:///{tmp_path}/jobs.sqlite"}
    return app_config


def _in_threads(apps, target):
    barrier = threading.Barrier(len(apps))
    results, errors = [None] * len(apps), []

    def worker(index, other_app):
        try:
            with other_app.app_context():
                barrier.wait()
                results[index] = target()
        except Exception as error:  # surfaced by the assert below
            errors.append(error)
        finally:
            with other_app.app_context():
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return results


@pytest.fixture
def second_app(app, app_config):
    other = create_app(app_config)
    yield other
    with other.app_context():
        _db.engine.dispose()


def test_two_schedulers_run_a_due_job_once(app, db, second_app, frozen, test_job):
    frozen(datetime(2026, 3, 4, 9, 17))
    calls, guard = [], threading.Lock()

    def slow(ctx):
        with guard:
            calls.append(ctx.period_key)
        time.sleep(0.4)
        return {"n": 1}

    name = test_job("slow_once", slow)
    for each in (app, second_app):
        each.config["JOB_SCHEDULES"] = {name: "*/10 * * * *"}
    outcomes = _in_threads([app, second_app], lambda: run_job(name).outcome)

    assert sorted(outcomes) == ["ok", "skipped"]
    assert calls == ["2026-03-04T09:10Z"]
    db.session.expire_all()
    runs = db.session.execute(select(JobRun).where(JobRun.job == name)).scalars().all()
    assert sorted(r.outcome for r in runs) == ["ok", "skipped"]

    # Later in the same period, both schedulers again: nothing runs.
    frozen(datetime(2026, 3, 4, 9, 19))
    assert _in_threads([app, second_app], lambda: run_job(name).outcome) == ["skipped", "skipped"]
    assert len(calls) == 1


def test_only_one_of_many_concurrent_lease_takers_wins(app, db, app_config, second_app, frozen):
    third = create_app(app_config)
    try:
        for round_ in range(3):
            if round_:  # an expired lease of a dead holder: the race is on the UPDATE
                _db.session.add(
                    JobLease(name="race", holder="dead", expires_at=datetime(2026, 3, 4, 8))
                )
                _db.session.commit()
            won = _in_threads(
                [app, second_app, third], lambda: lease.acquire("race", lease.new_holder_id(), 60)
            )
            assert sorted(won) == [False, False, True]
            _db.session.execute(_db.text("DELETE FROM job_lease"))
            _db.session.commit()
    finally:
        with third.app_context():
            _db.engine.dispose()
