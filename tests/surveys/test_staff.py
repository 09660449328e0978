"""Staff pages: survey list, deploying, the deployment page, poster, slips, roles and tenancy."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from klankbord.surveys import services
from klankbord.surveys.models import Deployment, ParticipationSlip


@pytest.fixture
def org_with_staff(make):
    org = make.org()
    location = make.location(org, "AZC Oost")
    make.location(org, "AZC West")
    return org, location


def test_survey_list_shows_languages_and_reviewed_flags(client, make, versions, login_as):
    org = make.org()
    login_as(make.user(org, "policymaker"))
    page = client.get("/surveys/").get_data(as_text=True)
    for survey_id in ("koken", "privacy", "taallessen", "wonen"):
        assert f"({survey_id}, version 1)" in page or f"({survey_id}, versie 1)" in page
    assert "ትግርኛ" in page and "فارسی" in page
    assert page.count("badge-ok") >= 4 and "badge-warn" in page
    # Policymakers read but do not get the deploy button.
    assert "/surveys/deploy?survey=koken" not in page


def test_facilitator_deploys_to_several_locations(
    client, db, make, versions, login_as, org_with_staff
):
    org, _ = org_with_staff
    login_as(make.user(org, "facilitator"))
    form = client.get("/surveys/deploy?survey=koken")
    assert form.status_code == 200
    location_ids = [loc.id for loc in services.all_locations(org)]
    response = client.post(
        "/surveys/deploy?survey=koken",
        data={
            "version": versions["koken"].id,
            "locations": location_ids,
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-02-01T17:00",
        },
    )
    assert response.status_code == 302
    deployment = db.session.execute(select(Deployment)).scalar_one()
    assert sorted(loc.id for loc in deployment.locations) == sorted(location_ids)
    assert deployment.organisation_id == org.id
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", deployment.code)
    # Amsterdam winter time is UTC+1.
    assert deployment.opens_at.isoformat() == "2030-01-01T08:00:00"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/s/{deployment.code}" in page


@pytest.mark.parametrize("field, value", [("closes_at", "2029-12-31T09:00"), ("locations", [])])
def test_deploy_form_refuses_bad_input(
    client, db, make, versions, login_as, org_with_staff, field, value
):
    org, location = org_with_staff
    login_as(make.user(org, "facilitator"))
    data = {
        "version": versions["koken"].id,
        "locations": [location.id],
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-02-01T17:00",
        field: value,
    }
    response = client.post("/surveys/deploy?survey=koken", data=data)
    assert response.status_code == 422
    assert db.session.execute(select(func.count(Deployment.id))).scalar_one() == 0


def test_a_location_of_another_organisation_cannot_be_chosen(
    client, db, make, versions, login_as, org_with_staff
):
    org, location = org_with_staff
    other = make.location(make.org())
    login_as(make.user(org, "facilitator"))
    response = client.post(
        "/surveys/deploy?survey=koken",
        data={
            "version": versions["koken"].id,
            "locations": [other.id],
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-02-01T17:00",
        },
    )
    assert response.status_code == 422
    assert db.session.execute(select(func.count(Deployment.id))).scalar_one() == 0


def test_policymaker_reads_but_gets_403_on_every_post(client, db, make, deploy, login_as):
    deployment = deploy("koken")
    org = db.session.get(Deployment, deployment.id).organisation
    login_as(make.user(org, "policymaker"))
    assert client.get(f"/surveys/deployments/{deployment.id}").status_code == 200
    assert client.get(f"/surveys/deployments/{deployment.id}/poster").status_code == 200
    assert client.get("/surveys/deploy?survey=koken").status_code == 403
    assert client.post("/surveys/deploy?survey=koken", data={}).status_code == 403
    assert (
        client.post(f"/surveys/deployments/{deployment.id}/slips", data={"count": 3}).status_code
        == 403
    )
    assert (
        client.post(
            f"/surveys/deployments/{deployment.id}/follow-up", data={"text_nl": "x"}
        ).status_code
        == 403
    )
    assert db.session.execute(select(func.count(ParticipationSlip.id))).scalar_one() == 0


def test_another_organisation_gets_404_for_deployment_routes(client, make, deploy, login_as):
    deployment = deploy("koken")
    login_as(make.user(make.org(), "admin"))
    base = f"/surveys/deployments/{deployment.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/poster").status_code == 404
    assert client.post(f"{base}/slips", data={"count": 2}).status_code == 404
    assert client.post(f"{base}/follow-up", data={"text_nl": "x"}).status_code == 404


def test_deployment_page_shows_rounded_progress_not_per_language_counts(
    client, db, make, deploy, login_as
):
    """Exact and per-language figures come from releases; here only rounded progress (issue 13:
    "ትግርኛ 5, فارسی 1" on this page gave away groups the report hides)."""
    from klankbord.surveys.services import definition_of, submit_response

    deployment = deploy("koken")
    defn = definition_of(deployment.version)
    for index, lang in enumerate(["ar", "ar", "ti", "nl", "nl", "nl", "nl"]):
        submit_response(deployment, defn, lang, f"key-number-{index}-abcdefghijkl", {})
    db.session.commit()
    login_as(make.user(deployment.organisation, "policymaker"))
    page = client.get(f"/surveys/deployments/{deployment.id}").get_data(as_text=True)
    assert "About 5 answers so far" in page and "About 7" not in page
    assert '<td lang="ti">ትግርኛ</td><td>' in page  # the language is listed, with no count
    assert not re.search(r'<td lang="\w+">[^<]+</td><td>\d', page)


def test_poster_has_an_inline_qr_svg_the_link_and_a_call_in_every_language(
    client, make, deploy, login_as
):
    from klankbord.surveys import ui_text

    deployment = deploy("wonen")
    login_as(make.user(deployment.organisation, "facilitator"))
    page = client.get(f"/surveys/deployments/{deployment.id}/poster").get_data(as_text=True)
    assert re.search(
        r'<svg role="img" aria-label="[^"]+" viewBox="0 0 \d+ \d+" class="qr"><path', page
    )
    assert f"http://localhost/s/{deployment.code}" in page
    for lang in ("nl", "en", "ar", "ti", "fa", "tr", "uk"):
        assert ui_text.text("poster_call", lang).replace("'", "&#39;") in page
    assert "surveys.css" in page and "<script" not in page and "style=" not in page


def test_slips_sheet_shows_n_codes_once_and_stores_only_hashes(client, db, make, deploy, login_as):
    deployment = deploy("koken")
    login_as(make.user(deployment.organisation, "facilitator"))
    response = client.post(f"/surveys/deployments/{deployment.id}/slips", data={"count": 5})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('class="qr"') == 5
    codes = re.findall(r'<p class="slip-code">(\w{4}) (\w{4})</p>', page)
    assert len(codes) == 5
    stored = db.session.execute(select(ParticipationSlip.code_hash)).scalars().all()
    assert len(stored) == 5
    for left, right in codes:
        assert all(left + right not in h for h in stored)
        assert f"QR code for slip {left}{right}" in page
        assert services.find_slip(deployment, f"{left}-{right}") is not None
    bad = client.post(f"/surveys/deployments/{deployment.id}/slips", data={"count": 501})
    assert bad.status_code == 302
    assert len(db.session.execute(select(ParticipationSlip.id)).all()) == 5


def test_follow_up_is_saved_per_language(client, db, make, deploy, login_as):
    deployment = deploy("koken")
    login_as(make.user(deployment.organisation, "facilitator"))
    response = client.post(
        f"/surveys/deployments/{deployment.id}/follow-up",
        data={
            "text_nl": "Wij openen een tweede keuken.",
            "text_ar": " ",
            "text_en": "We open a second kitchen.",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Deployment, deployment.id).follow_up == {
        "nl": "Wij openen een tweede keuken.",
        "en": "We open a second kitchen.",
    }


def test_deploy_page_for_an_unknown_survey_is_404(client, make, versions, login_as):
    login_as(make.user(make.org(), "facilitator"))
    assert client.get("/surveys/deploy?survey=nope").status_code == 404
    assert client.get("/surveys/deploy").status_code == 404


def test_poster_pdf_is_one_page_with_the_title_in_every_language(
    client, db, make, deploy, login_as
):
    from tests.pdftext import assert_no_chrome, needs_pdf_tools, pdf_fonts, pdf_text

    needs_pdf_tools()
    deployment = deploy("koken")
    login_as(make.user(db.session.get(Deployment, deployment.id).organisation, "policymaker"))
    page = client.get(f"/surveys/deployments/{deployment.id}/poster").get_data(as_text=True)
    assert page.count("<h1") == 1  # the poster page has its level-one heading
    response = client.get(f"/surveys/deployments/{deployment.id}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert_no_chrome(text)
    assert "Back to the deployment" not in text and "Terug" not in text
    assert text.count("\f") == 1  # one A4 page (pdftotext ends every page with a form feed)
    assert deployment.code in text  # the link under the QR code
    assert "Koken en eten" in text or "Cooking and food" in text
    fonts = pdf_fonts(response.data)
    assert "Noto-Sans-Arabic" in fonts and "Noto-Sans-Ethiopic" in fonts


def test_deployment_page_says_when_a_link_accepts_repeat_answers(
    client, db, make, deploy, login_as
):
    open_link, with_slips = deploy("koken"), deploy("koken", slip_required=True)
    org = db.session.get(Deployment, open_link.id).organisation
    login_as(make.user(org, "facilitator"))
    page = client.get(f"/surveys/deployments/{open_link.id}").get_data(as_text=True)
    assert 'id="repeat-note"' in page and "more than once" in page
    assert 'href="#slips-h"' in page and 'action="/surveys/deployments/' in page  # slips offered
    login_as(make.user(db.session.get(Deployment, with_slips.id).organisation, "facilitator"))
    page = client.get(f"/surveys/deployments/{with_slips.id}").get_data(as_text=True)
    assert 'id="repeat-note"' not in page and "a slip works once" in page
