"""Objects of the meetings domain for the security matrices, made through the meetings services.

Per URL one group of ctx.org with a live meeting: two agenda items, an approved idea, an open poll,
an action, a member with contact details and a published update. Every argument of one URL names
objects of that same group and meeting (``/m/<code>/<lang>/support/<idea_id>`` gets an idea of the
meeting whose join code is ``code``).

The matrices log in as "a facilitator of the organisation"; meetings lets only a group's *own*
facilitators manage it, so the group is facilitated by every facilitator of ctx.org, also those
made later in the same test. That facilitators of other groups only read is tested in
``tests/meetings/test_permissions.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.security.factories import object_factory

from klankbord.core.time import today
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings.models import IdeaStatus


def _memo(ctx, key: str, build):
    """Make an object once per URL (one group and meeting per URL)."""
    cache = ctx.__dict__.setdefault("_meetings_objects", {})
    if key not in cache:
        cache[key] = build(ctx)
    return cache[key]


def _facilitate_later_users(ctx, group) -> None:
    """Facilitators of ctx.org made later in this test (by ``make.user``) facilitate ``group``."""
    make = ctx.make
    original = make.user

    def user(org=None, role: str = "facilitator", *args, **kwargs):
        new = original(org, role, *args, **kwargs)
        if org is not None and org.id == group.organisation_id and role == "facilitator":
            group.facilitators.append(new)
            make.db.session.commit()
        return new

    make.user = user


def _group(ctx):
    def build(ctx):
        facilitators = [user.id for user in services.eligible_facilitators(ctx.org.id)]
        group = services.create_group(
            ctx.org.id, "Klankbordgroep van organisatie A", "Meedenken", ["ar", "en"], facilitators
        )
        _facilitate_later_users(ctx, group)
        return group

    return _memo(ctx, "group", build)


def _meeting(ctx):
    """A live meeting of the group with two agenda items (the first is current)."""

    def build(ctx):
        meeting = services.create_meeting(
            _group(ctx), "Avond van organisatie A", datetime(2026, 3, 2, 18, 0), place="AZC"
        )
        themes = services.active_themes(ctx.org.id)
        services.add_agenda_item(
            meeting, "Koken", themes[0].id, {"nl": "Wat is nodig om te koken?", "en": "Cooking?"}
        )
        services.add_agenda_item(meeting, "Taalles", None, {"nl": "Wanneer wil je taalles?"})
        services.start_meeting(meeting)
        db.session.flush()
        return meeting

    return _memo(ctx, "meeting", build)


def _idea(ctx):
    def build(ctx):
        idea = services.submit_idea(_meeting(ctx), "Meer kookplaatsen op de gang", "nl", "K.")
        services.moderate_idea(idea, IdeaStatus.APPROVED)
        return idea

    return _memo(ctx, "idea", build)


def _poll(ctx):
    def build(ctx):
        meeting = _meeting(ctx)
        poll = services.create_poll(
            meeting,
            {"nl": "Wil je een gezamenlijke keuken?", "en": "A shared kitchen?"},
            [{"nl": "Ja", "en": "Yes"}, {"nl": "Nee", "en": "No"}],
            meeting.items[0].id,
        )
        services.open_poll(poll)
        return poll

    return _memo(ctx, "poll", build)


# Staff pages (/meetings/...) ------------------------------------------------------------------


@object_factory("group_id", blueprint="meetings")
def group_id(ctx):
    return _group(ctx).id


@object_factory("meeting_id", blueprint="meetings")
def meeting_id(ctx):
    meeting = _meeting(ctx)
    # So the live page, projector and minutes show ideas and poll results too.
    _idea(ctx)
    _poll(ctx)
    return meeting.id


@object_factory("item_id", blueprint="meetings")
def item_id(ctx):
    return _meeting(ctx).items[0].id


@object_factory("member_id", blueprint="meetings")
def member_id(ctx):
    member = services.add_member(
        _group(ctx),
        services.MemberData(
            alias="Yonas van organisatie A",
            languages=["ar"],
            interpreter_needed=True,
            consent_date=today(),
            consent_scope="Klankbordgroep",
            consent_given_by="Yonas",
            contact_consent=True,
            contact="yonas.a@example.org",
        ),
    )
    return member.id


@object_factory("idea_id", blueprint="meetings")
def staff_idea_id(ctx):
    return _idea(ctx).id


@object_factory("poll_id", blueprint="meetings")
def staff_poll_id(ctx):
    return _poll(ctx).id


@object_factory("action_id", blueprint="meetings")
def action_id(ctx):
    meeting = _meeting(ctx)
    action = services.add_action(
        meeting,
        services.ActionData(
            description="Kookplaatsen bijplaatsen",
            owner="Gemeente",
            due_date=today() + timedelta(days=14),
            status="open",
            agenda_item_id=meeting.items[0].id,
        ),
    )
    return action.id


@object_factory("update_id", blueprint="meetings")
def update_id(ctx):
    row = services.create_update(
        _group(ctx),
        services.UpdateData(
            title={"nl": "Keuken", "en": "Kitchen"},
            result={"nl": "Er komt een keuken.", "en": "There will be a kitchen."},
            not_done={"nl": "Geen oven."},
            publish=True,
        ),
    )
    return row.id


# Participant pages (/m/<code>) and the public group page (/g/<code>) ---------------------------


@object_factory("code", blueprint="meetings_public")
def public_code(ctx):
    """/g/<code> is the group's public code; /m/<code>/... the join code of its live meeting."""
    if ctx.endpoint == "meetings_public.group_page":
        update_id(ctx)  # a published "you said, we did" update on the page
        return _group(ctx).public_code
    meeting = _meeting(ctx)
    # So the room and state.json show an approved idea and an open poll.
    _idea(ctx)
    _poll(ctx)
    return meeting.join_code


@object_factory("idea_id", blueprint="meetings_public")
def public_idea_id(ctx):
    return _idea(ctx).id


@object_factory("poll_id", blueprint="meetings_public")
def public_poll_id(ctx):
    return _poll(ctx).id
