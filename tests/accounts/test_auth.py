"""Login, sessions, throttling, second factor, invitations and password policy."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select
from tests.conftest import TEST_PASSWORD, login

from klankbord.accounts import services
from klankbord.accounts.models import AuditEvent, AuthSession, Membership
from klankbord.accounts.passwords import password_problem
from klankbord.core import time as clock


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.freeze(None)


def test_login_and_logout_really_end_the_session(client, make):
    org = make.org()
    user = make.user(org, "facilitator")
    login(client, user)
    assert client.get("/").status_code == 200
    copied_cookie = client.get_cookie("klankbord_session").value
    client.post("/logout")
    assert client.get("/").status_code == 302
    # A copy of the old cookie no longer opens anything.
    client.set_cookie("klankbord_session", copied_cookie)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_id_changes_at_login(client, make, db):
    org = make.org()
    user = make.user(org)
    login(client, user)
    first = {row.id for row in db.session.execute(select(AuthSession)).scalars()}
    client.post("/logout")
    login(client, user)
    second = {row.id for row in db.session.execute(select(AuthSession)).scalars()}
    assert len(second - first) == 1


def test_idle_session_expires_after_30_minutes(client, make):
    org = make.org()
    user = make.user(org)
    login(client, user)
    assert client.get("/").status_code == 200
    clock.freeze(clock.utcnow() + timedelta(minutes=31))
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_account_answer_the_same(client, make):
    org = make.org()
    user = make.user(org)
    known = client.post("/login", data={"email": user.email, "password": "wrong password here"})
    unknown = client.post(
        "/login", data={"email": "nobody@example.org", "password": "wrong password here"}
    )
    assert known.status_code == unknown.status_code == 200

    def strip(r):
        return r.get_data(as_text=True).replace(user.email, "").replace("nobody@example.org", "")  # noqa: E731

    assert strip(known) == strip(unknown)


@pytest.mark.parametrize("known", [True, False])
def test_ten_failures_lock_for_fifteen_minutes(client, make, known):
    org = make.org()
    user = make.user(org)
    email = user.email if known else "ghost@example.org"
    for _ in range(10):
        client.post("/login", data={"email": email, "password": "not the password at all"})
    # Even the right password is refused while locked.
    response = client.post(
        "/login", data={"email": user.email if known else email, "password": TEST_PASSWORD}
    )
    if known:
        assert response.status_code == 200
        clock.freeze(clock.utcnow() + timedelta(minutes=16))
        assert (
            client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code
            == 302
        )
    else:
        assert response.status_code == 200


def test_admin_needs_second_factor(client, make):
    org = make.org()
    admin = make.user(org, "admin")
    response = client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    assert "/login/second-factor" in response.headers["Location"]
    # Without the code nothing opens.
    assert "/login/second-factor" in client.get("/").headers["Location"]
    assert client.post("/login/second-factor", data={"code": "000000"}).status_code == 200
    code = pyotp.TOTP(admin.totp_secret).at(clock.utcnow())
    assert client.post("/login/second-factor", data={"code": code}).status_code == 302
    assert client.get("/admin/members").status_code == 200


def test_admin_without_totp_must_enrol(client, make, db):
    org = make.org()
    admin = make.user(org, "admin")
    admin.totp_secret = None
    db.session.commit()
    response = client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    response = client.get(response.headers["Location"])
    assert response.status_code == 302 and "setup" in response.headers["Location"]
    page = client.get("/login/second-factor/setup")
    assert page.status_code == 200
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]
    code = pyotp.TOTP(secret).at(clock.utcnow())
    assert client.post("/login/second-factor/setup", data={"code": code}).status_code == 302
    db.session.refresh(admin)
    assert admin.totp_secret == secret


@pytest.mark.parametrize(
    "password, ok",
    [
        ("short", False),
        ("password1234", False),
        ("wachtwoord123", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("een lange zin die ik onthoud", True),
        ("كلمة مرور طويلة جدا", True),
        ("ብዙሕ ነዊሕ ቃል ምስጢር", True),
    ],
)
def test_password_policy(app, password, ok):
    with app.test_request_context():
        assert (password_problem(password) is None) is ok


def test_invitation_is_one_time_and_expires(client, make, db):
    org = make.org()
    admin = make.user(org, "admin")
    new = services.invite(org, "new@example.org", "policymaker", actor=admin)
    db.session.commit()
    assert client.get(f"/invite/{new.token}").status_code == 200
    response = client.post(
        f"/invite/{new.token}", data={"name": "Nieuw", "password": "een heel lang nieuw wachtwoord"}
    )
    assert response.status_code == 302
    membership = db.session.execute(
        select(Membership).where(
            Membership.organisation_id == org.id, Membership.role == "policymaker"
        )
    ).scalar_one()
    assert membership.user.email == "new@example.org"
    assert client.get(f"/invite/{new.token}").status_code == 404
    expired = services.invite(org, "late@example.org", "facilitator", actor=admin)
    db.session.commit()
    clock.freeze(clock.utcnow() + timedelta(days=8))
    assert client.get(f"/invite/{expired.token}").status_code == 404


def test_audit_log_records_logins_and_role_changes(client, make, db):
    org = make.org()
    admin = make.user(org, "admin")
    other = make.user(org, "facilitator")
    login(client, admin)
    membership = db.session.execute(
        select(Membership).where(Membership.user_id == other.id)
    ).scalar_one()
    client.post(f"/admin/members/{membership.id}/role", data={"role": "policymaker"})
    actions = set(
        db.session.execute(
            select(AuditEvent.action).where(AuditEvent.organisation_id == org.id)
        ).scalars()
    )
    assert {"login", "role_changed"} <= actions
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "role_changed" in page


def test_switch_organisation(client, make):
    first = make.org("Gemeente Eerste")
    second = make.org("Gemeente Tweede")
    user = make.user(first, "facilitator")
    from klankbord.accounts.services import set_membership
    from klankbord.extensions import db

    set_membership(user, second, "policymaker")
    db.session.commit()
    login(client, user)
    assert "Gemeente Eerste" in client.get("/").get_data(as_text=True)
    client.post("/organisation", data={"organisation_id": second.id})
    assert "Gemeente Tweede" in client.get("/").get_data(as_text=True)
    # Not a member: 404, and the organisation does not change.
    third = make.org("Gemeente Derde")
    assert client.post("/organisation", data={"organisation_id": third.id}).status_code == 404


def test_failed_logins_are_audited_without_password(client, make, db):
    org = make.org()
    user = make.user(org)
    client.post("/login", data={"email": user.email, "password": "a secret guess 123"})
    count = db.session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "login_failed")
    ).scalar_one()
    assert count == 1
    details = db.session.execute(select(AuditEvent.details)).scalars().all()
    assert all("guess" not in str(d) for d in details)


def test_staff_language_follows_the_users_choice_not_the_browser(app, client, make, db):
    org = make.org()
    user = make.user(org, language="nl")
    login(client, user)
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    # Default for a staff member is Dutch, whatever the browser says.
    page = client.get("/", headers=english_browser).get_data(as_text=True)
    assert 'lang="nl"' in page
    client.post("/language", data={"lang": "en", "next": "/"})
    db.session.refresh(user)
    assert user.language == "en"
    # The choice is kept for the next login too, on another device (a fresh cookie jar).
    other_device = app.test_client()
    login(other_device, user)
    assert 'lang="en"' in other_device.get("/", headers={"Accept-Language": "nl"}).get_data(
        as_text=True
    )
