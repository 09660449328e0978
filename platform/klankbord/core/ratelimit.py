"""Rate limits on login, survey submission and live meeting input (Flask-Limiter).

Decisions:

* **One limiter per app**, made here and kept in ``app.extensions``: a module-level limiter would
  share its on/off switch and storage between apps (tests build many).
* **Limits live in one table** (:data:`DEFAULT_RATE_LIMITS`, endpoint → limit, overridable with
  ``RATE_LIMITS`` in the config) and are applied to the registered view functions after the
  blueprints are in place, so the domains need no decorator and the list reads at a glance.
* **The key is not the address.** It is an HMAC of the client address with the secret key, so even
  the limiter's storage never holds an IP address. Storage is ``memory://`` or Redis
  (``RATELIMIT_STORAGE_URI``); both only keep counters that expire with their window. Nothing
  is written to the database. With several gunicorn workers, use Redis so the workers share one
  count; memory storage counts per worker.
* **Generous for anonymous routes.** A whole reception centre can share one public address
  (Wi-Fi behind NAT), so the limits for residents stop floods, not people.
* A broken limiter storage never breaks a page: errors are swallowed and Flask-Limiter falls back
  to memory.
* Behind a reverse proxy set ``PROXY_FIX_X_FOR`` to the number of proxies, so the client address
  comes from ``X-Forwarded-For`` as written by *your* proxy (and cannot be forged by a client).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from flask import Flask, Response, current_app, request

#: endpoint → limit (Flask-Limiter syntax), counted for POST requests only.
DEFAULT_RATE_LIMITS: dict[str, str] = {
    # Staff: per-account lockout exists too (LOGIN_MAX_FAILURES); this stops spraying many accounts.
    "accounts.login": "10 per minute;100 per hour",
    "accounts.second_factor": "10 per minute;60 per hour",
    "accounts.accept_invite": "10 per minute",
    "staff.confirm_password": "10 per minute",
    # Residents: one address can be a whole reception centre.
    "respond.submit": "30 per minute;600 per hour",
    "respond.step": "300 per minute",
    "meetings_public.send_idea": "120 per minute",
    "meetings_public.support": "240 per minute",
    "meetings_public.answer": "240 per minute",
}


def client_key() -> str:
    """A keyed hash of the client address: counts per client without storing the address."""
    secret = current_app.config["SECRET_KEY"].encode()
    address = request.remote_addr or "unknown"
    return hmac.new(secret, f"ratelimit:{address}".encode(), hashlib.sha256).hexdigest()[:32]


#: Retry-After (seconds) when the limiter cannot say when its window resets.
DEFAULT_RETRY_AFTER = 60


def retry_after_seconds() -> int:
    """Seconds until the limit that refused this request resets (at least 1)."""
    limiter = current_app.extensions.get("klankbord_limiter")
    current = limiter.current_limit if limiter is not None else None
    if current is None or not current.breached:
        return DEFAULT_RETRY_AFTER
    window = current.limit.get_expiry()  # storages round the reset up; never past the window
    return max(1, min(window, math.ceil(current.reset_at - time.time())))


def add_retry_after(response: Response) -> Response:
    """Every 429 says when to try again, whichever handler rendered it (RFC 9110 10.2.3)."""
    if response.status_code == 429:
        response.headers["Retry-After"] = str(retry_after_seconds())
    return response


def register(app: Flask) -> None:
    """Attach a limiter to ``app`` and apply the limits to the registered views."""
    forwarded = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if forwarded:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=forwarded, x_proto=1, x_host=0)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.after_request(add_retry_after)
    if not app.config["RATELIMIT_ENABLED"]:
        return
    from flask_limiter import Limiter

    limiter = Limiter(
        key_func=client_key,
        app=app,
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
        strategy=app.config.get("RATELIMIT_STRATEGY", "fixed-window"),
        headers_enabled=False,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        key_prefix="klankbord",
    )
    limits = {**DEFAULT_RATE_LIMITS, **(app.config.get("RATE_LIMITS") or {})}
    for endpoint, limit in limits.items():
        view = app.view_functions.get(endpoint)
        if view is None or not limit:
            continue
        app.view_functions[endpoint] = limiter.limit(limit, methods=["POST"])(view)
    app.extensions["klankbord_limiter"] = limiter
