"""send_mail: an .eml file in instance/outbox without SMTP, smtplib with MAIL_SERVER."""

from __future__ import annotations

import email
import smtplib
from email import policy

import pytest

from klankbord.jobs import mail


def test_without_smtp_mail_lands_in_the_outbox(app, frozen):
    path = mail.send_mail(
        ["beleid@example.org", "b@example.org"],
        "Wekelijkse\nsamenvatting",
        "Nieuwe reacties: 12\nثلاثة",
    )
    assert path.parent == mail.outbox_dir() and path.suffix == ".eml"
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "beleid@example.org, b@example.org"
    assert message["Subject"] == "Wekelijkse samenvatting"  # no header injection
    assert message["Date"] == "Wed, 04 Mar 2026 09:17:00 +0000"
    assert message.get_content() == "Nieuwe reacties: 12\nثلاثة\n"


@pytest.mark.parametrize("to", [[], "geen-adres", ["a@example.org\nBcc: x@example.org"]])
def test_bad_recipients_are_refused(app, to):
    with pytest.raises(ValueError):
        mail.send_mail(to, "Onderwerp", "Tekst")
    assert not mail.outbox_dir().exists()


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.host, self.port, self.calls = host, port, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user))

    def send_message(self, message):
        FakeSMTP.sent.append((self.host, self.port, self.calls, message))


def test_with_mail_server_it_goes_through_smtp(app, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(
        MAIL_SERVER="smtp.example.org",
        MAIL_PORT=2525,
        MAIL_USERNAME="klankbord",
        MAIL_PASSWORD="s3cret",
        MAIL_DEFAULT_SENDER="Klankbord <kb@example.org>",
    )
    assert mail.send_mail("f@example.org", "Enquête geopend", "Tekst") is None
    host, port, calls, message = FakeSMTP.sent[0]
    assert (host, port, calls) == ("smtp.example.org", 2525, ["starttls", ("login", "klankbord")])
    assert message["From"] == "Klankbord <kb@example.org>"
    assert not mail.outbox_dir().exists()


def test_an_smtp_failure_is_a_mail_error_without_secrets(app, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_PASSWORD="s3cret")
    with pytest.raises(mail.MailError, match="ConnectionRefusedError") as info:
        mail.send_mail("f@example.org", "Onderwerp", "Tekst")
    assert "s3cret" not in str(info.value)


def test_job_mail_is_sent_only_after_the_run_committed(app, db, frozen, test_job):
    from klankbord.jobs.runner import run_job

    def mails_then_fails(ctx):
        ctx.send_mail("f@example.org", "Onderwerp", "Tekst")
        raise RuntimeError("boom")

    def mails(ctx):
        ctx.send_mail("f@example.org", "Onderwerp", "Tekst")
        return {"notified": 1}

    assert run_job(test_job("mail_fail", mails_then_fails)).outcome == "error"
    assert not mail.outbox_dir().exists()
    result = run_job(test_job("mail_ok", mails))
    assert result.counts == {"notified": 1, "mails_sent": 1, "mails_failed": 0}
    assert len(list(mail.outbox_dir().glob("*.eml"))) == 1
