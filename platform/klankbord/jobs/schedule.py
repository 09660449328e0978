"""Schedules from config, periods, and the APScheduler 3.x scheduler with its store in our database.

Schedules are cron lines (``minute hour day month day_of_week``), read in SCHEDULER_TIMEZONE
(default: BABEL_DEFAULT_TIMEZONE, Europe/Amsterdam). Override per job with the JOB_SCHEDULES
config dict or ``KLANKBORD_JOB_SCHEDULES='{"digest": "0 9 * * mon"}'``; an empty value turns a
job's schedule off. Use day names (mon..sun): APScheduler counts numeric weekdays from Monday = 0,
unlike classic cron.

The *period* of a run is the job's latest scheduled fire time at that moment. Two schedulers
waking up for the same tick (or a retry) therefore ask for the same period, and the runner
stores at most one successful run per period.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from flask import Flask

DEFAULT_SCHEDULES: dict[str, str] = {
    "recluster": "*/30 * * * *",
    "retention": "15 3 * * *",
    "survey_windows": "*/10 * * * *",
    "digest": "0 8 * * mon",
    "embed": "*/10 * * * *",
    "releases": "30 2 * * *",
    # After retention (its VACUUM on SQLite also overwrites the space of purged texts).
    "reorder": "45 3 * * *",
}

#: The app the scheduled entry point runs jobs in (set by build_scheduler).
_APP: Flask | None = None


def schedules(config: Any) -> dict[str, str | None]:
    """Every job's cron line: the defaults, overridden by JOB_SCHEDULES."""
    merged: dict[str, str | None] = dict(DEFAULT_SCHEDULES)
    merged.update(config.get("JOB_SCHEDULES") or {})
    return {
        name: (expr.strip() if isinstance(expr, str) and expr.strip() else None)
        for name, expr in merged.items()
    }


def timezone(config: Any) -> ZoneInfo:
    return ZoneInfo(
        config.get("SCHEDULER_TIMEZONE") or config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"
    )


def trigger_for(config: Any, name: str) -> CronTrigger | None:
    """The cron trigger of job ``name``; None when it has no schedule. ValueError names the job."""
    expr = schedules(config).get(name)
    if not expr:
        return None
    try:
        return CronTrigger.from_crontab(expr, timezone=timezone(config))
    except ValueError as error:
        raise ValueError(
            f"schedule of job {name!r} is not a valid cron line: {expr!r} ({error})"
        ) from error


def previous_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest fire time at or before ``now`` (naive UTC), as naive UTC."""
    moment = now.replace(tzinfo=UTC)
    window = timedelta(hours=1)
    first = None
    for _ in range(16):  # looks back up to 2**15 hours (almost four years)
        first = trigger.get_next_fire_time(None, moment - window)
        if first is not None and first <= moment:
            break
        window *= 2
    else:
        return None
    previous = first
    while True:
        following = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
        if following is None or following > moment:
            return previous.astimezone(UTC).replace(tzinfo=None)
        previous = following


def next_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The first fire time after ``now`` (naive UTC), as naive UTC."""
    moment = now.replace(tzinfo=UTC) + timedelta(seconds=1)
    following = trigger.get_next_fire_time(None, moment)
    return following.astimezone(UTC).replace(tzinfo=None) if following else None


def period_key(config: Any, name: str, now: datetime) -> str:
    """The period a run of ``name`` at ``now`` belongs to (see the module docstring)."""
    trigger = trigger_for(config, name)
    fired = previous_fire_time(trigger, now) if trigger else None
    if fired is None:
        return manual_period_key(now)
    return fired.strftime("%Y-%m-%dT%H:%MZ")


def manual_period_key(now: datetime, organisation_id: int | None = None) -> str:
    """A period of its own for a run started by hand (per organisation for an admin's run)."""
    key = "manual:" + now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return key if organisation_id is None else f"{key}:org{organisation_id}"


def job_id(name: str) -> str:
    return f"klankbord:{name}"


def build_scheduler(app: Flask, *, background: bool = False):
    """A scheduler with its job store in the application database and one entry per job.

    Every job has an explicit id and ``replace_existing=True``, so restarting (or a second
    scheduler) rewrites the same rows instead of adding duplicates. ``coalesce`` runs a job that
    missed several ticks once, ``max_instances=1`` never overlaps it within this process (the
    lease does that across processes), and ``misfire_grace_time`` drops ticks that are too old.
    """
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from sqlalchemy import delete

    from klankbord.extensions import db
    from klankbord.jobs.models import apscheduler_jobs
    from klankbord.jobs.runner import JOBS

    global _APP
    _APP = app
    with app.app_context():
        engine = db.engine
        apscheduler_jobs.create(engine, checkfirst=True)
        wanted = {name: trigger_for(app.config, name) for name in JOBS}
        wanted = {name: trigger for name, trigger in wanted.items() if trigger is not None}
        with engine.begin() as connection:  # drop jobs whose schedule was switched off
            connection.execute(
                delete(apscheduler_jobs).where(
                    apscheduler_jobs.c.id.like("klankbord:%"),
                    apscheduler_jobs.c.id.not_in([job_id(name) for name in wanted] or [""]),
                )
            )
    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler = scheduler_class(
        jobstores={"default": _shared_engine_store(SQLAlchemyJobStore, engine)},
        executors={
            "default": ThreadPoolExecutor(max_workers=int(app.config.get("SCHEDULER_WORKERS", 2)))
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(app.config.get("SCHEDULER_MISFIRE_GRACE_SECONDS", 600)),
        },
        timezone=timezone(app.config),
    )
    for name, trigger in wanted.items():
        scheduler.add_job(
            "klankbord.jobs.tasks:scheduled_run",
            trigger=trigger,
            args=[name],
            id=job_id(name),
            name=name,
            replace_existing=True,
        )
    return scheduler


def _shared_engine_store(store_class, engine):
    """A job store on the app's engine that leaves the engine alone when the scheduler stops."""

    class SharedEngineJobStore(store_class):
        def shutdown(self) -> None:  # the stock store disposes the engine; the app still uses it
            pass

    return SharedEngineJobStore(engine=engine)


def scheduler_app() -> Flask:
    if _APP is None:
        raise RuntimeError("no scheduler was built in this process")
    return _APP


def should_start_in_dev_server(app: Flask) -> bool:
    """Start in ``klankbord run`` once: in the reloader's child, or when there is no reloader."""
    import click
    from flask.helpers import get_debug_flag

    if not app.config.get("SCHEDULER_IN_DEV") or app.config.get("TESTING"):
        return False
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.command.name != "run":
        return False
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return True
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    return not reload  # with a reloader, this is the watching parent: its child starts it


def start_in_dev_server(app: Flask):
    """Start a background scheduler inside the development server when it should run there."""
    if not should_start_in_dev_server(app):
        return None
    scheduler = build_scheduler(app, background=True)
    scheduler.start()
    app.logger.info("scheduler started inside the development server")
    return scheduler
