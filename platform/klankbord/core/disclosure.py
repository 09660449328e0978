"""Progress figures outside releases (see docs/privacy.md)."""

from __future__ import annotations

#: Progress counts are rounded down to a multiple of this.
PROGRESS_STEP = 5


def coarse_count(n: int) -> int:
    """A count for progress figures (working view, digest mails): rounded down to a multiple of
    5, so two of them cannot be subtracted to find one person."""
    return PROGRESS_STEP * (int(n) // PROGRESS_STEP)
