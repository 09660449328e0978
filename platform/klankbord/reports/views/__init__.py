"""Report pages: policymakers read, facilitators and admins curate; other organisations get 404.

Every page, the PDF, the CSV and the public share link render the one suppressed
:class:`~klankbord.reports.services.Report` from :func:`services.build_report`.

The views are split by what they serve (endpoint names are unchanged, all on the ``reports`` and
``reports_public`` blueprints of ``common``): ``pages`` (scopes, the report, releases, exports),
``curation`` (themes, quotes, sign-off) and ``sharing`` (share links); the trends per location are
pages too.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from klankbord.reports.views.common import (
    EDIT,
    ERRORS,
    REFUSALS,
    REVOKE,
    SHARE,
    _chart,
    _editable,
    _error,
    _form_int,
    _int_list,
    _no_release,
    _pdf_unavailable,
    _theme,
    _trend_chart,
    bp,
    build,
    markers,
    public,
    refusal_text,
    report_context,
)
from klankbord.reports.views.curation import curate, curate_quote, curate_theme, sign_off
from klankbord.reports.views.pages import (
    PDF_COLUMNS_PER_PART,
    _audit_export,
    _fill_choices,
    _scope_form,
    create,
    csv_headers,
    edit,
    export_csv,
    export_pdf,
    index,
    make_release,
    recompute,
    render_report_pdf_html,
    show,
    trends_csv,
    trends_page,
)
from klankbord.reports.views.sharing import revoke, share, shared

__all__ = [
    "EDIT",
    "ERRORS",
    "PDF_COLUMNS_PER_PART",
    "REFUSALS",
    "REVOKE",
    "SHARE",
    "_audit_export",
    "_chart",
    "_editable",
    "_error",
    "_fill_choices",
    "_form_int",
    "_int_list",
    "_no_release",
    "_pdf_unavailable",
    "_scope_form",
    "_theme",
    "_trend_chart",
    "bp",
    "build",
    "create",
    "csv_headers",
    "curate",
    "curate_quote",
    "curate_theme",
    "edit",
    "export_csv",
    "export_pdf",
    "index",
    "make_release",
    "markers",
    "public",
    "recompute",
    "refusal_text",
    "register",
    "render_report_pdf_html",
    "report_context",
    "revoke",
    "share",
    "shared",
    "show",
    "sign_off",
    "trends_csv",
    "trends_page",
]


def register(app) -> None:
    from klankbord.core.registry import registry

    app.register_blueprint(bp)
    app.register_blueprint(public)
    registry(app).add_nav_item("reports.index", _l("Reports"))
