"""One clock for the whole app, so tests can control it."""

from __future__ import annotations

from datetime import UTC, date, datetime

_frozen: datetime | None = None


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (what both databases store)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


def freeze(moment: datetime | None) -> None:
    """Fix the clock at ``moment`` (naive UTC); ``None`` lets it run again. For tests and jobs."""
    global _frozen
    _frozen = moment
