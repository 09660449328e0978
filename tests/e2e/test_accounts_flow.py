"""Staff login, organisation switch, logout and the admin's second factor on a 360x640 phone.

Selectors use form actions, names and ids rather than visible text, so the tests keep working
when the Dutch catalogue is compiled.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pyotp
import pytest
from tests.e2e.harness import check_a11y

pytestmark = pytest.mark.e2e


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    check_a11y(page, "login-form")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state("load")


def path_of(page) -> str:
    return urlsplit(page.url).path


def test_login_page_on_a_phone(phone):
    phone.goto("/login")
    assert phone.locator("html").get_attribute("lang") == "nl"
    assert phone.locator("html").get_attribute("dir") == "ltr"
    check_a11y(phone, "login")
    # The skip link is the first thing a keyboard reaches, and it becomes visible.
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.className") == "skip-link"
    assert phone.locator(".skip-link").bounding_box()["y"] >= 0
    # Nothing is wider than the phone screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_wrong_password_shows_an_accessible_error(phone, live_server):
    log_in(phone, live_server.emails["facilitator"], "not the right password at all")
    assert path_of(phone) == "/login"
    assert phone.locator(".flash-error[role=alert]").count() == 1
    check_a11y(phone, "login-failed")


def test_facilitator_logs_in_and_sees_the_dashboard(phone, live_server):
    log_in(phone, live_server.emails["facilitator"], live_server.password)
    assert path_of(phone) == "/"
    assert phone.locator("main h1").inner_text() == "Gemeente Voorbeeldstad"
    check_a11y(phone, "dashboard-facilitator")
    phone.click("a.card[href='/admin/locations']")
    assert path_of(phone) == "/admin/locations"
    assert phone.locator("main li a").count() == 3
    check_a11y(phone, "locations-facilitator")
    phone.locator("main li a").first.click()
    assert path_of(phone).startswith("/admin/locations/")
    check_a11y(phone, "location-detail")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_facilitator_switches_organisation(phone, live_server):
    log_in(phone, live_server.emails["facilitator"], live_server.password)
    check_a11y(phone, "dashboard-before-switch")
    switch = phone.locator("form[action='/organisation']")
    switch.locator("select[name=organisation_id]").select_option(
        label="Regio Oost (steunorganisatie)")
    switch.locator("button[type=submit]").click()
    phone.wait_for_load_state("load")
    assert phone.locator("main h1").inner_text() == "Regio Oost (steunorganisatie)"
    assert phone.locator(".org-name").inner_text() == "Regio Oost (steunorganisatie)"
    check_a11y(phone, "dashboard-after-switch")
    # The choice sticks on the next page.
    phone.goto("/admin/locations")
    assert phone.locator("main li a").all_inner_texts() == ["AZC Heuvelrug"]
    check_a11y(phone, "locations-other-organisation")


def test_logout_ends_the_session(phone, live_server):
    log_in(phone, live_server.emails["beleid"], live_server.password)
    assert path_of(phone) == "/"
    check_a11y(phone, "dashboard-policymaker")
    phone.click("form[action='/logout'] button[type=submit]")
    phone.wait_for_load_state("load")
    assert path_of(phone) == "/login"
    assert phone.locator(".flash[role=status]").count() == 1
    check_a11y(phone, "logged-out")
    phone.goto("/admin/locations")
    assert path_of(phone) == "/login"
    assert phone.locator("input[name=email]").count() == 1
    check_a11y(phone, "login-after-logout")


def _fresh_totp(secret: str) -> str:
    """A code for the current step, waiting out the step if the code was already used."""
    totp = pyotp.TOTP(secret)
    remaining = totp.interval - time.time() % totp.interval
    if remaining < 3:  # the code would expire while typing
        time.sleep(remaining + 0.2)
    return totp.now()


def test_admin_logs_in_with_a_second_factor(phone, live_server):
    log_in(phone, live_server.emails["admin"], live_server.password)
    assert path_of(phone) == "/login/second-factor"
    check_a11y(phone, "second-factor")
    # Nothing opens before the second factor.
    phone.goto("/admin/members")
    assert path_of(phone) == "/login/second-factor"
    phone.fill("input[name=code]", "000000")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state("load")
    assert phone.locator("input[name=code][aria-invalid=true]").count() == 1
    check_a11y(phone, "second-factor-wrong-code")
    phone.fill("input[name=code]", _fresh_totp(live_server.admin_totp_secret))
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state("load")
    assert path_of(phone) == "/admin/members"
    check_a11y(phone, "members")
    phone.fill("input[name=email]", "nieuwe.collega@voorbeeldstad.example")
    phone.locator("main form[action='/admin/members/invite'] select[name=role]").select_option(
        "policymaker")
    phone.click("main form[action='/admin/members/invite'] button[type=submit]")
    phone.wait_for_load_state("load")
    # The link goes by mail to the invited address only; the page names the address and role.
    main_text = phone.locator("main").inner_text()
    assert "nieuwe.collega@voorbeeldstad.example" in main_text and "/invite/" not in main_text
    check_a11y(phone, "invite-sent")
    phone.goto("/admin/audit")
    assert phone.locator("table tbody tr").count() >= 2
    check_a11y(phone, "audit-log")


def test_error_page_and_english(phone):
    response = phone.goto("/does-not-exist")
    assert response.status == 404
    check_a11y(phone, "error-404")
    phone.click("form[action='/language'] button[value=en]")
    phone.wait_for_load_state("load")
    assert phone.locator("html").get_attribute("lang") == "en"
    check_a11y(phone, "error-404-en")
