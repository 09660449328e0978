"""Staff pages after a meeting: actions, the summary (page, Markdown, PDF) and updates."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from klankbord.accounts.tenancy import get_scoped_or_404, require_role
from klankbord.core import pdf
from klankbord.meetings import services
from klankbord.meetings.forms import ActionForm, update_form
from klankbord.meetings.models import (
    IdeaStatus,
    Meeting,
    MeetingAction,
    MeetingGroup,
    MeetingUpdate,
)
from klankbord.meetings.views.base import EDIT_ROLES, _idea_aids, _item_choices, _manage, _saved, bp

# Actions -------------------------------------------------------------------------------------


def _action_data(form: ActionForm) -> services.ActionData:
    return services.ActionData(
        description=form.description.data,
        owner=form.owner.data,
        due_date=form.due_date.data,
        status=form.status.data,
        agenda_item_id=form.agenda_item_id.data,
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
