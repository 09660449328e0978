"""Report scopes, the report page, releases and the CSV and PDF exports."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from klankbord.accounts.services import record_event
from klankbord.accounts.tenancy import get_scoped_or_404, require_role, scoped
from klankbord.core import pdf
from klankbord.core.i18n import current_language
from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.reports import export, releases, services
from klankbord.reports.forms import ScopeForm
from klankbord.reports.models import ReportScope, ShareLink
from klankbord.reports.views.common import (
    EDIT,
    REVOKE,
    SHARE,
    _editable,
    _error,
    _no_release,
    _pdf_unavailable,
    bp,
    build,
    markers,
    refusal_text,
    report_context,
)

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


# Trends per location: answer shares per location at each release (reports.trends) ----------


def _trends(scope: ReportScope):
    from klankbord.reports import trends

    return trends.build_trends(
        scope, lang=current_language(), labels={"several": _("Several locations")}
    )


def _short_day(day) -> str:
    """A release date on a chart axis, in the reader's language: '7 dec. 2026'."""
    return format_date(day, "d MMM y")


@bp.get("/<int:scope_id>/trends")
def trends_page(scope_id: int):
    """Answer shares per location at each release of the scope: chart and table, from releases."""
    from klankbord.reports import trends

    scope = get_scoped_or_404(ReportScope, scope_id)
    result = _trends(scope)
    if result is None:
        return _no_release(scope)
    k = result.min_group_size

    def chart(question):
        return trends.trend_chart(
            question,
            result.dates,
            title=_(
                "%(question)s: share of each answer per location over time",
                question=question.title,
            ),
            desc=_(
                "Line chart per answer: the percentage at each location (%(places)s) at each "
                "release date. Points that are not shown are left out; the table below has the "
                "same numbers.",
                places=", ".join(location.location for location in question.locations),
            ),
            day_label=_short_day,
        )

    return render_template(
        "reports/trends.html",
        scope=scope,
        trends=result,
        markers=markers(k),
        k=k,
        chart=chart,
        statuses={"shown": trends.SHOWN, "held": trends.HELD, "absent": trends.ABSENT},
    )


@bp.get("/<int:scope_id>/trends.csv")
def trends_csv(scope_id: int):
    from klankbord.reports import trends

    scope = get_scoped_or_404(ReportScope, scope_id)
    result = _trends(scope)
    if result is None:
        return _no_release(scope), 409
    k = result.min_group_size
    headers = {
        "question": _("question"),
        "location": _("location"),
        "release": _("release"),
        "data_until": _("data up to and including"),
        "answer": _("answer"),
        "count": _("count"),
        "percent": _("percent"),
        "n": "n",
    }
    labels = {**markers(k), "held": _("not shown: fewer than %(k)s new answers", k=k)}
    body = export.to_csv(trends.trend_rows(result, headers, labels))
    _audit_export(scope, "trends-csv")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="klankbord-trends-{scope.id}.csv"'},
    )
