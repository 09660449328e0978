"""Staff pages for planning a meeting: the meeting, its agenda items and attendance."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from klankbord.accounts.tenancy import get_scoped_or_404, require_role
from klankbord.core.views import commit_or_show
from klankbord.meetings import services
from klankbord.meetings.forms import AttendanceForm, MeetingForm, agenda_item_form, options
from klankbord.meetings.models import Meeting, MeetingAgendaItem, MeetingGroup
from klankbord.meetings.views.base import EDIT_ROLES, bp, join_url, managed, warn_untranslated

# Meetings and agenda -------------------------------------------------------------------------


@bp.route("/groups/<int:group_id>/meetings/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_meeting(group_id: int):
    """Plan a meeting of a group."""
    group = managed(MeetingGroup, group_id)
    form = MeetingForm()
    if form.validate_on_submit() and (
        done := commit_or_show(
            lambda: services.create_meeting(
                group,
                form.title.data,
                form.starts_at_utc(),
                form.place.data,
                form.online_link.data,
                form.interpreters.data,
            ),
            _("Meeting planned. Now add agenda items."),
            form=form,
        )
    ):
        return redirect(url_for("meetings.meeting", meeting_id=done.value.id))
    return render_template("meetings/meeting_form.html", form=form, group=group, meeting=None)


@bp.get("/<int:meeting_id>")
def meeting(meeting_id: int):
    """One meeting: agenda, attendance, join code, actions."""
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
        join_url=join_url(meeting),
    )


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def edit_meeting(meeting_id: int):
    """Change a meeting's title, time, place and interpreters."""
    meeting = managed(Meeting, meeting_id)
    form = MeetingForm(obj=meeting if request.method == "GET" else None)
    if request.method == "GET":
        form.set_starts_at(meeting.starts_at)
    if form.validate_on_submit() and commit_or_show(
        lambda: services.update_meeting(
            meeting,
            form.title.data,
            form.starts_at_utc(),
            form.place.data,
            form.online_link.data,
            form.interpreters.data,
        ),
        _("Meeting saved."),
        form=form,
    ):
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template(
        "meetings/meeting_form.html", form=form, group=meeting.group, meeting=meeting
    )


@bp.route("/<int:meeting_id>/items/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_item(meeting_id: int):
    """Add an agenda item with its question in the group's languages."""
    meeting = managed(Meeting, meeting_id)
    form = agenda_item_form(
        meeting.group.languages, services.active_themes(meeting.organisation_id)
    )
    if form.validate_on_submit() and commit_or_show(
        lambda: services.add_agenda_item(
            meeting,
            form.title.data,
            form.theme_id.data,
            form.translations("question"),
            form.notes.data,
            form.decisions.data,
        ),
        _("Agenda item added."),
        form=form,
    ):
        warn_untranslated(form, ["question"])
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/item_form.html", form=form, meeting=meeting, item=None)


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def item(item_id: int):
    """Change an agenda item; its ideas are listed for moderation."""
    item = managed(MeetingAgendaItem, item_id)
    meeting = item.meeting
    themes = services.active_themes(meeting.organisation_id)
    if item.theme is not None and item.theme not in themes:
        themes.append(item.theme)
    form = agenda_item_form(
        meeting.group.languages, themes, obj=item if request.method == "GET" else None
    )
    if request.method == "GET":
        form.fill("question", item.question)
    if form.validate_on_submit() and commit_or_show(
        lambda: services.update_agenda_item(
            item,
            form.title.data,
            form.theme_id.data,
            form.translations("question"),
            form.notes.data,
            form.decisions.data,
        ),
        _("Agenda item saved."),
        form=form,
    ):
        warn_untranslated(form, ["question"])
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    ideas = services.ideas_for(meeting, item_id=item.id)
    return render_template(
        "meetings/item_form.html", form=form, meeting=meeting, item=item, ideas=ideas
    )


@bp.post("/<int:meeting_id>/attendance")
@require_role(*EDIT_ROLES)
def attendance(meeting_id: int):
    """Record how many came and which members."""
    meeting = managed(Meeting, meeting_id)
    form = AttendanceForm()
    form.members.choices = options(
        (m.id, m.alias) for m in meeting.group.members if m.erased_at is None
    )
    if not form.validate_on_submit():
        flash(_("Please give a whole number of people present."), "error")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    commit_or_show(
        lambda: services.set_attendance(
            meeting, form.attendance_count.data, form.members.data or []
        ),
        _("Attendance saved."),
    )
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
