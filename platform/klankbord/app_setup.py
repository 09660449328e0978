"""The steps of the app factory, each small enough to read at a glance."""

from __future__ import annotations

from flask import Flask, g, request
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.engine import Engine

from klankbord.config import REPO_ROOT
from klankbord.extensions import babel, csrf, db, login_manager, migrate


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL, a busy timeout and foreign keys for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def register_extensions(app: Flask) -> None:
    from klankbord.core import routing
    from klankbord.core.i18n import select_locale

    routing.register(app)  # before any route is added

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(REPO_ROOT / "platform" / "klankbord" / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None  # the server-side session table does this job

    @login_manager.user_loader
    def load_user(token: str):
        from klankbord.accounts.services import load_session_user

        user = load_session_user(token)
        if db.session.dirty:
            # The session ended or was seen: keep that even when the request fails later (an
            # idle timeout must hold). The service only changes the row; committing is ours.
            db.session.commit()
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for

        return redirect(url_for("accounts.login"))


def register_blueprints(app: Flask) -> None:
    from klankbord.accounts.views import bp as accounts_bp
    from klankbord.accounts.views import staff as staff_bp
    from klankbord.core.health import bp as health_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(staff_bp)
    for module_name in DOMAIN_BLUEPRINTS:
        module = __import__(module_name, fromlist=["register"])
        module.register(app)


#: Domain packages that expose ``register(app)``; each adds its blueprints, and its nav items and
#: demo seeders to the app's registry (``klankbord.core.registry``).
DOMAIN_BLUEPRINTS: list[str] = [
    "klankbord.jobs",
    "klankbord.surveys",
    "klankbord.meetings",
    "klankbord.reports",
    "klankbord.embeddings",
]


def register_errorhandlers(app: Flask) -> None:
    from klankbord.core import errors

    errors.register(app)


def register_request_hooks(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from klankbord.core import security
    from klankbord.core.i18n import (
        LANGUAGE_NAMES,
        current_language,
        format_day,
        format_when,
        text_direction,
    )
    from klankbord.core.registry import registry

    security.register(app)
    app.add_template_filter(format_day, "day")
    app.add_template_filter(format_when, "when")
    from klankbord.core.labels import status_label

    app.add_template_filter(status_label, "status")
    app.add_template_filter(isolate_placeholders, "bidi")

    def forget_request_state() -> None:
        """Start every request without the user, organisation and language of an earlier one.

        ``g`` belongs to the app context, which tests (and CLI code) keep across requests; the
        first hook, so even a request refused by an earlier hook (CSRF) never sees stale values.
        """
        stale = ("_login_user", "org", "role", "memberships", "respondent_locale", "_flask_babel")
        for name in stale:
            g.pop(name, None)

    app.before_request_funcs.setdefault(None, []).insert(0, forget_request_state)

    registry(app).add_nav_item("staff.dashboard", _l("Overview"), first=True)

    @app.context_processor
    def inject_layout():
        lang = current_language()
        role = getattr(g, "role", None)
        role_value = role.value if role is not None else None
        nav = [
            (item.endpoint, item.label)
            for item in registry(app).nav_items
            if role_value
            and (item.roles is None or role_value in item.roles)
            and item.endpoint in app.view_functions
        ]
        return {
            "html_lang": lang,
            "html_dir": text_direction(lang),
            "language_names": LANGUAGE_NAMES,
            "nav_items": nav,
            "current_endpoint": request.endpoint,
        }


def register_commands(app: Flask) -> None:
    from klankbord.cli import register

    register(app)


def isolate_placeholders(text: str | None) -> Markup:
    """Escape a resident's text and isolate the scrubber's placeholders (``[e-mail]``) in it.

    Inside Arabic or Farsi a Latin "[e-mail]" takes the paragraph's direction and comes out as
    "]e-mail[" mixed into the words around it; ``<bdi dir="ltr">`` keeps it whole and in place.
    """
    from klankbord.analysis.scrub import PLACEHOLDERS

    escaped = str(escape(text or ""))
    for placeholder in PLACEHOLDERS.values():
        safe = str(escape(placeholder))
        escaped = escaped.replace(safe, f'<bdi dir="ltr">{safe}</bdi>')
    return Markup(escaped)
