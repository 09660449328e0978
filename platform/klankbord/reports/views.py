"""Report pages: policymakers read, facilitators and admins curate; other organisations get 404.

Every page, the PDF, the CSV and the public share link render the one suppressed
:class:`~klankbord.reports.services.Report` from :func:`services.build_report`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from klankbord.accounts.forms import role_label
from klankbord.accounts.services import record_event
from klankbord.accounts.tenancy import get_scoped_or_404, require_role, scoped, staff_blueprint
from klankbord.core import pdf
from klankbord.core.access import member_action, public_endpoint
from klankbord.core.i18n import LANGUAGE_NAMES, current_language
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.reports import charts, export, releases, services
from klankbord.reports.forms import ScopeForm
from klankbord.reports.models import ReportScope, ReportTheme, ShareLink

bp = staff_blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
public = Blueprint("reports_public", __name__, template_folder="templates")

EDIT = ("admin", "facilitator")

ERRORS = {
    "name_required": lambda: _("Give the report a name."),
    "period_order": lambda: _("The end of the period is before its start."),
    "empty_scope": lambda: _("Choose at least one survey round or meeting."),
    "foreign_id": lambda: _("Something you chose does not belong to your organisation."),
    "merge_same_run": lambda: _("Choose two different themes of the same run."),
    "split_choice": lambda: _("Choose some, but not all, texts to move."),
    "unknown_quote": lambda: _("This text is not part of this report."),
    "link_choice": lambda: _("Choose an action item or an update."),
    "share_days": lambda: _("Choose between 1 and 90 days."),
    "compare_by": lambda: _("Choose how to compare over time."),
    "signoff_needed": lambda: _(
        "The themes of this release were curated. An administrator or policymaker who did not "
        "curate them signs them off first; then the report can be shared."
    ),
    "signoff_role": lambda: _("Only an administrator or a policymaker can sign off a report."),
    "signoff_own_curation": lambda: _(
        "You curated these themes yourself. Someone else (an administrator or policymaker) "
        "signs them off: four eyes see more than two."
    ),
    "signoff_not_curated": lambda: _(
        "The themes of this release were not curated: no sign-off is needed."
    ),
    "signoff_release": lambda: _("This release is not of this report."),
}


def _error(error: services.ReportError) -> str:
    return ERRORS.get(error.code, lambda: _("That did not work. Please check what you entered."))()


# Rendering helpers ---------------------------------------------------------------------------


def markers(k: int) -> dict[str, str]:
    return {"small": _("fewer than %(n)s", n=k), "hidden": _("hidden"), "shown": ""}


def _chart(title: str, table, k: int, row: int = 0) -> Markup:
    m = markers(k)
    return charts.bar_chart(
        title,
        table.cols,
        table.cells[row],
        desc=_("Bar chart of the answers; the same numbers are in the table below."),
        suppressed_text=m["small"],
        hidden_text=m["hidden"],
    )


def _trend_chart(title: str, table, k: int) -> Markup:
    return charts.column_chart(
        title,
        table.cols,
        table.cells[0],
        desc=_("Number of texts per month; the numbers are also in the table."),
        suppressed_text=f"<{k}",
    )


def report_context(report: services.Report) -> dict:
    return {
        "report": report,
        "markers": markers(report.min_group_size),
        "chart": _chart,
        "trend_chart": _trend_chart,
        "language_names": LANGUAGE_NAMES,
        "role_label": role_label,
    }


def _pdf_unavailable():
    return render_template(
        "errors/error.html",
        code=503,
        title=_("PDF not available"),
        text=_(
            "This server cannot make PDF files right now (WeasyPrint "
            "is not installed). Use the CSV export or print the page."
        ),
    ), 503


def build(scope: ReportScope, release=None) -> services.Report | None:
    """The report of the scope's newest release (or of ``release``), or None before the first."""
    release = release or releases.latest_release(scope=scope)
    if release is None:
        return None
    return services.build_report(
        scope, release=release, lang=current_language(), labels={"several": _("Several locations")}
    )


REFUSALS = {
    "period_open": _l("A release holds whole days only: today's answers can be released tomorrow."),
    "no_new_period": _l(
        "There is already a release with data up to %(date)s; a new one can include later days "
        "only."
    ),
    "too_few_new": _l(
        "Fewer than %(k)s answers came in since the release with data up to %(date)s. A new "
        "release waits for more, so nobody's answers can be found by comparing two releases."
    ),
}


def refusal_text(error: releases.ReleaseRefused) -> str:
    details = error.details
    day = details.get("previous")
    return str(REFUSALS[error.reason]) % {
        "k": details.get("k", ""),
        "date": format_date(day) if day else "",
    }


def _no_release(scope: ReportScope):
    return render_template(
        "reports/no_release.html",
        scope=scope,
        can_edit=_editable(),
        progress=releases.live_progress(scope),
    )


def _editable() -> bool:
    role = getattr(g, "role", None)
    return role is not None and role.value in EDIT


# Scopes ----------------------------------------------------------------------------------------


@bp.get("/")
def index():
    scopes = db.session.execute(scoped(ReportScope).order_by(ReportScope.name)).scalars().all()
    return render_template("reports/index.html", scopes=scopes, can_edit=_editable())


def _fill_choices(form: ScopeForm) -> None:
    choices = services.scope_choices(g.org.id)
    form.deployment_ids.choices = [SelectChoice(i, label) for i, label in choices["deployments"]]
    form.meeting_ids.choices = [SelectChoice(i, label) for i, label in choices["meetings"]]
    form.location_ids.choices = [SelectChoice(i, label) for i, label in choices["locations"]]


def _scope_form(scope: ReportScope | None):
    form = ScopeForm(obj=scope)
    _fill_choices(form)
    if form.validate_on_submit():
        data = services.ScopeData(
            name=form.name.data,
            deployment_ids=tuple(form.deployment_ids.data or ()),
            meeting_ids=tuple(form.meeting_ids.data or ()),
            location_ids=tuple(form.location_ids.data or ()),
            period_from=form.period_from.data,
            period_to=form.period_to.data,
            languages=tuple(form.languages.data or ()),
            include_survey_text=form.include_survey_text.data,
            include_meeting_text=form.include_meeting_text.data,
            compare_by=form.compare_by.data,
        )
        try:
            scope = services.save_scope(g.org, data, scope, created_by=current_user)
        except services.ReportError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, _error(error)]
        else:
            db.session.commit()
            flash(_("Report scope saved."), "success")
            return redirect(url_for("reports.show", scope_id=scope.id))
    return render_template("reports/scope_form.html", form=form, scope=scope)


@bp.route("/new", methods=["GET", "POST"])
@require_role(*EDIT)
def create():
    return _scope_form(None)


@bp.route("/<int:scope_id>/edit", methods=["GET", "POST"])
@require_role(*EDIT)
def edit(scope_id: int):
    return _scope_form(get_scoped_or_404(ReportScope, scope_id))


# The report ------------------------------------------------------------------------------------


@bp.get("/<int:scope_id>")
def show(scope_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    report = build(scope)
    if report is None:
        return _no_release(scope)
    links = []
    if g.role.value in SHARE:
        links = (
            db.session.execute(
                scoped(ShareLink)
                .where(ShareLink.scope_id == scope.id)
                .order_by(ShareLink.created_at.desc())
            )
            .scalars()
            .all()
        )
    release = releases.latest_release(scope=scope)
    return render_template(
        "reports/report.html",
        scope=scope,
        can_edit=_editable(),
        can_sign_off=g.role.value in services.SIGN_OFF_ROLES,
        cleared_signoff=services.last_cleared_signoff(release) if report.needs_signoff else None,
        can_share=g.role.value in SHARE,
        can_revoke=g.role.value in REVOKE,
        fold=True,
        share_links=links,
        now=utcnow(),
        progress=releases.live_progress(scope) if _editable() else None,
        **report_context(report),
    )


@bp.post("/<int:scope_id>/release")
@require_role(*EDIT)
def make_release(scope_id: int):
    """Release the scope's figures up to yesterday, if the release rule allows."""
    scope = get_scoped_or_404(ReportScope, scope_id)
    try:
        release = releases.make_scope_release(scope, actor=current_user)
    except releases.ReleaseRefused as refused:
        db.session.rollback()
        flash(refusal_text(refused), "error")
    else:
        record_event(
            "release_made",
            actor=current_user,
            target_type="report_scope",
            target_id=scope.id,
            details={"version": release.version},
        )
        db.session.commit()
        flash(
            _("Release %(n)s made: data up to %(date)s.", n=release.version,
              date=format_date(release.data_until)),
            "success",
        )
    return redirect(url_for("reports.show", scope_id=scope.id))


@bp.post("/<int:scope_id>/recompute")
@require_role(*EDIT)
def recompute(scope_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    run = services.recluster_scope(scope)
    record_event(
        "themes_computed",
        actor=current_user,
        target_type="report_scope",
        target_id=scope.id,
        details={"run": run.id, "themes": run.n_themes},
    )
    db.session.commit()
    flash(_("Themes recomputed: %(n)s themes.", n=run.n_themes), "success")
    return redirect(url_for("reports.curate", scope_id=scope.id))


def _audit_export(scope: ReportScope, fmt: str) -> None:
    record_event(
        "export",
        actor=current_user,
        target_type="report_scope",
        target_id=scope.id,
        details={"format": fmt},
    )
    db.session.commit()


def csv_headers() -> dict[str, str]:
    return {
        "section": _("section"),
        "table": _("table"),
        "group": _("group"),
        "answer": _("answer"),
        "count": _("count"),
        "percent": _("percent"),
        "total": _("total"),
        "participation": _("Responses"),
        "questions": _("Questions"),
        "by_location": _("by location"),
        "by_period": _("over time"),
        "themes": _("Themes"),
        "languages": _("languages"),
        "other": _("Other (no theme)"),
    }


@bp.get("/<int:scope_id>/export.csv")
def export_csv(scope_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    report = build(scope)
    if report is None:
        return _no_release(scope), 409
    body = export.to_csv(export.report_rows(report, markers(report.min_group_size), csv_headers()))
    _audit_export(scope, "csv")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="klankbord-report-{scope.id}.csv"'},
    )


#: Answer columns per part of a table in the PDF; wider tables are split, never cut off.
PDF_COLUMNS_PER_PART = 6


def render_report_pdf_html(report: services.Report) -> str:
    return render_template(
        "reports/pdf.html", pdf_split=PDF_COLUMNS_PER_PART, **report_context(report)
    )


@bp.get("/<int:scope_id>/export.pdf")
def export_pdf(scope_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    if not pdf.available():
        return _pdf_unavailable()
    report = build(scope)
    if report is None:
        return _no_release(scope), 409
    body = pdf.render(render_report_pdf_html(report), current_app.static_folder or "")
    _audit_export(scope, "pdf")
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="klankbord-report-{scope.id}.pdf"'},
    )


# Curation --------------------------------------------------------------------------------------


@bp.get("/<int:scope_id>/curate")
@require_role(*EDIT)
def curate(scope_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    run = scope.latest_run
    sections, other, _small = ([], 0, 0)
    members = {}
    k = services.min_group_size(scope)
    if run is not None:
        sections, other, _small = services.theme_sections(
            run, k, current_language(), for_curation=True
        )
        for theme in run.themes:
            members[theme.id] = theme.members
    from klankbord.meetings.models import MeetingAction, MeetingUpdate

    actions = (
        db.session.execute(scoped(MeetingAction).order_by(MeetingAction.id.desc()).limit(200))
        .scalars()
        .all()
    )
    updates = (
        db.session.execute(scoped(MeetingUpdate).order_by(MeetingUpdate.id.desc()).limit(200))
        .scalars()
        .all()
    )
    return render_template(
        "reports/curate.html",
        scope=scope,
        run=run,
        sections=sections,
        other=other,
        members=members,
        actions=actions,
        updates=updates,
        min_group_size=k,
    )


def _theme(scope: ReportScope, theme_id) -> ReportTheme:
    theme = get_scoped_or_404(ReportTheme, theme_id)
    if theme.run.scope_id != scope.id:
        abort(404)
    return theme


def _int_list(name: str) -> list[int]:
    out = []
    for value in request.form.getlist(name):
        if not value.isdigit():
            abort(400)
        out.append(int(value))
    return out


def _form_int(name: str) -> int | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit():
        abort(400)
    return int(value)


@bp.post("/<int:scope_id>/themes/<int:report_theme_id>")
@require_role(*EDIT)
def curate_theme(scope_id: int, report_theme_id: int):
    """One endpoint per theme; the button pressed (``action``) says what to do."""
    scope = get_scoped_or_404(ReportScope, scope_id)
    theme = _theme(scope, report_theme_id)
    action = request.form.get("action", "")
    try:
        if action == "rename":
            services.rename_theme(theme, request.form.get("name", "")[:200])
        elif action in ("hide", "show"):
            services.set_theme_hidden(theme, action == "hide")
        elif action == "merge":
            other_id = _form_int("other_id")
            services.merge_themes(theme, _theme(scope, other_id))
        elif action == "split":
            services.split_theme(theme, _int_list("member_ids"), request.form.get("name", "")[:200])
        elif action == "move":
            services.move_texts(
                theme, _int_list("member_ids"), _theme(scope, _form_int("target_id"))
            )
        elif action == "link":
            services.link_theme(
                theme, action_id=_form_int("action_id"), update_id=_form_int("update_id")
            )
        elif action == "unlink":
            services.unlink_theme(theme, _form_int("link_id") or 0)
        else:
            abort(400)
    except services.ReportError as error:
        db.session.rollback()
        flash(_error(error), "error")
        return redirect(url_for("reports.curate", scope_id=scope.id))
    record_event(
        "theme_curated",
        actor=current_user,
        target_type="report_theme",
        target_id=theme.id,
        details={"action": action},
    )
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("reports.curate", scope_id=scope.id) + f"#theme-{theme.id}")


@bp.post("/<int:scope_id>/quotes")
@require_role(*EDIT)
def curate_quote(scope_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    ref = request.form.get("ref", "")[:120]
    hidden = {"hide": True, "show": False}.get(request.form.get("action", ""))
    translation = request.form.get("translation_nl")
    try:
        services.curate_quote(
            g.org.id, ref, hidden=hidden, translation_nl=translation, actor=current_user
        )
    except services.ReportError as error:
        db.session.rollback()
        flash(_error(error), "error")
    else:
        record_event(
            "quote_curated",
            actor=current_user,
            target_type="report_scope",
            target_id=scope.id,
            details={"hidden": hidden, "translation": translation is not None},
        )
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("reports.curate", scope_id=scope.id))


# Sign-off --------------------------------------------------------------------------------------


@bp.post("/<int:scope_id>/signoff")
@member_action
@require_role(*services.SIGN_OFF_ROLES)
def sign_off(scope_id: int):
    """Sign off the curated themes of the release the signer saw (``version``)."""
    scope = get_scoped_or_404(ReportScope, scope_id)
    release = releases.latest_release(scope=scope)
    if release is None:
        abort(404)
    back = url_for("reports.show", scope_id=scope.id) + "#signoff-h"
    if _form_int("version") != release.version:
        flash(_("A newer release was made in the meantime. Read it and sign off again."), "error")
        return redirect(back)
    try:
        row = services.sign_off(scope, release, actor=current_user, role=g.role.value)
    except services.ReportError as error:
        db.session.rollback()
        flash(_error(error), "error")
        return redirect(back)
    record_event(
        "release_signed_off",
        actor=current_user,
        target_type="report_scope",
        target_id=scope.id,
        details={"release": release.id, "version": release.version, "role": row.signer_role},
    )
    db.session.commit()
    flash(_("Signed off. The report can now be shared."), "success")
    return redirect(back)


# Share links -----------------------------------------------------------------------------------


#: Who may hand the report out: policymakers too, since they take it to the council.
SHARE = ("admin", "facilitator", "policymaker")
#: Who may withdraw a link (the facilitator who prepares the report may not).
REVOKE = ("admin", "policymaker")


@bp.post("/<int:scope_id>/share")
@member_action
@require_role(*SHARE)
def share(scope_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    days = _form_int("days") or 14
    try:
        link, token = services.create_share_link(scope, days, actor=current_user)
    except services.ReportError as error:
        db.session.rollback()
        flash(_error(error), "error")
        return redirect(url_for("reports.show", scope_id=scope.id))
    record_event(
        "share_link_created",
        actor=current_user,
        target_type="report_scope",
        target_id=scope.id,
        details={"days": days, "link": link.id},
    )
    db.session.commit()
    url = url_for("reports_public.shared", token=token, _external=True)
    return render_template("reports/share_created.html", scope=scope, url=url, link=link)


@bp.post("/<int:scope_id>/share/<int:share_link_id>/revoke")
@member_action
@require_role(*REVOKE)
def revoke(scope_id: int, share_link_id: int):
    scope = get_scoped_or_404(ReportScope, scope_id)
    link = get_scoped_or_404(ShareLink, share_link_id)
    if link.scope_id != scope.id:
        abort(404)
    services.revoke_share_link(link, actor=current_user)
    record_event(
        "share_link_revoked",
        actor=current_user,
        target_type="report_scope",
        target_id=scope.id,
        details={"link": link.id},
    )
    db.session.commit()
    flash(_("The link no longer works."), "success")
    return redirect(url_for("reports.show", scope_id=scope.id))


@public.get("/r/<token>")
@public_endpoint
def shared(token: str):
    link = services.find_share_link(token)
    if link is None:
        abort(404)
    # The newest release that may leave the organisation: signed off, or without curation.
    release = services.shareable_release(link.scope)
    report = build(link.scope, release) if release is not None else None
    if report is None:
        abort(404)
    record_event(
        "share_link_viewed",
        organisation_id=link.organisation_id,
        target_type="report_scope",
        target_id=link.scope_id,
        details={"link": link.id},
    )
    db.session.commit()
    response = Response(
        render_template(
            "reports/shared.html", expires_at=link.expires_at, fold=True, **report_context(report)
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def register(app) -> None:
    from klankbord.app_setup import add_nav_item

    app.register_blueprint(bp)
    app.register_blueprint(public)
    add_nav_item("reports.index", _l("Reports"))
