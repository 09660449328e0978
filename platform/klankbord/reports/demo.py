"""Demo content for reports (filled in below)."""

from __future__ import annotations


def seed_demo_reports(org) -> list[str]:
    return []
