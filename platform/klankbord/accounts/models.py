"""Tenancy and identity: who works for which municipality, in which role."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from klankbord.core.time import utcnow
from klankbord.extensions import db


class Role(enum.StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    POLICYMAKER = "policymaker"


class LocationKind(enum.StrEnum):
    AZC = "azc"
    GOO = "goo"  # gemeentelijke opvang Oekraïners
    NOODOPVANG = "noodopvang"
    DOORSTROOM = "doorstroomlocatie"
    OTHER = "other"


class OrgScoped:
    """Mixin for every row that belongs to one organisation; tenancy.py filters on it."""

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:
        #: The organisation that owns this row; every staff query is filtered on it.
        return mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)


class Organisation(db.Model):
    """A municipality, or a region of the support organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Display name, e.g. "Gemeente Voorbeeldstad".
    name: Mapped[str] = mapped_column(String(200))
    #: URL-safe short name, unique.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: Smallest group shown in reports; never below 5.
    min_group_size: Mapped[int] = mapped_column(default=10)
    #: Months free text and meeting contributions are kept after closing.
    retention_months: Mapped[int] = mapped_column(default=12)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    locations: Mapped[list[Location]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Location.name"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Location(OrgScoped, db.Model):
    """A reception location of an organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: One of LocationKind's values.
    kind: Mapped[str] = mapped_column(String(30), default=LocationKind.AZC.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="locations")

    def __repr__(self) -> str:
        return f"<Location {self.name}>"


class User(db.Model):
    """A staff member: facilitator, policymaker or admin. Residents never have accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased login e-mail address.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Argon2id hash.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Base32 TOTP secret once the second factor is set up.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: Last accepted TOTP time step, so a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column()
    #: Wrong TOTP codes in a row; at TOTP_MAX_FAILURES the second factor locks for a while.
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    #: No TOTP code is checked before this moment (too many wrong codes).
    totp_locked_until: Mapped[datetime | None] = mapped_column()
    #: Preferred interface language (nl or en).
    language: Mapped[str] = mapped_column(String(5), default="nl")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    #: The server-side session this object was loaded for (not a column).
    session_token = None  # type: str | None

    # Flask-Login protocol ------------------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        """Flask-Login keeps the server-side session token, not the user id, in the cookie."""
        return self.session_token

    def role_in(self, organisation_id: int) -> Role | None:
        for membership in self.memberships:
            if membership.organisation_id == organisation_id:
                return Role(membership.role)
        return None

    @property
    def is_admin_anywhere(self) -> bool:
        return any(m.role == Role.ADMIN.value for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Membership(db.Model):
    """A user's role in one organisation."""

    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    #: admin, facilitator or policymaker.
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class AuthSession(db.Model):
    """A login on the server, so logout and idle timeout really end it."""

    #: Random token; the cookie holds it (signed), a copied cookie dies with the row.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set at logout or expiry; a revoked session never comes back.
    revoked_at: Mapped[datetime | None] = mapped_column()
    #: True once a TOTP code was accepted in this session. Checked on every staff request for
    #: whoever holds the admin role, also when the role came after login.
    second_factor_done: Mapped[bool] = mapped_column(default=False)
    #: Last time the password was typed in this session (login or confirmation); role changes,
    #: erasure and member export need it to be recent.
    reauthenticated_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed logins per login name, known or unknown, so both get the same answer."""

    #: sha256 of the lower-cased e-mail address as typed.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(OrgScoped, db.Model):
    """A one-time, expiring link with which an admin invites a colleague."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of the token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(db.Model):
    """Who did what, when, in which organisation. Holds no free text and no respondent data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Machine-readable action, e.g. "login", "login_failed", "role_changed", "export".
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str | None] = mapped_column(String(60))
    target_id: Mapped[str | None] = mapped_column(String(64))
    #: Small structured facts (counts, role names); never free text.
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
