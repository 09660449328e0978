"""Report scopes: saving them, and the SQL filters that select a scope's responses and ideas."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from klankbord.accounts.models import Location, Organisation
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.meetings.models import Meeting, MeetingIdea
from klankbord.reports import suppression as sup
from klankbord.reports.models import ReportScope
from klankbord.reports.services.common import ReportError, _text
from klankbord.surveys.models import Deployment, Response, SurveyVersion, deployment_location
from klankbord.surveys.services import definition_of

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


def _deployment_label(deployment: Deployment, lang: str) -> str:
    defn = definition_of(deployment.version)
    places = ", ".join(location.name for location in deployment.locations)
    return f"{_text(defn.title, lang)} — {places} ({deployment.opens_at:%Y-%m-%d})"


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
