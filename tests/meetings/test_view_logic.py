"""Logic that used to live in the meeting views, now services tested without a request:
who manages what, the group creator's place, field errors, and the staff summary's context."""

from __future__ import annotations

from datetime import date

import pytest

from klankbord.accounts.models import Role
from klankbord.meetings import services
from klankbord.meetings.models import MeetingIdea


def test_may_manage_finds_the_group_of_every_meeting_object(live, make, db):
    admin = make.user(live.org, "admin")
    other_facilitator = make.user(live.org, "facilitator", name="Karim")
    policymaker = make.user(live.org, "policymaker")
    meeting = live.meeting
    idea = services.submit_idea(meeting, "Een keuken per gang", "nl")
    poll = services.create_poll(meeting, {"nl": "Vraag?"}, [{"nl": "Ja"}, {"nl": "Nee"}])
    action = services.add_action(
        meeting, services.ActionData("Fornuis regelen", "COA", date(2026, 4, 1), "open")
    )
    update = services.create_update(
        live.group,
        services.UpdateData(title={"nl": "Keuken"}, result={"nl": "Komt er"}, not_done={}),
    )
    member = services.add_member(
        live.group,
        services.MemberData("Samira", ["ar"], False, date(2026, 1, 5), "", "zelf", False, None),
    )
    db.session.commit()
    idea_id = idea.id
    db.session.expunge(idea)  # a fresh load, as a view gets it: no meeting relationship on ideas
    idea = db.session.get(MeetingIdea, idea_id)
    objects = [live.group, member, meeting, live.items[0], idea, poll, action, update]
    for obj in objects:
        assert services.group_of(obj).id == live.group.id
        assert services.may_manage(obj, live.facilitator, Role.FACILITATOR)
        assert services.may_manage(obj, admin, Role.ADMIN)
        assert not services.may_manage(obj, other_facilitator, Role.FACILITATOR)
        assert not services.may_manage(obj, policymaker, Role.POLICYMAKER)
        # A role is per organisation: the group's facilitator acting as policymaker elsewhere.
        assert not services.may_manage(obj, live.facilitator, Role.POLICYMAKER)


def test_a_facilitator_who_creates_a_group_facilitates_it(world, make, db):
    karim = make.user(world.org, "facilitator", name="Karim")
    admin = make.user(world.org, "admin", name="Anna")
    group = services.create_group(
        world.org.id,
        "Jongeren",
        "",
        ["ti"],
        [world.facilitator.id],
        creator=karim,
        creator_role=Role.FACILITATOR,
    )
    assert sorted(u.id for u in group.facilitators) == sorted([world.facilitator.id, karim.id])
    ticked = services.create_group(
        world.org.id, "Vrouwen", "", [], [karim.id], creator=karim, creator_role=Role.FACILITATOR
    )
    assert [u.id for u in ticked.facilitators] == [karim.id]  # not twice
    by_admin = services.create_group(
        world.org.id, "Ouderen", "", [], [karim.id], creator=admin, creator_role=Role.ADMIN
    )
    assert [u.id for u in by_admin.facilitators] == [karim.id]  # admins manage anyway


def test_refusals_say_which_field_they_belong_to(world, db):
    data = services.MemberData("Samira", ["ar"], False, date(2026, 1, 5), "", "", False, "0612")
    with pytest.raises(services.MeetingError) as refused:
        services.add_member(world.group, data)
    assert (refused.value.code, refused.value.field) == ("contact_without_consent", "contact")
    db.session.rollback()
    with pytest.raises(services.MeetingError) as refused:
        services.add_theme(world.org.id, "Werk", "Work")
    assert refused.value.code == "theme_exists" and refused.value.field is None


def test_summary_context_sorts_ideas_by_status_and_support(live, make, db):
    meeting, (first, second) = live.meeting, live.items
    popular = services.submit_idea(meeting, "Een keuken per gang", "nl")
    quiet = services.submit_idea(meeting, "Meer pannen", "nl")
    hidden = services.submit_idea(meeting, "Iets kwetsends", "nl")
    services.submit_idea(meeting, "Nog niet bekeken", "nl")
    for idea in (popular, quiet):
        services.moderate_idea(idea, "approved")
    services.moderate_idea(hidden, "hidden")
    services.support_idea(popular, services.support_key(popular.id, "telefoon-1"))
    services.support_idea(popular, services.support_key(popular.id, "telefoon-2"))
    item_poll = services.create_poll(
        meeting, {"nl": "Koken?"}, [{"nl": "Ja"}, {"nl": "Nee"}], agenda_item_id=first.id
    )
    loose_poll = services.create_poll(meeting, {"nl": "Tevreden?"}, [{"nl": "Ja"}, {"nl": "Nee"}])
    services.open_poll(item_poll)
    services.answer_poll(item_poll, services.poll_key(item_poll.id, "telefoon-1"), 1, "nl")
    member = services.add_member(
        live.group,
        services.MemberData("Samira", ["ar"], False, date(2026, 1, 5), "", "", False, None),
    )
    services.set_attendance(meeting, 9, [member.id])
    db.session.commit()

    context = services.summary_context(meeting)
    assert context["meeting"] is meeting and context["attendee_count"] == 1
    by_item = {entry["item"].id: entry for entry in context["items"]}
    assert [entry["item"].id for entry in context["items"]] == [first.id, second.id]
    cooking = by_item[first.id]
    assert [i.text for i in cooking["approved"]] == ["Een keuken per gang", "Meer pannen"]
    assert [i.text for i in cooking["pending"]] == ["Nog niet bekeken"]
    assert [i.text for i in cooking["hidden"]] == ["Iets kwetsends"]
    assert cooking["polls"] == [(item_poll, [0, 1])]
    assert by_item[second.id]["approved"] == [] and by_item[second.id]["polls"] == []
    assert context["other_polls"] == [(loose_poll, [0, 0])]
    assert context["aids"] == {}  # Dutch ideas need no Dutch aid


def test_projector_settings_are_read_from_the_views_package(client, live, monkeypatch):
    """The split keeps ``views.PROJECTOR_REFRESH_SECONDS`` the place to change (e2e tests do)."""
    from tests.conftest import login

    from klankbord.meetings import views

    login(client, live.facilitator)
    monkeypatch.setattr(views, "PROJECTOR_REFRESH_SECONDS", 2)
    page = client.get(f"/meetings/{live.meeting.id}/projector").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    monkeypatch.setattr(views, "PROJECTOR_REFRESH_SECONDS", 37)
    page = client.get(f"/meetings/{live.meeting.id}/projector").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="37">' in page
