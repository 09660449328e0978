"""What the scheduler remembers: runs, leases, sent notifications and its own job store table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Float,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from klankbord.core.time import utcnow
from klankbord.extensions import db

#: Outcomes of a JobRun.
RUNNING, OK, ERROR, SKIPPED = "running", "ok", "error", "skipped"


class JobRun(db.Model):
    """One attempt to run a job for one period. Holds counts and errors, never respondent text.

    Exactly once per period: ``done_key`` is set to the period key only when the run succeeded,
    and (job, done_key) is unique. NULLs never collide, so failed and skipped attempts may repeat
    and a failed period simply runs again; a second success for the same period cannot be stored,
    and because the job's own writes commit in the same transaction, they are rolled back too.
    """

    __table_args__ = (UniqueConstraint("job", "done_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Registered job name, e.g. "retention".
    job: Mapped[str] = mapped_column(String(60), index=True)
    #: The period this run is for: the scheduled fire time in UTC ("2026-03-02T07:00Z"),
    #: or "manual:<time>" for a run started by hand.
    period_key: Mapped[str] = mapped_column(String(80))
    #: Equal to period_key once the run succeeded, otherwise NULL (see the class docstring).
    done_key: Mapped[str | None] = mapped_column(String(80))
    #: running, ok, error or skipped.
    outcome: Mapped[str] = mapped_column(String(10), default=RUNNING)
    #: The organisation whose part ran (a run by its admin); NULL: every organisation (the
    #: scheduler or the operator's command line). No foreign key: runs outlive organisations.
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    #: Who ran it: "scheduler", "cli", "admin" or "dev-server".
    trigger: Mapped[str] = mapped_column(String(20), default="scheduler")
    #: The lease holder id of the process that ran it.
    holder: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column()
    #: What the job did, as numbers (e.g. {"answers_deleted": 12}); never contents.
    counts: Mapped[dict | None] = mapped_column(JSON)
    #: Why a run was skipped, e.g. "already done for this period" (fixed texts only).
    note: Mapped[str | None] = mapped_column(String(200))
    #: Exception type, first message line and the code frames; never SQL parameters or answers.
    error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<JobRun {self.job} {self.period_key} {self.outcome}>"


class JobLease(db.Model):
    """A lock per job name in the database, so only one process runs a job at a time.

    It expires, so a scheduler that was killed mid-job does not block the job for ever.
    """

    #: The job name; the primary key makes concurrent first INSERTs collide.
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    #: Who holds it: host, process id and a random part per attempt.
    holder: Mapped[str] = mapped_column(String(120))
    #: After this moment anyone may take the lease over.
    expires_at: Mapped[datetime] = mapped_column()
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<JobLease {self.name} {self.holder} until {self.expires_at}>"


class Notification(db.Model):
    """A message the jobs sent once and must not send again (survey windows, digests)."""

    __table_args__ = (UniqueConstraint("kind", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Organisation the message was about (jobs are cross-organisation).
    organisation_id: Mapped[int | None] = mapped_column(index=True)
    #: e.g. "survey_opened", "survey_closing", "survey_closed", "digest".
    kind: Mapped[str] = mapped_column(String(40))
    #: What it was about, e.g. "deployment:12" or "org:3:2026-W10"; unique per kind.
    subject_key: Mapped[str] = mapped_column(String(120))
    #: Number of recipients it went to.
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


#: APScheduler's job store table, declared here so migrations and ``create_all`` know it.
#: It mirrors apscheduler.jobstores.sqlalchemy.SQLAlchemyJobStore (3.x) exactly; the store
#: uses its own Table object and finds this one already present.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class ReclusterState(db.Model):
    """Which texts of a saved report scope the latest theme run already covers.

    The recluster job compares a scope's current texts with ``known_refs`` to find new ones (and
    deleted ones) without reading any text. Refs are ids ("s:<response>:<question>", "m:<idea>"),
    never contents. No foreign key to report_scope, so the jobs tables do not depend on the
    reports tables; the job drops states of scopes that no longer exist.
    """

    __tablename__ = "job_recluster_state"

    #: The report scope (report_scope.id).
    scope_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    organisation_id: Mapped[int] = mapped_column(index=True)
    #: The ThemeRun these refs belong to.
    run_id: Mapped[int | None] = mapped_column()
    #: Refs of every text the run covers: fitted, or assigned later with ``predict``.
    known_refs: Mapped[list] = mapped_column(JSON, default=list)
    #: Texts in the last full fit; many new texts since then trigger a new full fit.
    fitted_texts: Mapped[int] = mapped_column(default=0)
    #: Texts assigned to the run's themes with ``predict`` since the full fit.
    predicted_texts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
