"""What the staff pages of meetings share: the blueprint, the load-and-check helper, form aids."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from flask import abort, flash, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from klankbord.accounts.tenancy import EDITORS, get_managed_or_404, staff_blueprint
from klankbord.core.languages import LANGUAGE_NAMES
from klankbord.core.time import today
from klankbord.meetings import services
from klankbord.meetings.forms import options
from klankbord.meetings.models import Meeting

M = TypeVar("M")

#: Templates are those of the meetings package (``meetings/templates``), not of this subpackage.
bp = staff_blueprint(
    "meetings",
    __name__,
    url_prefix="/meetings",
    template_folder="templates",
    root_path=str(Path(__file__).resolve().parents[1]),
)
#: Who may change meetings at all (``accounts.tenancy.EDITORS``); per group, see ``managed``.
EDIT_ROLES = EDITORS


def managed(model: type[M], object_id: Any) -> M:
    """One object of this organisation that the user manages (404 or audited 403 otherwise)."""
    return get_managed_or_404(model, object_id, services.may_manage)


def require_post_form() -> None:
    """Refuse (400) a bare POST without a valid form token."""
    if not FlaskForm().validate_on_submit():
        abort(400)


@bp.app_context_processor
def _meeting_helpers():
    return {"action_status_label": services.action_status_label, "today": today}


def join_url(meeting: Meeting) -> str:
    """The participants' address of a meeting, for the QR code and handouts."""
    return url_for("meetings_public.join", code=meeting.join_code, _external=True)


def untranslated(form, prefixes: list[str]) -> list[str]:
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


def warn_untranslated(form, prefixes: list[str]) -> None:
    """Say which phones will see Dutch instead of their language (they are told so, too)."""
    missing = untranslated(form, prefixes)
    if missing:
        flash(
            _(
                "Not translated into %(languages)s: phones in that language show the Dutch "
                "text and say so.",
                languages=", ".join(LANGUAGE_NAMES.get(code, code) for code in missing),
            ),
            "warning",
        )


def item_choices(meeting: Meeting) -> list:
    """Agenda items of a meeting as select choices, with "none" first."""
    return options(
        [(None, "—")] + [(item.id, f"{item.position}. {item.title}") for item in meeting.items]
    )
