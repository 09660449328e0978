"""Klankbord: listen to refugees and act on what you hear.

Only ``create_app`` lives here, and it imports Flask lazily so that ``klankbord.analysis`` can be
imported in a bare interpreter without the web stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, errors, commands."""
    from flask import Flask

    from klankbord import app_setup
    from klankbord.config import instance_path_from_env, load_config

    app = Flask(
        __name__, instance_path=instance_path_from_env(overrides), instance_relative_config=True
    )
    load_config(app, overrides)
    app_setup.register_extensions(app)
    app_setup.register_blueprints(app)
    app_setup.register_errorhandlers(app)
    app_setup.register_request_hooks(app)
    app_setup.register_commands(app)
    return app
