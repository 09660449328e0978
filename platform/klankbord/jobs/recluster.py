"""Re-clustering: keep every saved report scope's themes in step with its newest free text.

For each scope the job compares the current texts (by reference, via
``reports.services.collect_texts``) with what its latest theme run covers
(:class:`~klankbord.jobs.models.ReclusterState`):

* nothing new and nothing deleted: the scope is left alone;
* a few new texts (up to REFIT_SHARE of the fitted ones): they are assigned to the existing
  themes with ``FeedbackClusterer.predict``, without a full re-fit, as new theme members;
* many new texts, deleted texts (retention), no themes yet, or no usable model: a full re-fit
  with ``reports.services.recluster_scope``, which stores a new ThemeRun and carries the
  curation over.

``predict`` needs the fitted model. The scheduler is a long-running process, so models stay in
memory per scope; after a restart the model is rebuilt once with the run's own parameters (the
chosen k and seed, no k search, no stability resampling) and used only if it reproduces the stored
themes (REPRODUCE_AGREEMENT of the members), otherwise the job re-fits in full.

Scopes are committed one by one, so one failing scope does not undo (or block) the others; its
state stays unchanged and it is tried again at the next run.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

from flask import current_app
from sqlalchemy import delete

from klankbord.extensions import db
from klankbord.jobs.models import ReclusterState

#: New texts (as a share of the fitted ones) above which the scope is re-fitted in full.
REFIT_SHARE = 0.25
#: Share of the stored members a rebuilt model must put in the same themes to be used.
REPRODUCE_AGREEMENT = 0.9

_MODELS: dict[int, tuple[int, object, dict[int, int]]] = {}
_MODELS_LOCK = threading.Lock()


def forget_models() -> None:
    """Drop the in-memory models (tests; or to force rebuilding)."""
    with _MODELS_LOCK:
        _MODELS.clear()


def recluster_all(now: datetime, organisation_id: int | None = None) -> dict[str, int]:
    """Bring every saved scope (or only ``organisation_id``'s) up to date; returns counts."""
    from klankbord.reports import seam as reports

    counts = Counter(
        scopes_checked=0,
        scopes_unchanged=0,
        scopes_refitted=0,
        scopes_predicted=0,
        texts_predicted=0,
        scopes_failed=0,
    )
    stale = delete(ReclusterState)
    if organisation_id is not None:
        stale = stale.where(ReclusterState.organisation_id == organisation_id)
    scope_ids = reports.scope_ids(organisation_id)
    db.session.execute(stale.where(ReclusterState.scope_id.not_in(scope_ids or [-1])))
    db.session.commit()
    for scope_id in scope_ids:
        counts["scopes_checked"] += 1
        try:
            outcome, predicted = recluster_scope_if_new(reports.scope(scope_id), now)
            db.session.commit()
        except Exception as error:  # one scope's failure is counted; the others go on
            db.session.rollback()
            from klankbord.jobs.runner import describe_error

            current_app.logger.error(
                "recluster of scope %s failed: %s", scope_id, describe_error(error).splitlines()[0]
            )
            counts["scopes_failed"] += 1
            continue
        counts[f"scopes_{outcome}"] += 1
        counts["texts_predicted"] += predicted
    return dict(counts)


def recluster_scope_if_new(scope, now: datetime) -> tuple[str, int]:
    """Bring one scope up to date; returns ("unchanged" | "refitted" | "predicted", n predicted)."""
    from klankbord.reports.services import collect_texts

    items = collect_texts(scope)
    refs = [item.ref for item in items]
    run = scope.latest_run
    state = db.session.get(ReclusterState, scope.id)
    if run is None and not items:
        return "unchanged", 0
    if state is None and run is not None and run.n_texts == len(items):
        # A run made from the web with the same texts: adopt it as the starting point.
        _save_state(scope, run, refs, fitted=len(refs), predicted=0, now=now)
        return "unchanged", 0
    if state is not None and run is not None and state.run_id == run.id:
        known = set(state.known_refs)
        new = [item for item in items if item.ref not in known]
        deleted = known - set(refs)
        if not new and not deleted:
            return "unchanged", 0
        if (
            not deleted
            and _themes_of(run)
            and len(new) + state.predicted_texts <= REFIT_SHARE * max(state.fitted_texts, 1)
        ):
            predicted = _assign_new(scope, run, items, state, new)
            if predicted is not None:
                _save_state(
                    scope,
                    run,
                    [*state.known_refs, *(i.ref for i in new)],
                    fitted=state.fitted_texts,
                    predicted=state.predicted_texts + len(new),
                    now=now,
                )
                return "predicted", len(new)
    return _refit(scope, items, now)


def _refit(scope, items, now: datetime) -> tuple[str, int]:
    from klankbord.reports.services import recluster_scope

    run = recluster_scope(scope)
    with _MODELS_LOCK:
        _MODELS.pop(scope.id, None)
    _save_state(scope, run, [item.ref for item in items], fitted=len(items), predicted=0, now=now)
    return "refitted", 0


def _save_state(scope, run, refs: list[str], *, fitted: int, predicted: int, now: datetime) -> None:
    state = db.session.get(ReclusterState, scope.id)
    if state is None:
        state = ReclusterState(scope_id=scope.id, organisation_id=scope.organisation_id)
        db.session.add(state)
    state.run_id, state.known_refs, state.updated_at = run.id, list(refs), now
    state.fitted_texts, state.predicted_texts = fitted, predicted
    db.session.flush()


def _themes_of(run) -> dict[int, int]:
    """Theme number → id of the theme its texts go to (following merges)."""
    return {t.number: (t.merged_into_id or t.id) for t in run.themes}


def _threads() -> int:
    return int(current_app.config.get("JOB_CLUSTER_THREADS", 2))


def _assign_new(scope, run, items, state, new) -> int | None:
    """Put new texts into the run's themes with ``predict``; None when no usable model."""
    from threadpoolctl import threadpool_limits

    from klankbord.reports.seam import add_theme_members

    # known_refs lists the fitted texts first, then those assigned later with predict.
    model = _model_for(scope, run, items, set(state.known_refs[: state.fitted_texts]))
    if model is None:
        return None
    clusterer, to_theme = model
    with threadpool_limits(limits=_threads()):
        labels = clusterer.predict([i.text for i in new], languages=[i.language for i in new])
    rows = [
        {
            "theme_id": to_theme[int(label)],
            "response_id": item.response_id,
            "question_id": item.question_id,
            "idea_id": item.idea_id,
            "language": item.language,
            "rank": None,
            "pinned": False,
        }
        for item, label in zip(new, labels, strict=True)
        if int(label) in to_theme
    ]
    add_theme_members(rows)
    run.n_texts += len(new)
    run.n_other += len(new) - len(rows)
    db.session.flush()
    return len(rows)


def _model_for(scope, run, items, fitted: set[str]):
    with _MODELS_LOCK:
        cached = _MODELS.get(scope.id)
    if cached is not None and cached[0] == run.id:
        return cached[1], cached[2]
    model = _rebuild(run, [item for item in items if item.ref in fitted])
    if model is not None:
        with _MODELS_LOCK:
            _MODELS[scope.id] = (run.id, *model)
    return model


def _rebuild(run, fitted_items):
    """Fit a model with the run's own parameters and map its themes onto the stored ones."""
    from threadpoolctl import threadpool_limits

    from klankbord.analysis import FeedbackClusterer
    from klankbord.reports import services as reports

    params = run.params or {}
    if "chosen_k" not in params or len(fitted_items) < 2:
        return None
    # The same feature stage as the run (stored vectors for an embeddings run): TF-IDF themes
    # would not reproduce cross-language themes, and every restart would cost a full re-fit.
    vectorizer = (
        reports.scope_vectorizer(fitted_items) if run.method == reports.METHOD_EMBEDDINGS else None
    )
    clusterer = FeedbackClusterer(
        n_clusters=int(params["chosen_k"]),
        min_cluster_size=int(params.get("min_cluster_size", 5)),
        random_state=params.get("random_state", 0),
        n_resamples=0,
        n_representatives=1,
        vectorizer=vectorizer,
    )
    with threadpool_limits(limits=_threads()):
        clusterer.fit([i.text for i in fitted_items], languages=[i.language for i in fitted_items])
    stored = {ref: theme_id for theme_id, refs in reports.member_refs(run).items() for ref in refs}
    votes: dict[int, Counter] = {}
    compared = 0
    for item, label in zip(fitted_items, clusterer.labels_, strict=True):
        if item.ref in stored:
            compared += 1
            if int(label) >= 0:
                votes.setdefault(int(label), Counter())[stored[item.ref]] += 1
    to_theme = {label: counter.most_common(1)[0][0] for label, counter in votes.items()}
    agreeing = sum(counter.most_common(1)[0][1] for counter in votes.values())
    current_app.logger.info("recluster: rebuilt model agrees on %s of %s texts", agreeing, compared)
    if not compared or agreeing < REPRODUCE_AGREEMENT * compared:
        return None
    merged = {t.id: (t.merged_into_id or t.id) for t in run.themes}
    return clusterer, {label: merged.get(theme, theme) for label, theme in to_theme.items()}
