"""Admin page /admin/jobs: an organisation's part of each job, its history and "run now".

An organisation's admin sees and runs only that organisation's part: runs of other
organisations never show, and "run now" acts on the admin's organisation alone. Work for the
whole platform (every organisation at once, the embedding model) is the operator's, from the
command line (``klankbord jobs run``), and is not offered here.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from klankbord.accounts.models import Role
from klankbord.accounts.tenancy import current_org, require_role, staff_blueprint
from klankbord.core.time import utcnow

bp = staff_blueprint("jobs", __name__, template_folder="templates")


@bp.get("/admin/jobs")
@require_role(Role.ADMIN)
def index():
    from klankbord.jobs.cli import job_overview
    from klankbord.jobs.runner import last_runs

    org_id = current_org().id
    return render_template(
        "jobs/index.html",
        jobs=job_overview(current_app.config, utcnow(), org_id),
        runs=last_runs(100, organisation_id=org_id),
    )


@bp.post("/admin/jobs/run")
@require_role(Role.ADMIN)
def run_now():
    """Run this organisation's part of a job at once, in this request.

    A job that is busy elsewhere is skipped, not doubled. The job name is a form field; jobs
    that cannot run for one organisation only answer like unknown ones.
    """
    from klankbord.jobs.runner import JOBS, run_job
    from klankbord.jobs.schedule import manual_period_key

    name = request.form.get("job", "")
    spec = JOBS.get(name)
    if spec is None or not spec.per_organisation:
        flash(_("There is no job with that name."), "error")
        return redirect(url_for("jobs.index"))
    now = utcnow()
    org_id = current_org().id
    result = run_job(
        name,
        now,
        period_key=manual_period_key(now, org_id),
        trigger="admin",
        organisation_id=org_id,
    )
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
