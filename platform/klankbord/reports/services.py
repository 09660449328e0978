"""Reports: aggregate a scope in SQL, find themes in its free text, curate them, build the report.

:func:`build_report` is the only way a report's numbers reach a reader: the page, the PDF, the CSV
and the share link all render the :class:`Report` it returns, and every number in it has already
passed small-group suppression (see ``suppression.py``). Services flush; views and jobs commit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, delete, func, insert, select, update

from klankbord.accounts.models import Location, Organisation
from klankbord.core.refs import text_ref
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import Meeting, MeetingAction, MeetingIdea, MeetingUpdate
from klankbord.reports import ptable
from klankbord.reports import suppression as sup
from klankbord.reports.models import (
    QuoteCuration,
    ReportScope,
    ReportTheme,
    ShareLink,
    ThemeLink,
    ThemeMember,
    ThemeRun,
)
from klankbord.surveys.models import (
    Answer,
    Deployment,
    Response,
    SurveyVersion,
    deployment_location,
)
from klankbord.surveys.services import CLOSED_TYPES, definition_of

#: Representative texts stored per theme; the report shows up to five that may be shown.
STORED_REPRESENTATIVES = 8
SHOWN_QUOTES = 5
#: Jaccard overlap from which a new theme counts as the same as a curated one of the last run.
MATCH_THRESHOLD = 0.3
#: A theme "grew" or "shrank" when its size changed by at least this fraction.
SIZE_CHANGE = 0.2
#: Threads numpy/scikit-learn may use while clustering (the web server shares the machine).
CLUSTER_THREADS = 2
METHOD_TFIDF = "tfidf-lsa-kmeans"
METHOD_EMBEDDINGS = "embeddings-kmeans"


class ReportError(Exception):
    """A user-facing problem; ``code`` lets views pick a translated message."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code


# Scopes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeData:
    """A scope as a plain value, parsed from a form."""

    name: str
    deployment_ids: tuple[int, ...] = ()
    meeting_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    period_from: date | None = None
    period_to: date | None = None
    languages: tuple[str, ...] = ()
    include_survey_text: bool = True
    include_meeting_text: bool = True
    compare_by: str = "month"


def _own_ids(model, org_id: int, ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    found = (
        db.session.execute(
            select(model.id).where(model.organisation_id == org_id, model.id.in_(wanted))
        )
        .scalars()
        .all()
    )
    if len(found) != len(wanted):
        raise ReportError("foreign_id", "An item does not belong to this organisation.")
    return sorted(found)


def save_scope(
    org: Organisation, data: ScopeData, scope: ReportScope | None = None, *, created_by: Any = None
) -> ReportScope:
    """Create or update a scope; every id must belong to ``org``."""
    name = " ".join((data.name or "").split())
    if not name:
        raise ReportError("name_required", "Give the report a name.")
    if data.period_from and data.period_to and data.period_to < data.period_from:
        raise ReportError("period_order", "The end of the period is before its start.")
    if not data.deployment_ids and not data.meeting_ids:
        raise ReportError("empty_scope", "Choose at least one survey round or meeting.")
    if data.compare_by not in ("month", "deployment"):
        raise ReportError("compare_by", "Unknown comparison.")
    if scope is None:
        scope = ReportScope(organisation_id=org.id, created_by_id=getattr(created_by, "id", None))
        db.session.add(scope)
    scope.name = name[:200]
    scope.deployment_ids = _own_ids(Deployment, org.id, data.deployment_ids)
    scope.meeting_ids = _own_ids(Meeting, org.id, data.meeting_ids)
    scope.location_ids = _own_ids(Location, org.id, data.location_ids)
    scope.period_from, scope.period_to = data.period_from, data.period_to
    scope.languages = sorted(set(data.languages))
    scope.include_survey_text = data.include_survey_text
    scope.include_meeting_text = data.include_meeting_text
    scope.compare_by = data.compare_by
    scope.updated_at = utcnow()
    db.session.flush()
    return scope


def min_group_size(scope: ReportScope) -> int:
    org = db.session.get(Organisation, scope.organisation_id)
    return sup.effective_min_group_size(org.min_group_size if org else None)


# SQL building blocks -------------------------------------------------------------------------


def _month(column):
    """'YYYY-MM' of a date column, in either database."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _scope_deployments(scope: ReportScope) -> list[Deployment]:
    if not scope.deployment_ids:
        return []
    query = select(Deployment).where(
        Deployment.organisation_id == scope.organisation_id, Deployment.id.in_(scope.deployment_ids)
    )
    if scope.location_ids:
        query = query.where(
            Deployment.id.in_(
                select(deployment_location.c.deployment_id).where(
                    deployment_location.c.location_id.in_(scope.location_ids)
                )
            )
        )
    return list(db.session.execute(query.order_by(Deployment.opens_at, Deployment.id)).scalars())


def _response_filters(scope: ReportScope, deployment_ids: Sequence[int]) -> list:
    filters = [Response.deployment_id.in_(list(deployment_ids) or [-1])]
    if scope.period_from:
        filters.append(Response.submitted_on >= scope.period_from)
    if scope.period_to:
        filters.append(Response.submitted_on <= scope.period_to)
    if scope.languages:
        filters.append(Response.language.in_(scope.languages))
    return filters


def _idea_filters(scope: ReportScope) -> list:
    filters = [
        MeetingIdea.organisation_id == scope.organisation_id,
        MeetingIdea.meeting_id.in_(scope.meeting_ids or [-1]),
        MeetingIdea.status != "hidden",
    ]
    if scope.period_from:
        filters.append(MeetingIdea.created_on >= scope.period_from)
    if scope.period_to:
        filters.append(MeetingIdea.created_on <= scope.period_to)
    if scope.languages:
        filters.append(MeetingIdea.lang.in_(scope.languages))
    return filters


# Report values ---------------------------------------------------------------------------------


@dataclass
class QuestionSection:
    survey_id: str
    question_id: str
    title: str
    type: str
    overall: sup.SuppressedTable
    by_location: sup.SuppressedTable | None
    by_period: sup.SuppressedTable | None

    @property
    def n(self) -> sup.Figure:
        return self.overall.row_totals[0]


@dataclass
class Quote:
    ref: str
    text: str
    language: str
    translation_nl: str | None = None
    hidden: bool = False


@dataclass
class LinkView:
    kind: str  # "action" or "update"
    id: int
    text: str
    status: str = ""


@dataclass
class ThemeSection:
    id: int
    title: str
    label: str
    terms: list[str]
    size: sup.Figure
    share: float | None
    stability: float | None
    trend: sup.SuppressedTable
    languages: sup.SuppressedTable
    quotes: list[Quote]
    links: list[LinkView]
    curated: bool
    change: str | None = None
    language_note: str | None = None


@dataclass
class Report:
    """Everything a report shows, already suppressed."""

    scope_id: int
    name: str
    generated_at: datetime
    min_group_size: int
    period_from: date | None
    period_to: date | None
    first_day: date | None
    last_day: date | None
    deployments: list[str]
    meetings: list[str]
    locations: list[str]
    languages: list[str]
    n_responses: sup.Figure
    n_ideas: int
    participation: sup.SuppressedTable | None
    response_languages: sup.SuppressedTable | None
    questions: list[QuestionSection]
    themes: list[ThemeSection]
    n_texts: int
    other_texts: sup.Figure
    small_themes: int
    run: dict | None
    changes: dict | None
    notes: list[str] = field(default_factory=list)
    #: The release shown: its version and the last day of data it holds.
    release_version: int | None = None
    data_until: date | None = None


# Closed questions --------------------------------------------------------------------------------


def _group_labels(deployments: Sequence[Deployment], several: str) -> dict[int, str]:
    """The location group of each deployment: its one location, or "several" with the names."""
    labels = {}
    for deployment in deployments:
        names = [location.name for location in deployment.locations]
        labels[deployment.id] = names[0] if len(names) == 1 else f"{several}: {', '.join(names)}"
    return labels


def _period_labels(deployments: Sequence[Deployment], lang: str) -> dict[int, str]:
    return {d.id: f"{d.version.survey_id} {d.opens_at:%Y-%m-%d}" for d in deployments}


def _text(mapping, lang: str) -> str:
    if not mapping:
        return ""
    return mapping.get(lang) or mapping.get("nl") or next(iter(mapping.values()))


#: Theme aggregates per run, members fingerprint and release day (see _theme_aggregates).
_AGGREGATES: dict = {}
_AGGREGATES_SIZE = 64


#: Seconds a cached theme aggregate may be reused when the fingerprint has not changed.
CACHE_SECONDS = 300


def closed_question_sections(
    deployments: Sequence[Deployment],
    rows: Sequence[tuple],
    lang: str,
    k: int,
    labels: dict[str, str],
    compare_by: str = "month",
) -> list[QuestionSection]:
    """Distribution, n and comparisons for every closed question of the scope's surveys.

    ``rows`` are a release's (deployment, month, question, value, n, first, key sum, first key
    sum) rows; every shown count is perturbed by its cell key.
    """
    by_deployment = {d.id: d for d in deployments}
    location_of = _group_labels(deployments, labels["several"])
    period_of = _period_labels(deployments, lang)
    # (survey, question) -> {(deployment, month, value): (count, answering, key sums)}
    counts: dict[tuple[str, str], dict[tuple[int, str, str], tuple]] = defaultdict(dict)
    for deployment_id, month, question_id, value, n, first, key_sum, first_key in rows:
        if deployment_id not in by_deployment:
            continue
        survey_id = by_deployment[deployment_id].version.survey_id
        counts[(survey_id, question_id)][(deployment_id, month, value)] = (
            int(n),
            int(first or 0),
            int(key_sum),
            int(first_key),
        )
    sections = []
    seen: set[tuple[str, str]] = set()
    for deployment in deployments:
        defn = definition_of(deployment.version)
        for question in defn.questions:
            key = (defn.id, question.id)
            if question.type not in CLOSED_TYPES or key in seen:
                continue
            seen.add(key)
            data = counts.get(key, {})
            if not data:
                continue
            values = [option.value for option in question.options]
            option_labels = [_text(option.text, lang) for option in question.options]
            additive = question.type != "multiple_choice"
            sections.append(
                _question_section(
                    defn.id,
                    question.id,
                    _text(question.text, lang),
                    question.type,
                    values,
                    option_labels,
                    additive,
                    data,
                    location_of,
                    period_of if compare_by == "deployment" else None,
                    k,
                )
            )
    return sections


def _breakdown(groups: list[str], group_of, values, labels, additive, data) -> sup.CountTable:
    cells = {g: [0] * len(values) for g in groups}
    cell_keys = {g: [0] * len(values) for g in groups}
    answering = dict.fromkeys(groups, 0)
    answering_keys = dict.fromkeys(groups, 0)
    index = {v: j for j, v in enumerate(values)}
    for (deployment_id, month, value), (n, first, key_sum, first_key) in data.items():
        group = group_of(deployment_id, month)
        if value in index:
            cells[group][index[value]] += n
            cell_keys[group][index[value]] += key_sum
        answering[group] += first
        answering_keys[group] += first_key
    matrix = [cells[g] for g in groups]
    col_totals = [sum(col) for col in zip(*matrix, strict=True)] if matrix else [0] * len(values)
    row_totals = [answering[g] for g in groups]
    key_sums: dict = {
        ("c", i, j): cell_keys[g][j] for i, g in enumerate(groups) for j in range(len(values))
    }
    key_sums.update({("r", i): answering_keys[g] for i, g in enumerate(groups)})
    key_sums.update({("k", j): sum(cell_keys[g][j] for g in groups) for j in range(len(values))})
    key_sums[("g",)] = sum(answering_keys.values())
    return sup.CountTable(
        list(groups),
        list(labels),
        matrix,
        row_totals,
        col_totals,
        sum(row_totals),
        rows_additive=additive,
        key_sums=key_sums,
    )


def _question_section(
    survey_id,
    question_id,
    title,
    qtype,
    values,
    option_labels,
    additive,
    data,
    location_of,
    period_of,
    k,
) -> QuestionSection:
    totals = [0] * len(values)
    total_keys = [0] * len(values)
    n = n_key = 0
    index = {v: j for j, v in enumerate(values)}
    for (_, _, value), (count, first, key_sum, first_key) in data.items():
        if value in index:
            totals[index[value]] += count
            total_keys[index[value]] += key_sum
        n += first
        n_key += first_key
    overall = sup.distribution(
        option_labels, totals, n, additive=additive, key_sums=total_keys, n_key_sum=n_key
    )
    locations = sorted({location_of[d] for d, _, _ in data})
    if period_of is None:
        periods = sorted({m for _, m, _ in data})
        period_group = lambda d, m: m  # noqa: E731
    else:
        periods = sorted({period_of[d] for d, _, _ in data})
        period_group = lambda d, m: period_of[d]  # noqa: E731
    breakdowns = []
    if len(locations) > 1:
        breakdowns.append(
            _breakdown(
                locations, lambda d, m: location_of[d], values, option_labels, additive, data
            )
        )
    if len(periods) > 1:
        breakdowns.append(_breakdown(periods, period_group, values, option_labels, additive, data))
    first, results = sup.suppress_linked(overall, breakdowns, k)
    by_location = results.pop(0) if len(locations) > 1 else None
    by_period = results.pop(0) if len(periods) > 1 else None
    return QuestionSection(survey_id, question_id, title, qtype, first, by_location, by_period)


def participation(
    deployments: Sequence[Deployment], day_rows: Sequence[tuple], k: int, labels
) -> tuple[sup.SuppressedTable | None, sup.SuppressedTable | None, sup.Figure]:
    """Responses per location group and month, and per language, suppressed and perturbed.

    ``day_rows`` are a release's (deployment, day, language, n, key sum) rows.
    """
    if not deployments:
        return None, None, sup.Figure(0)
    per_month: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for deployment_id, day, language, n, key_sum in day_rows:
        for cell in (per_month[(deployment_id, f"{day:%Y-%m}")], per_lang[language]):
            cell[0] += int(n)
            cell[1] += int(key_sum)
    lang_rows = sorted(per_lang.items())
    location_of = _group_labels(deployments, labels["several"])
    groups = sorted({location_of[d] for d, _ in per_month})
    months = sorted({m for _, m in per_month})
    if not groups:
        return None, None, sup.Figure(0)
    cells = {g: [[0, 0] for _ in months] for g in groups}
    for (deployment_id, m), (n, key_sum) in per_month.items():
        cell = cells[location_of[deployment_id]][months.index(m)]
        cell[0] += n
        cell[1] += key_sum
    matrix = [[c[0] for c in cells[g]] for g in groups]
    keys = [[c[1] for c in cells[g]] for g in groups]
    total = sum(map(sum, matrix))
    total_key = sum(map(sum, keys))
    key_sums: dict = {
        ("c", i, j): keys[i][j] for i in range(len(groups)) for j in range(len(months))
    }
    key_sums.update({("r", i): sum(keys[i]) for i in range(len(groups))})
    key_sums.update({("k", j): sum(row[j] for row in keys) for j in range(len(months))})
    key_sums[("g",)] = total_key
    table = sup.CountTable(
        groups,
        months,
        matrix,
        [sum(r) for r in matrix],
        [sum(c) for c in zip(*matrix, strict=True)],
        total,
        key_sums=key_sums,
    )
    languages = sup.distribution(
        [code for code, _ in lang_rows],
        [n for _, (n, _) in lang_rows],
        total,
        key_sums=[key for _, (_, key) in lang_rows],
        n_key_sum=total_key,
    )
    months_overall = sup.distribution(
        months,
        table.col_totals,
        total,
        key_sums=[key_sums[("k", j)] for j in range(len(months))],
        n_key_sum=total_key,
    )
    force: set = set()
    for _ in range(3):
        # The number of responses is the total of both tables: whatever one hides, both hide.
        overall, (per_group,) = sup.suppress_linked(months_overall, [table], k, force=force)
        lang_table = sup.suppress(
            languages, k, force={("r", 0)} if overall.row_totals[0].suppressed else ()
        )
        if lang_table.row_totals[0].suppressed and not overall.row_totals[0].suppressed:
            force = {("r", 0)}
            continue
        break
    return per_group, lang_table, overall.row_totals[0]


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
    """Survey free-text answers and/or meeting ideas of a scope, each with id, language and day."""
    items: list[TextItem] = []
    if scope.include_survey_text:
        deployments = _scope_deployments(scope)
        free: dict[int, list[str]] = {}
        for deployment in deployments:
            defn = definition_of(deployment.version)
            free[deployment.id] = [q.id for q in defn.questions if q.type == "free_text"]
        question_ids = sorted({q for ids in free.values() for q in ids})
        if question_ids:
            rows = db.session.execute(
                select(
                    Answer.response_id,
                    Answer.question_id,
                    Answer.value_text,
                    Response.language,
                    Response.submitted_on,
                )
                .join(Response, Response.id == Answer.response_id)
                .where(
                    *_response_filters(scope, list(free)),
                    Answer.question_id.in_(question_ids),
                    Answer.position == 0,
                    Answer.value_text.is_not(None),
                    Answer.value_text != "",
                )
                .order_by(Response.submitted_on, Answer.response_id, Answer.question_id)
            ).all()
            items += [TextItem(r, q, None, t, lang, day, "survey") for r, q, t, lang, day in rows]
    if scope.include_meeting_text and scope.meeting_ids:
        rows = db.session.execute(
            select(MeetingIdea.id, MeetingIdea.text, MeetingIdea.lang, MeetingIdea.created_on)
            .where(*_idea_filters(scope))
            .order_by(MeetingIdea.created_on, MeetingIdea.id)
        ).all()
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
    from klankbord.analysis._embed import embedder_name
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
            label=theme.label[:300],
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


# Curation -------------------------------------------------------------------------------------


def member_refs(run: ThemeRun) -> dict[int, set[str]]:
    """The references of a run's theme members, per theme."""
    rows = db.session.execute(
        select(
            ThemeMember.theme_id,
            ThemeMember.response_id,
            ThemeMember.question_id,
            ThemeMember.idea_id,
        )
        .join(ReportTheme, ReportTheme.id == ThemeMember.theme_id)
        .where(ReportTheme.run_id == run.id)
    ).all()
    refs: dict[int, set[str]] = defaultdict(set)
    for theme_id, response_id, question_id, idea_id in rows:
        refs[theme_id].add(text_ref(response_id, question_id, idea_id))
    return refs


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def carry_curation(previous: ThemeRun, run: ThemeRun) -> dict:
    """Match the new run's themes to the previous run's by member overlap; carry curation over.

    Greedy one-to-one matching by Jaccard (highest first, at least MATCH_THRESHOLD). A matched
    theme keeps the curated name, hidden flag and links; texts a facilitator moved by hand follow
    their theme; two new themes whose texts mostly sit in one theme a facilitator had merged are
    merged again. Returns what changed: new, gone, grown, shrunk, kept (by title).
    """
    old_refs, new_refs = member_refs(previous), member_refs(run)
    old_themes = {t.id: t for t in previous.themes if t.merged_into_id is None}
    new_themes = {t.id: t for t in run.themes}
    pairs = sorted(
        ((_jaccard(new_refs[n], old_refs[o]), n, o) for n in new_themes for o in old_themes),
        reverse=True,
    )
    matched_new: dict[int, int] = {}
    matched_old: set[int] = set()
    for score, n, o in pairs:
        if score < MATCH_THRESHOLD or n in matched_new or o in matched_old:
            continue
        matched_new[n] = o
        matched_old.add(o)
    # Re-apply merges: an unmatched new theme mostly inside a matched, merged-into old theme.
    merge_targets = {t.merged_into_id for t in previous.themes if t.merged_into_id}
    old_to_new = {o: n for n, o in matched_new.items()}
    for n, theme in new_themes.items():
        if n in matched_new or not new_refs[n]:
            continue
        for o in merge_targets:
            if o in old_to_new and len(new_refs[n] & old_refs[o]) / len(new_refs[n]) >= 0.5:
                merge_themes(new_themes[old_to_new[o]], theme)
                break
    for n, o in matched_new.items():
        old, new = old_themes[o], new_themes[n]
        new.carried_from_id = old.id
        new.curated_name = old.curated_name
        new.hidden = old.hidden
        for link in old.links:
            db.session.add(
                ThemeLink(
                    organisation_id=new.organisation_id,
                    theme_id=new.id,
                    action_id=link.action_id,
                    update_id=link.update_id,
                )
            )
    # Texts moved by hand go with the theme they were moved to.
    pinned = (
        db.session.execute(
            select(ThemeMember)
            .join(ReportTheme, ReportTheme.id == ThemeMember.theme_id)
            .where(ReportTheme.run_id == previous.id, ThemeMember.pinned.is_(True))
        )
        .scalars()
        .all()
    )
    for member in pinned:
        target = old_to_new.get(member.theme_id)
        if target is None:
            continue
        _move_ref(
            run, member.response_id, member.question_id, member.idea_id, member.language, target
        )
    db.session.flush()
    changes: dict[str, list] = {"new": [], "gone": [], "grown": [], "shrunk": [], "kept": []}
    for n, theme in new_themes.items():
        if theme.merged_into_id:
            continue
        if n not in matched_new:
            changes["new"].append(theme.title)
            continue
        old = old_themes[matched_new[n]]
        before, after = len(old_refs[old.id]), len(new_refs[n])
        if before and (after - before) / before >= SIZE_CHANGE:
            changes["grown"].append([theme.title, before, after])
        elif before and (before - after) / before >= SIZE_CHANGE:
            changes["shrunk"].append([theme.title, before, after])
        else:
            changes["kept"].append(theme.title)
    changes["gone"] = [t.title for o, t in old_themes.items() if o not in matched_old]
    return changes


def _move_ref(run: ThemeRun, response_id, question_id, idea_id, language, target_id: int) -> None:
    theme_ids = select(ReportTheme.id).where(ReportTheme.run_id == run.id)
    ref_filter = (
        ThemeMember.idea_id == idea_id
        if idea_id is not None
        else and_(ThemeMember.response_id == response_id, ThemeMember.question_id == question_id)
    )
    db.session.execute(delete(ThemeMember).where(ThemeMember.theme_id.in_(theme_ids), ref_filter))
    db.session.add(
        ThemeMember(
            theme_id=target_id,
            response_id=response_id,
            question_id=question_id,
            idea_id=idea_id,
            language=language,
            pinned=True,
        )
    )


def rename_theme(theme: ReportTheme, name: str) -> None:
    name = " ".join((name or "").split())
    theme.curated_name = name[:200] or None
    db.session.flush()


def set_theme_hidden(theme: ReportTheme, hidden: bool) -> None:
    theme.hidden = bool(hidden)
    db.session.flush()


def merge_themes(target: ReportTheme, other: ReportTheme) -> None:
    """Move every text of ``other`` into ``target``; ``other`` stays as a record of the merge."""
    if target.id == other.id or target.run_id != other.run_id:
        raise ReportError("merge_same_run", "Choose two different themes of the same run.")
    db.session.execute(
        update(ThemeMember).where(ThemeMember.theme_id == other.id).values(theme_id=target.id)
    )
    other.merged_into_id = target.id
    target.size += other.size
    other.size = 0
    for link in list(other.links):
        link.theme_id = target.id
    db.session.flush()
    db.session.expire(target)
    db.session.expire(other)


def split_theme(theme: ReportTheme, member_ids: Sequence[int], name: str) -> ReportTheme:
    """Move the chosen texts of ``theme`` into a new theme of the same run, named ``name``."""
    ids = {int(i) for i in member_ids}
    members = [m for m in theme.members if m.id in ids]
    if not members or len(members) == len(theme.members):
        raise ReportError("split_choice", "Choose some, but not all, texts to move.")
    number = (
        db.session.execute(
            select(func.max(ReportTheme.number)).where(ReportTheme.run_id == theme.run_id)
        ).scalar_one()
        + 1
    )
    new = ReportTheme(
        organisation_id=theme.organisation_id,
        run_id=theme.run_id,
        number=number,
        label=name[:300] or theme.label,
        terms=[],
        size=len(members),
        share=0.0,
        languages={},
        curated_name=(" ".join(name.split()) or None),
    )
    db.session.add(new)
    db.session.flush()
    for member in members:
        member.theme_id = new.id
        member.pinned = True
    theme.size = max(0, theme.size - len(members))
    db.session.flush()
    db.session.expire(theme)
    return new


def move_texts(source: ReportTheme, member_ids: Sequence[int], target: ReportTheme) -> int:
    """Move texts between two themes of the same run (they stay with the target on re-runs)."""
    if source.run_id != target.run_id or source.id == target.id:
        raise ReportError("merge_same_run", "Choose two different themes of the same run.")
    ids = {int(i) for i in member_ids}
    moved = 0
    for member in source.members:
        if member.id in ids:
            member.theme_id, member.pinned = target.id, True
            moved += 1
    db.session.flush()
    db.session.expire(source)
    db.session.expire(target)
    return moved


def curate_quote(
    org_id: int,
    ref: str,
    *,
    hidden: bool | None = None,
    translation_nl: str | None = None,
    actor: Any = None,
) -> QuoteCuration:
    """Hide a quote or set its Dutch translation; keyed by the text, so it survives re-runs."""
    if not _ref_in_org(org_id, ref):
        raise ReportError("unknown_quote", "This text is not part of your organisation's reports.")
    row = db.session.execute(
        select(QuoteCuration).where(
            QuoteCuration.organisation_id == org_id, QuoteCuration.ref == ref
        )
    ).scalar_one_or_none()
    if row is None:
        row = QuoteCuration(organisation_id=org_id, ref=ref)
        db.session.add(row)
    if hidden is not None:
        row.hidden = hidden
    if translation_nl is not None:
        row.translation_nl = translation_nl.strip()[:2000] or None
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    db.session.flush()
    return row


def _ref_in_org(org_id: int, ref: str) -> bool:
    """A text reference belongs to a theme of this organisation."""
    parts = ref.split(":")
    query = (
        select(ThemeMember.id)
        .join(ReportTheme, ReportTheme.id == ThemeMember.theme_id)
        .where(ReportTheme.organisation_id == org_id)
    )
    if parts[0] == "m" and len(parts) == 2 and parts[1].isdigit():
        query = query.where(ThemeMember.idea_id == int(parts[1]))
    elif parts[0] == "s" and len(parts) == 3:
        query = query.where(
            ThemeMember.response_id == parts[1], ThemeMember.question_id == parts[2]
        )
    else:
        return False
    return db.session.execute(query.limit(1)).first() is not None


def link_theme(
    theme: ReportTheme, *, action_id: int | None = None, update_id: int | None = None
) -> ThemeLink:
    """Link a theme to an action item or a "you said, we did" update of the same organisation."""
    if (action_id is None) == (update_id is None):
        raise ReportError("link_choice", "Choose an action item or an update.")
    model, target = (
        (MeetingAction, action_id) if action_id is not None else (MeetingUpdate, update_id)
    )
    found = db.session.execute(
        select(model.id).where(model.organisation_id == theme.organisation_id, model.id == target)
    ).scalar_one_or_none()
    if found is None:
        raise ReportError("foreign_id", "An item does not belong to this organisation.")
    existing = next(
        (
            link
            for link in theme.links
            if link.action_id == action_id and link.update_id == update_id
        ),
        None,
    )
    if existing:
        return existing
    link = ThemeLink(
        organisation_id=theme.organisation_id,
        theme_id=theme.id,
        action_id=action_id,
        update_id=update_id,
    )
    db.session.add(link)
    db.session.flush()
    return link


def unlink_theme(theme: ReportTheme, link_id: int) -> None:
    db.session.execute(
        delete(ThemeLink).where(ThemeLink.theme_id == theme.id, ThemeLink.id == link_id)
    )
    db.session.flush()
    db.session.expire(theme)


# Themes in the report ----------------------------------------------------------------------------


def _texts_for(refs: Iterable[tuple[str | None, str | None, int | None]]) -> dict[str, str]:
    """Look the texts up by reference (a retention delete makes them disappear)."""
    survey = [(r, q) for r, q, i in refs if i is None]
    ideas = [i for _, _, i in refs if i is not None]
    texts = {}
    if survey:
        rows = db.session.execute(
            select(Answer.response_id, Answer.question_id, Answer.value_text).where(
                Answer.response_id.in_({r for r, _ in survey}), Answer.position == 0
            )
        ).all()
        wanted = set(survey)
        texts.update({text_ref(r, q): t for r, q, t in rows if (r, q) in wanted and t})
    if ideas:
        rows = db.session.execute(
            select(MeetingIdea.id, MeetingIdea.text).where(MeetingIdea.id.in_(ideas))
        ).all()
        texts.update({text_ref(None, None, i): t for i, t in rows})
    return texts


def _theme_aggregates(run: ThemeRun, ids: list[int], until: date | None = None):
    """Sizes, languages and months per theme with their record-key sums, in SQL.

    ``until`` limits the members to a release's texts (those of days up to it). Results are
    reused while the members are unchanged: the fingerprint (number of members, sum of their
    theme ids) changes when a text is deleted, moved or merged; it reads only the theme_id index.
    """
    fingerprint = tuple(
        db.session.execute(
            select(func.count(ThemeMember.id), func.sum(ThemeMember.theme_id)).where(
                ThemeMember.theme_id.in_(ids)
            )
        ).one()
    )
    key = (
        "themes",
        str(db.engine.url),
        run.id,
        tuple(ids),
        fingerprint,
        until,
        int(utcnow().timestamp() // CACHE_SECONDS),
    )
    if key in _AGGREGATES:
        return _AGGREGATES[key]
    rows = []
    for record, join_on, month, in_release in (
        (
            Response,
            Response.id == ThemeMember.response_id,
            _month(Response.submitted_on),
            [Response.submitted_on <= until] if until else [],
        ),
        (
            MeetingIdea,
            MeetingIdea.id == ThemeMember.idea_id,
            _month(MeetingIdea.created_on),
            [MeetingIdea.created_on <= until] if until else [],
        ),
    ):
        rows += db.session.execute(
            select(
                ThemeMember.theme_id,
                ThemeMember.language,
                month,
                func.count(),
                func.coalesce(func.sum(record.record_key), 0),
            )
            .join(record, join_on)
            .where(ThemeMember.theme_id.in_(ids), *in_release)
            .group_by(ThemeMember.theme_id, ThemeMember.language, month)
        ).all()
    sizes: dict[int, tuple[int, int]] = {}
    langs: dict[tuple[int, str], tuple[int, int]] = {}
    months: dict[tuple[int, str], tuple[int, int]] = {}
    for theme_id, language, month_, n, key_sum in rows:
        cells = ((sizes, theme_id), (langs, (theme_id, language)), (months, (theme_id, month_)))
        for table, cell in cells:
            n0, k0 = table.get(cell, (0, 0))
            table[cell] = (n0 + int(n), k0 + int(key_sum))
    result = (
        sizes,
        [(t, lang, n, k) for (t, lang), (n, k) in langs.items()],
        [(t, m, n, k) for (t, m), (n, k) in months.items()],
    )
    if len(_AGGREGATES) >= _AGGREGATES_SIZE:
        _AGGREGATES.pop(next(iter(_AGGREGATES)))
    _AGGREGATES[key] = result
    return result


def theme_sections(
    run: ThemeRun,
    k: int,
    lang: str,
    *,
    for_curation: bool = False,
    until: date | None = None,
    texts_in_release: tuple[int, int] | None = None,
) -> tuple[list[ThemeSection], int, int]:
    """Themes of a run as report sections; also the "other" count and the number of small themes.

    Sizes are live counts (a deleted text leaves its theme). Themes smaller than ``k`` and hidden
    themes are counted with "other", so every text is counted and no small group is shown.
    """
    themes = [t for t in run.themes if t.merged_into_id is None]
    ids = [t.id for t in themes] or [-1]
    sizes_keys, lang_rows, month_rows = _theme_aggregates(run, ids, until)
    sizes = {t: n for t, (n, _) in sizes_keys.items()}
    trend: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for theme_id, month, n, key_sum in month_rows:
        trend[theme_id][month] = (int(n), int(key_sum))
    months = sorted({m for per in trend.values() for m in per})
    langs: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    lang_cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for theme_id, language, n, key_sum in lang_rows:
        langs[theme_id][language] = (int(n), int(key_sum))
        lang_cells[language][0] += int(n)
        lang_cells[language][1] += int(key_sum)
    # Texts per language over all themes, as released (quote eligibility, language notes).
    lang_totals: dict[str, int] = defaultdict(int)
    for language, (n, key_sum) in lang_cells.items():
        lang_totals[language] = ptable.perturb(n, key_sum, k) if texts_in_release else n
    total_in_themes = sum(sizes.values())
    other_key = 0
    if texts_in_release is None:
        n_texts = max(run.n_texts, total_in_themes + run.n_other)
    else:
        # A release counts its own texts; "other" is a cell of its own, perturbed like any.
        n_texts = max(texts_in_release[0], total_in_themes)
        other_key = texts_in_release[1] - sum(key for _, key in sizes_keys.values())
    other = n_texts - total_in_themes
    reps = (
        db.session.execute(
            select(ThemeMember)
            .where(ThemeMember.theme_id.in_(ids), ThemeMember.rank.is_not(None))
            .order_by(ThemeMember.theme_id, ThemeMember.rank)
        )
        .scalars()
        .all()
    )
    texts = _texts_for([(m.response_id, m.question_id, m.idea_id) for m in reps])
    curation = {
        row.ref: row
        for row in db.session.execute(
            select(QuoteCuration).where(
                QuoteCuration.organisation_id == run.organisation_id,
                QuoteCuration.ref.in_([m.ref for m in reps] or ["-"]),
            )
        ).scalars()
    }
    reps_by_theme: dict[int, list[ThemeMember]] = defaultdict(list)
    for member in reps:
        reps_by_theme[member.theme_id].append(member)
    links = _links_for([t.id for t in themes])
    sections, small = [], 0
    for theme in sorted(themes, key=lambda t: (-sizes.get(t.id, 0), t.number)):
        size, size_key = sizes_keys.get(theme.id, (0, 0))
        if not for_curation and (size < k or theme.hidden):
            other += size
            other_key += size_key
            small += 1 if size < k else 0
            continue
        per_month = trend.get(theme.id, {})
        trend_table = sup.suppress(
            sup.distribution(
                months,
                [per_month.get(m, (0, 0))[0] for m in months],
                size,
                key_sums=[per_month.get(m, (0, 0))[1] for m in months],
                n_key_sum=size_key,
            ),
            k,
        )
        per_lang = langs.get(theme.id, {})
        codes = sorted(per_lang, key=lambda c: (-per_lang[c][0], c))
        lang_table = sup.suppress(
            sup.distribution(
                codes,
                [per_lang[c][0] for c in codes],
                size,
                key_sums=[per_lang[c][1] for c in codes],
                n_key_sum=size_key,
            ),
            k,
        )
        quotes = []
        for member in reps_by_theme.get(theme.id, []):
            text = texts.get(member.ref)
            cur = curation.get(member.ref)
            if text is None:
                continue
            hidden = bool(cur and cur.hidden)
            # A quote says who wrote it: a language group smaller than k must not be recognisable.
            # On true counts: a released count may lie above k for a group just below it.
            if not sup.quote_allowed(size, k) or not sup.quote_allowed(
                lang_cells[member.language][0], k
            ):
                hidden = True
            if hidden and not for_curation:
                continue
            quotes.append(
                Quote(
                    member.ref, text, member.language, cur.translation_nl if cur else None, hidden
                )
            )
            if not for_curation and len(quotes) >= SHOWN_QUOTES:
                break
        released = ptable.perturb(size, size_key, k) if texts_in_release else size
        shown_texts = (
            ptable.perturb(n_texts, texts_in_release[1], k) if texts_in_release else n_texts
        )
        share = round(100.0 * released / shown_texts, 1) if shown_texts else None
        sections.append(
            ThemeSection(
                id=theme.id,
                title=theme.title,
                label=theme.label,
                terms=list(theme.terms or []),
                size=sup.Figure(released, sup.SHOWN if size >= k else sup.SMALL),
                share=share,
                stability=theme.stability,
                trend=trend_table,
                languages=lang_table,
                quotes=quotes,
                links=links.get(theme.id, []),
                curated=bool(theme.curated_name),
                language_note=theme_language_note(lang_table, released, lang_totals, lang),
            )
        )
    if texts_in_release is not None:
        other = ptable.perturb(other, other_key, k)
    return sections, other, small


def theme_language_note(
    languages: sup.SuppressedTable, size: int, overall: dict[str, int], lang: str
) -> str | None:
    """"Raised mainly in Tigrinya (8 of 12 responses)", told only from what the report shows.

    A complaint of one language group must stay visible, but the note may not reveal more than
    the table beside it. With the dominant count shown, the note gives it. With that count hidden
    (it would give away a small group), the note is given without numbers, and only when the shown
    numbers and the "fewer than k" markers already imply that language holds the share.
    """
    from klankbord.analysis import dominant_language_note

    if size <= 0 or not languages.cols:
        return None
    k = languages.min_group_size
    figures = dict(zip(languages.cols, languages.cells[0], strict=True))

    def upper(fig: sup.Figure) -> int:
        if not fig.suppressed:
            return fig.value or 0
        return k - 1 if fig.status == sup.SMALL else size

    for code, fig in figures.items():
        if code == "unknown" or fig.status == sup.SMALL:
            continue
        rest = {c: f for c, f in figures.items() if c != code}
        count = fig.value if not fig.suppressed else size - sum(upper(f) for f in rest.values())
        # The rest counts as "unknown", which never dominates: only this language can.
        note = dominant_language_note(
            {code: count, "unknown": size - count},
            lang="en" if lang == "en" else "nl",
            overall=overall,
            counts=not fig.suppressed,
        )
        if note:
            return note
    return None


def _links_for(theme_ids: list[int]) -> dict[int, list[LinkView]]:
    rows = (
        db.session.execute(select(ThemeLink).where(ThemeLink.theme_id.in_(theme_ids or [-1])))
        .scalars()
        .all()
    )
    out: dict[int, list[LinkView]] = defaultdict(list)
    for link in rows:
        if link.action_id is not None:
            action = db.session.get(MeetingAction, link.action_id)
            if action:
                out[link.theme_id].append(
                    LinkView("action", link.id, action.description, action.status)
                )
        else:
            upd = db.session.get(MeetingUpdate, link.update_id)
            if upd:
                out[link.theme_id].append(
                    LinkView(
                        "update",
                        link.id,
                        _text(upd.title, "nl"),
                        "published" if upd.published_at else "draft",
                    )
                )
    return out


# The report ----------------------------------------------------------------------------------


DEFAULT_LABELS = {"several": "Several locations"}


def build_report(
    scope: ReportScope,
    *,
    release,
    lang: str = "nl",
    labels: dict[str, str] | None = None,
) -> Report:
    """Every section of a release of a scope, perturbed and suppressed, for the page, PDF, CSV and
    share link (see releases.py: nothing a reader sees is counted live)."""
    return _build_report(scope, release, lang, {**DEFAULT_LABELS, **(labels or {})})


def _build_report(scope: ReportScope, release, lang: str, labels: dict[str, str]) -> Report:
    from klankbord.reports.releases import ReleaseData

    data = ReleaseData(release)
    k = min_group_size(scope)
    # The scope as it was when released (a later edit waits for the next release).
    frozen = release.payload.get("scope") or {}
    period_from = _iso_date(frozen.get("period_from")) if frozen else scope.period_from
    period_to = _iso_date(frozen.get("period_to")) if frozen else scope.period_to
    meeting_ids = frozen.get("meeting_ids", scope.meeting_ids or [])
    location_ids = frozen.get("location_ids", scope.location_ids or [])
    languages = frozen.get("languages", scope.languages or [])
    deployments = list(
        db.session.execute(
            select(Deployment)
            .where(
                Deployment.organisation_id == scope.organisation_id,
                Deployment.id.in_(release.payload.get("deployment_ids") or [-1]),
            )
            .order_by(Deployment.opens_at, Deployment.id)
        ).scalars()
    )
    day_rows = data.response_days()
    per_group, per_lang, n_responses = participation(deployments, day_rows, k, labels)
    questions = closed_question_sections(
        deployments,
        data.closed_counts(),
        lang,
        k,
        labels,
        frozen.get("compare_by", scope.compare_by),
    )
    day_range = (None, None)
    days = [day for _, day, _, _, _ in day_rows]
    if days:
        day_range = (min(days), max(days))
    n_ideas, idea_key = data.ideas()
    n_ideas = ptable.perturb(n_ideas, idea_key)
    meetings: list[str] = []
    if meeting_ids:
        meetings = [
            f"{m.title} ({m.starts_at:%Y-%m-%d})"
            for m in db.session.execute(
                select(Meeting)
                .where(
                    Meeting.organisation_id == scope.organisation_id,
                    Meeting.id.in_(meeting_ids),
                )
                .order_by(Meeting.starts_at)
            ).scalars()
        ]
    run = db.session.get(ThemeRun, release.run_id) if release.run_id else None
    themes: list[ThemeSection] = []
    other, small, n_texts = 0, 0, 0
    run_info = None
    if run is not None:
        texts = tuple(release.payload.get("texts", [0, 0]))
        themes, other, small = theme_sections(
            run, k, lang, until=release.data_until, texts_in_release=texts
        )
        n_texts = ptable.perturb(texts[0], texts[1], k) if texts[0] >= k else texts[0]
        run_info = {
            "id": run.id,
            "created_at": run.created_at,
            "method": run.method,
            "params": run.params or {},
            "n_texts": run.n_texts,
            "n_themes": run.n_themes,
        }
    locations = [
        loc.name
        for loc in db.session.execute(
            select(Location)
            .where(
                Location.organisation_id == scope.organisation_id,
                Location.id.in_(location_ids or [-1]),
            )
            .order_by(Location.name)
        ).scalars()
    ]
    return Report(
        scope_id=scope.id,
        name=scope.name,
        generated_at=release.created_at,
        min_group_size=k,
        period_from=period_from,
        period_to=period_to,
        first_day=day_range[0],
        last_day=day_range[1],
        deployments=[_deployment_label(d, lang) for d in deployments],
        meetings=meetings,
        locations=locations,
        languages=list(languages),
        n_responses=n_responses,
        n_ideas=n_ideas,
        participation=per_group,
        response_languages=per_lang,
        questions=questions,
        themes=themes,
        n_texts=n_texts,
        other_texts=sup.Figure(other),
        small_themes=small,
        run=run_info,
        changes=run.changes if run is not None else None,
        release_version=release.version,
        data_until=release.data_until,
    )


def _iso_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _deployment_label(deployment: Deployment, lang: str) -> str:
    defn = definition_of(deployment.version)
    places = ", ".join(location.name for location in deployment.locations)
    return f"{_text(defn.title, lang)} — {places} ({deployment.opens_at:%Y-%m-%d})"


# Share links -----------------------------------------------------------------------------------

SHARE_DAYS_MAX = 90


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share_link(scope: ReportScope, days: int, *, actor: Any = None) -> tuple[ShareLink, str]:
    """A read-only link valid for ``days`` days; returns the row and the token (shown once)."""
    if not 1 <= int(days) <= SHARE_DAYS_MAX:
        raise ReportError("share_days", f"Choose between 1 and {SHARE_DAYS_MAX} days.")
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        organisation_id=scope.organisation_id,
        scope_id=scope.id,
        token_hash=_token_hash(token),
        created_by_id=getattr(actor, "id", None),
        expires_at=utcnow() + timedelta(days=int(days)),
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def find_share_link(token: str) -> ShareLink | None:
    """The active link for ``token``, or None when unknown, expired or revoked."""
    if not token or len(token) > 100:
        return None
    link = db.session.execute(
        select(ShareLink).where(ShareLink.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if link is None or not link.is_active(utcnow()):
        return None
    return link


def revoke_share_link(link: ShareLink, *, actor: Any = None) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_by_id = getattr(actor, "id", None)
    db.session.flush()


def scope_choices(org_id: int) -> dict[str, list[tuple[int, str]]]:
    """Deployments, meetings and locations a scope form may offer."""
    deployments = (
        db.session.execute(
            select(Deployment)
            .where(Deployment.organisation_id == org_id)
            .order_by(Deployment.opens_at.desc())
        )
        .scalars()
        .all()
    )
    meetings = (
        db.session.execute(
            select(Meeting)
            .where(Meeting.organisation_id == org_id)
            .order_by(Meeting.starts_at.desc())
        )
        .scalars()
        .all()
    )
    locations = (
        db.session.execute(
            select(Location).where(Location.organisation_id == org_id).order_by(Location.name)
        )
        .scalars()
        .all()
    )
    return {
        "deployments": [(d.id, _deployment_label(d, "nl")) for d in deployments],
        "meetings": [(m.id, f"{m.title} ({m.starts_at:%Y-%m-%d})") for m in meetings],
        "locations": [(loc.id, loc.name) for loc in locations],
    }


def survey_versions_in(scope: ReportScope) -> list[SurveyVersion]:
    return [d.version for d in _scope_deployments(scope)]
