"""Staff pages of meetings, by audience: groups (groups, themes, members), agenda (planning a
meeting), live (running it: live control, projector, polls) and follow-up (actions, summary,
updates). One blueprint, ``meetings``, for all of them.

Everybody of the organisation may read; only admins and the group's own facilitators change a group.
Members' personal data is shown only to those who manage the group.
"""

from __future__ import annotations

#: Seconds between two reloads of the projector page in a browser without JavaScript (meta refresh).
#: Read from here at request time (``views.live`` looks it up), so tests can change it.
PROJECTOR_REFRESH_SECONDS = 10
#: Newest approved ideas on the projector: as many as fit the first screen of a 1280x720 beamer.
PROJECTOR_IDEAS = 6

from klankbord.meetings.views import agenda, followup, groups, live  # noqa: E402  (routes)
from klankbord.meetings.views.base import EDIT_ROLES, bp  # noqa: E402

__all__ = [
    "EDIT_ROLES",
    "PROJECTOR_IDEAS",
    "PROJECTOR_REFRESH_SECONDS",
    "agenda",
    "bp",
    "followup",
    "groups",
    "live",
]
