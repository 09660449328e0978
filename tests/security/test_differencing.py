"""An adversary who knows the method and reads everything a policymaker, a share-link holder and a
slip holder can read (issue 13): before/after, overlapping scopes, and the survey-round page.

Record keys are drawn from a seeded generator, so each run sees the same noise; the tests also run
the same attacks on true counts (``exact_counts_for_tests``) and show they would succeed there, so
the defence being tested is the perturbation and the release rule, not luck.
"""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert
from tests.conftest import login
from tests.reports.helpers import deployment

from klankbord.core import time as clock
from klankbord.extensions import db as _db
from klankbord.reports import ptable, releases, services
from klankbord.surveys.models import Answer, Response

NOW = datetime(2026, 3, 10, 9, 0)
DAY = date(2026, 3, 2)
K = 10
LANGUAGES = ["nl", "ar", "fa", "tr", "uk", "en"]
KITCHEN = ["own_kitchen", "shared_kitchen", "no_kitchen"]


@pytest.fixture(autouse=True)
def _clock():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def add(dep, rng: random.Random, n: int, *, language: str, kitchen=None, day: date = DAY):
    """n responses with seeded record keys; kitchen answer drawn or fixed."""
    responses, answers = [], []
    for _ in range(n):
        rid = uuid.uuid4().hex
        responses.append(
            {
                "id": rid,
                "deployment_id": dep.id,
                "version_id": dep.version_id,
                "language": language,
                "submitted_on": day,
                "submission_key_hash": uuid.uuid4().hex * 2,
                "answers_hash": "0" * 64,
                "record_key": rng.randrange(256),
            }
        )
        value = kitchen or rng.choice(KITCHEN)
        answers.append(
            {
                "response_id": rid,
                "question_id": "kitchen_access",
                "position": 0,
                "value_text": value,
                "value_number": None,
            }
        )
    _db.session.execute(insert(Response), responses)
    _db.session.execute(insert(Answer), answers)


@pytest.fixture
def world(app, make, db):
    """Two locations, six languages of residents and three Tigrinya residents without a kitchen."""
    org = make.org(min_group_size=K)
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC West")
    dep_east, dep_west = deployment(app, org, [east]), deployment(app, org, [west])
    rng = random.Random(13)
    for dep in (dep_east, dep_west):
        for language in LANGUAGES:
            add(dep, rng, rng.randint(6, 14), language=language)
    add(dep_east, rng, 3, language="ti", kitchen="no_kitchen")
    db.session.commit()
    return org, dep_east, dep_west


def release_all(org) -> dict:
    """The nightly job, run the day after NOW."""
    clock.freeze(NOW + timedelta(days=1))
    result = releases.release_due(org.id)
    _db.session.commit()
    return result


def csv_cells(client, scope) -> dict[tuple, int]:
    """Every shown number of a report's CSV, keyed by (table, group, answer)."""
    body = client.get(f"/reports/{scope.id}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    cells = {}
    for row in csv.reader(io.StringIO(body)):
        if len(row) >= 5 and re.fullmatch(r"\d+", row[4] or ""):
            cells[(row[1], row[2], row[3])] = int(row[4])
    return cells


def test_overlapping_scopes_do_not_pin_a_small_language_group(world, client, make, db):
    org, dep_east, dep_west = world
    ids = (dep_east.id, dep_west.id)
    everyone = services.save_scope(org, services.ScopeData(name="Alle talen", deployment_ids=ids))
    without_ti = services.save_scope(
        org,
        services.ScopeData(name="Zonder Tigrinya", deployment_ids=ids, languages=tuple(LANGUAGES)),
    )
    only_ti = services.save_scope(
        org, services.ScopeData(name="Tigrinya", deployment_ids=ids, languages=("ti",))
    )
    db.session.commit()
    assert release_all(org)["made"] >= 3
    login(client, make.user(org, "policymaker"))

    a, b = csv_cells(client, everyone), csv_cells(client, without_ti)
    assert not any(csv_cells(client, only_ti).values())  # 3 people: everything suppressed
    common = sorted(set(a) & set(b))
    assert len(common) >= 6, common
    # What the Tigrinya residents really add to each cell (3 to "no kitchen" at Oost and in every
    # total that holds Oost, 0 elsewhere).
    differences = {cell: a[cell] - b[cell] for cell in common}
    true_ti = {}
    with ptable.exact_counts_for_tests():
        exact_a, exact_b = csv_cells(client, everyone), csv_cells(client, without_ti)
    for cell in common:
        true_ti[cell] = exact_a[cell] - exact_b[cell]
    # On true counts the attack works: every difference is the small group, exactly.
    assert any(v == 3 for v in true_ti.values())
    # Cells without a Tigrinya record hold the same records in both scopes, so they are the same
    # number (difference 0, as it truly is). On released counts the attack fails where it
    # matters: in the cells holding the group, most differences are not its size, and no
    # difference pins it (two cells' noise spans 2 * MAX_DEVIATION either way).
    holding = [c for c in common if true_ti[c] > 0]
    assert len(holding) >= 4, holding
    assert all(differences[c] == 0 for c in common if true_ti[c] == 0)
    exact_hits = sum(differences[c] == true_ti[c] for c in holding)
    assert exact_hits <= len(holding) // 2, (exact_hits, len(holding))
    for cell in holding:
        low = max(0, differences[cell] - 2 * ptable.MAX_DEVIATION)
        high = differences[cell] + 2 * ptable.MAX_DEVIATION
        assert high - low >= 2 * ptable.MAX_DEVIATION, cell
    # The same cell is the same number in every scope that holds it (consistency).
    assert a == csv_cells(client, everyone)


def test_one_more_response_changes_no_output(world, app, client, make, db):
    org, dep_east, _ = world
    scope = services.save_scope(org, services.ScopeData(name="Oost", deployment_ids=(dep_east.id,)))
    db.session.commit()
    release_all(org)
    from klankbord.surveys import services as survey_services

    (slip,) = survey_services.create_slips(dep_east, 1)
    link, token = services.create_share_link(scope, 7)
    db.session.commit()
    reader = make.user(org, "policymaker")

    def everything():
        login(client, reader)  # days pass between the downloads
        return (
            client.get(f"/reports/{scope.id}/export.csv").get_data(as_text=True),
            client.get(f"/r/{token}").get_data(as_text=True),
            client.get(f"/s/{dep_east.code}/en/results?slip={slip}").get_data(as_text=True),
            client.get(f"/surveys/deployments/{dep_east.id}").get_data(as_text=True),
        )

    before = everything()
    assert "people</strong>" in before[2]
    # A neighbour answers (today), and the nightly job runs again the next day.
    add(
        dep_east,
        random.Random(99),
        1,
        language="ti",
        kitchen="own_kitchen",
        day=(NOW + timedelta(days=1)).date(),
    )
    db.session.commit()
    clock.freeze(NOW + timedelta(days=2))
    assert releases.release_due(org.id)["made"] == 0  # fewer than k new answers: no release
    _db.session.commit()
    after = everything()
    for one, two in zip(before, after, strict=True):
        assert _without_tokens(one) == _without_tokens(two)
    # A facilitator asking for a release now is refused with the reason.
    with pytest.raises(releases.ReleaseRefused) as refused:
        releases.make_scope_release(scope)
    assert refused.value.reason == "too_few_new"

    # Once k or more new answers came in, the next release is made and holds all of them.
    add(dep_east, random.Random(7), K, language="nl", day=(NOW + timedelta(days=2)).date())
    db.session.commit()
    clock.freeze(NOW + timedelta(days=3))
    previous = releases.latest_release(scope=scope)
    assert releases.release_due(org.id)["made"] >= 1
    latest = releases.latest_release(scope=scope)
    assert latest.version == previous.version + 1
    assert latest.n_records - previous.n_records >= K


def _without_tokens(html: str) -> str:
    """The page without what differs on every render and holds no data (tokens, element ids)."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
    return re.sub(r"chart-(title|desc)-\d+", "chart-id", html)


def test_survey_round_page_shows_no_exact_or_per_language_counts(world, client, make, db):
    org, dep_east, _ = world
    login(client, make.user(org, "policymaker"))
    html = client.get(f"/surveys/deployments/{dep_east.id}").get_data(as_text=True)
    exact = _db.session.query(Response).filter(Response.deployment_id == dep_east.id).count()
    assert exact % 5 != 0  # the world is built so that rounding shows
    assert f"About {exact} " not in html and f"About {5 * (exact // 5)} answers" in html
    assert "ትግርኛ" not in html or not re.search(r"ትግርኛ</td><td>\d", html)
