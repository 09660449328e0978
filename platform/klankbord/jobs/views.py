"""Admin page /admin/jobs: history, next run times and "run now"."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from klankbord.accounts.models import Role
from klankbord.accounts.tenancy import require_role, staff_blueprint
from klankbord.core.time import utcnow

bp = staff_blueprint("jobs", __name__, template_folder="templates")


@bp.get("/admin/jobs")
@require_role(Role.ADMIN)
def index():
    from klankbord.jobs.cli import job_overview
    from klankbord.jobs.runner import last_runs

    return render_template(
        "jobs/index.html", jobs=job_overview(current_app.config, utcnow()), runs=last_runs(100)
    )


@bp.post("/admin/jobs/run")
@require_role(Role.ADMIN)
def run_now():
    """Run a job at once, in this request; a job that is busy elsewhere is skipped, not doubled.

    The job name is a form field, not part of the URL: jobs belong to no organisation.
    """
    from klankbord.jobs.runner import JOBS, run_job
    from klankbord.jobs.schedule import manual_period_key

    name = request.form.get("job", "")
    if name not in JOBS:
        flash(_("There is no job with that name."), "error")
        return redirect(url_for("jobs.index"))
    now = utcnow()
    result = run_job(name, now, period_key=manual_period_key(now), trigger="admin")
    if result.outcome == "ok":
        flash(_("The job %(name)s ran successfully.", name=name), "success")
    elif result.outcome == "skipped":
        flash(_("The job %(name)s is already running; try again in a moment.", name=name), "error")
    else:
        flash(
            _("The job %(name)s failed. The error is shown in the history below.", name=name),
            "error",
        )
    return redirect(url_for("jobs.index"))
