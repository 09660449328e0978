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
    # First hook, before CSRF reads the form: an upload of a recording may be larger than the
    # app's body limit (MAX_CONTENT_LENGTH) for this one route.
    app.before_request_funcs.setdefault(None, []).insert(0, _allow_recording_uploads)
    # Respondent forms carry their own long-lived token bound to the deployment and submission key,
    # plus an Origin / Sec-Fetch-Site check (see respondent.py); the session-bound staff token would
    # expire while a form waits on a phone.
    csrf.exempt(respondent.bp)
    app.register_blueprint(respondent.bp)
    registry(app).add_nav_item("surveys.index", _l("Surveys"))
    app.cli.add_command(surveys_cli)
    registry(app).add_demo_seeder(seed_demo_surveys)


def _allow_recording_uploads() -> None:
    from flask import request

    from klankbord.surveys.audio import MAX_UPLOAD_BYTES

    if request.endpoint == "surveys.upload_clip" and request.method == "POST":
        request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024
