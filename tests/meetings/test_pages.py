"""Staff flows: plan, translated agenda, run, minutes, summary, updates, demo."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func, select
from tests.conftest import login
from tests.pdftext import assert_no_chrome, needs_pdf_tools, pdf_text

from klankbord.core import pdf
from klankbord.core.time import today
from klankbord.meetings import services
from klankbord.meetings.models import (
    Meeting,
    MeetingAgendaItem,
    MeetingIdea,
    MeetingPoll,
    MeetingUpdate,
)


def test_plan_a_meeting_with_a_translated_agenda_and_run_it(client, world, db):
    login(client, world.facilitator)
    response = client.post(
        f"/meetings/groups/{world.group.id}/meetings/new",
        data={
            "title": "Werkavond",
            "starts_at": "2026-04-01T19:30",
            "place": "Stadhuis",
            "interpreters": ["ar"],
        },
    )
    assert response.status_code == 302
    meeting = db.session.execute(select(Meeting).where(Meeting.title == "Werkavond")).scalar_one()
    assert meeting.starts_at.hour == 17  # 19:30 in Amsterdam (summer time) is 17:30 UTC
    theme = services.active_themes(world.org.id)[3]
    # No Dutch question: refused, nothing stored.
    response = client.post(
        f"/meetings/{meeting.id}/items/new",
        data={"title": "Werk", "theme_id": str(theme.id), "question_ar": "ما الذي يساعدك؟"},
    )
    assert response.status_code == 200
    assert (
        db.session.execute(
            select(func.count(MeetingAgendaItem.id)).where(
                MeetingAgendaItem.meeting_id == meeting.id
            )
        ).scalar_one()
        == 0
    )
    client.post(
        f"/meetings/{meeting.id}/items/new",
        data={
            "title": "Werk",
            "theme_id": str(theme.id),
            "question_nl": "Wat helpt jou om werk te vinden?",
            "question_ar": "ما الذي يساعدك في العثور على عمل؟",
            "question_ti": "ስራሕ ንምርካብ እንታይ ይሕግዘካ?",
        },
    )
    item = db.session.execute(
        select(MeetingAgendaItem).where(MeetingAgendaItem.meeting_id == meeting.id)
    ).scalar_one()
    assert set(item.question) == {"nl", "ar", "ti"} and item.theme_id == theme.id
    assert client.post(f"/meetings/{meeting.id}/start").status_code == 302
    live_page = client.get(f"/meetings/{meeting.id}/live").get_data(as_text=True)
    assert meeting.join_code in live_page and "data-live-url" in live_page
    state = client.get(f"/meetings/{meeting.id}/live.json").get_json()
    assert state["status"] == "live"
    # A poll with options per language; Dutch decides the number of options.
    client.post(
        f"/meetings/{meeting.id}/polls/new",
        data={
            "agenda_item_id": str(item.id),
            "question_nl": "Heb je al gewerkt?",
            "question_ar": "هل عملت من قبل؟",
            "options_nl": "Ja\nNee\nWeet ik niet",
            "options_ar": "نعم\nلا",
        },
    )
    # Tigrinya was left empty and Arabic has one option too few: the facilitator is told.
    warned = client.get(f"/meetings/{meeting.id}/live").get_data(as_text=True)
    assert "Not translated into العربية, ትግርኛ" in warned
    poll = db.session.execute(select(MeetingPoll)).scalar_one()
    assert poll.options == [
        {"nl": "Ja", "ar": "نعم"},
        {"nl": "Nee", "ar": "لا"},
        {"nl": "Weet ik niet"},
    ]
    client.post(f"/meetings/polls/{poll.id}/open")
    db.session.refresh(poll)
    assert poll.status == "open"
    assert client.get(f"/meetings/{meeting.id}/live.json").get_json()["version"] != state["version"]
    client.post(f"/meetings/{meeting.id}/finish")
    db.session.refresh(poll)
    assert poll.status == "closed"


def test_minutes_actions_and_summary_exports(client, live, db, monkeypatch):
    login(client, live.facilitator)
    item = live.items[0]
    client.post(
        f"/meetings/items/{item.id}",
        data={
            "title": item.title,
            "theme_id": str(item.theme_id),
            "question_nl": item.question["nl"],
            "question_ar": item.question["ar"],
            "notes": "Iedereen wil zelf koken.",
            "decisions": "Gemeente vraagt het COA om een keuken.",
        },
    )
    idea = services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    services.moderate_idea(idea, "approved")
    db.session.commit()
    response = client.post(
        f"/meetings/{live.meeting.id}/actions/new",
        data={
            "description": "Keuken aanvragen bij het COA",
            "owner": "Team Opvang",
            "due_date": (today() - timedelta(days=2)).isoformat(),
            "status": "open",
            "agenda_item_id": str(item.id),
        },
    )
    assert response.status_code == 302
    assert (
        client.post(
            f"/meetings/{live.meeting.id}/attendance", data={"attendance_count": "-1"}
        ).status_code
        == 302
    )
    assert live.meeting.attendance_count is None
    client.post(f"/meetings/{live.meeting.id}/attendance", data={"attendance_count": "11"})
    db.session.refresh(live.meeting)
    assert live.meeting.attendance_count == 11
    # Overdue actions at a glance on the meetings list and the group page.
    for url in ("/meetings/", f"/meetings/groups/{live.group.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "overdue-heading" in page and "Keuken aanvragen bij het COA" in page
    summary = client.get(f"/meetings/{live.meeting.id}/summary").get_data(as_text=True)
    assert (
        "Iedereen wil zelf koken." in summary
        and "Een keuken per gang" in summary
        and "Team Opvang" in summary
    )
    markdown = client.get(f"/meetings/{live.meeting.id}/summary.md")
    assert (
        markdown.mimetype == "text/markdown"
        and "attachment" in markdown.headers["Content-Disposition"]
    )
    text = markdown.get_data(as_text=True)
    assert (
        text.startswith("# Avond over koken") and "Gemeente vraagt het COA om een keuken." in text
    )
    assert (
        "- Een keuken per gang (+0, nl)" in text
        and "Keuken aanvragen bij het COA — Team Opvang" in text
    )
    monkeypatch.setattr(pdf, "available", lambda: False)
    unavailable = client.get(f"/meetings/{live.meeting.id}/summary.pdf")
    assert unavailable.status_code == 503 and "Markdown" in unavailable.get_data(as_text=True)


def test_minutes_pdf_shows_what_the_markdown_shows_and_nothing_of_the_staff_page(client, live, db):
    """A real PDF, read back as text: the content of the Markdown, no chrome, no hidden idea."""
    needs_pdf_tools()
    login(client, live.facilitator)
    shown = services.submit_idea(live.meeting, "Een keuken per gang", "nl")
    services.moderate_idea(shown, "approved")
    hidden = services.submit_idea(live.meeting, "Geheim verborgen idee van iemand", "nl")
    services.moderate_idea(hidden, "hidden")
    services.submit_idea(live.meeting, "Nog niet gemodereerd idee", "nl")
    db.session.commit()
    markdown = client.get(f"/meetings/{live.meeting.id}/summary.md").get_data(as_text=True)
    response = client.get(f"/meetings/{live.meeting.id}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data).replace(":", " ").replace("•", " ").split())
    assert_no_chrome(text)
    for absent in ("Geheim verborgen idee", "Nog niet gemodereerd", "hidden", "verborgen"):
        assert absent.lower() not in text.lower() and absent not in markdown
    for line in markdown.splitlines():
        plain = html.unescape(re.sub(r"\\(.)", r"\1", line))  # Markdown escapes undone
        words = plain.lstrip("#-* ").replace("**", "").replace(":", " ").strip()
        if words:
            assert " ".join(words.split()) in text, words
    assert "Avond over koken" in text and "Een keuken per gang (+0, nl)" in text
    assert not re.search(r"\d\d:\d\d:\d\d", text)  # meeting times without seconds


def test_you_said_we_did_on_the_public_page(client, app, live, db):
    login(client, live.facilitator)
    base = {"theme_name": "inburgering", "agenda_item_id": str(live.items[1].id)}
    client.post(
        f"/meetings/groups/{live.group.id}/updates/new",
        data={
            **base,
            "title_nl": "Avondles gestart",
            "title_ar": "بدأت الدروس المسائية",
            "result_nl": "Er is nu avondles.",
            "result_ar": "توجد الآن دروس مسائية.",
            "not_done_nl": "Les vanaf week één lukt nog niet: het Rijk betaalt niet.",
            "publish": "y",
        },
    )
    client.post(
        f"/meetings/groups/{live.group.id}/updates/new",
        data={**base, "title_nl": "Nog een concept", "result_nl": "Nog niet klaar."},
    )
    assert db.session.execute(select(func.count(MeetingUpdate.id))).scalar_one() == 2
    visitor = app.test_client()
    page = visitor.get(f"/g/{live.group.public_code}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "بدأت الدروس المسائية" in page and "توجد الآن دروس مسائية." in page
    # No Arabic for "not done": Dutch is shown, marked as Dutch.
    assert 'lang="nl" dir="ltr">Les vanaf week één' in page
    assert "Nog een concept" not in page
    assert "Fatima" not in page and live.meeting.join_code not in page
    assert visitor.get("/g/AAAAAAAAAA").status_code == 404


def test_demo_seeder_builds_a_realistic_group(app, make, db):
    from klankbord.meetings.demo import seed_demo

    org = make.org("Gemeente Voorbeeldstad")
    make.user(org, "facilitator")
    lines = seed_demo(org)
    db.session.commit()
    assert any("/m/" in line for line in lines) and any("/g/" in line for line in lines)
    meetings = db.session.execute(select(Meeting).order_by(Meeting.starts_at)).scalars().all()
    assert [m.status for m in meetings] == ["finished", "planned"]
    assert {i.lang for i in db.session.execute(select(MeetingIdea)).scalars()} >= {
        "ar",
        "ti",
        "fa",
        "uk",
        "nl",
    }
    assert len(services.overdue_actions(org.id)) == 1
    assert services.published_updates(meetings[0].group)
    assert services.contributions_for_analysis(org.id)
