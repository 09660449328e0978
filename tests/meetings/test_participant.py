"""Phones: join, language, ideas, polls, +1, moderation, following the room, page weight."""

from __future__ import annotations

import gzip
import re

import pytest
from sqlalchemy import func, select
from tests.conftest import login
from tests.meetings.conftest import QUESTION

from klankbord.meetings import services
from klankbord.meetings.models import MeetingIdea, MeetingIdeaSupport, MeetingPollAnswer
from klankbord.meetings.ui_text import TEXT

#: Same budget as survey pages: everything a participant page loads, gzipped.
PAGE_BUDGET = 14_000


def _room(live, lang="ar"):
    return f"/m/{live.meeting.join_code}/{lang}"


def _count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_join_offers_the_group_languages(client, live):
    page = client.get(f"/m/{live.meeting.join_code}").get_data(as_text=True)
    for code in ("nl", "ar", "ti"):
        assert f'href="/m/{live.meeting.join_code}/{code}"' in page
    assert f"/m/{live.meeting.join_code}/fa" not in page
    # A typed code in lower case with a space finds the meeting too.
    code = live.meeting.join_code.lower()
    response = client.get(f"/m?code={code[:4]}+{code[4:]}")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        live.meeting.join_code
    )


def test_room_shows_the_current_question_in_the_chosen_language_rtl(client, live):
    response = client.get(_room(live, "ar"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page
    assert QUESTION["ar"] in page and TEXT["send"]["ar"] in page
    assert "<script>" not in page and "style=" not in page


def test_sending_an_idea_scrubs_it_and_thanks_in_the_language(client, live, db):
    response = client.post(f"{_room(live)}/idea", data={"text": "مطبخ مشترك، اتصل بي 0612345678"})
    assert response.status_code == 302
    idea = db.session.execute(select(MeetingIdea)).scalar_one()
    assert "0612345678" not in idea.text and idea.lang == "ar" and idea.alias is None
    assert TEXT["idea_sent"]["ar"] in client.get(_room(live)).get_data(as_text=True)


def test_alias_only_when_chosen(client, live, db):
    client.post(f"{_room(live, 'ti')}/idea", data={"text": "ቤት ምግቢ", "alias": "Yonas"})
    client.post(f"{_room(live, 'ti')}/idea", data={"text": "ትምህርቲ", "alias": "  "})
    assert sorted(i.alias or "" for i in db.session.execute(select(MeetingIdea)).scalars()) == [
        "",
        "Yonas",
    ]


@pytest.mark.parametrize(
    "text, key", [("", "idea_empty"), ("   ", "idea_empty"), ("ب" * 501, "idea_too_long")]
)
def test_bad_idea_gets_a_clear_message_and_nothing_is_stored(client, live, db, text, key):
    response = client.post(f"{_room(live, 'fa')}/idea", data={"text": text}, follow_redirects=True)
    assert response.status_code == 200
    assert TEXT[key]["fa"].format(max=500) in response.get_data(as_text=True)
    assert _count(db, MeetingIdea) == 0


def test_overlong_text_is_given_back_to_edit(client, live):
    text = "ي" * 501
    page = client.post(f"{_room(live)}/idea", data={"text": text}, follow_redirects=True).get_data(
        as_text=True
    )
    assert text in page


def test_finished_meeting_code_gets_a_clear_message_and_stores_nothing(client, live, db):
    services.finish_meeting(live.meeting)
    db.session.commit()
    response = client.get(f"/m/{live.meeting.join_code}")
    assert response.status_code == 410
    assert TEXT["finished"]["ar"] in response.get_data(as_text=True)
    response = client.post(
        f"{_room(live)}/idea", data={"text": "فكرة متأخرة"}, follow_redirects=True
    )
    assert TEXT["finished"]["ar"] in response.get_data(as_text=True)
    assert _count(db, MeetingIdea) == 0


def test_finished_meeting_links_to_what_was_done_with_the_ideas(client, live, db):
    """Issue 16: the "meeting ended" page leads to the group's "you said, we did" page."""
    services.finish_meeting(live.meeting)
    db.session.commit()
    group_code = live.meeting.group.public_code
    joined = client.get(f"/m/{live.meeting.join_code}").get_data(as_text=True)
    for code in ("nl", "ar", "ti"):
        assert f'href="/g/{group_code}?lang={code}"' in joined
        assert TEXT["follow_link"][code] in joined
    room = client.get(_room(live, "ar")).get_data(as_text=True)
    assert f'href="/g/{group_code}?lang=ar"' in room and TEXT["follow_link"]["ar"] in room
    assert client.get(f"/g/{group_code}?lang=ar").status_code == 200


def test_unknown_code_and_language(client, live):
    assert client.get("/m/ZZZZZZZZ").status_code == 404
    assert TEXT["unknown_code"]["ti"] in client.get("/m/ZZZZZZZZ").get_data(as_text=True)
    assert client.get(f"/m/{live.meeting.join_code}/xx").status_code == 404
    posted = client.post("/m/ZZZZZZZZ/ar/idea", data={"text": "فكرة"})
    assert posted.status_code == 404 and TEXT["unknown_code"]["ar"] in posted.get_data(as_text=True)
    assert (
        client.post(f"/m/{live.meeting.join_code}/xx/idea", data={"text": "x"}).status_code == 404
    )


def test_meeting_not_started_takes_no_input(client, world, db):
    page = client.get(f"/m/{world.meeting.join_code}/uk").get_data(as_text=True)
    assert TEXT["not_started"]["uk"] in page
    response = client.post(
        f"/m/{world.meeting.join_code}/uk/idea", data={"text": "Ідея"}, follow_redirects=True
    )
    assert TEXT["not_live"]["uk"] in response.get_data(as_text=True)
    assert _count(db, MeetingIdea) == 0


def test_moderation_projector_shows_only_approved_and_hidden_stays_marked(client, make, live, db):
    for text in ("Een keuken per gang", "Scheldwoord hier", "Nog niet bekeken"):
        services.submit_idea(live.meeting, text, "nl")
    db.session.commit()
    ideas = {i.text: i for i in db.session.execute(select(MeetingIdea)).scalars()}
    login(client, live.facilitator)
    live_page = client.get(f"/meetings/{live.meeting.id}/live").get_data(as_text=True)
    assert all(text in live_page for text in ideas)
    client.post(
        f"/meetings/ideas/{ideas['Een keuken per gang'].id}/moderate", data={"status": "approved"}
    )
    client.post(
        f"/meetings/ideas/{ideas['Scheldwoord hier'].id}/moderate", data={"status": "hidden"}
    )
    projector = client.get(f"/meetings/{live.meeting.id}/projector").get_data(as_text=True)
    assert "Een keuken per gang" in projector
    assert "Scheldwoord hier" not in projector and "Nog niet bekeken" not in projector
    assert "<svg" in projector and live.meeting.join_code in projector
    phone = client.application.test_client()
    room = phone.get(_room(live, "nl")).get_data(as_text=True)
    assert "Een keuken per gang" in room and "Scheldwoord hier" not in room
    summary = client.get(f"/meetings/{live.meeting.id}/summary").get_data(as_text=True)
    assert "Scheldwoord hier" in summary and "hidden-ideas" in summary
    assert _count(db, MeetingIdea) == 3
    assert (
        client.post(
            f"/meetings/ideas/{ideas['Nog niet bekeken'].id}/moderate", data={"status": "deleted"}
        ).status_code
        == 400
    )


def test_support_once_per_phone(app, live, db):
    idea = services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    services.moderate_idea(idea, "approved")
    db.session.commit()
    phone, other = app.test_client(), app.test_client()
    url = f"{_room(live, 'tr')}/support/{idea.id}"
    assert phone.post(url).status_code == 302
    again = phone.post(url, follow_redirects=True).get_data(as_text=True)
    assert TEXT["support_already"]["tr"] in again
    other.post(url)
    db.session.refresh(idea)
    assert idea.support_count == 2 and _count(db, MeetingIdeaSupport) == 2
    # Pending ideas cannot be supported.
    pending = services.submit_idea(live.meeting, "Nog niet goedgekeurd", "nl")
    db.session.commit()
    assert phone.post(f"{_room(live)}/support/{pending.id}").status_code == 404


def test_poll_answer_once_and_closed_poll_refused(app, live, db):
    poll = services.create_poll(
        live.meeting,
        {"nl": "Wanneer les?", "ar": "متى الدروس؟"},
        [{"nl": "Ochtend", "ar": "صباحًا"}, {"nl": "Avond", "ar": "مساءً"}],
    )
    services.open_poll(poll)
    db.session.commit()
    phone, late = app.test_client(), app.test_client()
    page = phone.get(_room(live)).get_data(as_text=True)
    assert "متى الدروس؟" in page and "<fieldset>" in page and "<legend" in page
    url = f"{_room(live)}/poll/{poll.id}"
    assert TEXT["poll_thanks"]["ar"] in phone.post(
        url, data={"option": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert TEXT["poll_already"]["ar"] in phone.post(
        url, data={"option": "0"}, follow_redirects=True
    ).get_data(as_text=True)
    assert TEXT["poll_invalid"]["ar"] in late.post(url, data={}, follow_redirects=True).get_data(
        as_text=True
    )
    services.close_poll(poll)
    db.session.commit()
    response = late.post(url, data={"option": "0"}, follow_redirects=True)
    assert TEXT["poll_closed"]["ar"] in response.get_data(as_text=True)
    assert services.poll_results(poll) == [0, 1]
    assert _count(db, MeetingPollAnswer) == 1


def test_phones_follow_the_current_item(client, make, live, db):
    state = client.get(f"{_room(live, 'ti')}/state.json").get_json()
    assert state["item"]["id"] == live.items[0].id and state["item"]["question"] == QUESTION["ti"]
    assert state["poll"] is None
    staff = client.application.test_client()
    login(staff, live.facilitator)
    assert staff.post(f"/meetings/{live.meeting.id}/move", data={"step": "1"}).status_code == 302
    moved = client.get(f"{_room(live, 'ti')}/state.json").get_json()
    assert moved["item"]["id"] == live.items[1].id and moved["version"] != state["version"]
    assert (
        moved["item"]["lang"] == "nl"
    )  # no Tigrinya text for this question: Dutch, marked as such
    page = client.get(_room(live, "ti")).get_data(as_text=True)
    assert f'data-live-version="{moved["version"]}"' in page and "meetings-live.js" in page
    staff.post(f"/meetings/{live.meeting.id}/finish")
    assert client.get(f"{_room(live, 'ti')}/state.json").get_json()["status"] == "finished"


def _weight(client, url: str) -> int:
    """Gzipped bytes of a page plus every stylesheet and script it loads from this server."""
    response = client.get(url)
    assert response.status_code in (200, 410), url
    html = response.get_data()
    total = len(gzip.compress(html, 9))
    for asset in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        body = client.get(asset.decode()).get_data()
        assert body, asset
        total += len(gzip.compress(body, 9))
    assert not re.search(rb'(?:href|src)="(?:https?:)?//', html), "nothing from another host"
    return total


def test_participant_pages_stay_within_the_page_weight_budget(client, live, db):
    for i in range(25):  # a busy item: 25 ideas on the screen, each near the length limit
        idea = services.submit_idea(live.meeting, f"{i} " + "ایده برای آشپزخانه مشترک " * 19, "fa")
        services.moderate_idea(idea, "approved")
    poll = services.create_poll(
        live.meeting, {"nl": "Vraag?", "fa": "سؤال؟"}, [{"nl": "Ja"}, {"nl": "Nee"}]
    )
    services.open_poll(poll)
    services.create_update(
        live.group,
        services.UpdateData(
            title={"nl": "Keuken"},
            result={"nl": "Er komt een keuken. " * 40},
            not_done={"nl": "Geen oven. " * 20},
            publish=True,
        ),
    )
    db.session.commit()
    code = live.meeting.join_code
    pages = [
        "/m",
        f"/m/{code}",
        f"/m/{code}/fa",
        f"/m/{code}/ar",
        f"/g/{live.group.public_code}?lang=ar",
    ]
    weights = {url: _weight(client, url) for url in pages}
    assert all(weight <= PAGE_BUDGET for weight in weights.values()), weights


def test_csrf_protects_participant_posts(app, live, db, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    phone = app.test_client()
    url = f"/m/{live.meeting.join_code}/nl"
    response = phone.post(f"{url}/idea", data={"text": "Zonder token"}, follow_redirects=True)
    assert TEXT["expired"]["nl"] in response.get_data(as_text=True)
    assert _count(db, MeetingIdea) == 0
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', phone.get(url).get_data(as_text=True)
    ).group(1)
    phone.post(f"{url}/idea", data={"text": "Met token", "csrf_token": token})
    assert _count(db, MeetingIdea) == 1


def test_a_phone_says_plainly_when_a_text_is_not_in_its_language(client, live, db):
    """The poll has no Tigrinya text: the Tigrinya phone shows the Dutch and names the language."""
    poll = services.create_poll(
        live.meeting,
        {"nl": "Wanneer les?", "ar": "متى الدروس؟"},
        [{"nl": "Ochtend", "ar": "صباحًا"}, {"nl": "Avond", "ar": "مساءً"}],
    )
    services.open_poll(poll)
    db.session.commit()
    tigrinya = client.get(_room(live, "ti")).get_data(as_text=True)
    assert QUESTION["ti"] in tigrinya  # the agenda question is translated: no note for it
    assert tigrinya.count('class="msg untranslated"') == 1
    note = tigrinya.split('class="msg untranslated">')[1].split("</p>")[0]
    assert TEXT["shown_in"]["ti"] in note and '<strong lang="nl">Nederlands</strong>' in note
    assert "Wanneer les?" in tigrinya
    arabic = client.get(_room(live, "ar")).get_data(as_text=True)
    assert "untranslated" not in arabic and "متى الدروس؟" in arabic


def test_a_scrubbed_e_mail_stays_whole_inside_right_to_left_text(client, live, db):
    idea = services.submit_idea(live.meeting, "راسلني على ahmad@example.com من فضلك", "ar")
    services.moderate_idea(idea, "approved")
    db.session.commit()
    page = client.get(_room(live, "ar")).get_data(as_text=True)
    assert "ahmad@example.com" not in page
    assert 'راسلني على <bdi dir="ltr">[e-mail]</bdi> من فضلك' in page
