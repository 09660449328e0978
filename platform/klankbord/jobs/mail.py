"""Outgoing mail for jobs; the implementation lives in ``core.mail`` (accounts mails invitations
too, and accounts may not import jobs)."""

from __future__ import annotations

from klankbord.core.mail import (  # noqa: F401  (re-exported for jobs and their tests)
    DEFAULT_SENDER,
    MailError,
    build_message,
    deliver,
    outbox_dir,
    send_mail,
)
