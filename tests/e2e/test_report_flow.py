"""A policymaker reads the demo report on a 360x640 phone: accessible, nothing wider than the
screen, charts with their tables, and every theme raised by one language group says so.

The e2e server runs without the embedding model, so the demo's themes follow the language the
texts were written in: exactly the case where the report must name the language plainly.
"""

from __future__ import annotations

import pytest
from tests.e2e.harness import SCREENSHOTS, check_a11y
from tests.e2e.test_accounts_flow import log_in, path_of

pytestmark = pytest.mark.e2e


def test_policymaker_reads_the_demo_report_on_a_phone(phone, live_server):
    log_in(phone, live_server.emails["beleid"], live_server.password)
    check_a11y(phone, "dashboard-policymaker-reports")
    phone.goto("/reports/")
    check_a11y(phone, "reports-index")
    phone.locator("main a[href^='/reports/']").filter(has_text="Wonen").first.click()
    phone.wait_for_load_state("load")
    assert path_of(phone).startswith("/reports/")
    check_a11y(phone, "report-demo")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # Folded on a phone: contents first, each question and theme opens by tapping its title.
    folded_height = phone.evaluate("document.documentElement.scrollHeight")
    assert phone.locator("nav.toc a").count() >= 6
    phone.locator("article.theme summary").first.click()
    assert phone.locator("article.theme details").first.get_attribute("open") is not None
    phone.evaluate("document.querySelectorAll('details.fold').forEach(d => d.open = true)")
    assert phone.evaluate("document.documentElement.scrollHeight") > 3 * folded_height
    check_a11y(phone, "report-demo-unfolded")
    assert phone.locator("article.theme").count() >= 3
    assert phone.locator("svg").count() >= 1  # charts, each beside its table
    notes = phone.locator("article.theme .language-note")
    texts = [notes.nth(i).inner_text() for i in range(notes.count())]
    assert texts, "no theme says which language raised it"
    # One theme on its own, for people to look at (the whole report is a long page).
    theme = phone.locator("article.theme", has=phone.locator(".language-note")).nth(2)
    theme.screenshot(path=str(SCREENSHOTS / "report-theme-language-note.png"))
    assert all(text.startswith(("Alleen genoemd in", "Vooral genoemd in")) for text in texts)
