"""A lease per job name in the database: one holder at a time, on SQLite and PostgreSQL alike.

Taking the lease is one atomic statement, so no read-then-write race is possible:

* ``UPDATE job_lease SET holder = me ... WHERE name = :job AND (expires_at < now OR holder = me)``
  takes over an expired lease (or renews our own); the database serialises concurrent UPDATEs
  of one row, and the loser's WHERE no longer matches once the winner committed.
* If no row exists yet, ``INSERT`` it; the primary key lets exactly one concurrent INSERT win.

The lease expires after ``ttl`` seconds, so a scheduler that was killed mid-job does not block
the job for ever: the next run after expiry takes it over. Jobs must finish within their ttl.
These functions commit the session (they are called by the runner, outside any job's work).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.jobs.models import JobLease

_HOST = socket.gethostname()[:60]


def new_holder_id() -> str:
    """A holder id unique per attempt: host, process and a random part."""
    return f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def acquire(name: str, holder: str, ttl_seconds: int) -> bool:
    """Take (or renew) the lease on ``name`` for ``ttl_seconds``; True when we hold it now."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    try:
        result = db.session.execute(
            update(JobLease)
            .where(JobLease.name == name, or_(JobLease.expires_at < now, JobLease.holder == holder))
            .values(holder=holder, expires_at=expires, acquired_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            db.session.commit()
            return True
        db.session.commit()
        db.session.execute(
            insert(JobLease).values(name=name, holder=holder, expires_at=expires, acquired_at=now)
        )
        db.session.commit()
        return True
    except IntegrityError:
        # Someone else inserted the row first (or holds it): not ours.
        db.session.rollback()
        return False
    except OperationalError as error:
        # SQLite gave up waiting for the write lock: another process is busy with the lease.
        db.session.rollback()
        if "locked" in str(error.orig).lower():
            return False
        raise


def release(name: str, holder: str) -> None:
    """Give the lease back, but only if we still hold it."""
    db.session.execute(
        delete(JobLease)
        .where(JobLease.name == name, JobLease.holder == holder)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def holder_of(name: str) -> JobLease | None:
    """The current lease row of ``name``, expired or not (for the admin page)."""
    return db.session.execute(select(JobLease).where(JobLease.name == name)).scalar_one_or_none()
