"""Second factor by role on every request, session lifetime, TOTP attempt limit and asking for the
password again before sensitive actions (issue 14, item 3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import select
from tests.conftest import TEST_PASSWORD, login
from tests.security.factories import FactoryContext, load_all

from klankbord.accounts import services
from klankbord.accounts.models import Membership
from klankbord.core import time as clock

load_all()
START = datetime(2026, 3, 4, 8, 0)


@pytest.fixture
def frozen():
    clock.freeze(START)
    yield lambda moment: clock.freeze(moment)
    clock.freeze(None)


def _path(response) -> str:
    return response.headers.get("Location", "")


def test_promotion_to_admin_mid_session_asks_for_the_second_factor(app, client, make, db):
    org = make.org()
    user = make.user(org, "policymaker")
    login(client, user)
    assert client.get("/").status_code == 200
    services.set_membership(user, org, "admin", actor=make.user(org, "admin"))
    db.session.commit()
    # The very next request, in the same session: enrol first (no TOTP secret yet).
    response = client.get("/admin/members")
    assert response.status_code == 302 and "/login/second-factor" in _path(response)
    response = client.get(_path(response))
    assert response.status_code == 302 and "/login/second-factor/setup" in _path(response)
    for url in ("/", "/admin/jobs", "/admin/audit"):
        assert "/login/second-factor" in _path(client.get(url)), url
    # Enrolling (a correct code) opens the admin pages.
    client.get("/login/second-factor/setup")
    with client.session_transaction() as sess:
        secret = sess["totp_setup_secret"]
    code = pyotp.TOTP(secret).at(clock.utcnow())
    assert client.post("/login/second-factor/setup", data={"code": code}).status_code == 302
    assert client.get("/admin/members").status_code == 200


def test_promoted_user_with_an_enrolled_secret_must_give_a_code(app, client, make, db):
    org = make.org()
    user = make.user(org, "facilitator")
    user.totp_secret = pyotp.random_base32()  # enrolled while admin elsewhere, long ago
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert client.get("/").status_code == 200  # not an admin: no code asked
    services.set_membership(user, make.org(), "admin")
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302 and _path(response).startswith("/login/second-factor")
    assert client.get("/login/second-factor").status_code == 200


def test_a_session_ends_after_twelve_hours_however_active(app, client, make, frozen):
    user = make.user(make.org(), "facilitator")
    login(client, user)
    moment = START
    while moment < START + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=20)  # well within the 30-minute idle limit
        frozen(moment)
        assert client.get("/").status_code == 200, moment
    frozen(START + timedelta(hours=12, minutes=1))
    response = client.get("/")
    assert response.status_code == 302 and "/login" in _path(response)


def test_the_lifetime_is_configurable(app, client, make, frozen):
    app.config["SESSION_MAX_HOURS"] = 1
    login(client, make.user(make.org(), "facilitator"))
    for minutes in (20, 40):
        frozen(START + timedelta(minutes=minutes))
        assert client.get("/").status_code == 200
    frozen(START + timedelta(minutes=61))  # 21 idle minutes, but an hour after login
    assert "/login" in _path(client.get("/"))


def test_wrong_codes_lock_the_second_factor_of_the_account(app, make, db, frozen):
    admin = make.user(make.org(), "admin")
    attacker = app.test_client()
    attacker.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    attacker.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    limit = app.config["TOTP_MAX_FAILURES"]
    for _ in range(limit - 1):
        page = attacker.post("/login/second-factor", data={"code": "000000"})
        assert "not correct" in page.get_data(as_text=True)
    page = attacker.post("/login/second-factor", data={"code": "000000"})
    assert "Too many wrong codes" in page.get_data(as_text=True)
    # The right code does not help while locked, from any session of the account.
    right = pyotp.TOTP(admin.totp_secret).at(clock.utcnow())
    page = attacker.post("/login/second-factor", data={"code": right})
    assert page.status_code == 200 and "Too many wrong codes" in page.get_data(as_text=True)
    other = app.test_client()
    other.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    assert other.post("/login/second-factor", data={"code": right}).status_code == 200
    assert "/login/second-factor" in _path(other.get("/"))
    # After the lock the owner gets in with a fresh code.
    frozen(START + timedelta(minutes=app.config["TOTP_LOCK_MINUTES"], seconds=31))
    fresh = pyotp.TOTP(admin.totp_secret).at(clock.utcnow())
    assert other.post("/login/second-factor", data={"code": fresh}).status_code == 302
    assert other.get("/admin/members").status_code == 200


def test_the_lock_message_is_dutch_on_the_dutch_ui(app, make, db):
    admin = make.user(make.org(), "admin", language="nl")
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    for _ in range(app.config["TOTP_MAX_FAILURES"]):
        page = client.post("/login/second-factor", data={"code": "000000"})
    assert "Te veel verkeerde codes" in page.get_data(as_text=True)


def _member_of(org, make):
    return FactoryContext(org, make, "meetings.export_member").value("member_id")


@pytest.mark.parametrize("action", ["role", "invite", "erase", "export"])
def test_sensitive_actions_ask_for_the_password_again(app, client, make, db, frozen, action):
    org = make.org()
    admin = make.user(org, "admin")
    colleague = make.user(org, "facilitator")
    member_id = _member_of(org, make)
    db.session.commit()
    login(client, admin)
    url, data = {
        "role": (
            "/admin/members/{}/role".format(
                db.session.execute(
                    select(Membership.id).where(Membership.user_id == colleague.id)
                ).scalar_one()
            ),
            {"role": "policymaker"},
        ),
        "invite": ("/admin/members/invite", {"email": "nieuw@example.org", "role": "admin"}),
        "erase": (f"/meetings/members/{member_id}/erase", {}),
        "export": (f"/meetings/members/{member_id}/export", {}),
    }[action]
    frozen(START + timedelta(minutes=app.config["REAUTH_MINUTES"] + 1))
    refused = client.post(url, data=data)
    assert refused.status_code == 302 and "/account/confirm-password" in _path(refused)
    # Back to the page where the action is repeated (browsers send no Referer here).
    back = parse_qs(urlsplit(_path(refused)).query)["next"][0]
    assert back == ("/admin/members" if action in ("role", "invite") else
                    f"/meetings/members/{member_id}")
    assert _nothing_happened(db, action, colleague, member_id)
    # A wrong password does not confirm.
    page = client.post("/account/confirm-password", data={"password": "niet het wachtwoord"})
    assert page.status_code == 200
    assert client.post(url, data=data).status_code == 302
    assert _nothing_happened(db, action, colleague, member_id)
    confirmed = client.post(_path(refused), data={"password": TEST_PASSWORD})
    assert confirmed.status_code == 302 and _path(confirmed).endswith(back)
    done = client.post(url, data=data)
    assert done.status_code in (200, 302) and "/account/confirm-password" not in _path(done)
    assert not _nothing_happened(db, action, colleague, member_id)


def _nothing_happened(db, action, colleague, member_id) -> bool:
    from klankbord.accounts.models import AuditEvent
    from klankbord.meetings.models import MeetingMember

    db.session.expire_all()
    if action == "role":
        return colleague.memberships[0].role == "facilitator"
    if action == "invite":
        from klankbord.accounts.models import Invitation

        return db.session.execute(select(Invitation)).first() is None
    if action == "erase":
        return db.session.get(MeetingMember, member_id).erased_at is None
    exported = db.session.execute(
        select(AuditEvent).where(AuditEvent.action.like("%export%"))
    ).first()
    return exported is None
