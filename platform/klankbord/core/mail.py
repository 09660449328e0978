"""Outgoing mail: SMTP when MAIL_SERVER is configured, otherwise an .eml file in instance/outbox/.

Config: MAIL_SERVER, MAIL_PORT (587), MAIL_USE_TLS (True: STARTTLS), MAIL_USE_SSL (False),
MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER, MAIL_TIMEOUT (30 s).
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from datetime import UTC
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from klankbord.core.time import utcnow

DEFAULT_SENDER = "Klankbord <noreply@klankbord.invalid>"


class MailError(RuntimeError):
    """A message could not be delivered; the message says why in plain words."""


def build_message(to: str | list[str], subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message (cheap phones and screen readers handle it best)."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients or any("\n" in r or "\r" in r or "@" not in r for r in recipients):
        raise ValueError("every recipient needs to be one e-mail address")
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER
    message["To"] = ", ".join(recipients)
    message["Subject"] = " ".join(subject.split())  # no header injection through newlines
    message["Date"] = formatdate(utcnow().replace(tzinfo=UTC).timestamp(), usegmt=True)
    message["Message-ID"] = make_msgid(domain="klankbord.invalid")
    message.set_content(body)
    return message


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "outbox"


def deliver(message: EmailMessage) -> Path | None:
    """Send by SMTP, or write to the outbox; returns the file written (None for SMTP)."""
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(message)
        return None
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    return path


def send_mail(to: str | list[str], subject: str, body: str) -> Path | None:
    """Build and deliver one message at once (jobs use ``ctx.send_mail`` to send after commit)."""
    return deliver(build_message(to, subject, body))


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    host, timeout = config["MAIL_SERVER"], config.get("MAIL_TIMEOUT", 30)
    try:
        if config.get("MAIL_USE_SSL"):
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host,
                config.get("MAIL_PORT", 465),
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(host, config.get("MAIL_PORT", 587), timeout=timeout)
        with smtp:
            if not config.get("MAIL_USE_SSL") and config.get("MAIL_USE_TLS", True):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"SMTP delivery via {host} failed: {type(error).__name__}") from error
