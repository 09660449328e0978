"""Share links: made and revoked by staff, read without an account."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from klankbord.accounts.services import record_event
from klankbord.accounts.tenancy import get_scoped_or_404, require_role
from klankbord.core.access import member_action, public_endpoint
from klankbord.extensions import db
from klankbord.reports import services
from klankbord.reports.models import ReportScope, ShareLink
from klankbord.reports.views.common import (
    REVOKE,
    SHARE,
    _error,
    _form_int,
    bp,
    build,
    public,
    report_context,
)

# Share links -----------------------------------------------------------------------------------




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
