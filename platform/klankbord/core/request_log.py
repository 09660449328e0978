"""Request logs without the addresses of residents.

The development server (werkzeug) logs every request as ``<address> - - [date] "GET /path" 200``.
For the pages residents use (/s/, /m/, /g/) this filter blanks the address and drops the query
string (it can hold a one-time slip code), so a log file cannot tie an answer to a phone or a
home. Staff routes keep the address: it helps to investigate attacks on the login.

Under gunicorn, use ``klankbord/gunicorn_conf.py`` (``gunicorn -c python:klankbord.gunicorn_conf``):
its access-log format has no client address, user agent or referrer for any route.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

from klankbord.core.respondent_errors import RESPONDENT_PATHS, RESPONDENT_PREFIXES

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ADDRESS = re.compile(r"^\S+ - - \[")
_REQUEST = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S*)(?P<rest>.*)$")


def _respondent_path(path: str) -> bool:
    path = path.split("?", 1)[0]
    return path in RESPONDENT_PATHS or path.startswith(RESPONDENT_PREFIXES)


class DropRespondentAddress(logging.Filter):
    """Blank the client address and query of werkzeug's log line for respondent routes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str) or not record.args or not isinstance(record.args, tuple):
            return True
        request_line = _ANSI.sub("", str(record.args[0]))
        match = _REQUEST.match(request_line.strip('"'))
        if match is None or not _respondent_path(match["path"]):
            return True
        record.msg = _ADDRESS.sub("- - - [", record.msg, count=1)
        path = match["path"].split("?", 1)[0]
        record.args = (f'"{match["method"]} {path}{match["rest"]}"', *record.args[1:])
        return True


def register(app: Flask) -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropRespondentAddress) for f in logger.filters):
        logger.addFilter(DropRespondentAddress())
