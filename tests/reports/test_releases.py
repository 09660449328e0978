"""Releases and cell-key perturbation: the ptable, the release rule, and what a release pins."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from tests.reports.helpers import add_responses, deployment

from klankbord.core import time as clock
from klankbord.core.record_keys import KEY_RANGE
from klankbord.reports import ptable, releases, services

NOW = datetime(2026, 3, 10, 9, 0)


@pytest.fixture(autouse=True)
def _clock():
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def test_shipped_ptable_is_the_generated_one_and_has_the_documented_moments():
    with open(ptable.PTABLE_PATH, encoding="utf-8") as fh:
        shipped = [(int(r["pcv"]), int(r["ckey"]), int(r["pvalue"])) for r in csv.DictReader(fh)]
    assert shipped == ptable.generate()
    table = ptable.load()
    for count in range(2, ptable.TOP_ROW + 1):
        values = [table[(count, key)] for key in range(KEY_RANGE)]
        assert abs(sum(values) / KEY_RANGE) < 0.01  # unbiased
        assert all(count + v >= 1 for v in values)  # a positive count stays positive
        assert max(map(abs, values)) <= ptable.MAX_DEVIATION
    top = [table[(ptable.TOP_ROW, key)] for key in range(KEY_RANGE)]
    assert abs(sum(v * v for v in top) / KEY_RANGE - ptable.VARIANCE) < 0.05
    assert Counter(top)[0] < KEY_RANGE / 2  # noisy, not the deterministic 10/5 rule
    # Neighbouring cell keys do not share their change (keys are dealt shuffled, not in blocks).
    same = sum(top[key] == top[(key + 1) % KEY_RANGE] for key in range(KEY_RANGE))
    assert same < KEY_RANGE * 0.4


def test_perturb_is_deterministic_keeps_zeros_and_never_goes_below_k():
    assert ptable.perturb(0, 123, 10) == 0
    assert ptable.perturb(37, 1000, 10) == ptable.perturb(37, 1000 + KEY_RANGE, 10)
    released = {ptable.perturb(10, key, 10) for key in range(KEY_RANGE)}
    assert min(released) == 10 and max(released) > 10
    spread = {ptable.perturb(50, key, 10) - 50 for key in range(KEY_RANGE)}
    assert spread == set(range(-ptable.MAX_DEVIATION, ptable.MAX_DEVIATION + 1))
    with ptable.exact_counts_for_tests():
        assert ptable.perturb(50, 7, 10) == 50


@pytest.fixture
def scope(app, make, db):
    org = make.org(min_group_size=10)
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC West")
    dep_east, dep_west = deployment(app, org, [east]), deployment(app, org, [west])
    add_responses(
        dep_east, [{"kitchen_access": "own_kitchen"} for _ in range(25)], day=date(2026, 3, 2)
    )
    add_responses(
        dep_west, [{"kitchen_access": "no_kitchen"} for _ in range(30)], day=date(2026, 3, 2)
    )
    scope = services.save_scope(
        org, services.ScopeData(name="Koken", deployment_ids=(dep_east.id, dep_west.id))
    )
    db.session.commit()
    return scope


def test_release_rule(scope, db):
    with pytest.raises(releases.ReleaseRefused) as open_day:
        releases.make_scope_release(scope, data_until=NOW.date())
    assert open_day.value.reason == "period_open"
    first = releases.make_scope_release(scope)
    assert (first.version, first.data_until, first.n_records) == (1, date(2026, 3, 9), 55)
    clock.freeze(NOW + timedelta(days=1))
    with pytest.raises(releases.ReleaseRefused) as same:
        releases.make_scope_release(scope, data_until=first.data_until)
    assert same.value.reason == "no_new_period"
    dep = services._scope_deployments(scope)[0]
    add_responses(dep, [{"kitchen_access": "own_kitchen"} for _ in range(9)], day=NOW.date())
    with pytest.raises(releases.ReleaseRefused) as few:
        releases.make_scope_release(scope)
    assert few.value.reason == "too_few_new" and few.value.details["k"] == 10
    add_responses(dep, [{"kitchen_access": "own_kitchen"}], day=NOW.date())
    second = releases.make_scope_release(scope)
    assert second.version == 2 and second.n_records == 65


def test_a_release_shows_the_scope_as_it_was_and_reads_the_same_every_time(scope, db):
    release = releases.make_scope_release(scope)
    db.session.commit()
    before = services.build_report(scope, release=release)
    assert before.data_until == date(2026, 3, 9) and before.release_version == 1
    # Drop a location from the scope and add answers: the release does not change.
    services.save_scope(
        _org(scope, db),
        services.ScopeData(name="Koken", deployment_ids=tuple(scope.deployment_ids[:1])),
        scope,
    )
    add_responses(
        services._scope_deployments(scope)[0],
        [{"kitchen_access": "no_kitchen"} for _ in range(12)],
        day=date(2026, 3, 5),
    )
    db.session.commit()
    after = services.build_report(scope, release=release)
    assert after.n_responses == before.n_responses
    assert [q.overall.cells for q in after.questions] == [q.overall.cells for q in before.questions]
    assert after.participation.rows == before.participation.rows == ["AZC Oost", "AZC West"]


def _org(scope, db):
    from klankbord.accounts.models import Organisation

    return db.session.get(Organisation, scope.organisation_id)


def test_a_location_with_fewer_than_k_changes_keeps_its_previous_rows(scope, db):
    """12 new answers at Oost and 1 at West make a release (13 >= k), but West's figures beside
    the previous release's would show that one person's answer: West keeps its previous rows
    until k of its records have changed (found from outside by the trends work)."""
    first = releases.make_scope_release(scope)
    east, west = services._scope_deployments(scope)
    clock.freeze(NOW + timedelta(days=1))
    add_responses(east, [{"kitchen_access": "own_kitchen"} for _ in range(12)], day=NOW.date())
    add_responses(west, [{"kitchen_access": "own_kitchen"}], day=NOW.date())
    second = releases.make_scope_release(scope)
    assert second.payload["held_back"] == {str(west.id): first.data_until.isoformat()}
    rows = lambda release, dep: sorted(r for r in release.payload["closed"] if r[0] == dep.id)  # noqa: E731
    assert rows(second, west) == rows(first, west)  # West's lone newcomer is not in it
    assert rows(second, east) != rows(first, east)
    assert second.n_records == 55 + 12
    report = services.build_report(scope, release=second)
    assert [until for _label, until in report.held_back] == [first.data_until]
    assert "AZC West" in report.held_back[0][0]

    # Once k of West's records have changed, West is released with all of them.
    clock.freeze(NOW + timedelta(days=2))
    add_responses(
        west,
        [{"kitchen_access": "own_kitchen"} for _ in range(9)],
        day=(NOW + timedelta(days=1)).date(),
    )
    third = releases.make_scope_release(scope)
    assert "held_back" not in third.payload
    assert third.n_records == 55 + 12 + 10
    assert (
        sum(r[5] for r in third.payload["closed"] if r[0] == west.id and r[3] == "own_kitchen")
        == 10
    )
