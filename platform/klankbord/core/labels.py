"""Status words stored in English (``draft``, ``hidden``) as the staff member's language.

Raw status values reached Dutch pages ("draft", "hidden", "approved"); templates show a status
through the ``status`` filter instead. One list for meetings, polls, ideas, actions and updates.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "open": _l("open"),
    "in_progress": _l("in progress"),
    "done": _l("done"),
    "dropped": _l("dropped"),
    "published": _l("published"),
    "draft": _l("draft"),
    "closed": _l("closed"),
    "pending": _l("waiting"),
    "approved": _l("on the screen"),
    "hidden": _l("hidden"),
    "running": _l("running"),
    "ok": _l("ok"),
    "error": _l("failed"),
    "skipped": _l("skipped"),
}


def status_label(value: str | None) -> str:
    """The label of a stored status; an unknown value is shown as it is."""
    if not value:
        return ""
    label = STATUS_LABELS.get(value)
    return str(label) if label is not None else value
