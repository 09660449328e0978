"""Reports for policymakers: aggregates, themes with quotes, suppression, curation, exports."""

from __future__ import annotations


def register(app) -> None:
    """Add the report blueprints, the nav item and the demo seeder."""
    from klankbord.core.registry import registry
    from klankbord.reports import views
    from klankbord.reports.demo import seed_demo_reports

    views.register(app)
    registry(app).add_demo_seeder(seed_demo_reports)
