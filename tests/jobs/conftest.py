"""Fixtures for the jobs tests: a clock that resets and throw-away jobs in the registry."""

from __future__ import annotations

from datetime import datetime

import pytest

from klankbord.core import time as clock
from klankbord.jobs.runner import JOBS, job


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.freeze(None)


@pytest.fixture
def frozen():
    """Freeze the clock at a Wednesday morning in winter; returns a setter for later moments."""

    def _set(moment: datetime) -> datetime:
        clock.freeze(moment)
        return moment

    _set(datetime(2026, 3, 4, 9, 17))
    return _set


@pytest.fixture
def test_job():
    """Register a job under a test name; removed again afterwards."""
    added: list[str] = []

    def _register(name: str, func, lease_seconds: int = 60):
        job(name, f"test job {name}", lease_seconds)(func)
        added.append(name)
        return name

    yield _register
    for name in added:
        JOBS.pop(name, None)
