"""Curation of themes and quotes (facilitators and admins), and its sign-off."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from klankbord.accounts.services import record_event
from klankbord.accounts.tenancy import current_org, get_scoped_or_404, require_role
from klankbord.core.access import member_action
from klankbord.core.i18n import current_language
from klankbord.extensions import db
from klankbord.reports import releases, services
from klankbord.reports.models import ReportScope
from klankbord.reports.views.common import EDIT, _error, _form_int, _int_list, _theme, bp

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
    from klankbord.meetings import seam as meetings

    actions = meetings.recent_actions(current_org().id)
    updates = meetings.recent_updates(current_org().id)
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
