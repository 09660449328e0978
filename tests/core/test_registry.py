"""Domains add nav items and demo seeders to their app's registry, not to module globals."""

from __future__ import annotations

from flask import Flask

from klankbord.core.registry import registry


def test_each_app_has_its_own_registry_filled_by_the_domains(app):
    from klankbord.meetings.demo import seed_demo
    from klankbord.reports.demo import seed_demo_reports
    from klankbord.surveys.cli import seed_demo_surveys

    entries = registry(app)
    assert app.extensions["klankbord"] is entries
    assert [item.endpoint for item in entries.nav_items] == [
        "staff.dashboard",
        "jobs.index",
        "surveys.index",
        "meetings.index",
        "reports.index",
    ]
    assert next(i for i in entries.nav_items if i.endpoint == "jobs.index").roles == ("admin",)
    assert entries.demo_seeders == [seed_demo_surveys, seed_demo, seed_demo_reports]

    other = Flask("other")
    assert registry(other).nav_items == [] and registry(other).demo_seeders == []
    registry(other).add_nav_item("x.index", "X")
    registry(other).add_nav_item("x.index", "X again")  # once per endpoint
    registry(other).add_demo_seeder(seed_demo)
    registry(other).add_demo_seeder(seed_demo)
    assert [i.label for i in registry(other).nav_items] == ["X"]
    assert registry(other).demo_seeders == [seed_demo]
    assert len(entries.nav_items) == 5  # the first app did not change


def test_the_navigation_shows_each_role_its_entries(app, client, make, login_as):
    org = make.org()
    admin = make.user(org=org, role="admin")
    reader = make.user(org=org, role="policymaker")
    login_as(reader)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports' in page and 'href="/admin/jobs' not in page
    client.post("/logout")
    login_as(admin)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports' in page and 'href="/admin/jobs' in page
