"""The job registry and ``run_job``: lease, exactly once per period, a recorded run, release.

A job is a module-level function ``fn(ctx: JobContext) -> dict[str, int]`` registered with
:func:`job`. It reads and writes through ``db.session`` and only flushes; the runner commits the
job's writes together with its successful :class:`JobRun`, so a run either happened completely
(and is marked done for its period) or not at all. Mail a job wants to send is queued on the
context and sent after that commit, so a rolled-back run never mails anyone.

Who may run what: the scheduler and ``klankbord jobs run`` (the platform operator) run a job for
every organisation (``organisation_id`` None). An organisation's admin runs only that
organisation's part (``ctx.organisation_id``) of jobs registered with ``per_organisation=True``,
and sees only those runs; jobs that act on the whole platform (``embed``) are CLI only.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.jobs import lease
from klankbord.jobs.models import ERROR, OK, RUNNING, SKIPPED, JobRun

#: How long a lease holds without a heartbeat: a killed scheduler's job is free again after this
#: (well within the shortest period, 10 minutes). A running job renews it every third of it.
DEFAULT_LEASE_SECONDS = 90


class UnknownJob(KeyError):
    """No job is registered under this name."""


@dataclass
class JobContext:
    """What a job gets to know about its run."""

    name: str
    period_key: str
    #: The moment the run started (the frozen clock in tests).
    now: datetime
    #: Start of the last successful run of this job, for "new since the last run" (None: never).
    last_success: datetime | None
    trigger: str
    #: Only this organisation's part (a run by its admin); None: every organisation.
    organisation_id: int | None = None
    outbox: list[EmailMessage] = field(default_factory=list)

    def send_mail(self, to: str | list[str], subject: str, body: str) -> None:
        """Queue a message; it is sent only after the run's writes were committed."""
        from klankbord.jobs.mail import build_message

        self.outbox.append(build_message(to, subject, body))


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[[JobContext], dict | None]
    #: One line for the admin page and ``klankbord jobs list``.
    description: str
    lease_seconds: int = DEFAULT_LEASE_SECONDS
    #: The job can act on one organisation only (ctx.organisation_id), so that organisation's
    #: admin may run it; False: platform-wide work for the operator's command line only.
    per_organisation: bool = True


@dataclass(frozen=True)
class RunResult:
    job: str
    period_key: str
    outcome: str
    counts: dict
    note: str | None = None
    error: str | None = None
    run_id: int | None = None


#: name → JobSpec; filled by ``@job`` in tasks.py (and by tests).
JOBS: dict[str, JobSpec] = {}


def job(
    name: str,
    description: str,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
    *,
    per_organisation: bool = True,
) -> Callable:
    """Register a job function under ``name``."""

    def decorator(func: Callable) -> Callable:
        JOBS[name] = JobSpec(name, func, description, lease_seconds, per_organisation)
        return func

    return decorator


def lease_seconds_for(spec: JobSpec) -> int:
    configured = current_app.config.get("JOB_LEASE_SECONDS") or {}
    return int(configured.get(spec.name, spec.lease_seconds))


def heartbeat_seconds_for(lease_seconds: float) -> float:
    """Seconds between two renewals of a running job's lease: a third of the lease, so two beats
    may fail before it lapses (``JOB_HEARTBEAT_SECONDS`` sets it for every job)."""
    configured = current_app.config.get("JOB_HEARTBEAT_SECONDS")
    return float(configured) if configured else lease_seconds / 3


def run_job(
    name: str,
    now: datetime | None = None,
    *,
    period_key: str | None = None,
    trigger: str = "scheduler",
    organisation_id: int | None = None,
) -> RunResult:
    """Run job ``name`` once for its period; needs an app context and commits.

    With ``organisation_id`` only that organisation's part runs (and is recorded as its run);
    a job that is not ``per_organisation`` refuses that with :class:`UnknownJob`.

    ``period_key`` defaults to the job's latest scheduled fire time at ``now``, so every scheduler
    that wakes up for the same tick asks for the same period and only the first one runs it.
    A run by hand passes a "manual:..." key of its own and always runs (if the lease is free).
    """
    from klankbord.jobs import schedule

    spec = JOBS.get(name)
    if spec is None or (organisation_id is not None and not spec.per_organisation):
        raise UnknownJob(name)
    now = now or utcnow()
    period_key = period_key or schedule.period_key(current_app.config, name, now)
    holder = lease.new_holder_id()
    ttl = lease_seconds_for(spec)
    if not lease.acquire(name, holder, ttl):
        return _record_skipped(
            name, period_key, trigger, holder, "another run of this job is busy", organisation_id
        )
    # Renewed from a background thread while the job runs: a short lease that a killed
    # scheduler loses within ``ttl`` seconds, held as long as a live one needs.
    heartbeat = lease.Heartbeat(db.engine, name, holder, ttl, heartbeat_seconds_for(ttl)).start()
    try:
        _mark_abandoned(name, holder)
        if _is_done(name, period_key):
            return _record_skipped(
                name, period_key, trigger, holder, "already done for this period", organisation_id
            )
        return _execute(spec, period_key, now, trigger, holder, organisation_id)
    finally:
        db.session.rollback()
        heartbeat.stop()
        lease.release(name, holder)


def _execute(
    spec: JobSpec,
    period_key: str,
    now: datetime,
    trigger: str,
    holder: str,
    organisation_id: int | None,
) -> RunResult:
    last = _last_success(spec.name, organisation_id)
    run = JobRun(
        job=spec.name,
        organisation_id=organisation_id,
        period_key=period_key,
        outcome=RUNNING,
        trigger=trigger,
        holder=holder,
        started_at=utcnow(),
    )
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    ctx = JobContext(spec.name, period_key, now, last, trigger, organisation_id)
    try:
        counts = dict(spec.func(ctx) or {})
        db.session.flush()
    except Exception as error:  # any failure of the job is recorded, never raised to the scheduler
        return _record_error(run_id, error)
    run.outcome, run.done_key, run.counts, run.finished_at = OK, period_key, counts, utcnow()
    try:
        db.session.commit()
    except IntegrityError:
        # Another runner completed this period while we worked (our lease had expired):
        # our writes are rolled back with the run, so the period still happened exactly once.
        db.session.rollback()
        return _finish_skipped(run_id, "completed by another runner meanwhile")
    except Exception as error:
        return _record_error(run_id, error)
    failed = _send_outbox(ctx.outbox)
    if ctx.outbox:
        counts = {**counts, "mails_sent": len(ctx.outbox) - failed, "mails_failed": failed}
        db.session.execute(update(JobRun).where(JobRun.id == run_id).values(counts=counts))
        db.session.commit()
    return RunResult(spec.name, period_key, OK, counts, run_id=run_id)


def _send_outbox(messages: list[EmailMessage]) -> int:
    from klankbord.jobs.mail import MailError, deliver

    failed = 0
    for message in messages:
        try:
            deliver(message)
        except MailError as error:
            failed += 1
            current_app.logger.error("job mail not sent: %s", error)
    return failed


def describe_error(error: BaseException) -> str:
    """Type, first message line and code frames; never SQL parameters (they may hold answers)."""
    if isinstance(error, StatementError) and error.orig is not None:
        kind = f"{type(error).__name__} ({type(error.orig).__name__})"
        message = str(error.orig)
    else:
        kind, message = type(error).__name__, str(error)
    first_line = (message.strip().splitlines() or [""])[0][:300]
    frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
    return f"{kind}: {first_line}\n{frames}"[:4000]


def _record_error(run_id: int, error: Exception) -> RunResult:
    db.session.rollback()
    text = describe_error(error)
    current_app.logger.error("job run %s failed: %s", run_id, text.splitlines()[0])
    run = db.session.get(JobRun, run_id)
    run.outcome, run.error, run.finished_at, run.done_key = ERROR, text, utcnow(), None
    db.session.commit()
    return RunResult(run.job, run.period_key, ERROR, {}, error=text, run_id=run_id)


def _finish_skipped(run_id: int, note: str) -> RunResult:
    run = db.session.get(JobRun, run_id)
    run.outcome, run.note, run.finished_at, run.done_key = SKIPPED, note, utcnow(), None
    db.session.commit()
    return RunResult(run.job, run.period_key, SKIPPED, {}, note=note, run_id=run_id)


def _record_skipped(
    name: str,
    period_key: str,
    trigger: str,
    holder: str,
    note: str,
    organisation_id: int | None = None,
) -> RunResult:
    moment = utcnow()
    run = JobRun(
        job=name,
        organisation_id=organisation_id,
        period_key=period_key,
        outcome=SKIPPED,
        trigger=trigger,
        holder=holder,
        started_at=moment,
        finished_at=moment,
        note=note,
    )
    db.session.add(run)
    db.session.commit()
    return RunResult(name, period_key, SKIPPED, {}, note=note, run_id=run.id)


def _is_done(name: str, period_key: str) -> bool:
    return (
        db.session.execute(
            select(JobRun.id).where(JobRun.job == name, JobRun.done_key == period_key)
        ).first()
        is not None
    )


def _for_organisation(organisation_id: int | None):
    """Runs that cover ``organisation_id``: its own and the platform-wide ones."""
    if organisation_id is None:
        return JobRun.organisation_id.is_(None)
    return or_(JobRun.organisation_id.is_(None), JobRun.organisation_id == organisation_id)


def _last_success(name: str, organisation_id: int | None = None) -> datetime | None:
    """When this job last ran successfully for everything the new run covers.

    A platform run looks at platform runs only, so one organisation's run by hand never makes
    another organisation's digest skip what is new for it.
    """
    return db.session.execute(
        select(JobRun.started_at)
        .where(JobRun.job == name, JobRun.outcome == OK, _for_organisation(organisation_id))
        .order_by(JobRun.started_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def _mark_abandoned(name: str, holder: str) -> None:
    """Runs still 'running' under another holder died with it: we hold the lease now."""
    db.session.execute(
        update(JobRun)
        .where(JobRun.job == name, JobRun.outcome == RUNNING, JobRun.holder != holder)
        .values(
            outcome=ERROR,
            finished_at=utcnow(),
            error="abandoned: the process stopped before finishing",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def last_runs(limit: int = 100, organisation_id: int | None = None) -> list[JobRun]:
    """Newest runs; with ``organisation_id`` only that organisation's own runs."""
    query = select(JobRun)
    if organisation_id is not None:
        query = query.where(JobRun.organisation_id == organisation_id)
    return list(
        db.session.execute(
            query.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
        ).scalars()
    )


def last_run_of(name: str, organisation_id: int | None = None) -> JobRun | None:
    """The last real run of ``name``; with ``organisation_id``, one that covered it."""
    query = select(JobRun).where(JobRun.job == name, JobRun.outcome != SKIPPED)
    if organisation_id is not None:
        query = query.where(_for_organisation(organisation_id))
    return db.session.execute(
        query.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)
    ).scalar_one_or_none()
