"""Error pages in the user's language; never a traceback."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

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
    return request.path.startswith("/api/") or request.path == "/healthz" or (
        request.accept_mimetypes.best == "application/json"
    )


def render_error(code: int, description: str | None = None):
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if wants_json():
        return jsonify({"error": str(title), "status": code}), code
    template = "errors/error.html"
    return render_template(template, code=code, title=title, text=description or text), code


def register(app: Flask) -> None:
    def handle_http(error: HTTPException):
        code = error.code or 500
        if code not in ERROR_TEXTS:
            return error
        return render_error(code)

    def handle_unexpected(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(500)

    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
