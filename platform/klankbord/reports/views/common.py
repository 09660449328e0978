"""What every report page shares: the blueprints, error texts, rendering helpers, roles."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    g,
    render_template,
    request,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from klankbord.accounts.forms import role_label
from klankbord.accounts.tenancy import EDITORS, get_scoped_or_404, staff_blueprint
from klankbord.core.i18n import LANGUAGE_NAMES, current_language
from klankbord.reports import charts, releases, services
from klankbord.reports.models import ReportScope, ReportTheme

#: Named after the reports package, so "templates" is reports/templates (not views/templates).
bp = staff_blueprint(
    "reports", "klankbord.reports", url_prefix="/reports", template_folder="templates"
)
public = Blueprint("reports_public", "klankbord.reports", template_folder="templates")

EDIT = EDITORS  # the one definition of the editor roles (accounts.tenancy)

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



#: Who may hand the report out: policymakers too, since they take it to the council.
SHARE = ("admin", "facilitator", "policymaker")
#: Who may withdraw a link (the facilitator who prepares the report may not).
REVOKE = ("admin", "policymaker")
