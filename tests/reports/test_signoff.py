"""Sign-off of curated releases: needed before sharing, shown on the report and in the PDF,
cleared by any later curation change, given only by an administrator or policymaker who did
not curate (issue 16, "Sign-off")."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.conftest import login
from tests.pdftext import needs_pdf_tools, pdf_text
from tests.reports.helpers import add_responses, deployment

from klankbord.accounts.models import AuditEvent, Organisation
from klankbord.extensions import db as _db
from klankbord.reports import releases, services
from klankbord.reports.models import ReportTheme, ShareLink, SignOff, ThemeMember, ThemeRun

SIGNER = "Petra Beleid"


@pytest.fixture
def curated(app, make, db):
    """A scope whose release shows a theme run with one renamed theme holding one text."""
    org = make.org()
    dep = deployment(app, org, [make.location(org, "AZC Oost")])
    ids = add_responses(dep, [{"kitchen_access": "own_kitchen"} for _ in range(12)])
    scope = services.save_scope(
        org, services.ScopeData(name="Koken najaar", deployment_ids=(dep.id,))
    )
    run = ThemeRun(organisation_id=org.id, scope_id=scope.id, method="test", params={})
    db.session.add(run)
    db.session.flush()
    theme = ReportTheme(
        organisation_id=org.id, run_id=run.id, label="koken", terms=[], languages={}
    )
    db.session.add(theme)
    db.session.flush()
    db.session.add(
        ThemeMember(theme_id=theme.id, response_id=ids[0], question_id="kitchen_access",
                    language="nl", rank=1)
    )
    services.rename_theme(theme, "Eigen keuken")
    db.session.expire(scope)
    releases.make_scope_release(scope)  # what the nightly job does
    db.session.commit()
    return scope


def _org(scope):
    return _db.session.get(Organisation, scope.organisation_id)


def _theme(scope) -> ReportTheme:
    return _db.session.execute(
        select(ReportTheme).where(ReportTheme.organisation_id == scope.organisation_id)
    ).scalar_one()


def _sign(client, scope):
    version = releases.latest_release(scope=scope).version
    return client.post(f"/reports/{scope.id}/signoff", data={"version": str(version)})


def _actions(db) -> list[str]:
    return db.session.execute(select(AuditEvent.action)).scalars().all()


def test_a_curated_release_is_shared_only_after_a_sign_off(client, make, curated, db):
    login(client, make.user(_org(curated), "policymaker", name=SIGNER))
    page = client.get(f"/reports/{curated.id}").get_data(as_text=True)
    assert "Draft: the themes were curated by staff and have not been signed off yet" in page
    assert f'action="/reports/{curated.id}/signoff"' in page
    assert f'action="/reports/{curated.id}/share"' not in page  # no form, an explanation
    refused = client.post(f"/reports/{curated.id}/share", data={"days": "5"})
    assert refused.status_code == 302
    assert db.session.execute(select(ShareLink)).first() is None
    assert "signs them off first" in client.get(f"/reports/{curated.id}").get_data(as_text=True)

    assert _sign(client, curated).status_code == 302
    row = db.session.execute(select(SignOff)).scalar_one()
    assert (row.signer_name, row.signer_role, row.cleared_at) == (SIGNER, "policymaker", None)
    assert "release_signed_off" in _actions(db)

    made = client.post(f"/reports/{curated.id}/share", data={"days": "5"})
    assert made.status_code == 200
    url = made.get_data(as_text=True).split('<code class="link">')[1].split("</code>")[0]
    client.post("/logout")
    shared = client.get("/r/" + url.rsplit("/r/", 1)[1]).get_data(as_text=True)
    assert f"goedgekeurd door {SIGNER} (Beleidsmedewerker) op" in shared  # readers: Dutch
    assert "Draft:" not in shared


def test_the_sign_off_is_shown_on_the_page_and_in_the_pdf(client, make, curated, db):
    needs_pdf_tools()
    login(client, make.user(_org(curated), "policymaker", name=SIGNER))
    _sign(client, curated)
    page = client.get(f"/reports/{curated.id}").get_data(as_text=True)
    assert f"Themes curated by staff; signed off by {SIGNER} (Policymaker) on" in page
    assert "Draft:" not in page
    text = " ".join(pdf_text(client.get(f"/reports/{curated.id}/export.pdf").data).split())
    assert f"signed off by {SIGNER} (Policymaker) on" in text
    assert "Draft:" not in text


def test_an_unsigned_pdf_says_it_is_a_draft_in_dutch(client, make, curated, db):
    needs_pdf_tools()
    login(client, make.user(_org(curated), "policymaker", language="nl"))
    text = " ".join(pdf_text(client.get(f"/reports/{curated.id}/export.pdf").data).split())
    assert "Concept: de thema's zijn bewerkt door medewerkers en nog niet goedgekeurd." in text


def test_a_curation_change_after_the_sign_off_clears_it(app, make, curated, db):
    signer, curator = app.test_client(), app.test_client()
    login(signer, make.user(_org(curated), "policymaker", name=SIGNER))
    login(curator, make.user(_org(curated), "facilitator"))
    _sign(signer, curated)
    link = signer.post(f"/reports/{curated.id}/share", data={"days": "5"}).get_data(as_text=True)
    token = link.split('<code class="link">')[1].split("</code>")[0].rsplit("/r/", 1)[1]
    assert signer.get(f"/r/{token}").status_code == 200

    theme = _theme(curated)
    renamed = curator.post(
        f"/reports/{curated.id}/themes/{theme.id}", data={"action": "rename", "name": "Keuken"}
    )
    assert renamed.status_code == 302
    row = db.session.execute(select(SignOff)).scalar_one()
    db.session.refresh(row)
    assert row.cleared_at is not None and row.cleared_reason == "curation"
    assert "signoff_cleared" in _actions(db)

    page = signer.get(f"/reports/{curated.id}").get_data(as_text=True)
    assert f"The sign-off by {SIGNER} of" in page and "A new sign-off is needed." in page
    assert "Draft: the themes were curated" in page
    # The existing link shows no unsigned curation (this scope has no other release).
    assert signer.get(f"/r/{token}").status_code == 404
    signer.post(f"/reports/{curated.id}/share", data={"days": "5"})
    assert len(db.session.execute(select(ShareLink)).scalars().all()) == 1
    # A new sign-off holds again.
    _sign(signer, curated)
    assert signer.get(f"/r/{token}").status_code == 200


def test_a_hidden_or_translated_quote_clears_the_sign_off(app, make, curated, db):
    user = make.user(_org(curated), "policymaker", name=SIGNER)
    release = releases.latest_release(scope=curated)
    services.sign_off(curated, release, actor=user, role="policymaker")
    db.session.commit()
    member = db.session.execute(select(ThemeMember)).scalar_one()
    services.curate_quote(curated.organisation_id, member.ref, translation_nl="Eigen keuken")
    db.session.commit()
    assert services.active_signoff(release) is None
    assert services.needs_signoff(release)
    assert services.shareable_release(curated) is None


def test_a_new_release_needs_its_own_sign_off_and_links_keep_the_signed_one(
    app, make, curated, db
):
    from datetime import date

    user = make.user(_org(curated), "admin", name="Anna Beheer")
    first = releases.latest_release(scope=curated)
    services.sign_off(curated, first, actor=user, role="admin")
    second = releases._make(
        organisation_id=curated.organisation_id, scope=curated, deployment=None,
        data_until=date(2999, 12, 31), actor=None, run_id=first.run_id, check_rule=False,
    )
    db.session.commit()
    assert services.needs_signoff(second)
    assert services.shareable_release(curated).id == first.id
    with pytest.raises(services.ReportError) as refused:
        services.create_share_link(curated, 5, actor=user)
    assert refused.value.code == "signoff_needed"
    report = services.build_report(curated, release=first)
    assert report.curated and report.signoff.name == "Anna Beheer"
    assert report.signoff.role == "admin" and not report.needs_signoff


def test_a_facilitator_may_not_sign_off(client, make, curated, db):
    login(client, make.user(_org(curated), "facilitator"))
    assert _sign(client, curated).status_code == 403
    assert db.session.execute(select(SignOff)).first() is None
    page = client.get(f"/reports/{curated.id}").get_data(as_text=True)
    assert f'action="/reports/{curated.id}/signoff"' not in page


def test_whoever_curated_may_not_sign_off_the_same_themes(client, make, curated, db):
    """Four eyes: an administrator who renamed a theme asks a colleague to sign off."""
    login(client, make.user(_org(curated), "admin", name="Anna Beheer"))
    theme = _theme(curated)
    client.post(f"/reports/{curated.id}/themes/{theme.id}", data={"action": "hide"})
    assert _sign(client, curated).status_code == 302
    assert db.session.execute(select(SignOff)).first() is None
    page = client.get(f"/reports/{curated.id}").get_data(as_text=True)
    assert "You curated these themes yourself" in page


def test_a_sign_off_is_for_the_release_the_signer_read(client, make, curated, db):
    login(client, make.user(_org(curated), "policymaker", name=SIGNER))
    stale = client.post(f"/reports/{curated.id}/signoff", data={"version": "99"})
    assert stale.status_code == 302
    assert db.session.execute(select(SignOff)).first() is None


def test_an_uncurated_release_needs_no_sign_off(app, make, curated, db):
    theme = _theme(curated)
    theme.curated_name = None
    db.session.commit()
    release = releases.latest_release(scope=curated)
    assert not services.is_curated(db.session.get(ThemeRun, release.run_id))
    assert not services.needs_signoff(release)
    with pytest.raises(services.ReportError) as refused:
        services.sign_off(curated, release, actor=None, role="admin")
    assert refused.value.code == "signoff_not_curated"


def test_sign_off_is_post_only(client, make, curated):
    login(client, make.user(_org(curated), "policymaker"))
    assert client.get(f"/reports/{curated.id}/signoff").status_code == 405


def test_sign_off_needs_the_csrf_token(app, client, make, curated, db):
    login(client, make.user(_org(curated), "policymaker"))
    app.config["WTF_CSRF_ENABLED"] = True  # checked on every request (flask_wtf)
    try:
        assert _sign(client, curated).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.execute(select(SignOff)).first() is None
