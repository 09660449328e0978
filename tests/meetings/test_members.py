"""Members: stored minimally; erased on request (anonymous input stays); exported; audited."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from tests.conftest import login

from klankbord.accounts.models import AuditEvent
from klankbord.meetings import services
from klankbord.meetings.models import MeetingAttendance, MeetingIdea, MeetingMember


def _add(client, world, **extra):
    data = {
        "alias": "Samira",
        "languages": ["ar", "nl"],
        "interpreter_needed": "y",
        "consent_date": "2026-01-05",
        "consent_scope": "Deelname aan de klankbordgroep",
        "consent_given_by": "het lid zelf",
        **extra,
    }
    return client.post(f"/meetings/groups/{world.group.id}/members/new", data=data)


def test_add_member_needs_consent_for_contact_details(client, world, db):
    login(client, world.facilitator)
    response = _add(client, world, contact="samira@example.org")
    assert response.status_code == 200
    assert "explicit consent" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(MeetingMember.id))).scalar_one() == 0
    assert _add(client, world, contact="samira@example.org", contact_consent="y").status_code == 302
    member = db.session.execute(select(MeetingMember)).scalar_one()
    assert (member.alias, member.languages, member.interpreter_needed) == (
        "Samira",
        ["nl", "ar"],
        True,
    )
    assert member.contact == "samira@example.org" and member.consent_date == date(2026, 1, 5)


def _member_with_history(world, db):
    member = services.add_member(
        world.group,
        services.MemberData(
            alias="Samira",
            languages=["ar"],
            interpreter_needed=True,
            consent_date=date(2026, 1, 5),
            consent_scope="Deelname",
            consent_given_by="het lid zelf",
            contact_consent=True,
            contact="0612345678",
        ),
    )
    services.set_attendance(world.meeting, 12, [member.id])
    services.start_meeting(world.meeting)
    services.submit_idea(world.meeting, "Een keuken per gang", "nl", alias="samira")
    services.submit_idea(world.meeting, "Taalles in de avond", "nl")
    db.session.commit()
    return member


def test_export_one_member_as_json_and_audit_it(client, world, db):
    member = _member_with_history(world, db)
    login(client, world.facilitator)
    response = client.post(f"/meetings/members/{member.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["alias"] == "Samira" and data["contact"] == "0612345678"
    assert data["consent"] == {
        "date": "2026-01-05",
        "scope": "Deelname",
        "given_by": "het lid zelf",
        "contact_consent": True,
    }
    assert data["meetings_attended"] == [{"title": "Avond over koken", "date": "2026-03-02"}]
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "meeting_member_exported")
    ).scalar_one()
    assert event.target_id == str(member.id) and event.actor_id == world.facilitator.id
    assert "Samira" not in json.dumps(event.details) and "0612" not in json.dumps(event.details)


def test_erase_member_keeps_anonymous_contributions(client, world, db):
    member = _member_with_history(world, db)
    login(client, world.facilitator)
    assert client.post(f"/meetings/members/{member.id}/erase").status_code == 302
    db.session.expire_all()
    member = db.session.get(MeetingMember, member.id)
    assert member.alias == services.ERASED_ALIAS and member.contact is None and member.erased_at
    assert member.languages == [] and not member.contact_consent and member.consent_given_by == ""
    assert db.session.execute(select(func.count()).select_from(MeetingAttendance)).scalar_one() == 0
    ideas = db.session.execute(select(MeetingIdea).order_by(MeetingIdea.id)).scalars().all()
    assert [i.text for i in ideas] == ["Een keuken per gang", "Taalles in de avond"]
    assert all(i.alias is None for i in ideas)  # the alias she once showed is gone too
    assert world.meeting.attendance_count == 12  # the head count stays
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "meeting_member_erased")
    ).scalar_one()
    assert event.details == {"group_id": world.group.id, "attendance_removed": 1}
    page = client.get(f"/meetings/groups/{world.group.id}").get_data(as_text=True)
    assert "Samira" not in page and "0612345678" not in page
    # An erased member cannot be edited back into existence.
    assert client.get(f"/meetings/members/{member.id}").status_code == 302
    export = json.loads(client.post(f"/meetings/members/{member.id}/export").get_data(as_text=True))
    assert export["alias"] == services.ERASED_ALIAS and export["contact"] is None
