"""Resident surveys: versions of the shipped definitions, deployments, anonymous answering."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add the staff and respondent blueprints, the nav item, the CLI group and the demo seeder."""
    from flask_babel import lazy_gettext as _l

    from klankbord.core.registry import registry
    from klankbord.extensions import csrf
    from klankbord.surveys import respondent, views
    from klankbord.surveys.cli import seed_demo_surveys, surveys_cli

    app.register_blueprint(views.bp)
    # Respondent forms carry their own long-lived token bound to the deployment and submission key,
    # plus an Origin / Sec-Fetch-Site check (see respondent.py); the session-bound staff token would
    # expire while a form waits on a phone.
    csrf.exempt(respondent.bp)
    app.register_blueprint(respondent.bp)
    registry(app).add_nav_item("surveys.index", _l("Surveys"))
    app.cli.add_command(surveys_cli)
    registry(app).add_demo_seeder(seed_demo_surveys)
