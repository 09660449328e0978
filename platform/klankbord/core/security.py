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


#: Sent with every response unless a view set its own value.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
#: Endpoints that serve public files a browser may keep (style, script, survey recordings).
#: Every other response, HTML or not (CSV, PDF, Markdown, JSON, exports, errors), is no-store:
#: a shared computer or a proxy must never keep a copy of data.
CACHEABLE_ENDPOINTS = frozenset({"static", "respond.audio", "respond.service_worker"})


def add_security_headers(response: Response) -> Response:
    """Strict CSP (no inline script or style), no sniffing, no framing, no referrer, no-store.

    One pass over the headers a view already set, then one extend: the same result as a
    ``setdefault`` per header at a fraction of the cost (every response passes here).
    """
    headers = response.headers
    if request.endpoint not in CACHEABLE_ENDPOINTS or response.status_code >= 400:
        headers["Cache-Control"] = "no-store"  # also over a view's own value
    present = {name.lower() for name, _ in headers.items()}
    wanted = list(SECURITY_HEADERS)
    if current_app.config.get("ENV_NAME") == "production":
        wanted.append(HSTS)
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
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
