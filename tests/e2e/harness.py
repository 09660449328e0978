"""Helpers for browser tests: the accessibility check every visited page must pass.

Use :func:`check_a11y` on every page an end-to-end test visits::

    from tests.e2e.harness import check_a11y

    page.goto("/s/abc")
    check_a11y(page, "survey-start")

It saves a screenshot to ``tests/e2e/screenshots/<name>.png`` (git-ignored; look at them), runs
axe-core for the WCAG 2.1 A/AA rules and fails on any violation, on a Content-Security-Policy
violation in the browser console, on a request to another host and on a 5xx answer. The ``phone``
fixture fails a test that leaves a visited page unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

SCREENSHOTS = Path(__file__).parent / "screenshots"
#: axe-core rule tags for WCAG 2.1 levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

_axe = Axe()


@dataclass
class PageWatch:
    """What the browser saw on one page object: visits, CSP errors, foreign requests, 5xx."""

    visited: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


WATCHES: dict[object, PageWatch] = {}


def watch(page) -> PageWatch:
    """Start recording what happens on ``page`` (the ``phone`` fixture does this)."""
    state = PageWatch()
    WATCHES[page] = state

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            state.problems.append(f"CSP violation on {page.url}: {message.text}")

    def on_request(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK_HOSTS:
            state.problems.append(f"Request to another host: {request.url}")

    def on_response(response) -> None:
        if response.status >= 500:
            state.problems.append(f"Server error {response.status} for {response.url}")

    def on_script_error(error) -> None:
        state.problems.append(f"Script error on {page.url}: {error}")

    def on_navigated(frame) -> None:
        if frame == page.main_frame:
            state.visited.append(frame.url)

    page.on("console", on_console)
    page.on("pageerror", on_script_error)
    page.on("request", on_request)
    page.on("response", on_response)
    page.on("framenavigated", on_navigated)
    return state


def check_a11y(page, name: str) -> None:
    """Screenshot the page and fail on WCAG 2.1 A/AA violations, CSP errors, 5xx, foreign hosts."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name):
        raise ValueError("Name screenshots with lower-case letters, digits, '.', '_' and '-'")
    page.wait_for_load_state("load")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = _axe.run(page, options=AXE_OPTIONS)
    state = WATCHES.get(page)
    if state is not None:
        state.checked.add(page.url)
        problems, state.problems = state.problems, []
        assert not problems, "\n".join(problems)
    assert results.violations_count == 0, f"{name} ({page.url}):\n{results.generate_report()}"


def unchecked_pages(page) -> list[str]:
    state = WATCHES.pop(page, None)
    if state is None:
        return []
    return [url for url in dict.fromkeys(state.visited) if url not in state.checked
            and url != "about:blank"]
