"""A whole sounding-board meeting in two browsers: a facilitator at a desk and a participant on a
360x640 phone in Arabic.

The participant joins with the code before the start and their page follows the room by itself
(the polling script): the start, an approved idea, an opened poll and the next agenda item. The
facilitator approves one idea (it shows on the projector) and hides another (it does not).

axe runs once per distinct state of a page (the live control page with pending, moderated and
answered input), not after every click on it: each run takes seconds on a busy machine.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from tests.e2e.harness import check_a11y, unchecked_pages, watch

pytestmark = pytest.mark.e2e

DESK = {"width": 1280, "height": 800}
#: How long a page may take to follow the room (phones ask every second in these tests, the
#: facilitator's live page every four seconds).
FOLLOW_MS = 12_000

QUESTIONS = [
    {"nl": "Wat maakt samen koken makkelijker?", "ar": "ما الذي يجعل الطبخ معًا أسهل؟"},
    {"nl": "Waar wil je Nederlands oefenen?", "ar": "أين تريد أن تتدرب على اللغة الهولندية؟"},
]
GOOD_IDEA = "ثلاجة صغيرة لكل عائلة في المطبخ المشترك"
RUDE_IDEA = "هذا الاجتماع مضيعة للوقت"


def path_of(page) -> str:
    return urlsplit(page.url).path


@pytest.fixture
def meeting_code(live_server) -> tuple[int, str]:
    """A planned meeting of the demo group with two agenda items; returns (id, join code)."""
    from sqlalchemy import select

    from klankbord.core.time import utcnow
    from klankbord.extensions import db
    from klankbord.meetings import services
    from klankbord.meetings.models import MeetingGroup

    with live_server.app.app_context():
        group = db.session.execute(
            select(MeetingGroup).where(MeetingGroup.name == "Klankbordgroep Voorbeeldstad")
        ).scalar_one()
        meeting = services.create_meeting(
            group, "E2E-avond: koken en taal", utcnow() + timedelta(hours=1), place="Buurthuis")
        for n, question in enumerate(QUESTIONS, start=1):
            services.add_agenda_item(meeting, f"Onderwerp {n}", None, question)
        db.session.commit()
        result = (meeting.id, meeting.join_code)
        db.session.remove()
    return result


@pytest.fixture
def desk(browser, live_server):
    """The facilitator's laptop: a fresh desktop-sized page; every visited page must be checked."""
    context = browser.new_context(base_url=live_server.url, viewport=DESK, locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch(page)
    yield page
    unchecked = unchecked_pages(page)
    context.close()
    assert not unchecked, "Visited but not checked: " + ", ".join(unchecked)


@pytest.fixture
def quick_phones(monkeypatch):
    """Phones ask for news every second instead of every few seconds (same script, same path)."""
    from klankbord.meetings import participant

    monkeypatch.setattr(participant, "POLL_SECONDS", 1)


def click_and_wait(page, selector) -> None:
    with page.expect_navigation():
        page.click(selector)


def log_in(page, live_server) -> None:
    page.goto("/login")
    check_a11y(page, "meeting-staff-login")
    page.fill("input[name=email]", live_server.emails["facilitator"])
    page.fill("input[name=password]", live_server.password)
    click_and_wait(page, "main form button[type=submit]")
    assert path_of(page) == "/"
    check_a11y(page, "meeting-staff-dashboard")


def test_a_whole_meeting_with_a_phone_in_arabic(phone, desk, live_server, meeting_code,
                                                quick_phones):
    meeting_id, code = meeting_code

    # The participant types the code from the screen, chooses Arabic and waits for the start.
    phone.goto("/m")
    check_a11y(phone, "meeting-enter-code")
    phone.fill("#code", code.lower())
    click_and_wait(phone, "main form button[type=submit]")
    assert path_of(phone) == f"/m/{code}"
    check_a11y(phone, "meeting-choose-language")
    click_and_wait(phone, "main a[hreflang=ar]")
    assert path_of(phone) == f"/m/{code}/ar"
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("html").get_attribute("lang") == "ar"
    assert phone.locator("#q").count() == 0
    check_a11y(phone, "meeting-phone-not-started")

    # The facilitator starts the meeting.
    log_in(desk, live_server)
    desk.goto(f"/meetings/{meeting_id}")
    check_a11y(desk, "meeting-planned")
    click_and_wait(desk, f"form[action='/meetings/{meeting_id}/start'] button")
    assert path_of(desk) == f"/meetings/{meeting_id}/live"

    # The phone follows: the first question appears in Arabic.
    expect(phone.locator("#q")).to_contain_text(QUESTIONS[0]["ar"], timeout=FOLLOW_MS)
    check_a11y(phone, "meeting-phone-item-1")

    # Two ideas from the phone; both wait for the facilitator. The script sends them in the
    # background: the page is not reloaded (a marker on window survives), the field is emptied.
    phone.evaluate("window.stayed = true")
    for text in (GOOD_IDEA, RUDE_IDEA):
        phone.fill("#text", text)
        phone.click("form[action$='/idea'] button[type=submit]")
        expect(phone.locator(".msg-success")).to_have_count(1)
        expect(phone.locator("#text")).to_have_value("")
    assert phone.evaluate("window.stayed === true")
    assert phone.locator("ul.ideas li.muted").count() == 1  # nothing on the screen yet
    check_a11y(phone, "meeting-phone-idea-sent")

    # The facilitator's live page refreshes itself when new input arrives.
    expect(desk.locator("ul.ideas li.idea-pending")).to_have_count(2, timeout=FOLLOW_MS)
    check_a11y(desk, "meeting-live-two-ideas")
    click_and_wait(desk, f"li.idea:has-text('{GOOD_IDEA}') button[name=status][value=approved]")
    click_and_wait(desk, f"li.idea:has-text('{RUDE_IDEA}') button[name=status][value=hidden]")
    expect(desk.locator(f"li.idea-approved:has-text('{GOOD_IDEA}')")).to_have_count(1)
    expect(desk.locator(f"li.idea-hidden:has-text('{RUDE_IDEA}')")).to_have_count(1)
    check_a11y(desk, "meeting-live-moderated")

    desk.goto(f"/meetings/{meeting_id}/projector")
    on_screen = desk.locator(".big-ideas")
    expect(on_screen).to_contain_text(GOOD_IDEA)
    assert RUDE_IDEA not in on_screen.inner_text()
    assert desk.locator(".code.big").inner_text() == code
    check_a11y(desk, "meeting-projector-idea")

    # The approved idea reaches the phone; the hidden one never does.
    expect(phone.locator("ul.ideas")).to_contain_text(GOOD_IDEA, timeout=FOLLOW_MS)
    assert RUDE_IDEA not in phone.locator("ul.ideas").inner_text()
    check_a11y(phone, "meeting-phone-idea-approved")

    # The facilitator prepares a poll in Dutch and Arabic and opens it.
    desk.goto(f"/meetings/{meeting_id}/polls/new")
    check_a11y(desk, "meeting-poll-form")
    desk.fill("#question_nl", "Wil je een kookrooster?")
    desk.fill("#question_ar", "هل تريد جدولًا للطبخ؟")
    desk.fill("#options_nl", "Ja\nNee\nWeet ik niet")
    desk.fill("#options_ar", "نعم\nلا\nلا أعرف")
    click_and_wait(desk, "main form button[type=submit]")
    assert path_of(desk) == f"/meetings/{meeting_id}/live"
    click_and_wait(desk, "form[action$='/open'] button")
    expect(desk.locator("form[action$='/close'] button")).to_have_count(1)

    # The poll appears on the phone, in Arabic; the participant answers "لا" (no).
    poll = phone.locator("form[action*='/poll/'] fieldset")
    expect(poll.locator("legend")).to_have_text("هل تريد جدولًا للطبخ؟", timeout=FOLLOW_MS)
    assert poll.locator("label[for=o1]").inner_text() == "لا"
    # Each option is a big tap target as wide as the form.
    box = poll.locator(".opt").nth(1).bounding_box()
    assert box["height"] >= 44 and box["width"] >= 280
    check_a11y(phone, "meeting-phone-poll")
    phone.click("label[for=o1]")
    phone.click("form[action*='/poll/'] button[type=submit]")
    expect(phone.locator(".msg-success")).to_have_count(1)
    expect(phone.locator("form[action*='/poll/']")).to_have_count(0)
    assert phone.evaluate("window.stayed === true")  # followed the whole meeting, no reload
    check_a11y(phone, "meeting-phone-poll-answered")

    results = desk.locator("ul.plain-list > li").first
    expect(results).to_contain_text("Nee: 1", timeout=FOLLOW_MS)
    expect(results).to_contain_text("Ja: 0")
    check_a11y(desk, "meeting-live-poll-answered")
    desk.goto(f"/meetings/{meeting_id}/projector")
    expect(desk.locator(".poll-results meter")).to_have_count(3)
    assert [m.get_attribute("value") for m in desk.locator(".poll-results meter").all()] == [
        "0", "1", "0"]
    # The poll is on the screen in the room's languages, not only in Dutch.
    expect(desk.locator(".room-poll li[lang=ar]", has_text="هل تريد جدولًا للطبخ؟")).to_have_count(1)
    expect(desk.locator(".poll-results li").nth(1).locator("[lang=ar]")).to_have_text("لا")
    check_a11y(desk, "meeting-projector-poll")
    desk.goto(f"/meetings/{meeting_id}/live")

    # Next item: the phone follows to the second question.
    click_and_wait(desk, "form[action$='/move'] button[name=step][value='1']")
    assert re.search(r"Onderwerp 2", desk.locator("main").inner_text())
    check_a11y(desk, "meeting-live-item-2")
    expect(phone.locator("#q")).to_contain_text(QUESTIONS[1]["ar"], timeout=FOLLOW_MS)
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert GOOD_IDEA not in phone.locator("main").inner_text()  # ideas belong to their item
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    check_a11y(phone, "meeting-phone-item-2")
