"""The role-change rule, as a service without a request: nobody takes away their own admin role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from klankbord.accounts import services
from klankbord.accounts.models import AuditEvent, Membership, Role


def _role_changes(db) -> list[AuditEvent]:
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "role_changed").order_by(AuditEvent.id)
    ).scalars()
    return [event for event in events if event.details["from"] is not None]  # not the first role


def _membership(db, user, org) -> Membership:
    return db.session.execute(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == org.id
        )
    ).scalar_one()


def test_an_admin_cannot_take_away_their_own_admin_role(make, db):
    org = make.org()
    admin = make.user(org, "admin")
    own = _membership(db, admin, org)
    for role in ("facilitator", Role.POLICYMAKER):
        with pytest.raises(services.AccountError) as refused:
            services.change_role(own, role, actor=admin)
        assert refused.value.code == "own_admin_role"
        assert "beheerdersrol" in str(refused.value)  # Dutch, the default language
    db.session.rollback()
    assert _membership(db, admin, org).role == "admin"
    services.change_role(own, "admin", actor=admin)  # keeping it is no change at all
    assert _role_changes(db) == []


def test_an_admin_changes_someone_else_and_it_is_audited(make, db):
    org = make.org()
    admin, colleague = make.user(org, "admin"), make.user(org, "facilitator")
    services.change_role(_membership(db, colleague, org), "policymaker", actor=admin)
    db.session.commit()
    assert _membership(db, colleague, org).role == "policymaker"
    [event] = _role_changes(db)
    assert (event.actor_id, event.target_id) == (admin.id, str(colleague.id))
    assert event.details == {"from": "facilitator", "to": "policymaker"}
    # Another admin may demote the first one: the organisation keeps an administrator.
    services.change_role(_membership(db, colleague, org), "admin", actor=admin)
    services.change_role(_membership(db, admin, org), "facilitator", actor=colleague)
    assert _membership(db, admin, org).role == "facilitator"
