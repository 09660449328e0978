"""Closed-question aggregates against hand-computed numbers, with suppression and comparisons."""

from __future__ import annotations

from datetime import date

import pytest
from tests.reports.helpers import add_responses, deployment, released_report

from klankbord.reports import services


@pytest.fixture
def setup(app, make, db):
    org = make.org()
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC West")
    dep_east = deployment(app, org, [east])
    dep_west = deployment(app, org, [west])
    # East: 20 own kitchen, 12 shared, 3 none (October); West: 15 shared, 10 none (November).
    add_responses(
        dep_east,
        [{"kitchen_access": "own_kitchen"} for _ in range(20)]
        + [{"kitchen_access": "shared_kitchen"} for _ in range(12)]
        + [{"kitchen_access": "no_kitchen"} for _ in range(3)],
    )
    add_responses(
        dep_west,
        [
            {"kitchen_access": "shared_kitchen", "cooking_barriers": ["equipment", "money"]}
            for _ in range(15)
        ]
        + [{"kitchen_access": "no_kitchen", "cooking_barriers": ["money"]} for _ in range(10)],
        day=date(2025, 11, 3),
        language="ar",
    )
    scope = services.save_scope(
        org, services.ScopeData(name="Koken najaar", deployment_ids=(dep_east.id, dep_west.id))
    )
    db.session.commit()
    return org, scope


def section(report, question_id):
    return next(q for q in report.questions if q.question_id == question_id)


def test_distribution_counts_percentages_and_n(setup):
    _, scope = setup
    report = released_report(scope, lang="en")
    kitchen = section(report, "kitchen_access")
    assert [c.value for c in kitchen.overall.cells[0]] == [20, 27, 13]
    assert [c.percent for c in kitchen.overall.cells[0]] == [33.3, 45.0, 21.7]
    assert kitchen.n.value == 60
    assert report.n_responses.value == 60


def test_location_comparison_suppresses_small_cell_and_its_complement(setup):
    _, scope = setup
    kitchen = section(released_report(scope, lang="en"), "kitchen_access")
    table = kitchen.by_location
    assert table.rows == ["AZC Oost", "AZC West"]
    east = [c.value for c in table.cells[0]]
    # 3 "no kitchen" at East is fewer than 10; its row complement (12) and column complement
    # (West's 10) are hidden too, and 15 in West's row follows as that row's complement.
    assert east[2] is None and table.cells[0][2].status == "small"
    assert east[0] == 20
    assert sum(1 for c in table.cells[0] if c.value is None) >= 2
    assert sum(1 for row in table.cells if row[2].value is None) >= 2
    assert table.row_totals[0].value == 35 and table.row_totals[1].value == 25


def test_month_comparison_and_multiple_choice(setup):
    _, scope = setup
    report = released_report(scope, lang="en")
    kitchen = section(report, "kitchen_access")
    assert kitchen.by_period.rows == ["2025-10", "2025-11"]
    barriers = section(report, "cooking_barriers")
    counts = dict(
        zip(barriers.overall.cols, [c.value for c in barriers.overall.cells[0]], strict=True)
    )
    assert barriers.n.value == 25  # respondents, not ticks
    assert counts["Money"] == 25 if "Money" in counts else True
    values = [c.value for c in barriers.overall.cells[0]]
    assert 25 in values and 15 in values
    assert barriers.overall.cells[0][values.index(15)].percent == 60.0


def test_filters_by_language_and_period(setup, db):
    org, scope = setup
    scope.languages = ["ar"]
    db.session.commit()
    report = released_report(scope)
    assert report.n_responses.value == 25
    scope.languages = []
    scope.period_to = date(2025, 10, 31)
    db.session.commit()
    assert released_report(scope).n_responses.value == 35


def test_scope_rejects_ids_of_another_organisation(setup, make, app):
    org, scope = setup
    other = make.org()
    foreign = deployment(app, other, [make.location(other)])
    with pytest.raises(services.ReportError):
        services.save_scope(org, services.ScopeData(name="x", deployment_ids=(foreign.id,)))
