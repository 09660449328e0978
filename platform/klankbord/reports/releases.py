"""Releases: the only source of the figures that anyone but the facilitators' working view sees.

A release freezes the aggregated rows of a report scope (or of one survey round, for the
residents' results page) up to the end of a closed day: counts with the sums of their records'
keys. Reports, PDFs, CSVs, share links and the results pages render a release; the perturbation
(``ptable.py``) and suppression run on its frozen rows and give the same numbers every time.

The release rule (docs/privacy.md) stops a reader from isolating a handful of people by comparing
consecutive releases: a new release of a subject needs

* a closed period: ``data_until`` is at the latest yesterday, and later than the previous release's;
* at least k changed records (new plus removed) since the previous release, k being the
  organisation's minimum group size.

Services flush; views and jobs commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from klankbord.core.disclosure import coarse_count
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import MeetingIdea
from klankbord.reports.models import Release, ReportScope
from klankbord.surveys.models import Answer, Deployment, Response


class ReleaseRefused(Exception):
    """A release may not be made now; ``reason`` is a code the views turn into a sentence."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def latest_release(*, scope: ReportScope | None = None, deployment: Deployment | None = None):
    """The newest release of a scope or a survey round, or None."""
    column = Release.scope_id if scope is not None else Release.deployment_id
    subject = scope if scope is not None else deployment
    return db.session.execute(
        select(Release).where(column == subject.id).order_by(Release.version.desc()).limit(1)
    ).scalar_one_or_none()


# Freezing --------------------------------------------------------------------------------------


def _response_rows(filters: list, data_until: date) -> tuple[list, list]:
    """Responses per deployment, day and language; closed answers per deployment, month,
    question and value; each with the sum of the record keys (and of those answering)."""
    filters = [*filters, Response.submitted_on <= data_until]
    days = db.session.execute(
        select(
            Response.deployment_id,
            Response.submitted_on,
            Response.language,
            func.count(),
            func.coalesce(func.sum(Response.record_key), 0),
        )
        .where(*filters)
        .group_by(Response.deployment_id, Response.submitted_on, Response.language)
    ).all()
    first = Answer.position == 0
    # Grouped by day (plain columns, no date function per row), then rolled up to months here.
    per_day = db.session.execute(
        select(
            Response.deployment_id,
            Response.submitted_on,
            Answer.question_id,
            Answer.value_text,
            func.count(),
            func.sum(case((first, 1), else_=0)),
            func.coalesce(func.sum(Response.record_key), 0),
            func.coalesce(func.sum(case((first, Response.record_key), else_=0)), 0),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(*filters, Answer.value_text.is_not(None))
        .group_by(Response.deployment_id, Response.submitted_on, Answer.question_id)
        .group_by(Answer.value_text)
    ).all()
    closed: dict[tuple, list[int]] = {}
    for d, day, q, v, n, f, k, fk in per_day:
        cell = closed.setdefault((d, f"{day:%Y-%m}", q, v), [0, 0, 0, 0])
        cell[0] += int(n)
        cell[1] += int(f or 0)
        cell[2] += int(k)
        cell[3] += int(fk)
    return (
        [[d, day.isoformat(), lang, int(n), int(k)] for d, day, lang, n, k in days],
        [[*key, *values] for key, values in sorted(closed.items())],
    )


def freeze_scope(scope: ReportScope, data_until: date) -> dict:
    """The rows a scope's report is built from, up to the end of ``data_until``."""
    from klankbord.reports import services

    deployments = services._scope_deployments(scope)
    ids = [d.id for d in deployments]
    days, closed = _response_rows(services._response_filters(scope, ids), data_until)
    n_ideas, idea_keys = 0, 0
    if scope.meeting_ids:
        n_ideas, idea_keys = db.session.execute(
            select(func.count(MeetingIdea.id), func.coalesce(func.sum(MeetingIdea.record_key), 0))
            .where(*services._idea_filters(scope), MeetingIdea.created_on <= data_until)
        ).one()
    texts = [0, 0]
    if scope.include_survey_text and ids:
        free = sorted(
            {
                q.id
                for d in deployments
                for q in services.definition_of(d.version).questions
                if q.type == "free_text"
            }
        )
        n, key_sum = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Response.record_key), 0))
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(
                *services._response_filters(scope, ids),
                Response.submitted_on <= data_until,
                Answer.question_id.in_(free or ["-"]),
                Answer.position == 0,
                Answer.value_text.is_not(None),
                Answer.value_text != "",
            )
        ).one()
        texts = [int(n), int(key_sum)]
    if scope.include_meeting_text:
        texts = [texts[0] + int(n_ideas), texts[1] + int(idea_keys)]
    return {
        # The scope as it was: editing it later must not change what this release shows.
        "scope": {
            "period_from": scope.period_from.isoformat() if scope.period_from else None,
            "period_to": scope.period_to.isoformat() if scope.period_to else None,
            "location_ids": list(scope.location_ids or []),
            "meeting_ids": list(scope.meeting_ids or []),
            "languages": list(scope.languages or []),
            "compare_by": scope.compare_by,
        },
        "deployment_ids": ids,
        "days": days,
        "closed": closed,
        "ideas": [int(n_ideas), int(idea_keys)],
        "texts": texts,
    }


def freeze_deployment(deployment: Deployment, data_until: date) -> dict:
    """The rows of one survey round's results page, up to the end of ``data_until``."""
    days, closed = _response_rows([Response.deployment_id == deployment.id], data_until)
    return {"deployment_ids": [deployment.id], "days": days, "closed": closed, "ideas": [0, 0]}


def _records(payload: dict) -> int:
    return sum(row[3] for row in payload["days"]) + payload["ideas"][0]


# The release rule ------------------------------------------------------------------------------


def _min_group(organisation_id: int, scope: ReportScope | None) -> int:
    from klankbord.reports import services

    if scope is not None:
        return services.min_group_size(scope)
    from klankbord.accounts.models import Organisation
    from klankbord.reports import suppression as sup

    org = db.session.get(Organisation, organisation_id)
    return sup.effective_min_group_size(org.min_group_size if org else None)


def cell_changes(before: dict, after: dict) -> int:
    """Records added plus records removed between two {cell: (count, key sum)} maps; a removal
    and an addition in the same cell (same count, other key sum) both count."""
    changed = 0
    for cell in before.keys() | after.keys():
        n0, k0 = before.get(cell, (0, 0))
        n1, k1 = after.get(cell, (0, 0))
        if n0 == n1 and k0 != k1:
            changed += 2  # as many removed as added: at least one of each
        else:
            changed += abs(n1 - n0)
    return changed


def _changed_records(previous: Release, payload: dict) -> int:
    """Records added plus records removed since ``previous`` (per deployment, day and language
    cell), and of meeting ideas."""
    before = {(d, day, lang): (n, k) for d, day, lang, n, k in previous.payload.get("days", [])}
    after = {(d, day, lang): (n, k) for d, day, lang, n, k in payload["days"]}
    changed = cell_changes(before, after)
    ideas0 = previous.payload.get("ideas", [0, 0])
    ideas1 = payload["ideas"]
    if ideas0[0] == ideas1[0] and ideas0[1] != ideas1[1]:
        changed += 2
    else:
        changed += abs(ideas1[0] - ideas0[0])
    return changed


def _hold_back_small_changes(previous: Release, payload: dict, k: int) -> dict[int, str]:
    """Keep a survey round's rows as the previous release had them when fewer than k of its
    records changed since then.

    The release rule counts changes over the whole scope, so 12 new answers at one location and 1
    at another make a release; the second location's figures side by side with the previous
    release's would show that one person's answer (a shown 0 that becomes "fewer than k"). Its
    rows wait until k of its records have changed. Returns {deployment id: data until of the
    rows kept}, stored in the payload so the report can say so."""
    def per_deployment(rows):
        out: dict[int, dict] = {}
        for d, day, lang, n, key in rows:
            out.setdefault(d, {})[(day, lang)] = (n, key)
        return out

    before = per_deployment(previous.payload.get("days", []))
    after = per_deployment(payload["days"])
    kept = dict(previous.payload.get("held_back", {}))
    held: dict[int, str] = {}
    for d in set(after) | set(before):
        changed = cell_changes(before.get(d, {}), after.get(d, {}))
        if 0 < changed < k:
            held[d] = kept.get(str(d), previous.data_until.isoformat())
    if held:
        payload["days"] = [r for r in payload["days"] if r[0] not in held] + [
            r for r in previous.payload.get("days", []) if r[0] in held
        ]
        payload["closed"] = sorted(
            [r for r in payload["closed"] if r[0] not in held]
            + [r for r in previous.payload.get("closed", []) if r[0] in held]
        )
    return held


def _make(
    *,
    organisation_id: int,
    scope: ReportScope | None,
    deployment: Deployment | None,
    data_until: date | None,
    actor,
    run_id: int | None,
    check_rule: bool = True,
) -> Release:
    yesterday = utcnow().date() - timedelta(days=1)
    data_until = data_until or yesterday
    if data_until > yesterday and check_rule:
        raise ReleaseRefused("period_open", data_until=data_until)
    previous = latest_release(scope=scope, deployment=deployment)
    if scope is not None:
        payload = freeze_scope(scope, data_until)
    else:
        payload = freeze_deployment(deployment, data_until)
    k = _min_group(organisation_id, scope)
    if previous is not None and check_rule:
        if data_until <= previous.data_until:
            raise ReleaseRefused("no_new_period", previous=previous.data_until)
        held = _hold_back_small_changes(previous, payload, k)
        if held:
            payload["held_back"] = {str(d): until for d, until in sorted(held.items())}
        changed = _changed_records(previous, payload)
        if changed < k:
            raise ReleaseRefused("too_few_new", k=k, previous=previous.data_until)
    release = Release(
        organisation_id=organisation_id,
        scope_id=scope.id if scope is not None else None,
        deployment_id=deployment.id if deployment is not None else None,
        version=(previous.version + 1) if previous is not None else 1,
        data_until=data_until,
        created_by_id=getattr(actor, "id", None),
        run_id=run_id,
        n_records=_records(payload),
        payload=payload,
    )
    db.session.add(release)
    db.session.flush()
    return release


def make_scope_release(scope: ReportScope, *, data_until: date | None = None, actor=None):
    """A new release of a scope (up to yesterday by default), if the release rule allows."""
    run = scope.latest_run
    return _make(
        organisation_id=scope.organisation_id,
        scope=scope,
        deployment=None,
        data_until=data_until,
        actor=actor,
        run_id=run.id if run is not None else None,
    )


def make_deployment_release(deployment: Deployment, *, data_until: date | None = None, actor=None):
    """A new release of a survey round's results, if the release rule allows."""
    return _make(
        organisation_id=deployment.organisation_id,
        scope=None,
        deployment=deployment,
        data_until=data_until,
        actor=actor,
        run_id=None,
    )


def release_due(organisation_id: int | None = None) -> dict[str, int]:
    """The scheduler's daily step: release every scope and survey round the rule allows."""
    made = refused = 0
    scopes = select(ReportScope)
    deployments = select(Deployment)
    if organisation_id is not None:
        scopes = scopes.where(ReportScope.organisation_id == organisation_id)
        deployments = deployments.where(Deployment.organisation_id == organisation_id)
    for scope in db.session.execute(scopes.order_by(ReportScope.id)).scalars():
        try:
            with db.session.begin_nested():
                make_scope_release(scope)
            made += 1
        except ReleaseRefused:
            refused += 1
    for deployment in db.session.execute(deployments.order_by(Deployment.id)).scalars():
        try:
            with db.session.begin_nested():
                make_deployment_release(deployment)
            made += 1
        except ReleaseRefused:
            refused += 1
    return {"made": made, "refused": refused}


def live_progress(scope: ReportScope) -> int:
    """Responses in the scope so far, rounded down to a multiple of 5: the facilitators' working
    view of progress, never split by language, answer or day."""
    from klankbord.reports import services

    ids = [d.id for d in services._scope_deployments(scope)]
    n = db.session.execute(
        select(func.count()).select_from(Response).where(*services._response_filters(scope, ids))
    ).scalar_one()
    return coarse_count(n)


def survey_round_results(deployment: Deployment, defn, min_group_size: int):
    """The residents' results page of a survey round, from its newest release.

    Returns (results, release); results are None before the first release. Counts are perturbed
    like every released figure and hidden below the minimum group size; no totals are given.
    """
    from klankbord.reports import ptable
    from klankbord.reports import suppression as sup
    from klankbord.surveys.services import CLOSED_TYPES, OptionCount, QuestionResult

    release = latest_release(deployment=deployment)
    if release is None:
        return None, None
    cells: dict[tuple[str, str], list[int]] = {}
    for row in ReleaseData(release).closed_counts():
        _, _, question_id, value, n, _, key_sum, _ = row
        cell = cells.setdefault((question_id, value), [0, 0])
        cell[0] += int(n)
        cell[1] += int(key_sum)
    k = sup.effective_min_group_size(min_group_size)
    results = []
    for question in defn.questions:
        if question.type not in CLOSED_TYPES:
            continue
        options = []
        for option in question.options:
            n, key_sum = cells.get((question.id, option.value), (0, 0))
            shown = n >= k or n == 0
            options.append(
                OptionCount(option.value, ptable.perturb(n, key_sum, k) if shown else 0, shown)
            )
        results.append(QuestionResult(question.id, tuple(options)))
    return results, release


# Reading a release -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseData:
    """A release's frozen rows in the shapes the report builder reads."""

    release: Release

    @property
    def data_until(self) -> date:
        return self.release.data_until

    def response_days(self) -> list[tuple]:
        """(deployment, day, language, n, key sum) rows."""
        return [
            (d, date.fromisoformat(day), lang, n, k)
            for d, day, lang, n, k in self.release.payload.get("days", [])
        ]

    def closed_counts(self) -> list[tuple]:
        """(deployment, month, question, value, n, first, key sum, first key sum) rows."""
        return [tuple(row) for row in self.release.payload.get("closed", [])]

    def ideas(self) -> tuple[int, int]:
        n, k = self.release.payload.get("ideas", [0, 0])
        return int(n), int(k)

