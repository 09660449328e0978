"""40 phones sending and reading at once on a file SQLite database (WAL): nothing lost."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from klankbord import create_app
from klankbord.extensions import db as _db
from klankbord.meetings import services
from klankbord.meetings.models import MeetingIdea

PARTICIPANTS = 40
IDEAS_EACH = 5


@pytest.fixture
def file_app(app_config, tmp_path):
    """An app on a real SQLite file (the default deployment), whatever database the suite uses."""
    database = f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = create_app({**app_config, "DATABASE_URL": database, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def test_forty_phones_at_once_lose_nothing(file_app):
    from sqlalchemy import text

    from klankbord.accounts import services as accounts

    assert _db.session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    org = accounts.create_organisation("Gemeente Druk", "druk")
    group = services.create_group(org.id, "Groep", "", ["ar", "ti", "fa"], [])
    meeting = services.create_meeting(group, "Drukke avond", datetime(2026, 3, 1, 18))
    services.add_agenda_item(
        meeting, "Koken", None, {"nl": "Wat is nodig?", "ar": "ما الذي تحتاجه؟"}
    )
    services.start_meeting(meeting)
    shared = services.submit_idea(meeting, "Een keuken per gang", "nl")
    services.moderate_idea(shared, "approved")
    _db.session.commit()
    code, shared_id, meeting_id = meeting.join_code, shared.id, meeting.id
    before = services.live_versions(meeting_id=meeting_id)
    _db.session.remove()

    langs = ["ar", "ti", "fa", "nl"]
    barrier = threading.Barrier(PARTICIPANTS)
    failures: list[str] = []

    def phone(n: int) -> None:
        client = file_app.test_client()
        lang = langs[n % len(langs)]
        room = f"/m/{code}/{lang}"
        try:
            barrier.wait(timeout=30)
            assert client.get(room).status_code == 200
            for i in range(IDEAS_EACH):
                response = client.post(
                    f"{room}/idea", data={"text": f"idee {n}-{i} over koken en taalles"}
                )
                if response.status_code != 302 or "/idea" in response.headers.get("Location", ""):
                    failures.append(f"idea {n}-{i}: {response.status_code}")
                state = client.get(f"{room}/state.json")
                if state.status_code != 200 or state.get_json()["status"] != "live":
                    failures.append(f"state {n}-{i}: {state.status_code}")
            if client.post(f"{room}/support/{shared_id}").status_code != 302:
                failures.append(f"support {n}")
        except Exception as error:  # a thread must report, not die silently
            failures.append(f"{n}: {error!r}")

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PARTICIPANTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    stored = _db.session.execute(
        select(func.count(MeetingIdea.id)).where(
            MeetingIdea.meeting_id == meeting_id, MeetingIdea.id != shared_id
        )
    ).scalar_one()
    assert stored == PARTICIPANTS * IDEAS_EACH
    texts = set(
        _db.session.execute(select(MeetingIdea.text).where(MeetingIdea.id != shared_id)).scalars()
    )
    assert texts == {
        f"idee {n}-{i} over koken en taalles"
        for n in range(PARTICIPANTS)
        for i in range(IDEAS_EACH)
    }
    assert _db.session.get(MeetingIdea, shared_id).support_count == PARTICIPANTS
    # Every change was counted once, though 40 threads bumped the same counters at once.
    after = services.live_versions(meeting_id=meeting_id)
    assert after.staff_version - before.staff_version == PARTICIPANTS * (IDEAS_EACH + 1)
    assert after.room_version - before.room_version == PARTICIPANTS  # the +1s; ideas wait
