"""Retention: delete free text and meeting contributions an organisation no longer keeps.

Per organisation, ``retention_months`` after a survey deployment closed (or a meeting finished),
the job deletes:

* free-text survey answers (``Answer`` rows of ``free_text`` questions); closed answers stay, so
  every count and chart of the deployment stays the same;
* meeting ideas (the texts sent from phones, with their aliases and +1s);
* what reports keep about those texts: theme memberships (quotes) and quote curation
  (hidden flags and Dutch translations). Theme sizes, labels and run totals stay.

Meeting minutes, actions and "you said, we did" updates are written by staff and stay. Members
are erased on request at once by ``meetings.services.erase_member``; there is no "removed" mark
to act on later. Counts of what was deleted, never contents, go to the audit log per organisation.
"""

from __future__ import annotations

from datetime import datetime

from klankbord.accounts.models import Organisation
from klankbord.accounts.services import organisations, record_event


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` minus whole calendar months (the 31st becomes the last day of a shorter month)."""
    import calendar

    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def purge_expired(now: datetime, organisation_id: int | None = None) -> dict[str, int]:
    """Purge every organisation (or only ``organisation_id``); returns totals."""
    totals: dict[str, int] = {"organisations_purged": 0}
    for org in organisations(organisation_id):
        counts = purge_organisation(org, now)
        if any(counts.values()):
            totals["organisations_purged"] += 1
            record_event(
                "retention_purge",
                organisation_id=org.id,
                details={**counts, "retention_months": org.retention_months},
            )
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return totals


def purge_organisation(org: Organisation, now: datetime) -> dict[str, int]:
    """Delete what ``org`` keeps no longer; flushes, returns counts per kind.

    Each domain deletes its own rows through its seam; reports first forget the texts (quotes
    and curation), then surveys and meetings delete them.
    """
    from klankbord.meetings import seam as meetings
    from klankbord.surveys import seam as surveys

    cutoff = months_before(now, max(int(org.retention_months or 0), 1))
    survey_keys = surveys.expired_free_text(org.id, cutoff)
    quotes, curations = _forget(org.id, survey_keys=survey_keys)
    counts = {
        "survey_answers_deleted": surveys.purge_answers(survey_keys),
        "survey_quotes_deleted": quotes,
        "survey_curations_deleted": curations,
    }
    idea_ids = meetings.expired_idea_ids(org.id, cutoff)
    quotes, curations = _forget(org.id, idea_ids=idea_ids)
    counts["meeting_ideas_deleted"] = meetings.purge_ideas(idea_ids)
    counts["meeting_quotes_deleted"], counts["meeting_curations_deleted"] = quotes, curations
    return counts


def _forget(org_id: int, **texts) -> tuple[int, int]:
    """Reports forget these texts (when reports are installed)."""
    try:
        from klankbord.reports.seam import forget_texts
    except ImportError:  # reports not installed: nothing refers to the texts
        return 0, 0
    if not any(texts.values()):
        return 0, 0
    return forget_texts(org_id, **texts)
