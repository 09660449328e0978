"""The jobs themselves: thin module-level functions, each calling one service of its domain.

APScheduler stores ``scheduled_run`` by reference with the job name as its only argument.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from klankbord.jobs.runner import JobContext, job, run_job


def scheduled_run(name: str) -> None:
    """Entry point of every scheduled tick: run job ``name`` for its current period."""
    from klankbord.jobs.schedule import scheduler_app

    app = scheduler_app()
    with app.app_context():
        result = run_job(name, trigger="scheduler")
        app.logger.info("job %s %s: %s", name, result.period_key, result.outcome)


@job(
    "retention",
    _l("Delete free text and meeting ideas past each organisation's retention period."),
)
def retention(ctx: JobContext) -> dict:
    from klankbord.jobs.retention import purge_expired

    return purge_expired(ctx.now, organisation_id=ctx.organisation_id)


@job("survey_windows", _l("Tell facilitators when a survey opens, is about to close, or closed."))
def survey_windows(ctx: JobContext) -> dict:
    from klankbord.jobs.windows import notify_windows

    return notify_windows(ctx, ctx.now)


@job("digest", _l("Weekly summary for policymakers of what is new in their saved scopes."))
def digest(ctx: JobContext) -> dict:
    from klankbord.jobs.digest import send_digests

    return send_digests(ctx, ctx.now)


@job(
    "recluster",
    _l("Update the themes of saved report scopes that have new free text."),
)
def recluster(ctx: JobContext) -> dict:
    from klankbord.jobs.recluster import recluster_all

    return recluster_all(ctx.now, organisation_id=ctx.organisation_id)


@job(
    "embed",
    _l("Compute multilingual embeddings of new free text, for themes across languages."),
    per_organisation=False,  # one model for the whole platform: the operator's job
)
def embed(ctx: JobContext) -> dict:
    from klankbord.embeddings.services import embed_pending_texts

    return embed_pending_texts()


@job(
    "releases",
    "Release yesterday's figures of every report and survey round that has enough new answers.",
)
def releases(ctx: JobContext) -> dict:
    from klankbord.reports.releases import release_due

    return release_due(ctx.organisation_id)


@job(
    "reorder",
    "Rewrite survey responses and poll answers in random-key order: no order of arrival kept.",
    per_organisation=False,  # rewrites whole tables: the operator's job
)
def reorder(ctx: JobContext) -> dict:
    from klankbord.jobs.reorder import reorder as reorder_tables

    return reorder_tables(ctx.last_success)
