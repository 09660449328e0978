"""Recordings in a real browser: a facilitator records a question with the microphone (Chromium's
fake device), the upload is converted, and a resident's phone plays the demo's clip."""

from __future__ import annotations

import pytest
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

from klankbord.surveys import audio

pytestmark = pytest.mark.skipif(not audio.available(), reason="ffmpeg is not installed")


@pytest.fixture(scope="module")
def media_browser(browser):
    """Chromium with a fake microphone that is always allowed (a sine beep), launched from the
    session's Playwright (a second sync Playwright in one process is refused)."""
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
    ]
    media = browser.browser_type.launch(executable_path=str(CHROMIUM), args=args, headless=True)
    yield media
    media.close()


def _page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        screen=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="nl-NL",
        permissions=["microphone"],
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_facilitator_records_a_question_in_the_browser(media_browser, live_server):
    context, page = _page(media_browser, live_server)
    try:
        page.goto("/login")
        page.fill("input[name=email]", live_server.emails["facilitator"])
        page.fill("input[name=password]", live_server.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        page.goto("/surveys/audio?survey=koken&q=food_rating")
        row = page.locator("#clip-food_rating-nl")
        assert row.locator("audio").count() == 0
        row.get_by_role("button", name="Opnemen").click()
        page.wait_for_timeout(2500)
        row.get_by_role("button", name="Opname stoppen").click()
        row.get_by_text("Opgenomen.").wait_for()
        with page.expect_navigation():
            row.get_by_role("button", name="Opname bewaren").click()
        page.wait_for_load_state("load")
        row = page.locator("#clip-food_rating-nl")
        assert "Opname vervangen" in row.inner_text()
        src = row.locator("audio").get_attribute("src")
        assert src.startswith("/surveys/audio/")
        seconds = page.evaluate(
            """async (src) => { const a = new Audio(src); await a.play(); a.pause();
                return a.duration; }""",
            src,
        )
        assert 1.5 < seconds < 4, seconds
    finally:
        context.close()


def test_resident_phone_plays_the_demo_clip(media_browser, live_server):
    from sqlalchemy import select

    from klankbord.extensions import db
    from klankbord.surveys.models import Deployment, SurveyVersion

    with live_server.app.app_context():
        code = (
            db.session.execute(
                select(Deployment.code)
                .join(SurveyVersion)
                .where(SurveyVersion.survey_id == "koken")
            )
            .scalars()
            .first()
        )
    context, page = _page(media_browser, live_server)
    try:
        page.goto(f"/s/{code}/ar")
        with page.expect_navigation():
            page.click("main button[name=nav][value=next]")
        player = page.locator("main audio.rec")
        assert player.get_attribute("preload") == "none"
        played = player.evaluate(
            """async (a) => { await a.play(); await new Promise(r => setTimeout(r, 300));
                a.pause(); return [a.currentTime, a.duration]; }"""
        )
        assert played[0] > 0 and 5 < played[1] < 7, played
        page.screenshot(path="tests/e2e/screenshots/clip-resident-ar.png")
    finally:
        context.close()
