"""The public seam of surveys: what other domains (reports, embeddings, jobs) may ask of it.

Residents' free text, survey windows and response counts are worked out here once; other
domains call these functions and never query ``surveys.models`` themselves (checked by
``tests/test_architecture.py``). Like every service, these flush and never commit; the calling
view or job commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, delete, func, or_, select, tuple_

from klankbord.core.queries import delete_in_chunks, period_filters
from klankbord.extensions import db
from klankbord.surveys.definitions import SurveyDefinition
from klankbord.surveys.models import Answer, Deployment, Response, SurveyVersion
from klankbord.surveys.services import definition_of


def free_text_question_ids(version: SurveyVersion) -> list[str]:
    """The ids of the free-text questions of a survey version, in the survey's order."""
    return [q.id for q in definition_of(version).questions if q.type == "free_text"]


# Free text -------------------------------------------------------------------------------------


def free_text_answers_select() -> Select | None:
    """Every non-empty free-text answer as a query, for callers that join their own tables.

    Columns: ``response_id``, ``question_id``, ``position``, ``text``, ``organisation_id``,
    ``submitted_on``. None when no survey has a free-text question.
    """
    free: dict[int, list[str]] = {}
    for version in db.session.execute(select(SurveyVersion)).scalars():
        ids = free_text_question_ids(version)
        if ids:
            free[version.id] = ids
    if not free:
        return None
    which = [
        and_(Response.version_id == vid, Answer.question_id.in_(qids)) for vid, qids in free.items()
    ]
    return (
        select(
            Answer.response_id.label("response_id"),
            Answer.question_id.label("question_id"),
            Answer.position.label("position"),
            Answer.value_text.label("text"),
            Deployment.organisation_id.label("organisation_id"),
            Response.submitted_on.label("submitted_on"),
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Deployment, Deployment.id == Response.deployment_id)
        .where(or_(*which), Answer.value_text.is_not(None), Answer.value_text != "")
    )


def scope_free_text(
    organisation_id: int,
    deployment_ids: Sequence[int],
    *,
    location_ids: Sequence[int] = (),
    period_from: date | None = None,
    period_to: date | None = None,
    languages: Sequence[str] = (),
) -> list[tuple[str, str, str, str, date]]:
    """The free-text answers a report scope covers, oldest first.

    Of the organisation's deployments among ``deployment_ids`` (held at one of ``location_ids``,
    when given): first non-empty answers to free-text questions, submitted in the period, in one
    of ``languages`` (all when empty). Rows: (response id, question id, text, language, day).
    """
    from klankbord.surveys.models import deployment_location

    if not deployment_ids:
        return []
    query = select(Deployment).where(
        Deployment.organisation_id == organisation_id, Deployment.id.in_(list(deployment_ids))
    )
    if location_ids:
        query = query.where(
            Deployment.id.in_(
                select(deployment_location.c.deployment_id).where(
                    deployment_location.c.location_id.in_(list(location_ids))
                )
            )
        )
    free = {d.id: free_text_question_ids(d.version) for d in db.session.execute(query).scalars()}
    question_ids = sorted({q for ids in free.values() for q in ids})
    if not question_ids:
        return []
    filters = [
        Response.deployment_id.in_(list(free) or [-1]),
        *period_filters(
            Response.submitted_on,
            Response.language,
            period_from=period_from,
            period_to=period_to,
            languages=languages,
        ),
    ]
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
            *filters,
            Answer.question_id.in_(question_ids),
            Answer.position == 0,
            Answer.value_text.is_not(None),
            Answer.value_text != "",
        )
        .order_by(Response.submitted_on, Answer.response_id, Answer.question_id)
    ).all()
    return [tuple(row) for row in rows]


def expired_free_text(organisation_id: int, cutoff: datetime) -> list[tuple[str, str]]:
    """(response id, question id) of free-text answers of deployments closed before ``cutoff``."""
    keys: list[tuple[str, str]] = []
    deployments = db.session.execute(
        select(Deployment).where(
            Deployment.organisation_id == organisation_id, Deployment.closes_at < cutoff
        )
    ).scalars()
    for deployment in deployments:
        questions = free_text_question_ids(deployment.version)
        if not questions:
            continue
        keys += [
            (r, q)
            for r, q in db.session.execute(
                select(Answer.response_id, Answer.question_id)
                .join(Response, Response.id == Answer.response_id)
                .where(Response.deployment_id == deployment.id, Answer.question_id.in_(questions))
                .distinct()
            )
        ]
    return keys


def purge_answers(keys: Sequence[tuple[str, str]]) -> int:
    """Delete the answers (every position) of these (response id, question id); flushes.

    The response and its closed answers stay, so counts and charts do not change. Returns the
    number of answer rows deleted.
    """
    pairs = tuple_(Answer.response_id, Answer.question_id)
    return delete_in_chunks(lambda chunk: delete(Answer).where(pairs.in_(chunk)), keys)


# Counts and windows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeploymentSummary:
    """What staff mail says about a deployment: its survey's title, window and locations."""

    id: int
    organisation_id: int
    opens_at: datetime
    closes_at: datetime
    locations: tuple[str, ...]
    definition: SurveyDefinition

    def title(self, lang: str) -> str:
        return self.definition.text("title", lang)


def _summary(deployment: Deployment) -> DeploymentSummary:
    return DeploymentSummary(
        id=deployment.id,
        organisation_id=deployment.organisation_id,
        opens_at=deployment.opens_at,
        closes_at=deployment.closes_at,
        locations=tuple(location.name for location in deployment.locations),
        definition=definition_of(deployment.version),
    )


def deployments_by_id(organisation_id: int, ids: Sequence[int]) -> list[Deployment]:
    """These survey rounds of the organisation, oldest first (a release names the ones it holds).
    Callers read them (locations, version), never change them."""
    if not ids:
        return []
    return list(
        db.session.execute(
            select(Deployment)
            .where(Deployment.organisation_id == organisation_id, Deployment.id.in_(list(ids)))
            .order_by(Deployment.opens_at, Deployment.id)
        ).scalars()
    )


def response_count(deployment_id: int) -> int:
    """Responses of a deployment (the exact number: staff mail only, never a reader's figure)."""
    return db.session.execute(
        select(func.count(Response.id)).where(Response.deployment_id == deployment_id)
    ).scalar_one()


def responses_since(deployment_ids: Sequence[int], since: date) -> int:
    """Responses of these deployments submitted on or after the day ``since``."""
    if not deployment_ids:
        return 0
    return db.session.execute(
        select(func.count(Response.id)).where(
            Response.deployment_id.in_(list(deployment_ids)), Response.submitted_on >= since
        )
    ).scalar_one()


def responses_per_deployment_since(
    organisation_id: int, since: date
) -> list[tuple[DeploymentSummary, int]]:
    """Each deployment of the organisation with responses since ``since``, and how many."""
    rows = db.session.execute(
        select(Deployment.id, func.count(Response.id))
        .join(Response, Response.deployment_id == Deployment.id)
        .where(Deployment.organisation_id == organisation_id, Response.submitted_on >= since)
        .group_by(Deployment.id)
        .order_by(Deployment.id)
    ).all()
    return [(_summary(db.session.get(Deployment, i)), n) for i, n in rows]


@dataclass(frozen=True)
class WindowEvent:
    """A deployment opened, is about to close, or closed, at ``moment``."""

    kind: str  # "survey_opened" | "survey_closing" | "survey_closed"
    moment: datetime
    deployment: DeploymentSummary


def window_events(
    now: datetime,
    *,
    closing_hours: int,
    stale_after: timedelta,
    organisation_id: int | None = None,
) -> list[WindowEvent]:
    """The window events due at ``now`` of deployments open by now and not closed longer than
    ``stale_after`` ago (of one organisation, or all), by deployment id.

    A deployment that has closed has only its "closed" event; an open one has "opened", and
    "closing" from ``closing_hours`` before it closes.
    """
    query = select(Deployment).where(
        Deployment.opens_at <= now, Deployment.closes_at > now - stale_after
    )
    if organisation_id is not None:
        query = query.where(Deployment.organisation_id == organisation_id)
    events = []
    for deployment in db.session.execute(query.order_by(Deployment.id)).scalars():
        summary = _summary(deployment)
        if deployment.closes_at <= now:
            events.append(WindowEvent("survey_closed", deployment.closes_at, summary))
            continue
        events.append(WindowEvent("survey_opened", deployment.opens_at, summary))
        warn_from = deployment.closes_at - timedelta(hours=closing_hours)
        if now >= warn_from:
            events.append(WindowEvent("survey_closing", warn_from, summary))
    return events


# Demo data -------------------------------------------------------------------------------------


def insert_made_up_responses(responses: Sequence[dict], answers: Sequence[dict]) -> None:
    """Write made-up responses and their answers as given (the reports demo); flushes nothing.

    Dicts of the columns of ``Response`` and ``Answer``. Never for residents' answers: those go
    through ``services.submit_response`` (checks, scrubbing, receipts).
    """
    from sqlalchemy import insert

    if responses:
        db.session.execute(insert(Response), list(responses))
    if answers:
        db.session.execute(insert(Answer), list(answers))
