"""Models and services: themes, groups, members, meetings, live input, actions, analysis."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from tests.meetings.conftest import QUESTION

from klankbord.meetings import services
from klankbord.meetings.models import (
    MeetingIdea,
    MeetingIdeaSupport,
    MeetingMember,
    MeetingPollAnswer,
    MeetingTheme,
)


def test_default_themes_are_seeded_once_per_organisation(make, db):
    org = make.org()
    first = services.ensure_default_themes(org.id)
    again = services.ensure_default_themes(org.id)
    assert [t.key for t in first] == [t.key for t in again]
    assert {t.name_nl for t in first} == {
        "opvang en spreiding",
        "huisvesting",
        "inburgering",
        "werk",
        "alleenstaande minderjarigen",
        "hervestiging",
        "participatie",
    }
    other = make.org()
    services.ensure_default_themes(other.id)
    assert db.session.execute(select(func.count(MeetingTheme.id))).scalar_one() == 14
    services.add_theme(org.id, "Gezondheid", "Health")
    with pytest.raises(services.MeetingError):
        services.add_theme(org.id, "gezondheid", "")


def test_group_always_speaks_dutch_and_only_takes_staff_of_its_org(make, db):
    org, other = make.org(), make.org()
    facilitator = make.user(org, "facilitator")
    policymaker = make.user(org, "policymaker")
    stranger = make.user(other, "facilitator")
    group = services.create_group(org.id, "Groep", "", ["ar", "fa"], [facilitator.id])
    assert group.languages == ["nl", "ar", "fa"]
    assert len(group.public_code) == services.PUBLIC_CODE_LENGTH
    for wrong in ([policymaker.id], [stranger.id]):
        with pytest.raises(services.MeetingError):
            services.create_group(org.id, "Groep", "", [], wrong)
    with pytest.raises(services.MeetingError):
        services.create_group(org.id, "Groep", "", ["xx"], [])


def _member(**overrides):
    data = dict(
        alias="Samira",
        languages=["ar"],
        interpreter_needed=True,
        consent_date=date(2026, 1, 5),
        consent_scope="Deelname",
        consent_given_by="het lid zelf",
        contact_consent=False,
        contact=None,
    )
    data.update(overrides)
    return services.MemberData(**data)


def test_contact_details_only_with_explicit_consent(world, db):
    with pytest.raises(services.MeetingError):
        services.add_member(world.group, _member(contact="0612345678"))
    db.session.rollback()
    assert db.session.execute(select(func.count(MeetingMember.id))).scalar_one() == 0
    member = services.add_member(world.group, _member(contact="0612345678", contact_consent=True))
    assert member.contact == "0612345678"
    with pytest.raises(services.MeetingError):  # unticking consent but keeping the number
        services.update_member(member, _member(contact="0612345678", contact_consent=False))
    services.update_member(member, _member(contact="", contact_consent=False))
    assert member.contact is None and member.contact_consent is False


def test_join_codes_are_short_unique_and_unambiguous(world, db):
    codes = {
        services.create_meeting(world.group, f"M{i}", datetime(2026, 1, 1)).join_code
        for i in range(30)
    }
    assert len(codes) == 30
    for code in codes:
        assert len(code) == services.JOIN_CODE_LENGTH
        assert not set(code) & set("01OIL")
    code = next(iter(codes))
    assert (
        services.find_meeting_by_code(code.lower()[:4] + " " + code.lower()[4:]).join_code == code
    )
    assert services.find_meeting_by_code("nonsense") is None


def test_meeting_moves_through_items_and_finishes(world, db):
    meeting = world.meeting
    with pytest.raises(services.MeetingError):
        services.move_to_item(meeting)
    services.start_meeting(meeting)
    assert meeting.current_item_id == world.items[0].id
    services.move_to_item(meeting, 1)
    assert meeting.current_item_id == world.items[1].id
    services.move_to_item(meeting, 1)  # stays on the last item
    assert meeting.current_item_id == world.items[1].id
    services.move_to_item(meeting, -1)
    assert meeting.current_item_id == world.items[0].id
    services.finish_meeting(meeting)
    with pytest.raises(services.MeetingError):
        services.start_meeting(meeting)


def test_agenda_question_needs_dutch_and_keeps_only_group_languages(world, db):
    with pytest.raises(services.MeetingError):
        services.add_agenda_item(world.meeting, "X", None, {"ar": "سؤال"})
    item = services.add_agenda_item(
        world.meeting, "X", None, {"nl": "Vraag", "fa": "سؤال", "ti": " "}
    )
    assert item.question == {"nl": "Vraag"}
    assert item.position == 3


def test_idea_is_scrubbed_and_not_linked_to_anyone(live, db):
    idea = services.submit_idea(live.meeting, "Bel me op 0612345678 over de keuken", "nl")
    assert "0612345678" not in idea.text and "keuken" in idea.text
    assert idea.agenda_item_id == live.items[0].id
    assert idea.status == "pending"
    columns = set(MeetingIdea.__table__.columns.keys())
    assert not columns & {"participant_key", "member_id", "user_id", "ip"}


@pytest.mark.parametrize(
    "text, key", [("", "idea_empty"), ("   ", "idea_empty"), ("x" * 501, "idea_too_long")]
)
def test_bad_ideas_are_refused(live, db, text, key):
    with pytest.raises(services.InputRejected) as caught:
        services.submit_idea(live.meeting, text, "ar")
    assert caught.value.key == key
    assert db.session.execute(select(func.count(MeetingIdea.id))).scalar_one() == 0


def test_no_input_before_start_or_after_finish(world, db):
    with pytest.raises(services.InputRejected) as caught:
        services.submit_idea(world.meeting, "Idee", "nl")
    assert caught.value.key == "not_live"
    services.start_meeting(world.meeting)
    services.finish_meeting(world.meeting)
    with pytest.raises(services.InputRejected) as caught:
        services.submit_idea(world.meeting, "Idee", "nl")
    assert caught.value.key == "finished"


def test_support_once_per_participant(live, db):
    idea = services.submit_idea(live.meeting, "Een gedeelde keuken", "nl")
    services.moderate_idea(idea, "approved")
    first, second = (services.support_key(idea.id, pid) for pid in ("a", "b"))
    services.support_idea(idea, first)
    services.support_idea(idea, second)
    with pytest.raises(services.InputRejected) as caught:
        services.support_idea(idea, first)
    assert caught.value.key == "support_already"
    db.session.refresh(idea)
    assert idea.support_count == 2
    supports = db.session.execute(select(func.count()).select_from(MeetingIdeaSupport))
    assert supports.scalar_one() == 2


def test_participant_key_is_a_keyed_hash_per_poll_and_idea(live, app):
    key = services.poll_key(7, "random-id")
    assert key != services.poll_key(8, "random-id") != services.support_key(7, "random-id")
    assert "random-id" not in key and len(key) == 64


def test_poll_one_answer_per_participant_and_only_while_open(live, db):
    poll = services.create_poll(
        live.meeting,
        {"nl": "Wanneer?", "ar": "متى؟"},
        [{"nl": "Ochtend", "ar": "صباحًا"}, {"nl": "Avond"}],
    )
    key = services.poll_key(poll.id, "p1")
    with pytest.raises(services.InputRejected) as caught:  # still a draft
        services.answer_poll(poll, key, 0, "ar")
    assert caught.value.key == "poll_closed"
    services.open_poll(poll)
    with pytest.raises(services.InputRejected) as caught:
        services.answer_poll(poll, key, 5, "ar")
    assert caught.value.key == "poll_invalid"
    services.answer_poll(poll, key, 1, "ar")
    with pytest.raises(services.InputRejected) as caught:
        services.answer_poll(poll, key, 0, "ar")
    assert caught.value.key == "poll_already"
    services.close_poll(poll)
    with pytest.raises(services.InputRejected) as caught:
        services.answer_poll(poll, services.poll_key(poll.id, "p2"), 0, "nl")
    assert caught.value.key == "poll_closed"
    assert services.poll_results(poll) == [0, 1]
    assert db.session.execute(select(func.count()).select_from(MeetingPollAnswer)).scalar_one() == 1


def test_opening_a_poll_closes_the_other(live, db):
    options = [{"nl": "Ja"}, {"nl": "Nee"}]
    first = services.create_poll(live.meeting, {"nl": "Een?"}, options)
    second = services.create_poll(live.meeting, {"nl": "Twee?"}, options)
    services.open_poll(first)
    services.open_poll(second)
    assert (first.status, second.status) == ("closed", "open")
    with pytest.raises(services.MeetingError):
        services.create_poll(live.meeting, {"nl": "Eén optie?"}, [{"nl": "Ja"}])


def test_participant_state_follows_the_current_item_in_the_chosen_language(live, db):
    state = services.participant_state(live.meeting, "ar")
    assert state["item"]["question"] == QUESTION["ar"] and state["item"]["lang"] == "ar"
    services.move_to_item(live.meeting, 1)
    moved = services.participant_state(live.meeting, "ti")
    # No Tigrinya for the second question: Dutch is shown, marked as Dutch.
    assert moved["item"]["id"] == live.items[1].id and moved["item"]["lang"] == "nl"
    assert moved["version"] != state["version"]


def test_overdue_actions(live, db):
    today = date(2026, 5, 1)
    data = [
        ("Keuken regelen", today - timedelta(days=1), "open"),
        ("Sloten", today - timedelta(days=3), "done"),
        ("Taalles", today + timedelta(days=3), "open"),
        ("Avondles", today - timedelta(days=10), "in_progress"),
    ]
    for description, due, status in data:
        services.add_action(
            live.meeting, services.ActionData(description, "Team Opvang", due, status)
        )
    overdue = services.overdue_actions(live.org.id, on=today)
    assert [a.description for a in overdue] == ["Avondles", "Keuken regelen"]
    assert services.overdue_actions(live.org.id, group_id=live.group.id + 99, on=today) == []
    with pytest.raises(services.MeetingError):
        services.add_action(live.meeting, services.ActionData(" ", "Team", None, "open"))


def test_contributions_for_analysis_are_tagged(live, db):
    services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    hidden = services.submit_idea(live.meeting, "Onzin", "nl")
    services.moderate_idea(hidden, "hidden")
    services.move_to_item(live.meeting, 1)
    services.submit_idea(live.meeting, "دروس في المساء", "ar")
    db.session.commit()
    records = services.contributions_for_analysis(live.org.id)
    assert [(r.text, r.lang, r.theme, r.agenda_item_title) for r in records] == [
        ("Een keuken per gang", "nl", "opvang-en-spreiding", "Koken"),
        ("دروس في المساء", "ar", "inburgering", "Taalles"),
    ]
    assert {r.meeting_id for r in records} == {live.meeting.id}
    assert len(services.contributions_for_analysis(live.org.id, include_hidden=True)) == 3
    assert services.contributions_for_analysis(live.org.id + 1) == []


def test_update_needs_dutch_and_links_only_to_own_group(live, make, db):
    data = services.UpdateData(
        title={"nl": "Keuken komt", "ar": "المطبخ قادم"},
        result={"nl": "Er komt een keuken."},
        not_done={},
        agenda_item_id=live.items[0].id,
        publish=True,
    )
    row = services.create_update(live.group, data)
    assert row.published_at is not None and row.title["ar"] == "المطبخ قادم"
    with pytest.raises(services.MeetingError):
        services.create_update(
            live.group, services.UpdateData(title={"ar": "x"}, result={"ar": "y"}, not_done={})
        )
    other = services.create_group(live.org.id, "Ander", "", [], [])
    with pytest.raises(services.MeetingError):
        services.create_update(other, data)
    assert services.published_updates(live.group) == [row]
