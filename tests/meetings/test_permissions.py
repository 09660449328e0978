"""Only the group's facilitators and the organisation's admins manage a group; policymakers read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.conftest import login

from klankbord.accounts.models import AuditEvent
from klankbord.meetings.models import MeetingGroup, MeetingMember


def _pages(world):
    m, i = world.meeting.id, world.items[0].id
    g = world.group.id
    return [
        "/meetings/",
        f"/meetings/groups/{g}",
        f"/meetings/{m}",
        f"/meetings/{m}/summary",
        f"/meetings/{m}/projector",
        "/meetings/themes",
    ], [
        f"/meetings/groups/{g}/edit",
        f"/meetings/groups/{g}/members/new",
        f"/meetings/{m}/edit",
        f"/meetings/{m}/items/new",
        f"/meetings/items/{i}",
        f"/meetings/{m}/live",
        f"/meetings/{m}/polls/new",
        f"/meetings/{m}/actions/new",
        f"/meetings/groups/{g}/updates/new",
        f"/meetings/groups/{g}/meetings/new",
    ]


def test_group_facilitator_and_admin_manage(client, make, world):
    read, manage = _pages(world)
    login(client, world.facilitator)
    for url in read + manage:
        assert client.get(url).status_code == 200, url
    client.post("/logout")
    admin = make.user(world.org, "admin")
    login(client, admin)
    for url in manage:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["policymaker", "facilitator"])
def test_others_of_the_organisation_only_read(client, make, world, db, role):
    """A policymaker, or a facilitator who is not this group's, reads but cannot change anything."""
    user = make.user(world.org, role)
    login(client, user)
    read, manage = _pages(world)
    for url in read:
        assert client.get(url).status_code == 200, url
    for url in manage:
        assert client.get(url).status_code == 403, url
    member = MeetingMember(organisation_id=world.org.id, group_id=world.group.id, alias="Yonas")
    db.session.add(member)
    db.session.commit()
    posts = [
        f"/meetings/{world.meeting.id}/start",
        f"/meetings/members/{member.id}/erase",
        f"/meetings/members/{member.id}/export",
        f"/meetings/groups/{world.group.id}/edit",
    ]
    for url in posts:
        assert client.post(url, data={"name": "Overgenomen"}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(MeetingGroup, world.group.id).name == "Klankbordgroep Klankstad"
    assert db.session.get(MeetingMember, member.id).alias == "Yonas"
    assert world.meeting.status == "planned"
    # Members' personal data is not shown to readers.
    assert "Yonas" not in client.get(f"/meetings/groups/{world.group.id}").get_data(as_text=True)
    denied = db.session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "access_denied")
    )
    assert denied.scalar_one() >= len(posts)


def test_other_organisation_gets_404(client, make, world):
    other = make.org("Gemeente Elders")
    admin = make.user(other, "admin")
    login(client, admin)
    read, manage = _pages(world)
    for url in read[1:-1] + manage:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/meetings/{world.meeting.id}/start").status_code == 404
    assert "Klankbordgroep Klankstad" not in client.get("/meetings/").get_data(as_text=True)


def test_policymaker_cannot_create_a_group(client, make, world, db):
    login(client, make.user(world.org, "policymaker"))
    response = client.post("/meetings/groups/new", data={"name": "Nieuwe groep"})
    assert response.status_code == 403
    assert db.session.execute(select(func.count(MeetingGroup.id))).scalar_one() == 1


def test_facilitator_creates_group_and_becomes_its_facilitator(client, make, world, db):
    other = make.user(world.org, "facilitator", name="Karim")
    login(client, other)
    response = client.post(
        "/meetings/groups/new",
        data={"name": "Jongerengroep", "languages": ["ti", "ar"], "facilitators": [other.id]},
    )
    assert response.status_code == 302
    group = db.session.execute(
        select(MeetingGroup).where(MeetingGroup.name == "Jongerengroep")
    ).scalar_one()
    assert group.languages == ["nl", "ar", "ti"] and [u.id for u in group.facilitators] == [
        other.id
    ]
    assert client.get(f"/meetings/groups/{group.id}/edit").status_code == 200
