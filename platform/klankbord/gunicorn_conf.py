"""Gunicorn settings for Klankbord.

Run: ``gunicorn -c python:klankbord.gunicorn_conf 'klankbord:create_app()'``.

Privacy: the access log has no client address (``%(h)s``), no user agent, no referrer and no
query string (``%(U)s`` is the path only; a query can hold a one-time slip code). Each line is
time, method, path, status, bytes and duration; for resident pages (/s/, /m/, /g/)
:class:`PrivacyLogger` keeps only the day, the method, the route pattern (no code, no language)
and the status. Override with environment variables:
``KLANKBORD_BIND`` (default 127.0.0.1:8000: put a TLS-terminating proxy in front),
``WEB_CONCURRENCY`` (workers, default 4), ``KLANKBORD_ACCESS_LOG`` ("-" = stdout, "" = off).
"""

from __future__ import annotations

import os

from gunicorn import glogging

from klankbord.core import request_log

bind = os.environ.get("KLANKBORD_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
#: Recycle workers now and then (bounded memory growth), with jitter so they do not all restart.
max_requests = 5000
max_requests_jitter = 500
#: Small request lines and headers: the app's own body limit is MAX_CONTENT_LENGTH (256 KiB).
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190
accesslog = os.environ.get("KLANKBORD_ACCESS_LOG", "-") or None
access_log_format = '- %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("KLANKBORD_LOG_LEVEL", "info")
#: Only trust X-Forwarded-* from the proxy on this machine (set PROXY_FIX_X_FOR in the app too).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips


class PrivacyLogger(glogging.Logger):
    """Access log lines of resident pages with the day only, the route pattern and no size.

    Staff routes keep the time (useful against attacks on the login); for /s/, /m/ and /g/ the
    time of day, the code and language in the path and the response size (which differs per
    language) would tell when and in which language someone answered (docs/privacy.md).
    """

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO") or ""
        if not request_log.is_respondent_path(path):
            return atoms
        method = environ.get("REQUEST_METHOD") or "-"
        day, pattern = request_log.respondent_fields(method, path)
        kept = {"m": method, "s": atoms["s"], "H": atoms["H"], "p": atoms["p"]}
        return {
            **{key: "-" for key in atoms},
            **kept,
            "t": f"[{day}]",
            "U": pattern,
            "r": f"{method} {pattern} {atoms['H']}",
            "M": "-",
        }


logger_class = PrivacyLogger
