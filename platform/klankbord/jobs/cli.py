"""``klankbord scheduler`` and ``klankbord jobs list|run``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from klankbord.core.time import utcnow


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the job scheduler in the foreground (one extra process next to the web server)."""
    from klankbord.jobs.schedule import build_scheduler

    app = current_app._get_current_object()  # FlaskGroup pushed a context for us
    try:
        scheduler = build_scheduler(app)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        "Scheduler started with jobs: " + ", ".join(job.name for job in scheduler.get_jobs())
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@click.group("jobs")
def jobs_group() -> None:
    """List the background jobs or run one now."""


def job_overview(config, now, organisation_id: int | None = None) -> list[dict]:
    """Name, description, schedule, next run and last run of every registered job.

    With ``organisation_id``: only the jobs its admin may run, and the last run that covered it.
    """
    from klankbord.jobs.runner import JOBS, last_run_of
    from klankbord.jobs.schedule import next_fire_time, schedules, trigger_for

    rows = []
    configured = schedules(config)
    for name, spec in sorted(JOBS.items()):
        if organisation_id is not None and not spec.per_organisation:
            continue
        try:
            trigger = trigger_for(config, name)
            next_run = next_fire_time(trigger, now) if trigger else None
            problem = None
        except ValueError as error:
            next_run, problem = None, str(error)
        rows.append(
            {
                "name": name,
                "description": spec.description,
                "schedule": configured.get(name),
                "next_run": next_run,
                "last_run": last_run_of(name, organisation_id),
                "problem": problem,
            }
        )
    return rows


@jobs_group.command("list")
@with_appcontext
def list_jobs() -> None:
    """Show every job with its schedule, next run (UTC) and last outcome."""
    for row in job_overview(current_app.config, utcnow()):
        last = row["last_run"]
        last_text = f"{last.outcome} at {last.started_at:%Y-%m-%d %H:%M}" if last else "never run"
        next_text = f"{row['next_run']:%Y-%m-%d %H:%M} UTC" if row["next_run"] else "not scheduled"
        schedule = row["schedule"] or "-"
        click.echo(f"{row['name']:<16} {schedule:<16} next: {next_text:<22} last: {last_text}")
        if row["problem"]:
            click.echo(f"  ! {row['problem']}")


@jobs_group.command("run")
@click.argument("name")
@click.option(
    "--scheduled",
    is_flag=True,
    help="Run for the current scheduled period (does nothing if that period is done).",
)
@click.option(
    "--organisation",
    "organisation_slug",
    metavar="SLUG",
    help="Run only this organisation's part (as its admin could from /admin/jobs).",
)
@with_appcontext
def run_job_command(name: str, scheduled: bool, organisation_slug: str | None) -> None:
    """Run job NAME now, for every organisation, and print its outcome and counts."""

    from klankbord.accounts.services import organisation_id_of
    from klankbord.jobs.runner import JOBS, run_job
    from klankbord.jobs.schedule import manual_period_key

    if name not in JOBS:
        raise click.ClickException(f"Unknown job {name!r}. Known jobs: {', '.join(sorted(JOBS))}.")
    org_id = None
    if organisation_slug:
        org_id = organisation_id_of(organisation_slug)
        if org_id is None:
            raise click.ClickException(f"No organisation with slug {organisation_slug!r}.")
        if scheduled or not JOBS[name].per_organisation:
            raise click.ClickException(f"{name} cannot run for one organisation this way.")
    now = utcnow()
    result = run_job(
        name,
        now,
        period_key=None if scheduled else manual_period_key(now, org_id),
        trigger="cli",
        organisation_id=org_id,
    )
    counts = ", ".join(f"{k}={v}" for k, v in sorted(result.counts.items())) or "-"
    click.echo(f"{name} [{result.period_key}]: {result.outcome}; {counts}")
    if result.note:
        click.echo(f"  {result.note}")
    if result.error:
        click.echo(result.error, err=True)
        raise SystemExit(1)
