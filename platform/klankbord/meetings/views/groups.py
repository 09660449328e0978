"""Staff pages for groups: the overview, groups, themes and members (with erasure and export)."""

from __future__ import annotations

import json

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from klankbord.accounts.models import Role
from klankbord.accounts.tenancy import (
    ask_password_again,
    current_org,
    get_scoped_or_404,
    require_role,
    scoped,
)
from klankbord.core.time import today
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings.forms import GroupForm, MemberForm, ThemeForm, options
from klankbord.meetings.models import Meeting, MeetingGroup, MeetingMember, MeetingStatus
from klankbord.meetings.views.base import EDIT_ROLES, _manage, _saved, bp

# Overview and groups -------------------------------------------------------------------------


@bp.get("/")
def index():
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
        can_create=g.role in EDIT_ROLES,
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_group():
    form = GroupForm()
    form.facilitators.choices = options(
        (u.id, u.name) for u in services.eligible_facilitators(current_org().id)
    )
    if request.method == "GET":
        form.facilitators.data = [current_user.id]
    if form.validate_on_submit():
        try:
            group = services.create_group(
                current_org().id,
                form.name.data,
                form.purpose.data,
                form.languages.data,
                form.facilitators.data,
            )
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            if g.role == Role.FACILITATOR and current_user.id not in form.facilitators.data:
                group.facilitators.append(current_user._get_current_object())
            db.session.commit()
            flash(_("Group created."), "success")
            return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/group_form.html", form=form, group=None)


@bp.get("/groups/<int:group_id>")
def group(group_id: int):
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
    group = get_scoped_or_404(MeetingGroup, group_id)
    _manage(group)
    form = GroupForm(obj=group if request.method == "GET" else None)
    form.facilitators.choices = options(
        (u.id, u.name) for u in services.eligible_facilitators(current_org().id)
    )
    if request.method == "GET":
        form.languages.data = [code for code in group.languages if code != "nl"]
        form.facilitators.data = [u.id for u in group.facilitators]
    if form.validate_on_submit():
        try:
            services.update_group(
                group,
                form.name.data,
                form.purpose.data,
                form.languages.data,
                form.facilitators.data,
            )
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Group saved."), "success")
            return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/group_form.html", form=form, group=group)


@bp.route("/themes", methods=["GET", "POST"])
def themes():
    form = ThemeForm()
    if request.method == "POST":
        if g.role not in EDIT_ROLES:
            abort(403)
        if form.validate_on_submit():
            if _saved(
                lambda: services.add_theme(current_org().id, form.name_nl.data, form.name_en.data),
                _("Theme added."),
            ):
                return redirect(url_for("meetings.themes"))
    rows = services.active_themes(current_org().id)
    db.session.commit()  # the default themes, when seeded just now
    return render_template(
        "meetings/themes.html", themes=rows, form=form, can_edit=g.role in EDIT_ROLES
    )


# Members -------------------------------------------------------------------------------------


def _member_data(form: MemberForm) -> services.MemberData:
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
    group = get_scoped_or_404(MeetingGroup, group_id)
    _manage(group)
    form = MemberForm()
    if request.method == "GET":
        form.consent_date.data = today()
    if form.validate_on_submit():
        try:
            services.add_member(group, _member_data(form))
        except services.MeetingError as error:
            db.session.rollback()
            form.contact.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Member added."), "success")
            return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/member_form.html", form=form, group=group, member=None)


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def member(member_id: int):
    member = get_scoped_or_404(MeetingMember, member_id)
    _manage(member.group)
    if member.erased_at is not None:
        flash(_("This member's data was erased."), "info")
        return redirect(url_for("meetings.group", group_id=member.group_id))
    form = MemberForm(obj=member if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_member(member, _member_data(form))
        except services.MeetingError as error:
            db.session.rollback()
            form.contact.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Member saved."), "success")
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
    member = get_scoped_or_404(MeetingMember, member_id)
    _manage(member.group)
    if not FlaskForm().validate_on_submit():
        abort(400)
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
    member = get_scoped_or_404(MeetingMember, member_id)
    _manage(member.group)
    if not FlaskForm().validate_on_submit():
        abort(400)
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
