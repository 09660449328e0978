"""Trends per location: answer shares per location at each release, from released figures only."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from tests.conftest import login
from tests.reports.helpers import add_responses, deployment

from klankbord.reports import ptable, releases, services, trends

D1, D2, D3 = date(2025, 10, 5), date(2025, 10, 12), date(2025, 10, 19)
OWN, SHARED, NONE = "own_kitchen", "shared_kitchen", "no_kitchen"


def release(scope, until: date):
    """A release of everything stored up to ``until`` (the release rule has tests of its own)."""
    return releases._make(
        organisation_id=scope.organisation_id,
        scope=scope,
        deployment=None,
        data_until=until,
        actor=None,
        run_id=None,
        check_rule=False,
    )


def kitchen(value: str, n: int, day: date) -> list[dict]:
    return [{"kitchen_access": value, "_day": day} for _ in range(n)]


def question(result, question_id: str = "kitchen_access") -> trends.QuestionTrend:
    return next(q for q in result.questions if q.question_id == question_id)


def location(q: trends.QuestionTrend, name: str) -> trends.LocationTrend:
    return next(loc for loc in q.locations if loc.location == name)


def shares(point: trends.TrendPoint) -> list[float | None]:
    return [None if f is None else f.percent for f in point.options]


@pytest.fixture
def two_places(app, make, db):
    """Two locations, two releases a week apart, every cell at least k = 10."""
    org = make.org(min_group_size=10)
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC West")
    dep_east, dep_west = deployment(app, org, [east]), deployment(app, org, [west])
    add_responses(
        dep_east, kitchen(OWN, 20, date(2025, 10, 1)) + kitchen(SHARED, 10, date(2025, 10, 1))
    )
    add_responses(
        dep_west, kitchen(SHARED, 15, date(2025, 10, 2)) + kitchen(NONE, 15, date(2025, 10, 2))
    )
    scope = services.save_scope(
        org, services.ScopeData(name="Koken", deployment_ids=(dep_east.id, dep_west.id))
    )
    db.session.commit()
    release(scope, D1)
    add_responses(dep_east, kitchen(NONE, 10, date(2025, 10, 9)))
    add_responses(dep_west, kitchen(OWN, 20, date(2025, 10, 10)))
    release(scope, D2)
    db.session.commit()
    return scope, dep_east, dep_west


def test_shares_per_location_and_release_are_exact(two_places):
    scope, _, _ = two_places
    with ptable.exact_counts_for_tests():
        result = trends.build_trends(scope, lang="en")
    assert result.dates == [(1, D1), (2, D2)] and result.n_releases == 2
    q = question(result)
    assert q.type == "single_choice" and [loc.location for loc in q.locations] == [
        "AZC Oost",
        "AZC West",
    ]
    # Options in the survey's order: own kitchen, shared kitchen, no kitchen.
    assert len(q.options) == 3
    east, west = location(q, "AZC Oost"), location(q, "AZC West")
    assert [p.status for p in east.points + west.points] == [trends.SHOWN] * 4
    assert shares(east.points[0]) == [66.7, 33.3, 0.0]  # 20, 10, 0 of 30
    assert shares(east.points[1]) == [50.0, 25.0, 25.0]  # 20, 10, 10 of 40
    assert shares(west.points[0]) == [0.0, 50.0, 50.0]  # 0, 15, 15 of 30
    assert shares(west.points[1]) == [40.0, 30.0, 30.0]  # 20, 15, 15 of 50
    assert [p.n.value for p in east.points] == [30, 40]
    assert [p.n.value for p in west.points] == [30, 50]
    assert [f.value for f in west.points[1].options] == [20, 15, 15]


def test_every_figure_is_the_one_its_release_report_shows(two_places):
    """Perturbed, as a reader sees it: each point equals the "by location" row of that release's
    report, the very numbers that report shows (nothing counted live, nothing derived)."""
    scope, _, _ = two_places
    result = trends.build_trends(scope, lang="en")
    q = question(result)
    for index, rel in enumerate(trends.scope_releases(scope)):
        report = services.build_report(scope, release=rel, lang="en")
        section = next(s for s in report.questions if s.question_id == "kitchen_access")
        table = section.by_location
        for i, name in enumerate(table.rows):
            point = location(q, name).points[index]
            assert point.n == table.row_totals[i]
            assert list(point.options) == list(table.cells[i])
    # The noise is really there: at least one perturbed count differs from the true one.
    with ptable.exact_counts_for_tests():
        exact = trends.build_trends(scope, lang="en")
    perturbed = [f.value for loc in q.locations for p in loc.points for f in p.options]
    true = [f.value for loc in question(exact).locations for p in loc.points for f in p.options]
    assert perturbed != true


def test_a_small_location_is_suppressed_never_worked_out(app, make, db, two_places):
    """A third location with 3 answers in the first release: its row is hidden ("fewer than
    k"), and its shares are not computed from the totals; with 15 answers later it shows."""
    scope, dep_east, dep_west = two_places
    org_id = scope.organisation_id
    from klankbord.accounts.models import Organisation

    org = db.session.get(Organisation, org_id)
    north = make.location(org, "AZC Noord")
    dep_north = deployment(app, org, [north])
    add_responses(dep_north, kitchen(OWN, 3, date(2025, 10, 15)))
    scope = services.save_scope(
        org,
        services.ScopeData(name="Koken", deployment_ids=(dep_east.id, dep_west.id, dep_north.id)),
        scope,
    )
    db.session.commit()
    release(scope, D3)
    add_responses(
        dep_north, kitchen(OWN, 7, date(2025, 10, 20)) + kitchen(NONE, 10, date(2025, 10, 20))
    )
    release(scope, date(2025, 10, 26))
    db.session.commit()
    with ptable.exact_counts_for_tests():
        result = trends.build_trends(scope, lang="en")
    north_trend = location(question(result), "AZC Noord")
    absent, small, shown = north_trend.points[1], north_trend.points[2], north_trend.points[3]
    assert north_trend.points[0].status == absent.status == trends.ABSENT  # not in releases 1, 2
    assert small.status == trends.SHOWN and small.n.status == "small" and small.n.value is None
    assert all(f.value is None and f.percent is None for f in small.options)
    assert {f.status for f in small.options} == {"small"}
    # Release 4: 20 answers at Noord (10 own, 10 none), 17 new since release 3's hidden row.
    assert shown.status == trends.SHOWN and shown.n.value == 20
    assert shares(shown) == [50.0, 0.0, 50.0]
    # The CSV and the page say "fewer than 10" for release 3 and give no number.
    headers = dict.fromkeys(
        ("question", "location", "release", "data_until", "answer", "count", "percent", "n"), "h"
    )
    rows = trends.trend_rows(
        result, headers, {"small": "fewer than 10", "hidden": "hidden", "held": "held"}
    )
    north_rows = [r for r in rows[1:] if r[1] == "AZC Noord" and r[2] == "3"]
    assert len(north_rows) == 3
    assert all(
        r[5] == "fewer than 10" and r[6] == "" and r[7] == "fewer than 10" for r in north_rows
    )


def test_a_location_with_fewer_than_k_new_answers_is_held_back(app, make, db, client):
    """The release rule counts changed records per scope: 12 new answers at Oost and 1 at West
    make a release. West's point would then differ from its previous one by one person (whose
    answer the changed cells would show), so the trend holds it back until k people changed;
    Oost, whose answers did not change in release 3, repeats its figures."""
    org = make.org(min_group_size=10)
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC West")
    dep_east, dep_west = deployment(app, org, [east]), deployment(app, org, [west])
    add_responses(dep_east, kitchen(OWN, 20, date(2025, 10, 1)))
    add_responses(dep_west, kitchen(SHARED, 20, date(2025, 10, 1)))
    scope = services.save_scope(
        org, services.ScopeData(name="Koken", deployment_ids=(dep_east.id, dep_west.id))
    )
    db.session.commit()
    release(scope, D1)
    add_responses(dep_east, kitchen(SHARED, 12, date(2025, 10, 8)))
    add_responses(dep_west, kitchen(NONE, 1, date(2025, 10, 8)))  # one person
    release(scope, D2)
    add_responses(dep_west, kitchen(NONE, 9, date(2025, 10, 15)))
    release(scope, D3)
    db.session.commit()
    result = trends.build_trends(scope, lang="en")
    q = question(result)
    west_points = location(q, "AZC West").points
    assert [p.status for p in west_points] == [trends.SHOWN, trends.HELD, trends.SHOWN]
    assert west_points[1].n is None and west_points[1].options == ()
    east_points = location(q, "AZC Oost").points
    assert [p.status for p in east_points] == [trends.SHOWN] * 3
    # Same people, same numbers (where both releases show them: West's single "no kitchen"
    # answer made release 2 hide a cell of Oost too).
    pairs = [
        (a, b)
        for a, b in zip(east_points[1].options, east_points[2].options, strict=True)
        if a.value is not None and b.value is not None
    ]
    assert pairs and all(a == b for a, b in pairs)
    assert east_points[2].n == east_points[1].n
    # The report of release 2 does show West (the scope-wide rule let it through); the trend
    # puts no two West points side by side that differ by fewer than k people.
    shown_west = [p for p in west_points if p.status == trends.SHOWN]
    truth = {p.version: n for p, n in zip(west_points, (20, 21, 30), strict=True)}
    for a, b in zip(shown_west, shown_west[1:], strict=False):
        assert truth[b.version] - truth[a.version] >= 10
    # The page says why instead of giving a number.
    login(client, make.user(org, "policymaker"))
    page = client.get(f"/reports/{scope.id}/trends").get_data(as_text=True)
    west_table = page.split("<caption>AZC West: answers per release date</caption>")[1]
    west_table = west_table.split("</table>")[0]
    assert west_table.count("<tr>") == 4  # header and three dates
    assert "not shown: fewer than 10 new answers since the previous date" in west_table


def test_the_rule_is_per_question(app, make, db):
    """Ten new people at West, of whom one answered the kitchen question (the others only the
    food question): the food question's point shows, the kitchen question's is held back."""
    org = make.org(min_group_size=10)
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC West")
    dep_east, dep_west = deployment(app, org, [east]), deployment(app, org, [west])
    both = [{"kitchen_access": OWN, "food_fits_needs": "yes", "_day": date(2025, 10, 1)}]
    add_responses(dep_east, [dict(both[0]) for _ in range(20)])
    add_responses(dep_west, [dict(both[0]) for _ in range(20)])
    scope = services.save_scope(
        org, services.ScopeData(name="Koken", deployment_ids=(dep_east.id, dep_west.id))
    )
    db.session.commit()
    release(scope, D1)
    later = date(2025, 10, 8)
    add_responses(
        dep_west,
        [{"kitchen_access": NONE, "food_fits_needs": "no", "_day": later}]
        + [{"food_fits_needs": "no", "_day": later} for _ in range(9)],
    )
    release(scope, D2)
    db.session.commit()
    result = trends.build_trends(scope, lang="en")
    kitchen_west = location(question(result, "kitchen_access"), "AZC West").points
    food_west = location(question(result, "food_fits_needs"), "AZC West").points
    assert [p.status for p in kitchen_west] == [trends.SHOWN, trends.HELD]
    assert [p.status for p in food_west] == [trends.SHOWN, trends.SHOWN]


@dataclass
class _Rel:
    version: int
    data_until: date


def test_many_releases_are_thinned_to_the_newest_per_week_then_month():
    daily = [_Rel(i + 1, date(2025, 1, 1) + timedelta(days=i)) for i in range(400)]
    chosen = trends.choose_points(daily, 12)
    assert len(chosen) == 12 and chosen[-1] is daily[-1]  # the newest of the last 12 months
    assert [c.version for c in chosen] == sorted(c.version for c in chosen)
    months = [(c.data_until.year, c.data_until.month) for c in chosen]
    assert len(set(months)) == 12 and months[0] == (2025, 3)  # one per month
    assert all(
        c.data_until.day == 28 or c.data_until.month != (c.data_until + timedelta(days=1)).month
        for c in chosen[:-1]
    )  # the last release of each month
    eight_weeks = daily[:56]  # 2025-01-01 (a Wednesday) .. 2025-02-25
    weekly = trends.choose_points(eight_weeks, 12)
    assert len(weekly) == 9 and weekly[-1] is eight_weeks[-1]
    assert all(c.data_until.weekday() == 6 for c in weekly[:-1])  # each week's Sunday
    few = daily[:5]
    assert trends.choose_points(few, 12) == few


def test_chart_is_accessible_svg_without_style_or_script(two_places):
    scope, _, _ = two_places
    result = trends.build_trends(scope, lang="en")
    svg = str(
        trends.trend_chart(
            question(result),
            result.dates,
            title="Kitchen <title>",
            desc="Lines",
            day_label=lambda d: d.isoformat(),
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-labelledby" in svg
    assert "Kitchen &lt;title&gt;" in svg and "<desc" in svg
    assert (
        "style=" not in svg
        and "<script" not in svg
        and "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert 'viewBox="0 0 320 ' in svg
    # One line per location per answer (each location has two shown points), 3 answers.
    assert svg.count("<polyline") == 2 * 3
    assert "2025-10-05" in svg and "2025-10-12" in svg


# Pages -----------------------------------------------------------------------------------------


def _org(scope, db):
    from klankbord.accounts.models import Organisation

    return db.session.get(Organisation, scope.organisation_id)


@pytest.mark.parametrize("role", ["policymaker", "facilitator"])
def test_page_renders_chart_and_table_for_readers(client, make, db, two_places, role):
    scope, _, _ = two_places
    login(client, make.user(_org(scope, db), role))
    report = client.get(f"/reports/{scope.id}").get_data(as_text=True)
    assert f'href="/reports/{scope.id}/trends"' in report
    response = client.get(f"/reports/{scope.id}/trends")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Trends per location · Koken · Klankbord</title>" in page
    assert page.count("<h1>") == 1 and "<h1>Trends per location</h1>" in page
    assert page.count('id="read-h"') == 1
    # The charts come before the reading notes, and the notes are linked from the top.
    assert page.index('class="chart trend-chart"') < page.index('id="read-h"')
    assert page.index('href="#read-h"') < page.index('class="chart trend-chart"')
    assert page.count('class="chart trend-chart"') >= 1
    assert "<caption>AZC Oost: answers per release date</caption>" in page
    assert "<caption>AZC West: answers per release date</caption>" in page
    # Dates as the `day` filter gives them, and n per row.
    assert "October 5, 2025" in page and "October 12, 2025" in page
    assert '<th scope="col" class="short">n</th>' in page
    assert "<script" not in page.split("<main", 1)[1]


def test_page_speaks_dutch_with_dutch_dates(client, make, db, two_places):
    scope, _, _ = two_places
    login(client, make.user(_org(scope, db), "policymaker", language="nl"))
    page = client.get(f"/reports/{scope.id}/trends").get_data(as_text=True)
    assert "<h1>Trends per locatie</h1>" in page
    assert "5 oktober 2025" in page and "12 okt 2025" in page  # table and chart axis
    assert "Trends per location" not in page and "How to read" not in page


def test_other_organisation_gets_404_and_no_release_says_so(client, make, db, two_places, app):
    scope, _, _ = two_places
    other = make.org()
    login(client, make.user(other, "policymaker"))
    assert client.get(f"/reports/{scope.id}/trends").status_code == 404
    assert client.get(f"/reports/{scope.id}/trends.csv").status_code == 404
    fresh = services.save_scope(
        other,
        services.ScopeData(
            name="Leeg", deployment_ids=(deployment(app, other, [make.location(other)]).id,)
        ),
    )
    db.session.commit()
    page = client.get(f"/reports/{fresh.id}/trends")
    assert page.status_code == 200 and "no release yet" in page.get_data(as_text=True)
    assert client.get(f"/reports/{fresh.id}/trends.csv").status_code == 409


def test_csv_export_matches_the_table(client, make, db, two_places):
    scope, _, _ = two_places
    login(client, make.user(_org(scope, db), "policymaker"))
    response = client.get(f"/reports/{scope.id}/trends.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "question",
        "location",
        "release",
        "data up to and including",
        "answer",
        "count",
        "percent",
        "n",
    ]
    # 2 locations x 2 releases x 3 answers of the kitchen question.
    kitchen_rows = [r for r in rows[1:] if r[0] == rows[1][0]]
    assert len(kitchen_rows) == 12
    result = trends.build_trends(scope, lang="en")
    west_latest = location(question(result), "AZC West").points[1]
    csv_west = [r for r in kitchen_rows if r[1] == "AZC West" and r[2] == "2"]
    assert [r[5] for r in csv_west] == [str(f.value) for f in west_latest.options]
    assert {r[7] for r in csv_west} == {str(west_latest.n.value)}
    assert all(re.fullmatch(r"\d+\.\d", r[6]) for r in csv_west)
