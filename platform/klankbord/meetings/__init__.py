"""Sounding-board meetings: groups, agendas, live input from phones, minutes, actions, updates."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register the staff and participant blueprints, the nav item and the demo seeder."""
    from flask_babel import lazy_gettext as _l

    from klankbord.core.registry import registry
    from klankbord.meetings import demo
    from klankbord.meetings.participant import public
    from klankbord.meetings.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(public)
    registry(app).add_nav_item("meetings.index", _l("Sounding board"))
    registry(app).add_demo_seeder(demo.seed_demo)
