"""Issue 15: every theme of the demo report has a Dutch title and gist; non-Dutch quotes get a Dutch
aid that says it is not a translation; facilitators can still rename."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from klankbord.analysis import embeddings_available
from klankbord.core import time as clock

NOW = datetime(2026, 11, 30, 10, 30)
DUTCH_SOURCES = {"dutch_text", "codebook", "codebook_weak"}


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


def _check_demo_report(db):
    from klankbord.analysis import load_codebook
    from klankbord.cli import seed_demo
    from klankbord.reports import releases, services
    from klankbord.reports.models import ReportScope, ReportTheme

    seed_demo()
    db.session.commit()
    scope = db.session.execute(select(ReportScope)).scalar_one()
    rows = db.session.execute(select(ReportTheme)).scalars().all()
    assert rows
    codebook_titles = {t.title["nl"] for t in load_codebook()}
    for row in rows:
        naming = row.naming
        assert naming["title_source"] in DUTCH_SOURCES, (row.label, naming)
        assert row.label and row.gist
        if naming["title_source"] == "codebook":
            assert row.label in codebook_titles
        assert naming["topic"] and naming["topic_score"] is not None
        assert set(naming["keywords"]) <= set(row.languages)
        for words in naming["keywords"].values():
            assert not {"на", "вже", "de", "het", "the", "في"} & set(words)

    report = services.build_report(scope, release=releases.latest_release(scope=scope))
    assert report.themes
    non_dutch = [q for t in report.themes for q in t.quotes if q.language != "nl"]
    assert non_dutch
    for quote in non_dutch:
        assert quote.translation_nl or quote.aid is not None, quote.text
    aided = [q.aid for q in non_dutch if q.aid is not None]
    assert any(a.gist for a in aided) and any(a.dutch_text for a in aided)
    for theme in report.themes:
        shown = {q.text for q in theme.quotes if q.language == "nl"}
        for quote in theme.quotes:
            if quote.aid is not None and quote.aid.dutch_text:
                # the aid only repeats a Dutch quote the report shows in the same theme
                assert quote.aid.dutch_text in shown
    return scope, report


def test_every_demo_theme_has_a_dutch_title_and_quotes_a_dutch_aid(app, db, frozen, client):
    from klankbord.reports import releases, services
    from klankbord.reports.models import ReportTheme

    scope, report = _check_demo_report(db)
    # Facilitators can still rename: the curated name wins over the engine's Dutch title.
    row = db.session.get(ReportTheme, report.themes[0].id)
    services.rename_theme(row, "Eigen naam van de facilitator")
    db.session.commit()
    release = releases.latest_release(scope=scope)
    assert row.title == "Eigen naam van de facilitator"
    assert services.build_report(scope, release=release).themes[0].title == row.title


@pytest.mark.skipif(not embeddings_available(), reason="the embedding model is not installed")
def test_demo_titles_on_the_embedding_model(app, db, frozen):
    """The same with the themes found on the multilingual model (codebook matched by vectors)."""
    app.config["ANALYSIS_EMBEDDINGS"] = "auto"
    _check_demo_report(db)
