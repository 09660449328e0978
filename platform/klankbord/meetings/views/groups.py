"""Staff pages for groups: the overview, groups, themes and members (with erasure and export)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from klankbord.accounts.tenancy import (
    ask_password_again,
    can_edit,
    current_org,
    get_scoped_or_404,
    require_role,
    scoped,
)
from klankbord.core.time import today
from klankbord.core.views import commit_or_show
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings.forms import GroupForm, MemberForm, ThemeForm, options
from klankbord.meetings.models import Meeting, MeetingGroup, MeetingMember, MeetingStatus
from klankbord.meetings.views.base import EDIT_ROLES, bp, managed, require_post_form

# Overview and groups -------------------------------------------------------------------------


@bp.get("/")
def index():
    """Groups, meetings still to come and overdue actions of the organisation."""
    groups = db.session.execute(scoped(MeetingGroup).order_by(MeetingGroup.name)).scalars().all()
    meetings = (
        db.session.execute(
            scoped(Meeting)
            .where(Meeting.status != MeetingStatus.FINISHED.value)
            .order_by(Meeting.starts_at)
        )
        .scalars()
        .all()
    )
    overdue = services.overdue_actions(current_org().id)
    return render_template(
        "meetings/index.html",
        groups=groups,
        meetings=meetings,
        overdue=overdue,
        can_create=can_edit(),
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_group():
    """Create a group (a facilitator who creates one facilitates it)."""
    form = GroupForm()
    form.facilitators.choices = options(
        (u.id, u.name) for u in services.eligible_facilitators(current_org().id)
    )
    if request.method == "GET":
        form.facilitators.data = [current_user.id]
    if form.validate_on_submit() and (
        done := commit_or_show(
            lambda: services.create_group(
                current_org().id,
                form.name.data,
                form.purpose.data,
                form.languages.data,
                form.facilitators.data,
                creator=current_user._get_current_object(),
                creator_role=g.role,
            ),
            _("Group created."),
            form=form,
        )
    ):
        return redirect(url_for("meetings.group", group_id=done.value.id))
    return render_template("meetings/group_form.html", form=form, group=None)


@bp.get("/groups/<int:group_id>")
def group(group_id: int):
    """One group: its meetings, members (for its managers), updates and public page."""
    group = get_scoped_or_404(MeetingGroup, group_id)
    manage = services.can_manage(group, current_user, g.role)
    public_url = url_for("meetings_public.group_page", code=group.public_code, _external=True)
    return render_template(
        "meetings/group.html",
        group=group,
        manage=manage,
        public_url=public_url,
        overdue=services.overdue_actions(group.organisation_id, group_id=group.id),
        active_members=[m for m in group.members if m.erased_at is None],
        post_form=FlaskForm(),
    )


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def edit_group(group_id: int):
    """Change a group's name, purpose, languages and facilitators."""
    group = managed(MeetingGroup, group_id)
    form = GroupForm(obj=group if request.method == "GET" else None)
    form.facilitators.choices = options(
        (u.id, u.name) for u in services.eligible_facilitators(current_org().id)
    )
    if request.method == "GET":
        form.languages.data = [code for code in group.languages if code != "nl"]
        form.facilitators.data = [u.id for u in group.facilitators]
    if form.validate_on_submit() and commit_or_show(
        lambda: services.update_group(
            group,
            form.name.data,
            form.purpose.data,
            form.languages.data,
            form.facilitators.data,
        ),
        _("Group saved."),
        form=form,
    ):
        return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/group_form.html", form=form, group=group)


@bp.route("/themes", methods=["GET", "POST"])
def themes():
    """The organisation's themes; editors add one."""
    form = ThemeForm()
    if request.method == "POST":
        if not can_edit():
            abort(403)
        if form.validate_on_submit() and commit_or_show(
            lambda: services.add_theme(current_org().id, form.name_nl.data, form.name_en.data),
            _("Theme added."),
            form=form,
        ):
            return redirect(url_for("meetings.themes"))
    rows = services.active_themes(current_org().id)
    db.session.commit()  # the default themes, when seeded just now
    return render_template(
        "meetings/themes.html", themes=rows, form=form, can_edit=can_edit()
    )


# Members -------------------------------------------------------------------------------------


def _member_data(form: MemberForm) -> services.MemberData:
    """The member form as the service's data."""
    return services.MemberData(
        alias=form.alias.data,
        languages=form.languages.data or [],
        interpreter_needed=form.interpreter_needed.data,
        consent_date=form.consent_date.data,
        consent_scope=form.consent_scope.data,
        consent_given_by=form.consent_given_by.data,
        contact_consent=form.contact_consent.data,
        contact=form.contact.data,
    )


@bp.route("/groups/<int:group_id>/members/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_member(group_id: int):
    """Add a member with their consent."""
    group = managed(MeetingGroup, group_id)
    form = MemberForm()
    if request.method == "GET":
        form.consent_date.data = today()
    if form.validate_on_submit() and commit_or_show(
        lambda: services.add_member(group, _member_data(form)), _("Member added."), form=form
    ):
        return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/member_form.html", form=form, group=group, member=None)


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def member(member_id: int):
    """Change a member's data and consent (an erased member has none left)."""
    member = managed(MeetingMember, member_id)
    if member.erased_at is not None:
        flash(_("This member's data was erased."), "info")
        return redirect(url_for("meetings.group", group_id=member.group_id))
    form = MemberForm(obj=member if request.method == "GET" else None)
    if form.validate_on_submit() and commit_or_show(
        lambda: services.update_member(member, _member_data(form)), _("Member saved."), form=form
    ):
        return redirect(url_for("meetings.group", group_id=member.group_id))
    return render_template(
        "meetings/member_form.html",
        form=form,
        group=member.group,
        member=member,
        post_form=FlaskForm(),
    )


@bp.post("/members/<int:member_id>/erase")
@require_role(*EDIT_ROLES)
def erase_member(member_id: int):
    """Erase a member's personal data on request (password typed again first)."""
    member = managed(MeetingMember, member_id)
    require_post_form()
    if (confirm := ask_password_again(url_for("meetings.member", member_id=member.id))) is not None:
        return confirm
    if member.erased_at is None:
        services.erase_member(member, actor=current_user)
        db.session.commit()
    flash(_("The member's personal data was erased. Anonymous contributions stay."), "success")
    return redirect(url_for("meetings.group", group_id=member.group_id))


@bp.post("/members/<int:member_id>/export")
@require_role(*EDIT_ROLES)
def export_member(member_id: int):
    """Everything stored about a member, as JSON (password typed again first)."""
    member = managed(MeetingMember, member_id)
    require_post_form()
    if (confirm := ask_password_again(url_for("meetings.member", member_id=member.id))) is not None:
        return confirm
    data = services.export_member(member, actor=current_user)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="klankbord-lid-{member.id}.json"'},
    )
