"""Report pages, exports and share links: permissions, suppression everywhere, escaping."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.conftest import login
from tests.reports.helpers import add_responses, deployment

from klankbord.accounts.models import AuditEvent
from klankbord.core import pdf
from klankbord.core import time as clock
from klankbord.reports import export, releases, services

HOSTILE = '=HYPERLINK("http://evil.example")<script>alert(1)</script>'


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.freeze(None)


@pytest.fixture
def scope(app, make, db):
    org = make.org()
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC <b>West</b>")
    dep_east, dep_west = deployment(app, org, [east]), deployment(app, org, [west])
    add_responses(
        dep_east,
        [{"kitchen_access": "own_kitchen"} for _ in range(20)]
        + [{"kitchen_access": "shared_kitchen"} for _ in range(12)]
        + [{"kitchen_access": "no_kitchen"} for _ in range(3)],
    )
    add_responses(
        dep_west,
        [{"kitchen_access": "shared_kitchen"} for _ in range(15)]
        + [{"kitchen_access": "no_kitchen"} for _ in range(10)],
    )
    scope = services.save_scope(
        org, services.ScopeData(name=HOSTILE, deployment_ids=(dep_east.id, dep_west.id))
    )
    releases.make_scope_release(scope)  # what the nightly job does
    db.session.commit()
    return scope


def org_of(scope, db):
    from klankbord.accounts.models import Organisation

    return db.session.get(Organisation, scope.organisation_id)


def test_policymaker_reads_but_cannot_curate(client, make, scope, db):
    user = make.user(org_of(scope, db), "policymaker")
    login(client, user)
    assert client.get(f"/reports/{scope.id}").status_code == 200
    assert client.get("/reports/").status_code == 200
    assert client.get(f"/reports/{scope.id}/curate").status_code == 403
    assert client.post(f"/reports/{scope.id}/recompute").status_code == 403
    assert client.get(f"/reports/{scope.id}/export.csv").status_code == 200


def test_policymaker_creates_and_revokes_a_share_link(client, make, scope, db):
    """Policymakers hand the report to the council, so they make and withdraw its links."""
    login(client, make.user(org_of(scope, db), "policymaker"))
    report = client.get(f"/reports/{scope.id}").get_data(as_text=True)
    assert f'action="/reports/{scope.id}/share"' in report
    made = client.post(f"/reports/{scope.id}/share", data={"days": "5"})
    assert made.status_code == 200
    url = made.get_data(as_text=True).split('<code class="link">')[1].split("</code>")[0]
    path = "/r/" + url.rsplit("/r/", 1)[1]
    link = scope_link(db, scope)
    assert "/revoke" in client.get(f"/reports/{scope.id}").get_data(as_text=True)
    assert client.post(f"/reports/{scope.id}/share/{link.id}/revoke").status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 404
    actions = db.session.execute(select(AuditEvent.action)).scalars().all()
    assert "share_link_created" in actions and "share_link_revoked" in actions


def test_report_page_has_contents_and_folded_sections(client, make, scope, db):
    login(client, make.user(org_of(scope, db), "policymaker"))
    page = client.get(f"/reports/{scope.id}").get_data(as_text=True)
    contents = page.split('<nav class="toc"')[1].split("</nav>")[0]
    assert 'href="#questions-h"' in contents and 'href="#q-1"' in contents
    assert page.count('<details class="fold">') >= 1
    assert '<summary><h3 id="q-1">' in page
    with client.application.test_request_context():
        from klankbord.reports import views

        release = releases.latest_release(scope=scope)
        pdf_html = views.render_report_pdf_html(
            services.build_report(scope, release=release, lang="en")
        )
    assert "<details" not in pdf_html and 'class="toc"' not in pdf_html  # the PDF shows all


def test_other_organisation_gets_404(client, make, scope):
    stranger = make.user(make.org(), "admin")
    login(client, stranger)
    for url in (
        f"/reports/{scope.id}",
        f"/reports/{scope.id}/export.csv",
        f"/reports/{scope.id}/export.pdf",
        f"/reports/{scope.id}/curate",
    ):
        assert client.get(url).status_code == 404, url


def test_page_shows_markers_not_small_numbers_and_escapes(client, make, scope, db):
    login(client, make.user(org_of(scope, db), "facilitator"))
    html = client.get(f"/reports/{scope.id}").get_data(as_text=True)
    assert "fewer than 10" in html and "hidden" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>West</b>" not in html
    assert 'role="img"' in html and "<title" in html and 'style="' not in html
    # The three no-kitchen answers at AZC Oost appear nowhere as a number in a table cell.
    assert "<td>3</td>" not in html and "<td>12</td>" not in html


def test_csv_is_suppressed_like_the_page_and_neutralised(client, make, scope, db):
    login(client, make.user(org_of(scope, db), "policymaker"))
    response = client.get(f"/reports/{scope.id}/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_location = [r for r in rows if r[1].endswith("by location")]
    oost_no_kitchen = next(
        r for r in by_location if r[2] == "AZC Oost" and r[3].startswith(("Nee", "No,"))
    )
    assert oost_no_kitchen[4] == "fewer than 10"
    assert all(r[4] not in ("3", "12") for r in by_location if r[2] == "AZC Oost")
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
    assert event.details == {"format": "csv"}


def test_formula_cells_are_neutralised():
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert export.neutralise(cell).startswith("'")
    assert export.neutralise("Koken") == "Koken"
    text = export.to_csv([[HOSTILE, "ok"]])
    assert "'=HYPERLINK" in text


def test_pdf_builds_from_escaped_html(client, make, scope, db, app):
    pytest.importorskip("weasyprint", reason="WeasyPrint is not installed (pip install .[pdf])")
    login(client, make.user(org_of(scope, db), "policymaker"))
    with app.test_request_context():
        from klankbord.reports import views

        release = releases.latest_release(scope=scope)
        html = views.render_report_pdf_html(
            services.build_report(scope, release=release, lang="en")
        )
    assert "&lt;script&gt;" in html and "<script>" not in html and "fewer than 10" in html
    response = client.get(f"/reports/{scope.id}/export.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert response.mimetype == "application/pdf"


def test_pdf_answers_503_without_weasyprint(client, make, scope, db, monkeypatch):
    monkeypatch.setattr(pdf, "available", lambda: False)
    login(client, make.user(org_of(scope, db), "policymaker"))
    response = client.get(f"/reports/{scope.id}/export.pdf")
    assert response.status_code == 503
    assert "WeasyPrint" in response.get_data(as_text=True)


def test_share_link_expires_and_can_be_revoked_by_admin(app, client, make, scope, db):
    org = org_of(scope, db)
    facilitator, admin = make.user(org, "facilitator"), make.user(org, "admin")
    login(client, facilitator)
    page = client.post(f"/reports/{scope.id}/share", data={"days": "7"}).get_data(as_text=True)
    url = page.split('<code class="link">')[1].split("</code>")[0]
    path = "/r/" + url.rsplit("/r/", 1)[1]
    client.post("/logout")
    shared = client.get(path, headers={"Accept-Language": "en"})  # an English-reading visitor
    assert shared.status_code == 200
    html = shared.get_data(as_text=True)
    assert "fewer than 10" in html and "&lt;script&gt;" in html and "<td>3</td>" not in html
    # Expired after seven days.
    clock.freeze(clock.utcnow() + timedelta(days=8))
    assert client.get(path).status_code == 404
    clock.freeze(None)
    assert client.get(path).status_code == 200
    # A facilitator may not revoke; an admin may.
    link = scope_link(db, scope)
    login(client, facilitator)
    assert client.post(f"/reports/{scope.id}/share/{link.id}/revoke").status_code == 403
    client.post("/logout")
    login(client, admin)
    assert client.post(f"/reports/{scope.id}/share/{link.id}/revoke").status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 404
    assert client.get("/r/not-a-real-token").status_code == 404


def scope_link(db, scope):
    from klankbord.reports.models import ShareLink

    return db.session.execute(select(ShareLink).where(ShareLink.scope_id == scope.id)).scalar_one()


def test_scope_form_creates_and_rejects_bad_input(client, make, scope, db):
    org = org_of(scope, db)
    login(client, make.user(org, "facilitator"))
    assert client.get("/reports/new").status_code == 200
    bad = client.post(
        "/reports/new",
        data={"name": "Leeg", "period_from": "2025-12-01", "period_to": "2025-01-01"},
    )
    assert bad.status_code == 200
    assert "survey round or meeting" in bad.get_data(
        as_text=True
    ) or "before its start" in bad.get_data(as_text=True)
    good = client.post(
        "/reports/new",
        data={"name": "Koken", "deployment_ids": scope.deployment_ids, "compare_by": "deployment"},
    )
    assert good.status_code == 302
    assert client.get(good.headers["Location"]).status_code == 200
