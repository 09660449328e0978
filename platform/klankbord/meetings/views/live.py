"""Staff pages of a live meeting: start, move, finish, the live control, projector, polls."""

from __future__ import annotations

import segno
from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from klankbord.accounts.tenancy import current_org, get_scoped_or_404, require_role
from klankbord.core.views import commit_or_show
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings import views as settings
from klankbord.meetings.forms import poll_form, poll_options
from klankbord.meetings.models import IdeaStatus, Meeting, MeetingIdea, MeetingPoll
from klankbord.meetings.participant import wants_part
from klankbord.meetings.views.base import (
    EDIT_ROLES,
    bp,
    join_url,
    managed,
    require_post_form,
    warn_untranslated,
)

# Live control --------------------------------------------------------------------------------


def _live_action(meeting_id: int, operation, success: str | None = None, to: str = "meetings.live"):
    """Run one live-control service on a managed meeting; a refusal returns to the meeting."""
    meeting = managed(Meeting, meeting_id)
    require_post_form()
    if not commit_or_show(lambda: operation(meeting), success):
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return redirect(url_for(to, meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/start")
@require_role(*EDIT_ROLES)
def start(meeting_id: int):
    """Start the meeting: phones follow the first agenda item."""
    return _live_action(
        meeting_id, services.start_meeting, _("The meeting is live. Show the projector page.")
    )


@bp.post("/<int:meeting_id>/move")
@require_role(*EDIT_ROLES)
def move(meeting_id: int):
    """Move the room to the next, previous or a chosen agenda item."""
    item_id = request.form.get("item_id", type=int)
    step = -1 if request.form.get("step") == "-1" else 1
    return _live_action(meeting_id, lambda m: services.move_to_item(m, step=step, item_id=item_id))


@bp.post("/<int:meeting_id>/finish")
@require_role(*EDIT_ROLES)
def finish(meeting_id: int):
    """End the live part of the meeting."""
    return _live_action(
        meeting_id, services.finish_meeting, _("The meeting has finished."), to="meetings.meeting"
    )


@bp.get("/<int:meeting_id>/live")
@require_role(*EDIT_ROLES)
def live(meeting_id: int):
    """The facilitator's live control: ideas to moderate, polls, the agenda."""
    meeting = managed(Meeting, meeting_id)
    item = meeting.current_item
    ideas = services.ideas_for(meeting, item_id=item.id if item else None)
    polls = [(poll, services.poll_results(poll)) for poll in meeting.polls]
    return render_template(
        "meetings/live.html",
        meeting=meeting,
        item=item,
        ideas=ideas,
        aids=services.idea_aids(ideas),
        polls=polls,
        post_form=FlaskForm(),
        join_url=join_url(meeting),
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
    """The projector page: question, QR code, newest approved ideas, the open poll."""
    meeting = get_scoped_or_404(Meeting, meeting_id)
    item = meeting.current_item
    url = join_url(meeting)
    qr = segno.make(url, error="m").svg_inline(scale=8, omitsize=True, dark="#000", light="#fff")
    poll = services.open_poll_of(meeting)
    ideas, total = services.newest_approved_ideas(
        meeting, item.id if item else None, settings.PROJECTOR_IDEAS - (2 if poll else 0)
    )
    return render_template(
        "meetings/projector.html",
        meeting=meeting,
        item=item,
        join_url=url,
        qr=qr,
        ideas=ideas,
        more_ideas=total - len(ideas),
        poll=poll,
        results=services.poll_results(poll) if poll else [],
        version=meeting.staff_version,
        partial=wants_part(),
        refresh_seconds=settings.PROJECTOR_REFRESH_SECONDS,
    )


@bp.post("/ideas/<int:idea_id>/moderate")
@require_role(*EDIT_ROLES)
def moderate(idea_id: int):
    """Approve an idea for the projector, or hide it."""
    idea = managed(MeetingIdea, idea_id)
    status = request.form.get("status", "")
    if not FlaskForm().validate_on_submit() or status not in {s.value for s in IdeaStatus}:
        abort(400)
    services.moderate_idea(idea, status)
    db.session.commit()
    if request.form.get("back") == "item" and idea.agenda_item_id:
        return redirect(url_for("meetings.item", item_id=idea.agenda_item_id))
    return redirect(url_for("meetings.live", meeting_id=idea.meeting_id))


@bp.route("/<int:meeting_id>/polls/new", methods=["GET", "POST"])
@require_role(*EDIT_ROLES)
def new_poll(meeting_id: int):
    """Prepare a poll in the group's languages."""
    meeting = managed(Meeting, meeting_id)
    form = poll_form(meeting.group.languages, meeting.items)
    if request.method == "GET":
        form.agenda_item_id.data = meeting.current_item_id
    if form.validate_on_submit() and commit_or_show(
        lambda: services.create_poll(
            meeting, form.translations("question"), poll_options(form), form.agenda_item_id.data
        ),
        _("Poll prepared. Open it when the group is ready."),
        form=form,
    ):
        warn_untranslated(form, ["question", "options"])
        return redirect(url_for("meetings.live", meeting_id=meeting.id))
    return render_template("meetings/poll_form.html", form=form, meeting=meeting)


def _poll_action(poll_id: int, operation):
    """Run one poll service on a managed poll and return to the live control."""
    poll = managed(MeetingPoll, poll_id)
    require_post_form()
    commit_or_show(lambda: operation(poll))
    return redirect(url_for("meetings.live", meeting_id=poll.meeting_id))


@bp.post("/polls/<int:poll_id>/open")
@require_role(*EDIT_ROLES)
def open_poll(poll_id: int):
    """Open a poll on the phones (another open one closes)."""
    return _poll_action(poll_id, services.open_poll)


@bp.post("/polls/<int:poll_id>/close")
@require_role(*EDIT_ROLES)
def close_poll(poll_id: int):
    """Close a poll."""
    return _poll_action(poll_id, services.close_poll)
