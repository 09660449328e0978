"""Staff pages: groups, members, meetings, live control, projector, minutes, actions and updates.

Everybody of the organisation may read; only admins and the group's own facilitators change a group
(:func:`_manage`). Members' personal data is shown only to those who manage the group.
"""

from __future__ import annotations

import json

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from klankbord.accounts.models import Role
from klankbord.accounts.services import record_event
from klankbord.accounts.tenancy import (
    ask_password_again,
    current_org,
    get_scoped_or_404,
    require_role,
    scoped,
    staff_blueprint,
)
from klankbord.core import pdf
from klankbord.core.i18n import LANGUAGE_NAMES
from klankbord.core.time import today
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings.forms import (
    ActionForm,
    AttendanceForm,
    GroupForm,
    MeetingForm,
    MemberForm,
    ThemeForm,
    agenda_item_form,
    options,
    poll_form,
    poll_options,
    update_form,
)
from klankbord.meetings.models import (
    IdeaStatus,
    Meeting,
    MeetingAction,
    MeetingAgendaItem,
    MeetingGroup,
    MeetingIdea,
    MeetingMember,
    MeetingPoll,
    MeetingStatus,
    MeetingUpdate,
)
from klankbord.meetings.participant import wants_part

bp = staff_blueprint("meetings", __name__, url_prefix="/meetings", template_folder="templates")
EDIT_ROLES = (Role.ADMIN, Role.FACILITATOR)
#: Seconds between two reloads of the projector page in a browser without JavaScript (meta refresh).
PROJECTOR_REFRESH_SECONDS = 10
#: Newest approved ideas on the projector: as many as fit the first screen of a 1280x720 beamer.
PROJECTOR_IDEAS = 6


def _manage(group: MeetingGroup) -> None:
    """Only admins and this group's facilitators change it (403 otherwise, audited)."""
    if not services.can_manage(group, current_user, g.role):
        record_event("access_denied", actor=current_user, details={"endpoint": request.endpoint})
        db.session.commit()
        abort(403)


def _saved(operation, success: str) -> bool:
    """Run one service call: commit and confirm, or roll back and show its message."""
    try:
        operation()
    except services.MeetingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


@bp.app_context_processor
def _meeting_helpers():
    return {"action_status_label": services.action_status_label, "today": today}


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


# Meetings and agenda -------------------------------------------------------------------------


@bp.route("/groups/<int:group_id>/meetings/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_meeting(group_id: int):
    group = get_scoped_or_404(MeetingGroup, group_id)
    _manage(group)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(
                group,
                form.title.data,
                form.starts_at_utc(),
                form.place.data,
                form.online_link.data,
                form.interpreters.data,
            )
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Meeting planned. Now add agenda items."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/meeting_form.html", form=form, group=group, meeting=None)


@bp.get("/<int:meeting_id>")
def meeting(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    manage = services.can_manage(meeting.group, current_user, g.role)
    attendance = AttendanceForm(attendance_count=meeting.attendance_count)
    attendance.members.choices = options(
        (m.id, m.alias) for m in meeting.group.members if m.erased_at is None
    )
    attendance.members.data = sorted(services.attendee_ids(meeting))
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        manage=manage,
        attendance=attendance,
        post_form=FlaskForm(),
        join_url=_join_url(meeting),
    )


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def edit_meeting(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    _manage(meeting.group)
    form = MeetingForm(obj=meeting if request.method == "GET" else None)
    if request.method == "GET":
        form.set_starts_at(meeting.starts_at)
    if form.validate_on_submit():
        try:
            services.update_meeting(
                meeting,
                form.title.data,
                form.starts_at_utc(),
                form.place.data,
                form.online_link.data,
                form.interpreters.data,
            )
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Meeting saved."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template(
        "meetings/meeting_form.html", form=form, group=meeting.group, meeting=meeting
    )


@bp.route("/<int:meeting_id>/items/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_item(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    _manage(meeting.group)
    form = agenda_item_form(
        meeting.group.languages, services.active_themes(meeting.organisation_id)
    )
    if form.validate_on_submit():
        try:
            services.add_agenda_item(
                meeting,
                form.title.data,
                form.theme_id.data,
                form.translations("question"),
                form.notes.data,
                form.decisions.data,
            )
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Agenda item added."), "success")
            _warn_untranslated(form, ["question"])
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/item_form.html", form=form, meeting=meeting, item=None)


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def item(item_id: int):
    item = get_scoped_or_404(MeetingAgendaItem, item_id)
    meeting = item.meeting
    _manage(meeting.group)
    themes = services.active_themes(meeting.organisation_id)
    if item.theme is not None and item.theme not in themes:
        themes.append(item.theme)
    form = agenda_item_form(
        meeting.group.languages, themes, obj=item if request.method == "GET" else None
    )
    if request.method == "GET":
        form.fill("question", item.question)
    if form.validate_on_submit():
        try:
            services.update_agenda_item(
                item,
                form.title.data,
                form.theme_id.data,
                form.translations("question"),
                form.notes.data,
                form.decisions.data,
            )
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Agenda item saved."), "success")
            _warn_untranslated(form, ["question"])
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    ideas = services.ideas_for(meeting, item_id=item.id)
    return render_template(
        "meetings/item_form.html", form=form, meeting=meeting, item=item, ideas=ideas
    )


@bp.post("/<int:meeting_id>/attendance")
@require_role(*EDIT_ROLES)
def attendance(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    _manage(meeting.group)
    form = AttendanceForm()
    form.members.choices = options(
        (m.id, m.alias) for m in meeting.group.members if m.erased_at is None
    )
    if not form.validate_on_submit():
        flash(_("Please give a whole number of people present."), "error")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    try:
        services.set_attendance(meeting, form.attendance_count.data, form.members.data or [])
    except services.MeetingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Attendance saved."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


# Live control --------------------------------------------------------------------------------


def _join_url(meeting: Meeting) -> str:
    return url_for("meetings_public.join", code=meeting.join_code, _external=True)


def _live_action(meeting_id: int, operation, success: str | None = None, to: str = "meetings.live"):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    _manage(meeting.group)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        operation(meeting)
    except services.MeetingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    db.session.commit()
    if success:
        flash(success, "success")
    return redirect(url_for(to, meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/start")
@require_role(*EDIT_ROLES)
def start(meeting_id: int):
    return _live_action(
        meeting_id, services.start_meeting, _("The meeting is live. Show the projector page.")
    )


@bp.post("/<int:meeting_id>/move")
@require_role(*EDIT_ROLES)
def move(meeting_id: int):
    item_id = request.form.get("item_id", type=int)
    step = -1 if request.form.get("step") == "-1" else 1
    return _live_action(meeting_id, lambda m: services.move_to_item(m, step=step, item_id=item_id))


@bp.post("/<int:meeting_id>/finish")
@require_role(*EDIT_ROLES)
def finish(meeting_id: int):
    return _live_action(
        meeting_id, services.finish_meeting, _("The meeting has finished."), to="meetings.meeting"
    )


@bp.get("/<int:meeting_id>/live")
@require_role(*EDIT_ROLES)
def live(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    _manage(meeting.group)
    item = meeting.current_item
    ideas = services.ideas_for(meeting, item_id=item.id if item else None)
    polls = [(poll, services.poll_results(poll)) for poll in meeting.polls]
    return render_template(
        "meetings/live.html",
        meeting=meeting,
        item=item,
        ideas=ideas,
        aids=_idea_aids(ideas),
        polls=polls,
        post_form=FlaskForm(),
        join_url=_join_url(meeting),
        version=meeting.staff_version,
        partial=wants_part(),
    )


@bp.get("/<int:meeting_id>/live.json")
def live_state(meeting_id: int):
    """The facilitator's counter with an ETag: a 304 reads one narrow row, no ideas or polls."""
    versions = services.live_versions(meeting_id=meeting_id)
    if versions is None or versions.organisation_id != current_org().id:
        abort(404)
    etag = f"staff-{versions.staff_version}"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = jsonify({"status": versions.status, "version": versions.staff_version})
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:meeting_id>/projector")
def projector(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    item = meeting.current_item
    join_url = _join_url(meeting)
    qr = segno.make(join_url, error="m").svg_inline(
        scale=8, omitsize=True, dark="#000", light="#fff"
    )
    poll = services.open_poll_of(meeting)
    ideas, total = services.newest_approved_ideas(
        meeting, item.id if item else None, PROJECTOR_IDEAS if not poll else PROJECTOR_IDEAS - 2
    )
    return render_template(
        "meetings/projector.html",
        meeting=meeting,
        item=item,
        join_url=join_url,
        qr=qr,
        ideas=ideas,
        more_ideas=total - len(ideas),
        poll=poll,
        results=services.poll_results(poll) if poll else [],
        version=meeting.staff_version,
        partial=wants_part(),
        refresh_seconds=PROJECTOR_REFRESH_SECONDS,
    )


@bp.post("/ideas/<int:idea_id>/moderate")
@require_role(*EDIT_ROLES)
def moderate(idea_id: int):
    idea = get_scoped_or_404(MeetingIdea, idea_id)
    meeting = db.session.get(Meeting, idea.meeting_id)
    _manage(meeting.group)
    status = request.form.get("status", "")
    if not FlaskForm().validate_on_submit() or status not in {s.value for s in IdeaStatus}:
        abort(400)
    services.moderate_idea(idea, status)
    db.session.commit()
    if request.form.get("back") == "item" and idea.agenda_item_id:
        return redirect(url_for("meetings.item", item_id=idea.agenda_item_id))
    return redirect(url_for("meetings.live", meeting_id=meeting.id))


def _untranslated(form, prefixes: list[str]) -> list[str]:
    """Languages of the room whose text is missing (or has fewer poll options than Dutch)."""
    missing = []
    for lang in form.languages:
        for prefix in prefixes:
            texts = form.translations(prefix)
            mine = [line for line in texts.get(lang, "").splitlines() if line.strip()]
            dutch = [line for line in texts.get("nl", "").splitlines() if line.strip()]
            if len(mine) < max(len(dutch), 1):
                missing.append(lang)
                break
    return missing


def _warn_untranslated(form, prefixes: list[str]) -> None:
    """Say which phones will see Dutch instead of their language (they are told so, too)."""
    missing = _untranslated(form, prefixes)
    if missing:
        flash(
            _(
                "Not translated into %(languages)s: phones in that language show the Dutch "
                "text and say so.",
                languages=", ".join(LANGUAGE_NAMES.get(code, code) for code in missing),
            ),
            "warning",
        )


@bp.route("/<int:meeting_id>/polls/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_poll(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    _manage(meeting.group)
    form = poll_form(meeting.group.languages, meeting.items)
    if request.method == "GET":
        form.agenda_item_id.data = meeting.current_item_id
    if form.validate_on_submit():
        try:
            services.create_poll(
                meeting, form.translations("question"), poll_options(form), form.agenda_item_id.data
            )
        except services.MeetingError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Poll prepared. Open it when the group is ready."), "success")
            _warn_untranslated(form, ["question", "options"])
            return redirect(url_for("meetings.live", meeting_id=meeting.id))
    return render_template("meetings/poll_form.html", form=form, meeting=meeting)


def _poll_action(poll_id: int, operation):
    poll = get_scoped_or_404(MeetingPoll, poll_id)
    _manage(poll.meeting.group)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        operation(poll)
    except services.MeetingError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
    return redirect(url_for("meetings.live", meeting_id=poll.meeting_id))


@bp.post("/polls/<int:poll_id>/open")
@require_role(*EDIT_ROLES)
def open_poll(poll_id: int):
    return _poll_action(poll_id, services.open_poll)


@bp.post("/polls/<int:poll_id>/close")
@require_role(*EDIT_ROLES)
def close_poll(poll_id: int):
    return _poll_action(poll_id, services.close_poll)


# Actions -------------------------------------------------------------------------------------


def _action_data(form: ActionForm) -> services.ActionData:
    return services.ActionData(
        description=form.description.data,
        owner=form.owner.data,
        due_date=form.due_date.data,
        status=form.status.data,
        agenda_item_id=form.agenda_item_id.data,
    )


def _item_choices(meeting: Meeting) -> list:
    return options(
        [(None, "—")] + [(item.id, f"{item.position}. {item.title}") for item in meeting.items]
    )


@bp.route("/<int:meeting_id>/actions/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_action(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    _manage(meeting.group)
    form = ActionForm()
    form.agenda_item_id.choices = _item_choices(meeting)
    if form.validate_on_submit():
        if _saved(lambda: services.add_action(meeting, _action_data(form)), _("Action added.")):
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/action_form.html", form=form, meeting=meeting, action=None)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def action(action_id: int):
    action = get_scoped_or_404(MeetingAction, action_id)
    meeting = action.meeting
    _manage(meeting.group)
    form = ActionForm(obj=action if request.method == "GET" else None)
    form.agenda_item_id.choices = _item_choices(meeting)
    if form.validate_on_submit():
        if _saved(lambda: services.update_action(action, _action_data(form)), _("Action saved.")):
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/action_form.html", form=form, meeting=meeting, action=action)


# Summary -------------------------------------------------------------------------------------


def _idea_aids(ideas) -> dict:
    """A Dutch aid (not a translation) per non-Dutch idea, from its agenda item's Dutch ideas."""
    from klankbord.analysis import dutch_aids

    ideas = sorted(ideas, key=lambda i: -i.support_count)
    found = dutch_aids(
        [i.text for i in ideas], [i.lang for i in ideas], [i.agenda_item_id for i in ideas]
    )
    return {idea.id: aid for idea, aid in zip(ideas, found, strict=True) if aid is not None}


def _summary_context(meeting: Meeting) -> dict:
    items = []
    for item in meeting.items:
        ideas = services.ideas_for(meeting, item_id=item.id)
        items.append(
            {
                "item": item,
                "approved": sorted(
                    [i for i in ideas if i.status == IdeaStatus.APPROVED.value],
                    key=lambda i: -i.support_count,
                ),
                "pending": [i for i in ideas if i.status == IdeaStatus.PENDING.value],
                "hidden": [i for i in ideas if i.status == IdeaStatus.HIDDEN.value],
                "polls": [
                    (p, services.poll_results(p))
                    for p in meeting.polls
                    if p.agenda_item_id == item.id
                ],
            }
        )
    other_polls = [(p, services.poll_results(p)) for p in meeting.polls if p.agenda_item_id is None]
    return {
        "meeting": meeting,
        "items": items,
        "aids": _idea_aids([i for e in items for key in ("approved", "hidden") for i in e[key]]),
        "other_polls": other_polls,
        "attendee_count": len(services.attendee_ids(meeting)),
    }


@bp.get("/<int:meeting_id>/summary")
def summary(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    return render_template("meetings/summary.html", **_summary_context(meeting))


@bp.get("/<int:meeting_id>/summary.md")
def summary_markdown(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    return Response(
        services.summary_markdown(meeting),
        mimetype="text/markdown",
        headers={
            "Content-Disposition": f'attachment; filename="klankbord-verslag-{meeting.id}.md"'
        },
    )


@bp.get("/<int:meeting_id>/summary.pdf")
def summary_pdf(meeting_id: int):
    meeting = get_scoped_or_404(Meeting, meeting_id)
    if not pdf.available():
        return render_template(
            "errors/error.html",
            code=503,
            title=_("PDF export is not available"),
            text=_(
                "This server cannot make PDF files (WeasyPrint is not installed). "
                "Use the print button of your browser, or the Markdown export."
            ),
        ), 503
    html = render_template(
        "meetings/minutes_pdf.html", meeting=meeting, items=services.minutes_items(meeting)
    )
    return Response(
        pdf.render(html, current_app.static_folder or ""),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="klankbord-verslag-{meeting.id}.pdf"'
        },
    )


# "You said, we did" --------------------------------------------------------------------------


def _update_form(group: MeetingGroup, **kwargs):
    items = [item for meeting in group.meetings for item in meeting.items]
    actions = [action for meeting in group.meetings for action in meeting.actions]
    return update_form(
        group.languages, services.active_themes(group.organisation_id), items, actions, **kwargs
    )


def _update_data(form) -> services.UpdateData:
    return services.UpdateData(
        title=form.translations("title"),
        result=form.translations("result"),
        not_done=form.translations("not_done"),
        theme_name=form.theme_name.data or "",
        agenda_item_id=form.agenda_item_id.data,
        action_id=form.action_id.data,
        publish=form.publish.data,
    )


@bp.route("/groups/<int:group_id>/updates/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_update(group_id: int):
    group = get_scoped_or_404(MeetingGroup, group_id)
    _manage(group)
    form = _update_form(group)
    if form.validate_on_submit():
        if _saved(lambda: services.create_update(group, _update_data(form)), _("Update saved.")):
            return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/update_form.html", form=form, group=group, update=None)


@bp.route("/updates/<int:update_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def update(update_id: int):
    row = get_scoped_or_404(MeetingUpdate, update_id)
    group = row.group
    _manage(group)
    form = _update_form(group, obj=row if request.method == "GET" else None)
    if request.method == "GET":
        for prefix in ("title", "result", "not_done"):
            form.fill(prefix, getattr(row, prefix))
        form.publish.data = row.published_at is not None
    if form.validate_on_submit():
        if _saved(lambda: services.edit_update(row, _update_data(form)), _("Update saved.")):
            return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/update_form.html", form=form, group=group, update=row)
