"""Domain errors, and error pages in the user's language; never a traceback."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from klankbord.core import respondent_errors
from klankbord.core.i18n import current_language, text_direction


class DomainError(Exception):
    """A refusal by a service that the user can fix: shown, never a traceback.

    :param message: what the user reads (a lazy translation for staff pages); ``str(error)``.
    :param code: a stable name of the refusal, for views and tests (e.g. ``"no_locations"``).
    :param field: the form field the message belongs to; :func:`klankbord.core.views.commit_or_show`
        shows it under that field instead of at the top of the page.

    Each domain has its own subclass (``MeetingError``, ``SurveyError``, ``AccountError`` ...),
    in the way of FlaskBB's ``StopValidation``: the service decides what went wrong and where,
    the view only shows it.
    """

    def __init__(self, message: Any = "", code: str | None = None, field: str | None = None):
        super().__init__(message or code or "")
        self.message = message or code or ""
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


#: Errors that mean "the database does not answer right now" (down, restarting, connection
#: killed, pool exhausted, SQLite busy past its timeout): the request may simply be tried again.
DATABASE_DOWN = (OperationalError, InterfaceError, PoolTimeout)

ERROR_TEXTS = {
    400: (_l("Something was wrong with the request"), _l("Please go back and try again.")),
    403: (_l("No access"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or it is not available to you.")),
    405: (_l("Not allowed"), _l("This action is not possible here.")),
    413: (_l("Too much data"), _l("What you sent is too large. Please send less.")),
    429: (_l("Too many attempts"), _l("Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("This is our fault. Please try again later.")),
    503: (_l("Temporarily unavailable"), _l("Please try again in a moment.")),
}


def wants_json() -> bool:
    path = request.path
    return path.startswith("/api/") or path == "/healthz" or path.endswith(".json") or (
        request.accept_mimetypes.best == "application/json"
    )


def render_error(code: int, description: str | None = None):
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if wants_json():
        return jsonify({"error": str(title), "status": code}), code
    template = "errors/error.html"
    return render_template(template, code=code, title=title, text=description or text), code


def render_database_down():
    """A 503 "try again" page that needs no database (no user, no navigation)."""
    if wants_json():
        return jsonify({"error": str(ERROR_TEXTS[503][0]), "status": 503}), 503
    if respondent_errors.is_respondent_request():
        return respondent_errors.render(503, keep_form=True)
    lang = current_language()
    title, text = ERROR_TEXTS[503]
    html = render_template(
        "errors/respondent.html", code=503, lang=lang, dir=text_direction(lang), title=title,
        text=text, retry_fields=[], retry_link=None,
    )
    return html, 503, {"Retry-After": "5"}


def register(app: Flask) -> None:
    def handle_http(error: HTTPException):
        code = error.code or 500
        if code not in ERROR_TEXTS:
            return error
        if respondent_errors.is_respondent_request() and not wants_json():
            return respondent_errors.render(code)
        return render_error(code)

    def handle_database_down(error: Exception):
        from klankbord.extensions import db

        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool replaces it on the next checkout
            app.logger.debug("Rollback after a database error failed too")
        # Only the kind of error: its text can hold SQL parameters, i.e. what a resident wrote.
        cause = type(getattr(error, "orig", None) or error).__name__
        app.logger.warning("Database unavailable during %s %s (%s)", request.method,
                           request.endpoint, cause)
        return render_database_down()

    def handle_unexpected(error: Exception):
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return handle_database_down(error)
        app.logger.exception("Unhandled error on %s", request.path)
        if respondent_errors.is_respondent_request() and not wants_json():
            return respondent_errors.render(500)
        return render_error(500)

    app.register_error_handler(HTTPException, handle_http)
    for error_class in DATABASE_DOWN:
        app.register_error_handler(error_class, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected)
