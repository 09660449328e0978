"""Gunicorn settings for Klankbord.

Run: ``gunicorn -c python:klankbord.gunicorn_conf 'klankbord:create_app()'``.

Privacy: the access log has no client address (``%(h)s``), no user agent, no referrer and no
query string (``%(U)s`` is the path only; a query can hold a one-time slip code). Each line is
time, method, path, status, bytes and duration. Override with environment variables:
``KLANKBORD_BIND`` (default 127.0.0.1:8000: put a TLS-terminating proxy in front),
``WEB_CONCURRENCY`` (workers, default 4), ``KLANKBORD_ACCESS_LOG`` ("-" = stdout, "" = off).
"""

from __future__ import annotations

import os

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
