"""Klankbord instance configuration for deployments: secrets from files, not from the environment.

Mount or copy this file as ``config.py`` in the instance folder (``KLANKBORD_INSTANCE``); Klankbord
reads it after its defaults and before ``KLANKBORD_*`` variables. It reads:

* ``KLANKBORD_SECRET_KEY_FILE``: a file with the secret key (the same on every node);
* ``KLANKBORD_DB_PASSWORD_FILE``: a file with the database password, combined with
  ``KLANKBORD_DB_HOST`` (default ``db``), ``KLANKBORD_DB_PORT`` (5432), ``KLANKBORD_DB_NAME`` and
  ``KLANKBORD_DB_USER`` (both ``klankbord``) into the database URL;
* ``KLANKBORD_MAIL_PASSWORD_FILE``: a file with the SMTP password (optional).

Files come from compose ``secrets:`` (/run/secrets/...) or systemd ``LoadCredential=``
(``$CREDENTIALS_DIRECTORY``); a relative file name is looked up in ``$CREDENTIALS_DIRECTORY``.
Secrets in files do not show up in ``ps``, ``/proc/<pid>/environ`` or ``docker inspect``.
"""

import os
from pathlib import Path
from urllib.parse import quote


def _secret(variable):
    name = os.environ.get(variable)
    if not name:
        return None
    path = Path(name)
    if not path.is_absolute() and os.environ.get("CREDENTIALS_DIRECTORY"):
        path = Path(os.environ["CREDENTIALS_DIRECTORY"]) / path
    return path.read_text().strip()


_key = _secret("KLANKBORD_SECRET_KEY_FILE")
if _key:
    SECRET_KEY = _key

_password = _secret("KLANKBORD_DB_PASSWORD_FILE")
if _password is not None:
    DATABASE_URL = "postgresql://{user}:{password}@{host}:{port}/{name}".format(
        user=quote(os.environ.get("KLANKBORD_DB_USER", "klankbord"), safe=""),
        password=quote(_password, safe=""),
        host=os.environ.get("KLANKBORD_DB_HOST", "db"),
        port=os.environ.get("KLANKBORD_DB_PORT", "5432"),
        name=os.environ.get("KLANKBORD_DB_NAME", "klankbord"),
    )

_mail_password = _secret("KLANKBORD_MAIL_PASSWORD_FILE")
if _mail_password:
    MAIL_PASSWORD = _mail_password
