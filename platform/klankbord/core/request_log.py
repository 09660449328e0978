"""Request logs that keep no trace of when, in which language or from where a resident answered.

The development server (werkzeug) logs every request as ``<address> - - [date time] "GET /path"
200 <bytes>``. For the pages residents use (/s/, /m/, /g/) this filter writes instead
``- - - [07/Dec/2026] "POST /s/<code>/<lang>/submit HTTP/1.1" 303 -``:

* no client address and no query string (it can hold a one-time slip code);
* the day only, never the time: with the time, a log line and a database dump together told the
  moment of each response (issue 13); the log record's own timestamp is set to midnight too, so
  a formatter with ``%(asctime)s`` shows no time either;
* the route pattern instead of the path: the survey or meeting code and the language in the path
  would say who was answering where; a path that matches no route becomes its prefix (``/s/…``);
* no response size: pages in Tigrinya and in Dutch differ in bytes, so the size told the language.

Staff routes keep address and time: they help to investigate attacks on the login. Under gunicorn,
``klankbord/gunicorn_conf.py`` uses :class:`klankbord.gunicorn_conf.PrivacyLogger`, which applies
:func:`respondent_fields` in the same way.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime

from flask import Flask
from werkzeug.routing import Map

from klankbord.core.respondent_errors import RESPONDENT_PATHS, RESPONDENT_PREFIXES

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_PREFIX = re.compile(r"^\S+ - - \[(?P<day>[^\] ]+)[^\]]*\]")
_REQUEST = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S*)(?P<rest>.*)$")

#: The URL map of the app (every app has the same routes); set by :func:`register`.
_URL_MAP: Map | None = None


def is_respondent_path(path: str) -> bool:
    path = path.split("?", 1)[0]
    return path in RESPONDENT_PATHS or path.startswith(RESPONDENT_PREFIXES)


def route_pattern(path: str, method: str = "GET") -> str:
    """The route a respondent path matched (``/s/<code>/<lang>/submit``), else its prefix only.

    The pattern names the parts (code, language, idea number) without their values, so a log line
    says what kind of page was asked for, not which survey, meeting or language.
    """
    path = path.split("?", 1)[0]
    if _URL_MAP is not None:
        try:
            rule, _ = _URL_MAP.bind("localhost").match(path, method=method, return_rule=True)
            return rule.rule
        except Exception:  # 404, 405, a redirect: no route to name
            pass
    for prefix in RESPONDENT_PREFIXES:
        if path.startswith(prefix):
            return prefix + "…"
    return path


def respondent_fields(method: str, path: str) -> tuple[str, str]:
    """What a respondent request may leave in a log: the day (``07/Dec/2026``) and the route."""
    return time.strftime("%d/%b/%Y"), route_pattern(path, method)


class DropRespondentTraces(logging.Filter):
    """Rewrite werkzeug's log line of a respondent route: no address, time, language or size."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str) or not record.args or not isinstance(record.args, tuple):
            return True
        request_line = _ANSI.sub("", str(record.args[0])).strip('"')
        match = _REQUEST.match(request_line)
        if match is None or not is_respondent_path(match["path"]):
            return True
        pattern = route_pattern(match["path"], match["method"])
        record.msg = _PREFIX.sub(lambda m: f"- - - [{m['day'].split(':')[0]}]", record.msg, count=1)
        status = record.args[1] if len(record.args) > 1 else "-"
        record.args = (f'{match["method"]} {pattern}{match["rest"]}', status, "-")
        midnight = datetime.fromtimestamp(record.created).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        record.created = midnight.timestamp()
        record.msecs = 0.0
        record.relativeCreated = 0.0
        return True


def register(app: Flask) -> None:
    global _URL_MAP
    _URL_MAP = app.url_map
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropRespondentTraces) for f in logger.filters):
        logger.addFilter(DropRespondentTraces())
