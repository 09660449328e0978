"""Account operations: login, sessions, invitations, roles, audit. Callers commit."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from klankbord.accounts.models import (
    AuditEvent,
    AuthSession,
    Invitation,
    Location,
    LoginThrottle,
    Membership,
    Organisation,
    Role,
    User,
)
from klankbord.accounts.passwords import (
    dummy_verify,
    hash_password,
    password_problem,
    verify_password,
)
from klankbord.core.errors import DomainError
from klankbord.core.time import utcnow
from klankbord.extensions import db


class AccountError(DomainError):
    """A user-facing problem with an account operation; the message is shown as is."""


class LoginLocked(AccountError):
    pass


class LoginFailed(AccountError):
    pass


class SecondFactorLocked(AccountError):
    """Too many wrong codes; ``until`` says when codes are checked again."""

    def __init__(self, until):
        super().__init__("locked")
        self.until = until


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# Audit ---------------------------------------------------------------------------------------


def record_event(
    action: str,
    *,
    organisation_id: int | None = None,
    actor: Any = None,
    target_type: str | None = None,
    target_id: Any = None,
    details: dict | None = None,
) -> AuditEvent:
    """Add an audit event. ``details`` must hold facts (ids, counts, roles), never free text."""
    from flask import g, has_request_context

    if organisation_id is None and has_request_context() and getattr(g, "org", None) is not None:
        organisation_id = g.org.id
    actor_id = getattr(actor, "id", None) if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        organisation_id=organisation_id,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        details=details,
    )
    db.session.add(event)
    return event


# Organisations and users ---------------------------------------------------------------------


def create_organisation(name: str, slug: str, **fields: Any) -> Organisation:
    org = Organisation(name=name, slug=slug, **fields)
    db.session.add(org)
    db.session.flush()
    return org


def add_location(org: Organisation, name: str, kind: str = "azc") -> Location:
    location = Location(organisation_id=org.id, name=name, kind=kind)
    db.session.add(location)
    db.session.flush()
    return location


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    check_policy: bool = True,
    context: tuple[str, ...] = (),
) -> User:
    """Create an account; ``context`` (e.g. the organisation's name) counts as easy to guess."""
    email = normalise_email(email)
    if check_policy:
        problem = password_problem(password, email, (name, *context))
        if problem:
            raise AccountError(problem)
    if db.session.execute(select(User).where(User.email == email)).scalar_one_or_none():
        raise AccountError(_("An account with this e-mail address already exists."))
    user = User(email=email, name=name, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def set_membership(
    user: User, org: Organisation, role: Role | str, *, actor: Any = None
) -> Membership:
    """Give ``user`` a role in ``org`` (or change it), and audit the change."""
    role = Role(role)
    membership = db.session.execute(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == org.id
        )
    ).scalar_one_or_none()
    old = membership.role if membership else None
    if membership is None:
        membership = Membership(user_id=user.id, organisation_id=org.id, role=role.value)
        db.session.add(membership)
    else:
        membership.role = role.value
    db.session.flush()
    db.session.refresh(user)
    if old != role.value:
        record_event(
            "role_changed",
            organisation_id=org.id,
            actor=actor,
            target_type="user",
            target_id=user.id,
            details={"from": old, "to": role.value},
        )
    return membership


def change_role(membership: Membership, role: Role | str, *, actor: Any) -> Membership:
    """An administrator changes someone's role in the organisation of ``membership``.

    Nobody takes away their own administrator role: an organisation must not lose its last
    administrator by a slip of the mouse, and another administrator can always do it for them.
    """
    role = Role(role)
    if membership.user_id == getattr(actor, "id", None) and role != Role.ADMIN:
        raise AccountError(
            _("You cannot take away your own administrator role."), code="own_admin_role"
        )
    return set_membership(membership.user, membership.organisation, role, actor=actor)


# Login ---------------------------------------------------------------------------------------


def _throttle_for(email: str) -> LoginThrottle:
    key = _sha256(normalise_email(email))
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        db.session.add(row)
    return row


def authenticate(email: str, password: str) -> User:
    """Check a login; known and unknown accounts fail and lock in exactly the same way."""
    email = normalise_email(email)
    now = utcnow()
    throttle = _throttle_for(email)
    if throttle.locked_until and throttle.locked_until > now:
        raise LoginLocked("locked")
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        dummy_verify(password)
        ok = False
    else:
        ok = user.active and verify_password(user.password_hash, password)
    if ok:
        throttle.failures = 0
        throttle.locked_until = None
        return user
    throttle.failures = (throttle.failures or 0) + 1
    throttle.updated_at = now
    if throttle.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        throttle.locked_until = now + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
        throttle.failures = 0
        record_event(
            "login_locked", actor=None, target_type="user", target_id=getattr(user, "id", None)
        )
    record_event("login_failed", target_type="user", target_id=getattr(user, "id", None))
    raise LoginFailed("failed")


def start_session(user: User) -> str:
    """Create a fresh server-side session; the old one (if any) is not reused."""
    token = secrets.token_urlsafe(32)
    # The password was just typed; the second factor is still to come (whatever the role).
    db.session.add(
        AuthSession(
            id=token, user_id=user.id, second_factor_done=False, reauthenticated_at=utcnow()
        )
    )
    user.session_token = token
    for membership in user.memberships:
        record_event("login", organisation_id=membership.organisation_id, actor=user)
    return token


def end_session(token: str | None) -> None:
    if not token:
        return
    row = db.session.get(AuthSession, token)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def load_session_user(token: str) -> User | None:
    """Return the user of a live session, ending it when idle too long or simply too old.

    Ending the session, or noting that it was seen (at most every 30 seconds), changes its row;
    the caller (the login manager's user loader) commits that change at once.
    """
    row = db.session.get(AuthSession, token)
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    idle = timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    lifetime = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        row.revoked_at = now
        return None
    if now - row.last_seen_at > timedelta(seconds=30):
        row.last_seen_at = now
    user = row.user
    if not user.active:
        return None
    user.session_token = token
    user.second_factor_done = row.second_factor_done  # type: ignore[attr-defined]
    user.reauthenticated_at = row.reauthenticated_at  # type: ignore[attr-defined]
    return user


def needs_second_factor(user: User) -> bool:
    """Whoever holds the admin role (in any organisation), however it was granted."""
    return user.is_admin_anywhere


def second_factor_missing(user: Any) -> bool:
    """The user must give (or first enrol) a TOTP code before anything else in this session."""
    return needs_second_factor(user) and not getattr(user, "second_factor_done", False)


def check_second_factor(user: User, code: str, secret: str | None = None) -> bool:
    """Check a TOTP code with a per-account limit on wrong codes (raises SecondFactorLocked).

    The limit is per account, not per address: after TOTP_MAX_FAILURES wrong codes in a row no
    code is checked for TOTP_LOCK_MINUTES, so guessing the 10^6 codes is not a matter of time.
    """
    now = utcnow()
    if user.totp_locked_until and user.totp_locked_until > now:
        raise SecondFactorLocked(user.totp_locked_until)
    if verify_totp(user, code, secret=secret):
        user.totp_failures = 0
        user.totp_locked_until = None
        return True
    user.totp_failures = (user.totp_failures or 0) + 1
    record_event("second_factor_failed", actor=user, target_type="user", target_id=user.id)
    if user.totp_failures >= current_app.config["TOTP_MAX_FAILURES"]:
        user.totp_failures = 0
        user.totp_locked_until = now + timedelta(minutes=current_app.config["TOTP_LOCK_MINUTES"])
        record_event("second_factor_locked", actor=user, target_type="user", target_id=user.id)
        raise SecondFactorLocked(user.totp_locked_until)
    return False


def reauthentication_due(user: Any) -> bool:
    """True when the password was not typed in this session within REAUTH_MINUTES."""
    moment = getattr(user, "reauthenticated_at", None)
    window = timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return moment is None or utcnow() - moment > window


def reauthenticate(user: User, password: str) -> bool:
    """Confirm the password of the logged-in user (counted by the login lockout)."""
    try:
        authenticate(user.email, password)
    except (LoginFailed, LoginLocked):
        return False
    row = db.session.get(AuthSession, user.session_token)
    if row is None:
        return False
    row.reauthenticated_at = utcnow()
    user.reauthenticated_at = row.reauthenticated_at  # type: ignore[attr-defined]
    record_event("reauthenticated", actor=user, target_type="user", target_id=user.id)
    return True


def verify_totp(user: User, code: str, secret: str | None = None) -> bool:
    """Check a TOTP code (one step of clock drift allowed) and refuse a replayed code."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    totp = pyotp.TOTP(secret)
    now = utcnow()
    for drift in (0, -1, 1):
        moment = now + timedelta(seconds=30 * drift)
        step = totp.timecode(moment)
        if secrets.compare_digest(totp.at(moment), code) and step != user.totp_last_step:
            user.totp_last_step = step
            return True
    return False


def complete_second_factor(token: str) -> None:
    row = db.session.get(AuthSession, token)
    if row is not None:
        row.second_factor_done = True


# Invitations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str


def invite(org: Organisation, email: str, role: Role | str, *, actor: Any = None) -> NewInvitation:
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=org.id,
        token_hash=_sha256(token),
        email=normalise_email(email),
        role=Role(role).value,
        invited_by_id=getattr(actor, "id", None),
        expires_at=utcnow() + timedelta(days=current_app.config["INVITE_VALID_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    record_event(
        "invited",
        organisation_id=org.id,
        actor=actor,
        target_type="invitation",
        target_id=invitation.id,
        details={"role": invitation.role},
    )
    return NewInvitation(invitation, token)


def find_invitation(token: str) -> Invitation | None:
    """An invitation that is unused and not expired, or None."""
    invitation = db.session.execute(
        select(Invitation).where(Invitation.token_hash == _sha256(token or ""))
    ).scalar_one_or_none()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def account_for(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def accept_invitation(
    token: str, name: str | None, password: str | None, *, current_user: Any = None
) -> User:
    """Join the invitation's organisation; an existing account must prove itself first.

    The link only proves that its holder reads the invited mailbox, not that they own the
    account already registered to that address. So an existing account joins only while it is
    logged in, or when its own password is typed (counted by the login lockout); its password is
    never set or changed here. A new account is created only by someone not logged in as another
    account, so an admin cannot casually accept a colleague's invitation in their own browser.
    """
    invitation = find_invitation(token)
    if invitation is None:
        raise AccountError(_("This invitation link is no longer valid."))
    user = account_for(invitation.email)
    existed = user is not None
    logged_in = current_user if getattr(current_user, "is_authenticated", False) else None
    if user is not None:
        if logged_in is not None and logged_in.id != user.id:
            raise AccountError(_("This invitation is for another account. Log out first."))
        if logged_in is None:
            try:
                authenticate(invitation.email, password or "")
            except (LoginFailed, LoginLocked) as error:
                raise AccountError(
                    _(
                        "An account with this e-mail address already exists. Type the password "
                        "of that account, or log in with it and open this link again."
                    )
                ) from error
    else:
        if logged_in is not None:
            raise AccountError(_("This invitation is for another account. Log out first."))
        org = db.session.get(Organisation, invitation.organisation_id)
        user = create_user(
            invitation.email,
            name or invitation.email,
            password or "",
            context=(org.name, org.slug),
        )
    org = db.session.get(Organisation, invitation.organisation_id)
    set_membership(user, org, invitation.role, actor=None)
    invitation.used_at = utcnow()
    record_event(
        "invitation_accepted",
        organisation_id=org.id,
        actor=user,
        target_type="invitation",
        target_id=invitation.id,
        details={"role": invitation.role, "existing_account": existed},
    )
    return user


# For jobs and the CLI --------------------------------------------------------------------------


def organisations(organisation_id: int | None = None) -> list[Organisation]:
    """Every organisation (or only ``organisation_id``), by id."""
    query = select(Organisation).order_by(Organisation.id)
    if organisation_id is not None:
        query = query.where(Organisation.id == organisation_id)
    return list(db.session.execute(query).scalars())


def organisation_id_of(slug: str) -> int | None:
    """The id of the organisation with this slug, or None."""
    return db.session.execute(
        select(Organisation.id).where(Organisation.slug == slug)
    ).scalar_one_or_none()


def staff_with_roles(organisation_id: int, roles: tuple[str, ...]) -> list[User]:
    """Active users with one of ``roles`` in the organisation, by id."""
    return list(
        db.session.execute(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.role.in_(roles),
                User.active,
            )
            .order_by(User.id)
        ).scalars()
    )
