"""Objects of the reports domain for the tenant-isolation matrix."""

from __future__ import annotations

from datetime import timedelta

from tests.security.factories import object_factory

from klankbord.core.time import utcnow
from klankbord.extensions import db
from klankbord.reports import releases
from klankbord.reports.models import ReportScope, ReportTheme, ShareLink, ThemeRun


@object_factory("scope_id", blueprint="reports")
def report_scope(ctx):
    scope = ReportScope(organisation_id=ctx.org.id, name="Rapport van organisatie A",
                        deployment_ids=[], meeting_ids=[], location_ids=[], languages=[])
    db.session.add(scope)
    db.session.flush()
    releases.make_scope_release(scope)  # what the nightly job does: its report can be read
    return scope.id


@object_factory("report_theme_id", blueprint="reports")
def report_theme(ctx):
    run = ThemeRun(organisation_id=ctx.org.id, scope_id=ctx.value("scope_id"), method="test",
                   params={})
    db.session.add(run)
    db.session.flush()
    theme = ReportTheme(organisation_id=ctx.org.id, run_id=run.id, label="thema", terms=[],
                        languages={})
    db.session.add(theme)
    db.session.flush()
    return theme.id


@object_factory("share_link_id", blueprint="reports")
def share_link(ctx):
    link = ShareLink(organisation_id=ctx.org.id, scope_id=ctx.value("scope_id"),
                     token_hash="a" * 64, expires_at=utcnow() + timedelta(days=3))
    db.session.add(link)
    db.session.flush()
    return link.id
