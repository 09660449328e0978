"""What the staff pages of meetings share: the blueprint, the edit roles, the manage check."""

from __future__ import annotations

from pathlib import Path

from flask import abort, flash, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from klankbord.accounts.models import Role
from klankbord.accounts.services import record_event
from klankbord.accounts.tenancy import staff_blueprint
from klankbord.core.i18n import LANGUAGE_NAMES
from klankbord.core.time import today
from klankbord.extensions import db
from klankbord.meetings import services
from klankbord.meetings.forms import options
from klankbord.meetings.models import Meeting, MeetingGroup

#: Templates are those of the meetings package (``meetings/templates``), not of this subpackage.
bp = staff_blueprint(
    "meetings",
    __name__,
    url_prefix="/meetings",
    template_folder="templates",
    root_path=str(Path(__file__).resolve().parents[1]),
)
EDIT_ROLES = (Role.ADMIN, Role.FACILITATOR)


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


def _join_url(meeting: Meeting) -> str:
    return url_for("meetings_public.join", code=meeting.join_code, _external=True)


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


def _item_choices(meeting: Meeting) -> list:
    return options(
        [(None, "—")] + [(item.id, f"{item.position}. {item.title}") for item in meeting.items]
    )


def _idea_aids(ideas) -> dict:
    """A Dutch aid (not a translation) per non-Dutch idea, from its agenda item's Dutch ideas."""
    from klankbord.analysis import dutch_aids

    ideas = sorted(ideas, key=lambda i: -i.support_count)
    found = dutch_aids(
        [i.text for i in ideas], [i.lang for i in ideas], [i.agenda_item_id for i in ideas]
    )
    return {idea.id: aid for idea, aid in zip(ideas, found, strict=True) if aid is not None}
