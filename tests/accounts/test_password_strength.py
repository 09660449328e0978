"""Password strength by zxcvbn on top of length and the breached list (issue 14, item 4)."""

from __future__ import annotations

import pytest
from tests.conftest import TEST_PASSWORD

from klankbord.accounts import services
from klankbord.accounts.passwords import password_problem
from klankbord.cli import DEMO_PASSWORD

#: Passed the length rule before; an attacker guessing tries them early.
ENGLISH = {"Accept-Language": "en"}
WEAK = ["abcabcabcabc", "qwertyuiopas", "Welkom01welkom"]


@pytest.mark.parametrize("password", WEAK)
def test_the_weak_examples_are_refused_with_a_reason(app, password):
    with app.test_request_context(headers=ENGLISH):
        problem = password_problem(password)
    assert problem is not None and problem.startswith("Too easy to guess: ")


@pytest.mark.parametrize(
    "password, email, context",
    [
        (TEST_PASSWORD, "user1@example.org", ("Test Persoon", "Gemeente Test 1")),
        (DEMO_PASSWORD, "admin@voorbeeldstad.example", ("Anna Admin", "Gemeente Voorbeeldstad")),
        ("een heel lang nieuw wachtwoord", "new@example.org", ("Nieuw",)),
        ("correct horse battery staple", None, ()),
        ("ሰላም ንኹሉ ዝኣክል ቃላት", None, ()),  # a Tigrinya passphrase
    ],
)
def test_passphrases_pass(app, password, email, context):
    with app.test_request_context(headers=ENGLISH):
        assert password_problem(password, email, context) is None


def test_the_organisation_and_the_person_count_as_easy_to_guess(app):
    with app.test_request_context(headers=ENGLISH):
        problem = password_problem(
            "Voorbeeldstad2026", "anna@voorbeeldstad.example", ("Gemeente Voorbeeldstad",)
        )
        assert problem is not None and "organisation" in problem


def test_invitation_refuses_a_weak_password_in_dutch(app, make, db):
    org = make.org("Gemeente Voorbeeldstad")
    new = services.invite(org, "nieuw@example.org", "facilitator", actor=make.user(org, "admin"))
    db.session.commit()
    visitor = app.test_client()  # no Accept-Language: Dutch, the default
    page = visitor.post(f"/invite/{new.token}", data={"name": "Nieuw", "password": "qwertyuiopas"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Te makkelijk te raden" in html
    assert services.account_for("nieuw@example.org") is None
    # The organisation's own name: refused by the service with the organisation as context.
    page = visitor.post(
        f"/invite/{new.token}", data={"name": "Nieuw", "password": "voorbeeldstad2026"}
    )
    assert "Te makkelijk te raden" in page.get_data(as_text=True)
    assert services.account_for("nieuw@example.org") is None
    ok = visitor.post(
        f"/invite/{new.token}", data={"name": "Nieuw", "password": "een heel lang nieuw wachtwoord"}
    )
    assert ok.status_code == 302 and services.account_for("nieuw@example.org") is not None


def test_invitation_refusal_is_english_on_the_english_ui(app, make, db):
    org = make.org()
    new = services.invite(org, "new@example.org", "facilitator", actor=make.user(org, "admin"))
    db.session.commit()
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = visitor.post(f"/invite/{new.token}", data={"name": "New", "password": "abcabcabcabc"})
    assert "Too easy to guess: it repeats characters or words" in page.get_data(as_text=True)


def test_create_admin_refuses_a_weak_password(runner, db):
    result = runner.invoke(
        args=[
            "create-admin", "--email", "a@example.org", "--name", "A", "--organisation",
            "Gemeente Proef", "--password", "Welkom01welkom",
        ]
    )
    assert result.exit_code != 0 and "Te makkelijk te raden" in result.output  # CLI: Dutch
