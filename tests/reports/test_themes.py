"""Themes from free text: a run, curation, and curation surviving a re-run; retention deletes."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import delete, select
from tests.reports.helpers import add_responses, deployment, released_report

from klankbord.reports import demo, services
from klankbord.reports.models import QuoteCuration, ReportTheme, ThemeMember
from klankbord.surveys.models import Response


@pytest.fixture
def scope(app, make, db):
    org = make.org(min_group_size=5)
    dep = deployment(app, org, [make.location(org)])
    rng = random.Random(1)
    answers = []
    for n in range(90):
        subject = ("koken", "taal", "privacy")[n % 3]
        text, lang = demo.demo_text(rng, subject)
        answers.append(
            {"what_would_help": text, "_lang": lang, "_day": date(2025, 10 + n % 2, 1 + n % 27)}
        )
    add_responses(dep, answers)
    scope = services.save_scope(
        org, services.ScopeData(name="Vrije tekst", deployment_ids=(dep.id,))
    )
    db.session.commit()
    return scope


def test_run_stores_themes_members_and_report_sections(scope, db):
    run = services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    db.session.commit()
    assert run.n_themes >= 2 and run.n_texts == 90
    members = db.session.execute(select(ThemeMember)).scalars().all()
    assert len(members) == 90 - run.n_other
    report = released_report(scope)
    assert report.n_texts == 90
    assert sum(t.size.value for t in report.themes) + report.other_texts.value == 90
    theme = report.themes[0]
    assert 1 <= len(theme.quotes) <= 5 and theme.terms
    assert sum(c.value or 0 for c in theme.trend.cells[0]) <= theme.size.value
    assert report.run["method"] == "tfidf-lsa-kmeans"


def test_curation_survives_a_rerun(scope, db):
    run = services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    first, second = sorted(run.themes, key=lambda t: -t.size)[:2]
    services.rename_theme(first, "Zelf koken")
    quote = next(m for m in first.members if m.rank == 1)
    services.curate_quote(scope.organisation_id, quote.ref, hidden=True)
    other = next(m for m in first.members if m.rank == 2)
    services.curate_quote(scope.organisation_id, other.ref, translation_nl="Vertaling <b>hier</b>")
    db.session.commit()
    rerun = services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    db.session.commit()
    names = [t.curated_name for t in rerun.themes]
    assert "Zelf koken" in names
    carried = next(t for t in rerun.themes if t.curated_name == "Zelf koken")
    assert carried.carried_from_id == first.id
    assert "Zelf koken" in rerun.changes["kept"] + [g[0] for g in rerun.changes["grown"]] + [
        s[0] for s in rerun.changes["shrunk"]
    ]
    report = released_report(scope)
    section = next(t for t in report.themes if t.title == "Zelf koken")
    refs = [q.ref for q in section.quotes]
    assert quote.ref not in refs
    if other.ref in refs:
        assert next(q for q in section.quotes if q.ref == other.ref).translation_nl.startswith(
            "Vertaling"
        )


def test_merge_and_split_are_kept_on_rerun(scope, db):
    run = services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    themes = sorted(run.themes, key=lambda t: -t.size)
    target, merged = themes[0], themes[1]
    services.rename_theme(target, "Samen")
    services.merge_themes(target, merged)
    db.session.commit()
    rerun = services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    db.session.commit()
    together = [t for t in rerun.themes if t.curated_name == "Samen"]
    assert len(together) == 1
    absorbed = [t for t in rerun.themes if t.merged_into_id == together[0].id]
    assert absorbed, "the second theme is merged again"


def test_retention_delete_removes_texts_from_themes(scope, db):
    run = services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    db.session.commit()
    before = db.session.execute(select(ThemeMember)).scalars().all()
    victim = next(m for m in before if m.response_id)
    db.session.execute(delete(Response).where(Response.id == victim.response_id))
    db.session.commit()
    after = db.session.execute(select(ThemeMember.id)).scalars().all()
    assert len(after) == len(before) - 1
    assert run.n_themes == len(db.session.execute(select(ReportTheme)).scalars().all())


def test_quote_curation_refuses_texts_of_other_organisations(scope, db, make):
    services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    member = db.session.execute(select(ThemeMember).limit(1)).scalar_one()
    other = make.org()
    with pytest.raises(services.ReportError):
        services.curate_quote(other.id, member.ref, hidden=True)
    assert db.session.execute(select(QuoteCuration)).first() is None


def test_automatic_theme_count_stays_within_the_report_cap(scope, app, db):
    from klankbord.analysis import k_bounds

    app.config["REPORT_MAX_THEMES"] = 3
    assert services.report_k_range(90, 5) == (2, 3)
    run = services.recluster_scope(scope, n_resamples=0)
    db.session.commit()
    assert run.params["n_clusters"] == "auto" and 2 <= run.params["chosen_k"] <= 3
    app.config["REPORT_MAX_THEMES"] = 1000
    assert services.report_k_range(5000, 10) == k_bounds(5000, 10)
    app.config["REPORT_MAX_THEMES"] = 15
    assert services.report_k_range(5000, 10) == (2, 15)
