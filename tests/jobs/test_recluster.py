"""Re-clustering picks up only scopes with new text; a few new texts are assigned by predict."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from tests.jobs import builders

from klankbord.jobs import recluster
from klankbord.jobs.models import ReclusterState
from klankbord.jobs.runner import run_job
from klankbord.reports.models import ThemeMember, ThemeRun

KITCHEN = [
    "We willen zelf koken in een eigen keuken",
    "Een keuken om zelf te koken zou fijn zijn",
    "Zelf koken met eigen pannen in de keuken",
    "Graag een keuken waar we zelf kunnen koken",
    "Koken in de keuken met een eigen fornuis",
    "Een fornuis en pannen om zelf te koken",
    "De keuken is te klein om te koken",
    "Meer kookplaten in de keuken om te koken",
    "Eigen kookgerei en een keuken om te koken",
    "Zelf koken is belangrijk, geef ons een keuken",
    "Wij koken graag zelf in de gezamenlijke keuken",
    "Een grotere keuken om samen te koken",
]
LESSONS = [
    "Meer taalles Nederlands per week graag",
    "Taalles in de avond zodat ik overdag werk",
    "Nederlandse taalles met een goede docent",
    "Ik wil vaker taalles om Nederlands te leren",
    "Taalles Nederlands voor moeders met kinderopvang",
    "De taalles Nederlands is te kort",
    "Graag taalles Nederlands op de locatie",
    "Meer uren taalles om sneller Nederlands te spreken",
    "Taalles Nederlands ook in het weekend",
    "Een taalcafé en taalles Nederlands",
    "Taalles Nederlands met oefenen in de praktijk",
    "Ik wil taalles Nederlands op niveau B1",
]


@pytest.fixture(autouse=True)
def _fresh_models():
    recluster.forget_models()
    yield
    recluster.forget_models()


def _runs(db, scope):
    return db.session.execute(
        select(func.count(ThemeRun.id)).where(ThemeRun.scope_id == scope.id)
    ).scalar_one()


def _members(db, run_id):
    from klankbord.reports.models import ReportTheme

    return db.session.execute(
        select(func.count(ThemeMember.id)).join(ReportTheme).where(ReportTheme.run_id == run_id)
    ).scalar_one()


def test_recluster_only_touches_scopes_with_new_text(app, db, make, frozen):
    org = make.org(min_group_size=5)
    busy_dep = builders.deployment(app, org, datetime(2026, 2, 1), datetime(2026, 4, 1))
    quiet_dep = builders.deployment(app, org, datetime(2026, 2, 1), datetime(2026, 4, 1))
    builders.responses(busy_dep, KITCHEN + LESSONS, day=date(2026, 2, 10))
    builders.responses(quiet_dep, KITCHEN[:6] + LESSONS[:6], day=date(2026, 2, 10))
    busy = builders.scope(org, deployments=[busy_dep], name="Druk")
    quiet = builders.scope(org, deployments=[quiet_dep], name="Stil")
    empty = builders.scope(org, name="Leeg")

    first = run_job("recluster", datetime(2026, 3, 4, 9, 0))
    assert first.outcome == "ok"
    assert first.counts["scopes_refitted"] == 2 and first.counts["scopes_unchanged"] == 1
    busy_run = db.session.execute(select(ThemeRun).where(ThemeRun.scope_id == busy.id)).scalar_one()
    assert busy_run.n_themes >= 2
    fitted_members = _members(db, busy_run.id)

    # Nothing new: nothing re-clustered.
    second = run_job("recluster", datetime(2026, 3, 4, 9, 30))
    assert second.counts["scopes_unchanged"] == 3 and second.counts["scopes_refitted"] == 0
    assert (_runs(db, busy), _runs(db, quiet), _runs(db, empty)) == (1, 1, 0)

    # Two new texts in one scope: assigned with predict, no new run, the other scope untouched.
    builders.responses(
        busy_dep,
        ["Een eigen keuken om zelf te koken", "Meer taalles Nederlands"],
        day=date(2026, 3, 4),
    )
    third = run_job("recluster", datetime(2026, 3, 4, 10, 0))
    assert third.counts["scopes_predicted"] == 1 and third.counts["texts_predicted"] == 2
    assert third.counts["scopes_unchanged"] == 2
    assert (_runs(db, busy), _runs(db, quiet)) == (1, 1)
    db.session.refresh(busy_run)
    assert busy_run.n_texts == 26
    assert _members(db, busy_run.id) == fitted_members + 2
    state = db.session.get(ReclusterState, busy.id)
    assert state.predicted_texts == 2 and len(state.known_refs) == 26

    # After a scheduler restart (no model in memory) the model is rebuilt, not re-fitted.
    recluster.forget_models()
    builders.responses(busy_dep, ["Taalles in de avond graag"], day=date(2026, 3, 4))
    fourth = run_job("recluster", datetime(2026, 3, 4, 10, 30))
    assert fourth.counts["scopes_predicted"] == 1 and _runs(db, busy) == 1

    # Many new texts: a full re-fit with a new run.
    builders.responses(busy_dep, KITCHEN[:5] + LESSONS[:5], day=date(2026, 3, 4))
    fifth = run_job("recluster", datetime(2026, 3, 4, 11, 0))
    assert fifth.counts["scopes_refitted"] == 1 and _runs(db, busy) == 2
    assert db.session.get(ReclusterState, busy.id).fitted_texts == 37


def test_deleted_texts_cause_a_full_refit(app, db, make, frozen):
    from klankbord.surveys.models import Answer

    org = make.org(min_group_size=5)
    dep = builders.deployment(app, org, datetime(2026, 2, 1), datetime(2026, 4, 1))
    ids = builders.responses(dep, KITCHEN + LESSONS, day=date(2026, 2, 10))
    sc = builders.scope(org, deployments=[dep])
    run_job("recluster", datetime(2026, 3, 4, 9, 0))
    db.session.execute(
        Answer.__table__.delete().where(
            Answer.response_id == ids[0], Answer.question_id == "what_would_help"
        )
    )
    db.session.commit()
    result = run_job("recluster", datetime(2026, 3, 4, 9, 30))
    assert result.counts["scopes_refitted"] == 1 and _runs(db, sc) == 2


KITCHEN_AR = [
    "نريد مطبخ خاص لكي نطبخ",
    "المطبخ صغير جدا ولا نستطيع الطبخ",
    "نحتاج مطبخ أكبر للطبخ مع العائلة",
    "الطبخ في المطبخ المشترك صعب",
    "مطبخ نظيف ونطبخ بأنفسنا",
    "أريد أن أطبخ في مطبخ خاص",
    "المطبخ مغلق في المساء ولا نستطيع الطبخ",
    "نطبخ طعامنا في المطبخ كل يوم",
    "مطبخ مع أواني لكي نطبخ",
    "نحتاج أدوات الطبخ في المطبخ",
    "المطبخ مزدحم دائما وقت الطبخ",
    "الطبخ مهم لنا ونحتاج مطبخ",
]
LESSONS_AR = [
    "نريد دروس اللغة الهولندية أكثر",
    "دروس اللغة في المساء أفضل",
    "أنتظر دروس اللغة منذ شهور",
    "دروس اللغة الهولندية قصيرة جدا",
    "نحتاج دروس اللغة مع حضانة للأطفال",
    "دروس اللغة في المركز من فضلك",
    "أريد دروس اللغة الهولندية بمستوى أعلى",
    "دروس اللغة مرتين في الأسبوع فقط",
    "دروس اللغة مع معلم جيد",
    "نريد دروس اللغة في عطلة نهاية الأسبوع",
    "دروس اللغة الهولندية ضرورية للعمل",
    "دروس اللغة والتدريب على المحادثة",
]
_CONCEPTS = (
    ("keuken", "koken", "fornuis", "kookplaten", "kookgerei", "مطبخ", "المطبخ", "الطبخ", "نطبخ"),
    ("taalles", "nederlands", "taalcafé", "دروس", "اللغة"),
)


class _ConceptEmbedder:
    """Maps a text to its concepts (kitchen, lessons) whatever its language; deterministic."""

    name = "fake-concepts-jobs"

    def __call__(self, texts):
        import hashlib

        import numpy as np

        out = np.zeros((len(texts), 6), dtype=np.float32)
        for row, text in enumerate(texts):
            words = text.lower().replace(",", " ").split()
            for concept, keys in enumerate(_CONCEPTS):
                out[row, concept] = sum(w in keys for w in words)
            seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
            out[row, 2:] = np.random.RandomState(seed).normal(0, 0.05, 4)
        return out


def test_a_restarted_scheduler_rebuilds_an_embeddings_run_with_embeddings(
    app, db, make, frozen, monkeypatch
):
    from klankbord.embeddings import services as embeddings
    from klankbord.reports.services import METHOD_EMBEDDINGS

    monkeypatch.setattr(embeddings, "default_embedder", lambda config=None: _ConceptEmbedder())
    org = make.org(min_group_size=5)
    dep = builders.deployment(app, org, datetime(2026, 2, 1), datetime(2026, 4, 1))
    builders.responses(dep, KITCHEN + LESSONS, day=date(2026, 2, 10))
    builders.responses(dep, KITCHEN_AR + LESSONS_AR, day=date(2026, 2, 10), language="ar")
    sc = builders.scope(org, deployments=[dep])
    assert run_job("recluster", datetime(2026, 3, 4, 9, 0)).counts["scopes_refitted"] == 1
    run = db.session.execute(select(ThemeRun).where(ThemeRun.scope_id == sc.id)).scalar_one()
    assert run.method == METHOD_EMBEDDINGS
    assert all(len(theme.languages) == 2 for theme in run.themes)  # themes across languages

    recluster.forget_models()  # a restart: no model in memory
    builders.responses(dep, ["نريد مطبخ أكبر"], day=date(2026, 3, 4), language="ar")
    after = run_job("recluster", datetime(2026, 3, 4, 10, 0))
    assert after.counts["scopes_predicted"] == 1 and after.counts["texts_predicted"] == 1
    assert _runs(db, sc) == 1  # rebuilt on the same features, so no full re-fit
