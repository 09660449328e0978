"""Free text of a scope and its clustering into a theme run (the curation is carried over)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import insert, select

from klankbord.core.refs import text_ref
from klankbord.extensions import db
from klankbord.reports.models import ReportScope, ReportTheme, ThemeMember, ThemeRun
from klankbord.reports.services.curation import carry_curation
from klankbord.reports.services.scopes import (
    min_group_size,
)

#: Representative texts stored per theme; the report shows up to five that may be shown.
STORED_REPRESENTATIVES = 8
#: Threads numpy/scikit-learn may use while clustering (the web server shares the machine).
CLUSTER_THREADS = 2
METHOD_TFIDF = "tfidf-lsa-kmeans"
METHOD_EMBEDDINGS = "embeddings-kmeans"


# Free text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextItem:
    """One free text in a scope, by reference."""

    response_id: str | None
    question_id: str | None
    idea_id: int | None
    text: str
    language: str
    day: date
    source: str

    @property
    def ref(self) -> str:
        return text_ref(self.response_id, self.question_id, self.idea_id)


def collect_texts(scope: ReportScope) -> list[TextItem]:
    """Survey free-text answers and/or meeting ideas of a scope, each with id, language and day
    (through the surveys' and meetings' seams, which work out the free-text questions)."""
    from klankbord.meetings import seam as meetings
    from klankbord.surveys import seam as surveys

    filters = {
        "period_from": scope.period_from,
        "period_to": scope.period_to,
        "languages": scope.languages or (),
    }
    items: list[TextItem] = []
    if scope.include_survey_text:
        rows = surveys.scope_free_text(
            scope.organisation_id,
            scope.deployment_ids or (),
            location_ids=scope.location_ids or (),
            **filters,
        )
        items += [TextItem(r, q, None, t, lang, day, "survey") for r, q, t, lang, day in rows]
    if scope.include_meeting_text and scope.meeting_ids:
        rows = meetings.scope_ideas(scope.organisation_id, scope.meeting_ids, **filters)
        items += [TextItem(None, None, i, t, lang, day, "meeting") for i, t, lang, day in rows]
    return items


def _clusterer_method(clusterer) -> str:
    """Name the feature stage that was really used (an embedding stage may have fallen back)."""
    from klankbord.analysis import method_of

    kind = method_of(clusterer).get("vectorizer")
    if kind == "tfidf":
        return METHOD_TFIDF
    if kind in ("embeddings", "embeddings+tfidf"):
        return METHOD_EMBEDDINGS
    return f"{str(kind).lower()}-kmeans"


def scope_vectorizer(items):
    """The multilingual embedding stage when configured and installed, else None (TF-IDF).

    Stored vectors (computed by the background ``embed`` job) are reused through a cache, so a
    re-cluster only embeds texts that arrived since the last job run.
    """
    from klankbord.analysis import make_vectorizer
    from klankbord.analysis.embedding import embedder_name
    from klankbord.embeddings.services import default_embedder, embedding_cache_for

    embedder = default_embedder()
    if embedder is None:
        return None
    model = embedder_name(embedder)
    return make_vectorizer("auto", embedder=embedder, cache=embedding_cache_for(items, model))


def report_k_range(n_texts: int, min_group: int) -> tuple[int, int]:
    """Bounds for the automatic number of themes in a report: the engine's, capped.

    The cap is REPORT_MAX_THEMES (15 by default).

    A council proposal discusses a handful of themes, not forty: above the cap the automatic
    choice mostly splits one subject by wording or language, which a reader must merge back by
    hand. Curation can still split a theme; a fixed number ignores the cap.
    """
    from klankbord.analysis import k_bounds

    low, high = k_bounds(n_texts, min_group)
    cap = max(low, int(current_app.config.get("REPORT_MAX_THEMES", 15)))
    return low, min(high, cap)


def theme_naming(theme) -> dict:
    """What a report shows about how an engine theme was named (JSON-ready)."""
    from klankbord.analysis import topic_by_id

    doc = theme.to_dict()
    naming = {
        key: doc[key] for key in ("title_source", "topic", "topic_title", "topic_score", "keywords")
    }
    topic = topic_by_id(theme.topic)
    naming["topic_close"] = bool(topic and theme.gist == topic.gist["nl"])
    return naming


def recluster_scope(
    scope: ReportScope,
    *,
    n_clusters: int | str = "auto",
    random_state: int = 0,
    n_resamples: int = 5,
) -> ThemeRun:
    """Cluster the scope's free text into a new ThemeRun, carrying curation over from the last run.

    The jobs engineer calls this from a scheduled job; it flushes, the caller commits.
    """
    from threadpoolctl import threadpool_limits

    from klankbord.analysis import FeedbackClusterer

    k = min_group_size(scope)
    previous = db.session.execute(
        select(ThemeRun).where(ThemeRun.scope_id == scope.id).order_by(ThemeRun.id.desc()).limit(1)
    ).scalar_one_or_none()
    items = collect_texts(scope)
    run = ThemeRun(
        organisation_id=scope.organisation_id,
        scope_id=scope.id,
        method=METHOD_TFIDF,
        params={},
        n_texts=len(items),
    )
    db.session.add(run)
    db.session.flush()
    labels: list[int] = [-1] * len(items)
    themes = []
    if len(items) >= 2 * k:
        clusterer = FeedbackClusterer(
            n_clusters=n_clusters,
            k_range=report_k_range(len(items), k),
            min_cluster_size=k,
            random_state=random_state,
            n_resamples=n_resamples,
            n_representatives=STORED_REPRESENTATIVES,
            vectorizer=scope_vectorizer(items),
        )
        with threadpool_limits(limits=CLUSTER_THREADS):
            clusterer.fit([i.text for i in items], languages=[i.language for i in items])
        labels = [int(x) for x in clusterer.labels_]
        themes = list(clusterer.themes_)
        run.method = _clusterer_method(clusterer)
        from klankbord.analysis import method_of

        run.params = {
            "vectorizer": method_of(clusterer),
            "n_clusters": n_clusters,
            "chosen_k": int(clusterer.n_clusters_),
            "min_cluster_size": k,
            "random_state": random_state,
            "n_resamples": n_resamples,
        }
    else:
        run.params = {"skipped": "too_few_texts", "min_texts": 2 * k}
    theme_rows = []
    for theme in themes:
        stability = theme.stability if theme.stability == theme.stability else None
        row = ReportTheme(
            organisation_id=scope.organisation_id,
            run_id=run.id,
            number=theme.id,
            label=(theme.title or theme.label)[:300],
            gist=theme.gist[:400] or None,
            naming=theme_naming(theme),
            terms=list(theme.terms),
            size=theme.size,
            share=theme.size / len(items) if items else 0.0,
            languages=dict(theme.languages),
            stability=stability,
        )
        theme_rows.append(row)
    db.session.add_all(theme_rows)
    db.session.flush()
    ranks = {}
    for theme in themes:
        for rank, index in enumerate(theme.representatives, start=1):
            ranks[index] = rank
    members = [
        {
            "theme_id": theme_rows[label].id,
            "response_id": item.response_id,
            "question_id": item.question_id,
            "idea_id": item.idea_id,
            "language": item.language,
            "rank": ranks.get(index),
            "pinned": False,
        }
        for index, (item, label) in enumerate(zip(items, labels, strict=True))
        if label >= 0
    ]
    if members:
        db.session.execute(insert(ThemeMember), members)
    run.n_themes = len(theme_rows)
    run.n_other = sum(1 for label in labels if label < 0)
    db.session.flush()
    if previous is not None:
        run.changes = carry_curation(previous, run)
        db.session.flush()
    return run
