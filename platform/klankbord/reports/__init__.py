"""Reports for policymakers: aggregates, themes with quotes, suppression, curation, exports."""

from __future__ import annotations


def register(app) -> None:
    """Add the report blueprints, the nav item and the demo seeder."""
    from klankbord import cli as klankbord_cli
    from klankbord.reports import views
    from klankbord.reports.demo import seed_demo_reports

    views.register(app)
    if seed_demo_reports not in klankbord_cli.DEMO_SEEDERS:
        klankbord_cli.DEMO_SEEDERS.append(seed_demo_reports)
