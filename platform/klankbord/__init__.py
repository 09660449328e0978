"""Klankbord: listen to refugees and act on what you hear."""

from __future__ import annotations

from typing import Any

from flask import Flask

from klankbord.config import instance_path_from_env, load_config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, errors, commands."""
    app = Flask(__name__, instance_path=instance_path_from_env(overrides), instance_relative_config=True)
    load_config(app, overrides)

    from klankbord import app_setup

    app_setup.register_extensions(app)
    app_setup.register_blueprints(app)
    app_setup.register_errorhandlers(app)
    app_setup.register_request_hooks(app)
    app_setup.register_commands(app)
    return app
