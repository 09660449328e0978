"""Background jobs: re-clustering, retention, survey windows and digests, each run exactly once."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from klankbord.core.registry import registry
    from klankbord.jobs import tasks  # noqa: F401  (registers the jobs)
    from klankbord.jobs.cli import jobs_group, scheduler_command
    from klankbord.jobs.schedule import start_in_dev_server
    from klankbord.jobs.views import bp

    app.register_blueprint(bp)
    registry(app).add_nav_item("jobs.index", _l("Jobs"), ("admin",))
    app.cli.add_command(jobs_group)
    app.cli.add_command(scheduler_command)
    app.extensions["klankbord_dev_scheduler"] = start_in_dev_server(app)
