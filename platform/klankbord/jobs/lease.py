"""A lease per job name in the database: one holder at a time, on SQLite and PostgreSQL alike.

Taking the lease is one atomic statement, so no read-then-write race is possible:

* ``UPDATE job_lease SET holder = me ... WHERE name = :job AND (expires_at < now OR holder = me)``
  takes over an expired lease (or renews our own); the database serialises concurrent UPDATEs
  of one row, and the loser's WHERE no longer matches once the winner committed.
* If no row exists yet, ``INSERT`` it; the primary key lets exactly one concurrent INSERT win.

The lease is short (``ttl`` seconds, 90 by default) and kept alive by a :class:`Heartbeat`: while
the job runs, a background thread renews it every ``ttl / 3`` seconds on a connection of its own
(never the job's session, whose writes commit only at the end). A live job of any length keeps
its lease; a scheduler that was killed mid-job stops renewing, and its lease expires within ``ttl``
seconds, so the job's next period runs on another scheduler instead of being skipped as "busy".
``acquire`` and ``release`` commit the session (they are called by the runner, outside any job's
work). Every moment is ``core.time.utcnow()``; only the interval between beats is real time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.jobs.models import JobLease

_HOST = socket.gethostname()[:60]
_LEASES = JobLease.__table__
log = logging.getLogger("klankbord.jobs")


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


def renew(connection, name: str, holder: str, ttl_seconds: float) -> bool:
    """Move the expiry of our lease to ``ttl_seconds`` from now; False when we no longer hold it
    (it expired and another process took it over). Runs on ``connection``; the caller commits."""
    expires = utcnow() + timedelta(seconds=ttl_seconds)
    result = connection.execute(
        update(_LEASES)
        .where(_LEASES.c.name == name, _LEASES.c.holder == holder)
        .values(expires_at=expires)
    )
    return result.rowcount == 1


class Heartbeat:
    """Renew a held lease every ``every`` seconds from a background thread, while a job runs.

    ``start`` before the job, ``stop`` after it (or use it as a context manager). Each beat is
    one short transaction on its own connection of ``engine``. A beat that fails (SQLite busy with
    the job's own writes, a database restart) is logged and tried again at the next beat; the
    lease only lapses when beats fail for the whole ``ttl``. ``lost`` turns True when a beat
    finds that another holder has the lease.
    """

    def __init__(self, engine, name: str, holder: str, ttl_seconds: float, every: float) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder
        self.ttl_seconds = ttl_seconds
        self.every = every
        self.beats = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"lease-heartbeat:{name}", daemon=True
        )

    def beat(self) -> bool:
        """Renew once now; True when the lease is still ours."""
        with self.engine.begin() as connection:
            held = renew(connection, self.name, self.holder, self.ttl_seconds)
        self.beats += 1
        if not held:
            self.lost = True
        return held

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not self.beat():
                    log.warning("job %s: lease taken over by another holder", self.name)
                    return
            except Exception as error:  # the next beat tries again
                log.warning("job %s: lease not renewed: %s", self.name, type(error).__name__)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating (waits for a beat under way). Call it after the job's transaction ended:
        on SQLite a beat waits for the write lock of the job's own uncommitted writes."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> Heartbeat:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
