"""Staff pages after a meeting: actions, the summary (page, Markdown, PDF) and updates."""

from __future__ import annotations

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from klankbord.accounts.tenancy import get_scoped_or_404, require_role
from klankbord.core import pdf
from klankbord.core.views import commit_or_show
from klankbord.meetings import services
from klankbord.meetings.forms import ActionForm, update_form
from klankbord.meetings.models import Meeting, MeetingAction, MeetingGroup, MeetingUpdate
from klankbord.meetings.views.base import EDIT_ROLES, bp, item_choices, managed

# Actions -------------------------------------------------------------------------------------


def _action_data(form: ActionForm) -> services.ActionData:
    """The action form as the service's data."""
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
    """Add an action agreed in the meeting."""
    meeting = managed(Meeting, meeting_id)
    form = ActionForm()
    form.agenda_item_id.choices = item_choices(meeting)
    if form.validate_on_submit() and commit_or_show(
        lambda: services.add_action(meeting, _action_data(form)), _("Action added."), form=form
    ):
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/action_form.html", form=form, meeting=meeting, action=None)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def action(action_id: int):
    """Change an action: owner, due date, status."""
    action = managed(MeetingAction, action_id)
    meeting = action.meeting
    form = ActionForm(obj=action if request.method == "GET" else None)
    form.agenda_item_id.choices = item_choices(meeting)
    if form.validate_on_submit() and commit_or_show(
        lambda: services.update_action(action, _action_data(form)), _("Action saved."), form=form
    ):
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return render_template("meetings/action_form.html", form=form, meeting=meeting, action=action)


# Summary -------------------------------------------------------------------------------------


@bp.get("/<int:meeting_id>/summary")
def summary(meeting_id: int):
    """The staff summary of a meeting (hidden ideas included, marked)."""
    meeting = get_scoped_or_404(Meeting, meeting_id)
    return render_template("meetings/summary.html", **services.summary_context(meeting))


@bp.get("/<int:meeting_id>/summary.md")
def summary_markdown(meeting_id: int):
    """The minutes as a Markdown file."""
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
    """The minutes as a PDF file (503 page when the server cannot make PDFs)."""
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
    """The update form with the group's languages, themes, agenda items and actions."""
    items = [item for meeting in group.meetings for item in meeting.items]
    actions = [action for meeting in group.meetings for action in meeting.actions]
    return update_form(
        group.languages, services.active_themes(group.organisation_id), items, actions, **kwargs
    )


def _update_data(form) -> services.UpdateData:
    """The update form as the service's data."""
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
    """Write a "you said, we did" update for the group's public page."""
    group = managed(MeetingGroup, group_id)
    form = _update_form(group)
    if form.validate_on_submit() and commit_or_show(
        lambda: services.create_update(group, _update_data(form)), _("Update saved."), form=form
    ):
        return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/update_form.html", form=form, group=group, update=None)


@bp.route("/updates/<int:update_id>", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def update(update_id: int):
    """Change or (un)publish an update."""
    row = managed(MeetingUpdate, update_id)
    group = row.group
    form = _update_form(group, obj=row if request.method == "GET" else None)
    if request.method == "GET":
        for prefix in ("title", "result", "not_done"):
            form.fill(prefix, getattr(row, prefix))
        form.publish.data = row.published_at is not None
    if form.validate_on_submit() and commit_or_show(
        lambda: services.edit_update(row, _update_data(form)), _("Update saved."), form=form
    ):
        return redirect(url_for("meetings.group", group_id=group.id))
    return render_template("meetings/update_form.html", form=form, group=group, update=row)
