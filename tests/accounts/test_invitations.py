"""Invitations cannot take over accounts across organisations (issue 14, item 1).

The attack: B's admin invites ``new.colleague@a.example``, accepts the link himself with his own
password; when A later invites the same address, the real colleague's acceptance attached A to
the attacker's account and her own password was refused at login.
"""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from sqlalchemy import select
from tests.conftest import TEST_PASSWORD, login

from klankbord.accounts import services
from klankbord.accounts.models import Membership
from klankbord.accounts.passwords import verify_password
from klankbord.core.mail import outbox_dir

VICTIM = "new.colleague@a.example"
ATTACKER_PASSWORD = "de aanvaller kiest zijn eigen zin"
HER_PASSWORD = "haar eigen lange wachtzin voor klankbord"


def _mails_to(address: str) -> list[email.message.EmailMessage]:
    folder = outbox_dir()
    found = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def _invite_link(address: str) -> str:
    (message,) = _mails_to(address)[-1:]
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/invite/[A-Za-z0-9_-]+)", body).group(1)


def _roles(db, user) -> dict[int, str]:
    rows = db.session.execute(select(Membership).where(Membership.user_id == user.id)).scalars()
    return {m.organisation_id: m.role for m in rows}


def test_the_inviting_admin_never_sees_the_link(app, client, make, db):
    org_b = make.org("Gemeente B")
    login(client, make.user(org_b, "admin"))
    page = client.post("/admin/members/invite", data={"email": VICTIM, "role": "facilitator"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and VICTIM in html
    assert "/invite/" not in html
    # The link went to the invited mailbox only.
    link = _invite_link(VICTIM)
    assert app.test_client().get(link).status_code == 200


def test_a_second_invitation_never_attaches_to_someone_elses_account(app, make, db):
    """The takeover from the issue, with the squatted account already in place."""
    org_a, org_b = make.org("Gemeente A"), make.org("Gemeente B")
    b_admin = make.user(org_b, "admin")
    # Before the fix B's admin could accept an invitation for her address himself.
    squat = services.invite(org_b, VICTIM, "facilitator", actor=b_admin)
    db.session.commit()
    attacker = app.test_client()
    attacker.post(f"/invite/{squat.token}", data={"name": "Nieuw", "password": ATTACKER_PASSWORD})
    squatted = services.account_for(VICTIM)
    assert squatted is not None
    hash_before = squatted.password_hash

    a_admin = make.user(org_a, "admin")
    real = services.invite(org_a, VICTIM, "admin", actor=a_admin)
    db.session.commit()
    colleague = app.test_client()
    colleague.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = colleague.get(f"/invite/{real.token}").get_data(as_text=True)
    assert "Gemeente A" in page and "Administrator" in page
    response = colleague.post(
        f"/invite/{real.token}", data={"name": "Echte Collega", "password": HER_PASSWORD},
        follow_redirects=True,
    )
    assert "already exists" in response.get_data(as_text=True)
    db.session.expire_all()
    # A is not attached to the attacker's account, its password is untouched, and the
    # invitation stays usable for the real owner.
    assert org_a.id not in _roles(db, squatted)
    assert squatted.password_hash == hash_before
    assert verify_password(squatted.password_hash, ATTACKER_PASSWORD)
    assert services.find_invitation(real.token) is not None


def test_an_existing_account_joins_only_with_its_own_password(app, make, db):
    org_a, org_b = make.org("Gemeente A"), make.org("Gemeente B")
    owner = make.user(org_b, "facilitator", email=VICTIM)
    hash_before = owner.password_hash
    new = services.invite(org_a, VICTIM, "policymaker", actor=make.user(org_a, "admin"))
    db.session.commit()
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    refused = visitor.post(f"/invite/{new.token}", data={"password": "een ander wachtwoord x"})
    assert refused.status_code == 200 and "already exists" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert org_a.id not in _roles(db, owner)
    joined = visitor.post(f"/invite/{new.token}", data={"password": TEST_PASSWORD})
    assert joined.status_code == 302
    db.session.expire_all()
    assert _roles(db, owner)[org_a.id] == "policymaker"
    assert owner.password_hash == hash_before  # never set by an invitation
    assert services.find_invitation(new.token) is None  # used once
    login(app.test_client(), owner)  # the owner still logs in with her own password


def test_wrong_passwords_on_the_invitation_count_towards_the_lockout(app, make, db):
    org_a, org_b = make.org(), make.org()
    owner = make.user(org_b, "facilitator", email=VICTIM)
    new = services.invite(org_a, VICTIM, "admin", actor=make.user(org_a, "admin"))
    db.session.commit()
    visitor = app.test_client()
    for n in range(app.config["LOGIN_MAX_FAILURES"]):
        visitor.post(f"/invite/{new.token}", data={"password": f"fout wachtwoord {n}"})
    # Locked now: even the right password does not join until the lock ends.
    visitor.post(f"/invite/{new.token}", data={"password": TEST_PASSWORD})
    db.session.expire_all()
    assert org_a.id not in _roles(db, owner)


def test_logged_in_owner_joins_with_one_click(app, client, make, db):
    org_a, org_b = make.org("Gemeente A"), make.org("Gemeente B")
    owner = make.user(org_b, "facilitator", email=VICTIM)
    new = services.invite(org_a, VICTIM, "facilitator", actor=make.user(org_a, "admin"))
    db.session.commit()
    login(client, owner)
    page = client.get(f"/invite/{new.token}").get_data(as_text=True)
    assert "Gemeente A" in page and "Facilitator" in page and 'name="password"' not in page
    response = client.post(f"/invite/{new.token}", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert _roles(db, owner)[org_a.id] == "facilitator"


@pytest.mark.parametrize("existing", [False, True])
def test_another_logged_in_account_cannot_accept(app, client, make, db, existing):
    org_a, org_b = make.org(), make.org()
    if existing:
        make.user(org_b, "facilitator", email=VICTIM)
    b_admin = make.user(org_b, "admin")
    new = services.invite(org_a, VICTIM, "admin", actor=make.user(org_a, "admin"))
    db.session.commit()
    login(client, b_admin)
    page = client.get(f"/invite/{new.token}").get_data(as_text=True)
    assert "Log out first" in page
    client.post(f"/invite/{new.token}", data={"name": "X", "password": ATTACKER_PASSWORD})
    db.session.expire_all()
    assert org_a.id not in _roles(db, b_admin)
    assert (services.account_for(VICTIM) is not None) == existing


def test_acceptance_page_names_organisation_and_role_in_dutch(app, make, db):
    org = make.org("Gemeente Voorbeeldstad")
    new = services.invite(org, "nieuw@example.org", "policymaker", actor=make.user(org, "admin"))
    db.session.commit()
    visitor = app.test_client()
    page = visitor.get(f"/invite/{new.token}").get_data(as_text=True)
    assert "Gemeente Voorbeeldstad" in page and "Beleidsmedewerker" in page
