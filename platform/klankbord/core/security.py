"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
    ]
)


def add_security_headers(response: Response) -> Response:
    """Strict CSP (no inline script or style), no sniffing, no framing, no referrer."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    )
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html":
        headers.setdefault("Cache-Control", "no-store")
    return response


def refuse_nul_characters() -> None:
    """Answer 400 when the path, query or form holds a NUL character.

    No keyboard types one; PostgreSQL cannot store or even compare it (a DataError, i.e. a 500,
    on the first query that uses the value), so it is refused once, here, for every route.
    """
    if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
        abort(400)
    if request.method == "POST" and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        if any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True)):
            abort(400)


def register(app: Flask) -> None:
    from klankbord.core import ratelimit, request_log

    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
    ratelimit.register(app)
    request_log.register(app)
