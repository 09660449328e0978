"""Fixtures: an organisation with a group, its facilitator and a meeting with an agenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from klankbord.meetings import services

QUESTION = {
    "nl": "Wat is nodig om zelf te kunnen koken?",
    "ar": "ما الذي تحتاجه لتتمكن من الطبخ بنفسك؟",
    "ti": "ባዕልኻ ክተብስል እንታይ የድልየካ?",
}
SECOND_QUESTION = {"nl": "Wanneer wil je taalles?", "ar": "متى تريد دروس اللغة؟"}


@dataclass
class World:
    org: object
    facilitator: object
    group: object
    meeting: object
    items: list


@pytest.fixture
def world(make, db) -> World:
    """A group (nl, ar, ti) with one facilitator and a planned meeting with two agenda items."""
    org = make.org("Gemeente Klankstad")
    facilitator = make.user(org, "facilitator", name="Fatima")
    group = services.create_group(
        org.id, "Klankbordgroep Klankstad", "Meedenken over opvang", ["ar", "ti"], [facilitator.id]
    )
    themes = {t.key: t for t in services.active_themes(org.id)}
    meeting = services.create_meeting(
        group, "Avond over koken", datetime(2026, 3, 2, 18, 0), place="AZC"
    )
    first = services.add_agenda_item(meeting, "Koken", themes["opvang-en-spreiding"].id, QUESTION)
    second = services.add_agenda_item(meeting, "Taalles", themes["inburgering"].id, SECOND_QUESTION)
    db.session.commit()
    return World(org, facilitator, group, meeting, [first, second])


@pytest.fixture
def live(world, db) -> World:
    services.start_meeting(world.meeting)
    db.session.commit()
    return world
