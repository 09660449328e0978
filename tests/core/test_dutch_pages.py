"""Dutch staff pages speak Dutch: every HTML page of the route inventory, opened in Dutch by the
demo's admin and policymaker, shows no English status word, role or job description."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from tests.conftest import login

#: English words that reached Dutch pages before (issue 16) and their family.
ENGLISH = re.compile(
    r"\b(draft|hidden|approved|pending|policymaker|facilitator|administrator|running|skipped|"
    r"overdue|published|revoked|expired|not scheduled|never|Your role|Delete free text|"
    r"Weekly summary|Tell facilitators|Update the themes|Compute multilingual)\b"
)


def visible_text(page: str) -> str:
    """The words of the interface: no scripts, styles, code (identifiers in the audit log),
    residents' words, attributes, e-mail addresses or URLs."""
    page = re.sub(r"(?is)<(script|style|code|pre|blockquote)\b.*?</\1>", " ", page)
    # Words residents wrote, marked translate="no" (a theme's key terms).
    page = re.sub(r'(?is)<span[^>]*translate="no"[^>]*>.*?</span>', " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    text = html_lib.unescape(page)
    return re.sub(r"\S*@\S*|https?://\S+", " ", text)


@pytest.fixture
def demo(app, db):
    from klankbord.cli import seed_demo

    app.config["ANALYSIS_EMBEDDINGS"] = "off"
    seed_demo()
    db.session.commit()
    return app


def test_dutch_staff_pages_show_no_english(demo, db):
    from sqlalchemy import select
    from tests.e2e.test_every_page import VISITS, demo_values, url_of

    from klankbord.accounts.models import User
    from klankbord.cli import DEMO_PASSWORD

    values = demo_values(demo)
    problems = []
    for who in ("admin", "beleid"):
        client = demo.test_client()
        user = db.session.execute(
            select(User).where(User.email == f"{who}@voorbeeldstad.example")
        ).scalar_one()
        login(client, user, DEMO_PASSWORD)
        client.post("/language", data={"lang": "nl", "next": "/"})
        assert "Uitloggen" in client.get("/").get_data(as_text=True)  # really in Dutch
        pages = 0
        for visit in VISITS:
            if visit.who != who:
                continue
            url = url_of(visit, values)
            response = client.get(url, headers={"Accept-Language": "nl"})
            if response.mimetype != "text/html" or response.status_code != 200:
                continue
            pages += 1
            text = visible_text(response.get_data(as_text=True))
            found = sorted(set(ENGLISH.findall(text)))
            if found:
                where = [text[max(0, m.start() - 60):m.end() + 20] for m in ENGLISH.finditer(text)]
                problems.append(f"{who} {url}: {found} {where[:3]}")
        assert pages > (30 if who == "admin" else 3)
    assert not problems, "English on Dutch staff pages:\n" + "\n".join(problems)
