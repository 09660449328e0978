"""Survey window notices and the weekly digest: each message once, to the right people."""

from __future__ import annotations

import email
from datetime import date, datetime
from email import policy

from sqlalchemy import select
from tests.jobs import builders

from klankbord.jobs.mail import outbox_dir
from klankbord.jobs.models import Notification
from klankbord.jobs.runner import run_job
from klankbord.reports.models import ReportTheme, ThemeRun


def _mails():
    folder = outbox_dir()
    messages = (
        [
            email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))
        ]
        if folder.exists()
        else []
    )
    return [(m["To"], m["Subject"], m.get_content()) for m in messages]


def _clear_outbox():
    for path in outbox_dir().glob("*.eml"):
        path.unlink()


def test_survey_windows_notify_facilitators_once_per_change(app, db, make, frozen):
    org = make.org("Gemeente Venster")
    make.user(org, "facilitator", email="fac@example.org", language="nl")
    admin = make.user(org, "admin", email="admin@example.org")
    admin.language = "en"
    make.user(org, "policymaker", email="beleid@example.org")
    other = make.org("Gemeente Anders")
    make.user(other, "facilitator", email="ander@example.org")
    db.session.commit()
    dep = builders.deployment(app, org, datetime(2026, 3, 4, 9, 0), datetime(2026, 3, 10, 9, 0))
    builders.deployment(app, org, datetime(2026, 4, 1), datetime(2026, 4, 30))  # not open yet

    frozen(datetime(2026, 3, 4, 9, 5))
    assert run_job("survey_windows").counts["survey_opened"] == 1
    mails = _mails()
    assert sorted(to for to, _s, _b in mails) == ["admin@example.org", "fac@example.org"]
    subjects = {to: subject for to, subject, _b in mails}
    assert subjects["fac@example.org"].startswith("Enquête geopend")
    assert subjects["admin@example.org"].startswith("Survey opened")
    assert "Reacties tot nu toe: 0" in next(b for to, _s, b in mails if to == "fac@example.org")

    # Ten minutes later: no news, no mail.
    _clear_outbox()
    frozen(datetime(2026, 3, 4, 9, 15))
    counts = run_job("survey_windows").counts
    assert counts["mails_queued"] == 0 and _mails() == []

    # Within 24 hours of closing: one "closes soon" each, with the response count.
    builders.responses(dep, ["a", "b", "c"], day=date(2026, 3, 8))
    frozen(datetime(2026, 3, 9, 10, 0))
    assert run_job("survey_windows").counts["survey_closing"] == 1
    assert all("closes" in b or "sluit" in b for _t, _s, b in _mails())
    assert all(
        ("Reacties tot nu toe: 3" in b) or ("Responses so far: 3" in b) for _t, _s, b in _mails()
    )

    # Closed: once.
    _clear_outbox()
    frozen(datetime(2026, 3, 10, 9, 10))
    assert run_job("survey_windows").counts["survey_closed"] == 1
    frozen(datetime(2026, 3, 10, 9, 20))
    assert run_job("survey_windows").counts["survey_closed"] == 0
    assert len(_mails()) == 2
    kinds = sorted(n.kind for n in db.session.execute(select(Notification)).scalars())
    assert kinds == ["survey_closed", "survey_closing", "survey_opened"]


def test_a_long_closed_deployment_is_not_announced(app, db, make, frozen):
    org = make.org()
    make.user(org, "facilitator")
    builders.deployment(app, org, datetime(2025, 1, 1), datetime(2025, 2, 1))
    frozen(datetime(2026, 3, 4, 9, 5))
    assert run_job("survey_windows").counts["survey_closed"] == 0
    assert _mails() == []


def test_digest_lands_in_the_outbox_for_policymakers_once_a_week(app, db, make, frozen):
    org = make.org("Gemeente Digest")
    reader = make.user(org, "policymaker", email="beleid@example.org", language="nl")
    make.user(org, "facilitator", email="fac@example.org")
    quiet = make.org("Gemeente Stil")
    make.user(quiet, "policymaker", email="stil@example.org")
    dep = builders.deployment(app, org, datetime(2026, 2, 1), datetime(2026, 4, 1))
    builders.responses(dep, ["oud"], day=date(2026, 2, 20))
    builders.responses(dep, [f"nieuw {i}" for i in range(1, 8)], day=date(2026, 3, 3))
    m = builders.meeting(org, datetime(2026, 3, 3, 18), finished=datetime(2026, 3, 3, 20))
    builders.ideas(m, ["Idee een", "Idee twee", "Idee drie"], created=datetime(2026, 3, 3, 19))
    scope = builders.scope(org, deployments=[dep], meetings=[m], name="Koken in het AZC")
    run = ThemeRun(organisation_id=org.id, scope_id=scope.id, method="test", n_texts=5)
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        [
            ReportTheme(
                organisation_id=org.id, run_id=run.id, number=0, label="fornuis, pannen", size=12
            ),
            ReportTheme(
                organisation_id=org.id,
                run_id=run.id,
                number=1,
                label="verborgen",
                size=11,
                hidden=True,
            ),
        ]
    )
    db.session.commit()

    frozen(datetime(2026, 3, 9, 7, 0))  # Monday 08:00 in Amsterdam
    result = run_job("digest")
    assert result.outcome == "ok"
    assert result.counts["digests_queued"] == 1 and result.counts["organisations_nothing_new"] == 1
    [(to, subject, body)] = _mails()
    assert to == reader.email and "week 11" in subject
    assert "Koken in het AZC" in body
    # Progress only, rounded down to fives (7 responses, 3 ideas): no exact count to subtract.
    assert "nieuwe enquêtereacties: ongeveer 5" in body
    assert "nieuwe inbreng uit bijeenkomsten: ongeveer 0" in body
    assert ": 7" not in body and ": 3\n" not in body
    assert "fornuis, pannen" in body and "(12)" not in body and "verborgen" not in body
    assert "nieuw 1" not in body and "Idee een" not in body  # numbers and themes, never texts

    # A run by hand in the same week sends nothing again.
    assert run_job("digest", period_key="manual:again").counts["digests_queued"] == 0
    assert len(_mails()) == 1
