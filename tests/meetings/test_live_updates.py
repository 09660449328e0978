"""Live pages follow the room by counters, ETags and partial updates instead of full reloads."""

from __future__ import annotations

import re

from sqlalchemy import event
from tests.conftest import login

from klankbord.extensions import db as _db
from klankbord.meetings import services
from klankbord.meetings.ui_text import TEXT


def _room(live, lang="ar"):
    return f"/m/{live.meeting.join_code}/{lang}"


def _versions(live):
    row = services.live_versions(meeting_id=live.meeting.id)
    return row.room_version, row.staff_version


class QueryLog:
    """The SQL statements run while the block is open."""

    def __enter__(self):
        self.statements: list[str] = []
        event.listen(_db.engine, "before_cursor_execute", self._record)
        return self

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __exit__(self, *exc):
        event.remove(_db.engine, "before_cursor_execute", self._record)


def test_services_count_what_phones_and_staff_must_see(live, db):
    meeting = live.meeting
    room, staff = _versions(live)
    idea = services.submit_idea(meeting, "Een keuken per gang", "nl")
    db.session.commit()
    assert _versions(live) == (room, staff + 1)  # a pending idea: the facilitator only
    services.moderate_idea(idea, "approved")
    db.session.commit()
    assert _versions(live) == (room + 1, staff + 2)  # now on the screen and the phones
    other = services.submit_idea(meeting, "Scheldwoord", "nl")
    services.moderate_idea(other, "hidden")  # never shown: the phones need not look again
    db.session.commit()
    assert _versions(live) == (room + 1, staff + 4)
    poll = services.create_poll(meeting, {"nl": "Ja?"}, [{"nl": "Ja"}, {"nl": "Nee"}])
    db.session.commit()
    assert _versions(live) == (room + 1, staff + 5)
    services.open_poll(poll)
    services.answer_poll(poll, "k" * 64, 0, "nl")
    db.session.commit()
    assert _versions(live) == (room + 2, staff + 7)  # answers show on the projector only
    services.support_idea(idea, "k" * 64)
    services.move_to_item(meeting, step=1)
    services.finish_meeting(meeting)
    db.session.commit()
    assert _versions(live) == (room + 5, staff + 10)
    # The ORM object reads the new numbers too (the counters are expired, not stale).
    assert (meeting.room_version, meeting.staff_version) == (room + 5, staff + 10)


def test_phone_state_answers_304_from_the_counter_without_reading_ideas(client, live, db):
    first = client.get(f"{_room(live)}/state.json")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.get_json()["version"] == live.meeting.room_version
    # Data is never stored by a browser (issue 14); the live script sends If-None-Match itself.
    assert first.headers["Cache-Control"] == "no-store"
    with QueryLog() as log:
        again = client.get(f"{_room(live)}/state.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # One narrow read of the meeting row: no ideas, polls, items or supports.
    assert len(log.statements) == 1 and re.search(r"FROM meeting\s+WHERE", log.statements[0])
    assert not re.search(r"meeting_(idea|poll|agenda_item)", log.statements[0])
    # A pending idea does not change what phones show; an approval does.
    idea = services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    db.session.commit()
    unchanged = client.get(f"{_room(live)}/state.json", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    services.moderate_idea(idea, "approved")
    db.session.commit()
    changed = client.get(f"{_room(live)}/state.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    # Unknown codes and languages still get the page in the participant's language.
    assert client.get("/m/ZZZZZZZZ/ar/state.json").status_code == 404
    assert client.get(f"/m/{live.meeting.join_code}/xx/state.json").status_code == 404


def test_staff_state_follows_every_input_and_stays_in_the_organisation(client, make, live, db):
    login(client, live.facilitator)
    url = f"/meetings/{live.meeting.id}/live.json"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert (
        changed.status_code == 200
        and changed.get_json()["version"] == first.get_json()["version"] + 1
    )
    other_org = make.org("Gemeente Elders")
    stranger = make.user(other_org, "facilitator")
    outsider = client.application.test_client()
    login(outsider, stranger)
    assert outsider.get(url).status_code == 404


def test_the_live_region_comes_alone_for_the_script(client, live, db):
    idea = services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    services.moderate_idea(idea, "approved")
    db.session.commit()
    full = client.get(_room(live)).get_data(as_text=True)
    part = client.get(f"{_room(live)}?part=1").get_data(as_text=True)
    assert full.startswith("<!doctype html>") and not part.lstrip().startswith("<!doctype")
    assert part.lstrip().startswith('<div id="live"') and "<html" not in part
    for name in ("messages", "question", "poll", "ideas"):
        assert f'data-part="{name}"' in part
    assert "Een keuken per gang" in part and 'data-layout="live-item"' in part
    assert f'data-live-version="{live.meeting.room_version}"' in part


def test_a_post_from_the_script_is_answered_with_the_region_not_a_redirect(client, live, db):
    sent = client.post(
        f"{_room(live)}/idea", data={"text": "مطبخ مشترك"}, headers={"X-Live-Part": "1"}
    )
    page = sent.get_data(as_text=True)
    assert sent.status_code == 200 and page.lstrip().startswith('<div id="live"')
    assert TEXT["idea_sent"]["ar"] in page
    # Nothing the phone shows changed but the message: the room is not read or rendered again.
    assert "data-messages-only" in page and 'data-part="ideas"' not in page
    assert f'data-live-version="{live.meeting.room_version}"' in page
    idea = services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    services.moderate_idea(idea, "approved")
    db.session.commit()
    supported = client.post(
        f"{_room(live)}/support/{idea.id}", headers={"X-Live-Part": "1"}
    ).get_data(as_text=True)
    assert 'data-part="ideas"' in supported and TEXT["supported"]["ar"] in supported
    refused = client.post(
        f"{_room(live)}/idea", data={"text": "ب" * 501}, headers={"X-Live-Part": "1"}
    ).get_data(as_text=True)
    assert "msg-error" in refused and TEXT["idea_too_long"]["ar"].format(max=500) in refused
    # The typed text stays in the phone's field; it is not handed back on the next page load.
    assert "ب" * 501 not in client.get(_room(live)).get_data(as_text=True)
    # Without the script the old way still works: a redirect to the page.
    plain = client.post(f"{_room(live)}/idea", data={"text": "Nog een idee"})
    assert plain.status_code == 302


def test_staff_live_page_and_projector_come_as_regions_too(client, live, db):
    login(client, live.facilitator)
    for url in (f"/meetings/{live.meeting.id}/live", f"/meetings/{live.meeting.id}/projector"):
        full = client.get(url).get_data(as_text=True)
        part = client.get(f"{url}?part=1").get_data(as_text=True)
        assert "site-header" in full and "site-header" not in part
        assert part.lstrip().startswith('<div id="live"')
        assert f'data-live-version="{live.meeting.staff_version}"' in part


def test_projector_reloads_itself_without_script_only(client, live):
    login(client, live.facilitator)
    page = client.get(f"/meetings/{live.meeting.id}/projector").get_data(as_text=True)
    # Inside <noscript> in the head: a browser running the script ignores it.
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', page)
    head = page.split("</head>")[0]
    assert "http-equiv" in head
    assert "meetings-live.js" in page
