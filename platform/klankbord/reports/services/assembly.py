"""The report of a release: :func:`build_report` puts every section together."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from klankbord.accounts.models import Location
from klankbord.extensions import db
from klankbord.meetings.models import Meeting
from klankbord.reports import ptable
from klankbord.reports import suppression as sup
from klankbord.reports.models import ReportScope, ThemeRun
from klankbord.reports.services.questions import closed_question_sections, participation
from klankbord.reports.services.scopes import _deployment_label, min_group_size
from klankbord.reports.services.signoff import active_signoff, is_curated
from klankbord.reports.services.themes import theme_sections
from klankbord.reports.services.values import Report, SignOffView, ThemeSection
from klankbord.surveys.models import Deployment

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
    curated = is_curated(run)
    signoff = active_signoff(release) if curated else None
    held = (release.payload or {}).get("held_back") or {}
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
        held_back=[
            (_deployment_label(d, lang), date.fromisoformat(held[str(d.id)]))
            for d in deployments
            if str(d.id) in held
        ],
        curated=curated,
        signoff=(
            SignOffView(signoff.signer_name, signoff.signer_role, signoff.signed_at)
            if signoff is not None
            else None
        ),
    )


def _iso_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
