"""A resident answers the koken survey on a 360x640 phone (Arabic with script, Dutch without), stops
a survey halfway, and a facilitator deploys a survey and opens its poster.

Each resident test gets its own deployment, so counting its stored responses is exact. Selectors use
names, values and ids (not visible text), so the tests keep working when texts change.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from tests.e2e.conftest import PHONE
from tests.e2e.harness import WATCHES, check_a11y, unchecked_pages, watch

pytestmark = pytest.mark.e2e

#: A Dutch mobile number planted in free text; it must never be stored.
PHONE_NUMBER = "06-12345678"


# Helpers -------------------------------------------------------------------------------------


def new_deployment(live_server, survey_id: str = "koken") -> str:
    """Open a fresh deployment of a shipped survey at the demo's first location; return its code."""
    from sqlalchemy import select

    from klankbord.accounts.models import Organisation
    from klankbord.core.time import utcnow
    from klankbord.extensions import db
    from klankbord.surveys import services

    with live_server.app.app_context():
        org = db.session.execute(
            select(Organisation).where(Organisation.slug == "voorbeeldstad")).scalar_one()
        version = services.versions_of(survey_id)[0]
        now = utcnow().replace(microsecond=0)
        deployment = services.create_deployment(
            org, version, services.all_locations(org)[:1], now - timedelta(minutes=1),
            now + timedelta(days=1))
        db.session.commit()
        code = deployment.code
        db.session.remove()
    return code


def stored_responses(live_server, code: str) -> list[dict]:
    """Every stored response of a deployment as {"language", "answers": {question: [values]}}."""
    from sqlalchemy import select

    from klankbord.extensions import db
    from klankbord.surveys.models import Deployment, Response

    with live_server.app.app_context():
        deployment = db.session.execute(
            select(Deployment).where(Deployment.code == code)).scalar_one()
        rows = []
        for response in db.session.execute(
                select(Response).where(Response.deployment_id == deployment.id)).scalars():
            answers: dict[str, list] = {}
            for answer in sorted(response.answers, key=lambda a: (a.question_id, a.position)):
                number, text = answer.value_number, answer.value_text
                value = number if number is not None else text
                answers.setdefault(answer.question_id, []).append(value)
            rows.append({"language": response.language, "answers": answers})
        db.session.remove()
    return rows


def path_of(page) -> str:
    return urlsplit(page.url).path


def question_id(page) -> str:
    """The id of the question on the page (the hidden ``page`` field of the form)."""
    return page.locator("form[data-survey] input[name=page]").get_attribute("value")


def choose(page, qid: str, value: str) -> None:
    page.click(f"label[for='q-{qid}-{value}']")


def step(page, nav: str = "next") -> None:
    with page.expect_navigation():
        page.click(f"main button[name=nav][value='{nav}']")


def assert_fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def start(page, code: str, lang: str, check) -> None:
    """Open the deployment link, choose ``lang`` and press Start."""
    page.goto(f"/s/{code}")
    check(page, f"survey-choose-{lang}")
    page.click(f"a.lang[hreflang={lang}]")
    page.wait_for_load_state("load")
    assert path_of(page) == f"/s/{code}/{lang}"
    assert page.locator("html").get_attribute("lang") == lang
    check(page, f"survey-{lang}-intro")
    step(page)


@pytest.fixture
def checker(browser, live_server):
    """A page with script, used only to run axe on HTML that a script-less phone received."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE,
                                  device_scale_factor=1)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def nojs_phone(browser, live_server, checker):
    """A 360x640 phone with JavaScript switched off; ``check`` runs axe on a copy of its page."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, screen=PHONE, device_scale_factor=1,
        is_mobile=True, has_touch=True, locale="nl-NL", java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch(page)

    def check(target, name: str) -> None:
        """Screenshot what the phone shows; run axe on the same HTML and styles in ``checker``.

        axe-core waits on timers, which never fire in a page without script, so the HTML the
        phone received is served again (scripts blocked) at the same address in a page with script.
        """
        from tests.e2e.harness import SCREENSHOTS

        target.wait_for_load_state("load")
        html, url = target.content(), target.url
        checker.context.unroute("**/*")

        def serve(route) -> None:
            if route.request.url == url:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            elif route.request.resource_type == "script":
                route.abort()
            else:
                route.continue_()

        checker.context.route("**/*", serve)
        checker.goto(url)
        check_a11y(checker, name)
        # The screenshot is what the phone without script shows (typed text included).
        target.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        state = WATCHES[target]
        state.checked.add(url)
        problems, state.problems = state.problems, []
        assert not problems, "\n".join(problems)

    yield page, check
    unchecked = unchecked_pages(page)
    context.close()
    assert not unchecked, "Visited but not checked: " + ", ".join(unchecked)


# Resident flows ------------------------------------------------------------------------------


def test_arabic_resident_answers_every_question_right_to_left(phone, live_server):
    code = new_deployment(live_server)
    start(phone, code, "ar", check_a11y)
    seen = []

    def on_question(qid: str) -> None:
        seen.append(qid)
        assert question_id(phone) == qid
        assert phone.locator("html").get_attribute("dir") == "rtl"
        assert_fits_the_phone(phone)
        check_a11y(phone, f"survey-ar-{len(seen):02d}-{qid}")

    on_question("kitchen_access")
    choose(phone, "kitchen_access", "shared_kitchen")
    step(phone)
    # show_if: a kitchen, so the number of cooking days is asked. Arabic-Indic digits are accepted.
    on_question("cooking_days")
    phone.fill("#q-cooking_days", "٣")
    step(phone)
    on_question("cooking_barriers")
    choose(phone, "cooking_barriers", "fixed_times")
    choose(phone, "cooking_barriers", "money")
    step(phone)
    on_question("food_rating")
    choose(phone, "food_rating", "2")
    step(phone)
    on_question("food_fits_needs")
    choose(phone, "food_fits_needs", "yes")
    step(phone)
    on_question("cook_together")  # food_missing is shown only after "no"
    choose(phone, "cook_together", "yes")
    step(phone)
    on_question("what_would_help")
    phone.fill("#q-what_would_help", f"مطبخ أكبر. اتصل بي على {PHONE_NUMBER} من فضلك")
    step(phone)
    on_question("anything_else")
    step(phone)  # skipped

    assert phone.locator("form[data-survey] input[name=page]").get_attribute("value") == "check"
    assert phone.locator("html").get_attribute("dir") == "rtl"
    assert phone.locator("ol.review > li").count() == len(seen)
    assert phone.locator("ol.review > li").last.locator(".muted").count() == 1
    assert_fits_the_phone(phone)
    check_a11y(phone, "survey-ar-check")
    with phone.expect_navigation(url=re.compile(r"/thanks\?")):
        phone.click("main button[data-submit]")
    assert path_of(phone) == f"/s/{code}/ar/thanks"
    assert phone.locator("html").get_attribute("dir") == "rtl"
    # The receipt code is one left-to-right unit on one line inside the Arabic sentence.
    receipt = phone.locator(".receipt bdi[dir=ltr]")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", receipt.inner_text())
    assert receipt.evaluate("el => el.getClientRects().length") == 1
    check_a11y(phone, "survey-ar-thanks")

    [response] = stored_responses(live_server, code)
    answers = response["answers"]
    assert response["language"] == "ar"
    assert answers["kitchen_access"] == ["shared_kitchen"]
    assert answers["cooking_days"] == [3]
    assert sorted(answers["cooking_barriers"]) == ["fixed_times", "money"]
    assert answers["food_rating"] == ["2"]
    assert "food_missing" not in answers and "anything_else" not in answers
    [help_text] = answers["what_would_help"]
    assert "12345678" not in help_text and "[telefoonnummer]" in help_text
    assert help_text.startswith("مطبخ أكبر")
    # Reloading the receipt stores nothing again.
    phone.reload()
    check_a11y(phone, "survey-ar-thanks-reloaded")
    assert len(stored_responses(live_server, code)) == 1


def test_dutch_resident_without_javascript_branches_skips_and_submits(nojs_phone, live_server):
    page, check = nojs_phone
    code = new_deployment(live_server)
    start(page, code, "nl", check)

    assert question_id(page) == "kitchen_access"
    assert page.locator("html").get_attribute("dir") == "ltr"
    check(page, "survey-nl-nojs-kitchen_access")
    choose(page, "kitchen_access", "no_kitchen")
    step(page)
    # show_if: no kitchen, so "how many days did you cook" is not asked.
    assert question_id(page) == "cooking_barriers"
    check(page, "survey-nl-nojs-cooking_barriers")
    step(page)  # skipped
    assert question_id(page) == "food_rating"
    check(page, "survey-nl-nojs-food_rating")
    choose(page, "food_rating", "4")
    step(page)
    assert question_id(page) == "food_fits_needs"
    choose(page, "food_fits_needs", "no")
    step(page)
    # show_if: "no" opens the follow-up question.
    assert question_id(page) == "food_missing"
    page.fill("#q-food_missing", f"Halal vlees. Bel me gerust op {PHONE_NUMBER}.")
    check(page, "survey-nl-nojs-food_missing")
    step(page)
    assert question_id(page) == "cook_together"
    # Back keeps what was typed.
    step(page, "back")
    assert question_id(page) == "food_missing"
    assert PHONE_NUMBER in page.input_value("#q-food_missing")
    step(page)
    choose(page, "cook_together", "dont_know")
    step(page)
    assert question_id(page) == "what_would_help"
    page.fill("#q-what_would_help", "Een eigen kookplaat per gezin.")
    step(page)
    assert question_id(page) == "anything_else"
    step(page)

    assert question_id(page) == "check"
    reviewed = page.locator("ol.review > li")
    assert reviewed.count() == 8  # nine questions, cooking_days hidden by show_if
    assert page.locator("ol.review > li .muted").count() == 2  # the two skipped questions
    assert_fits_the_phone(page)
    check(page, "survey-nl-nojs-check")
    # Change one answer from the check page, then come back to it.
    step(page, "goto:food_rating")
    assert question_id(page) == "food_rating"
    assert page.is_checked("#q-food_rating-4")
    choose(page, "food_rating", "5")
    step(page)
    step(page)  # food_fits_needs, answered already
    step(page)  # food_missing
    step(page)  # cook_together
    step(page)  # what_would_help
    step(page)  # anything_else
    assert question_id(page) == "check"
    with page.expect_navigation(url=re.compile(r"/thanks\?")):
        page.click("main button[data-submit]")
    assert path_of(page) == f"/s/{code}/nl/thanks"
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", page.locator(".receipt").inner_text())
    check(page, "survey-nl-nojs-thanks")

    [response] = stored_responses(live_server, code)
    answers = response["answers"]
    assert response["language"] == "nl"
    assert set(answers) == {"kitchen_access", "food_rating", "food_fits_needs", "food_missing",
                            "cook_together", "what_would_help"}
    assert answers["food_rating"] == ["5"]
    assert answers["food_fits_needs"] == ["no"]
    [missing] = answers["food_missing"]
    assert missing == "Halal vlees. Bel me gerust op [telefoonnummer]."


def test_stop_forgets_the_answers(nojs_phone, live_server):
    page, check = nojs_phone
    code = new_deployment(live_server)
    start(page, code, "nl", check)
    choose(page, "kitchen_access", "own_kitchen")
    step(page)
    assert question_id(page) == "cooking_days"
    page.fill("#q-cooking_days", "5")
    check(page, "survey-nl-before-stop")
    with page.expect_navigation():
        page.click("header a.stop")
    assert path_of(page) == f"/s/{code}/nl/stop"
    check(page, "survey-nl-stopped")
    assert stored_responses(live_server, code) == []
    # Starting again begins with an empty form: nothing was kept, not even in a cookie.
    assert page.context.cookies() == []
    with page.expect_navigation():
        page.click("main a.btn")
    step(page)
    assert question_id(page) == "kitchen_access"
    assert page.locator("input[name='a.kitchen_access']:checked").count() == 0
    check(page, "survey-nl-start-again")


# Staff side ----------------------------------------------------------------------------------


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    check_a11y(page, "survey-staff-login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert path_of(page) == "/"
    check_a11y(page, "survey-staff-dashboard")


def test_facilitator_deploys_a_survey_and_opens_the_poster(phone, live_server):
    log_in(phone, live_server.emails["facilitator"], live_server.password)
    phone.goto("/surveys/")
    check_a11y(phone, "surveys-index")
    assert_fits_the_phone(phone)
    with phone.expect_navigation():
        phone.click("section:has(#s-wonen) a.button")
    check_a11y(phone, "survey-deploy-form")
    # Without a location the form is refused with a message next to the field.
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert phone.locator("#locations-error").count() == 1
    check_a11y(phone, "survey-deploy-no-location")
    phone.locator("main input[name=locations]").last.check()
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert re.fullmatch(r"/surveys/deployments/\d+", path_of(phone))
    assert phone.locator(".flash").count() >= 1
    link = phone.locator("code.link").inner_text()
    code = link.rstrip("/").rsplit("/", 1)[-1]
    assert link == f"{live_server.url}/s/{code}"
    check_a11y(phone, "survey-deployment")
    assert_fits_the_phone(phone)

    with phone.expect_navigation():
        phone.click(f"a[href='{path_of(phone)}/poster']")
    assert phone.locator("svg.qr").count() == 1
    assert phone.locator(".poster-link").inner_text() == link
    assert phone.locator(".poster-calls li[lang=ar][dir=rtl]").count() == 1
    check_a11y(phone, "survey-poster")
    # The poster's link opens the survey for residents.
    phone.goto(link)
    assert phone.locator("a.lang").count() == 7
    check_a11y(phone, "survey-poster-link")
