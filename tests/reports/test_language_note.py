"""The "raised mainly in Tigrinya" note on a theme, and that it never reveals a hidden count."""

from __future__ import annotations

import random
from datetime import date

import pytest
from tests.reports.helpers import add_responses, deployment, released_report

from klankbord.reports import demo, services
from klankbord.reports import suppression as sup


def _languages(counts: dict[str, int], k: int) -> sup.SuppressedTable:
    codes = list(counts)
    return sup.suppress(sup.distribution(codes, list(counts.values()), sum(counts.values())), k)


MIXED = {"nl": 40, "ar": 30, "ti": 30}


@pytest.mark.parametrize(
    ("counts", "lang", "expected"),
    [
        ({"ti": 15, "ar": 5}, "en", "Raised mainly in Tigrinya (15 of 20 responses)."),
        ({"ti": 15, "ar": 5}, "nl", "Vooral genoemd in het Tigrinya (15 van de 20 reacties)."),
        ({"ar": 12}, "en", "Raised only in Arabic (all 12 responses)."),
        ({"ti": 10, "ar": 10}, "en", None),  # no language holds 60 %
        ({"unknown": 15, "ar": 5}, "en", None),  # not knowing the language is not a finding
    ],
)
def test_note_names_a_dominant_language(counts, lang, expected):
    table = _languages(counts, 5)
    assert services.theme_language_note(table, sum(counts.values()), MIXED, lang) == expected


def test_a_hidden_dominant_count_gives_a_note_without_numbers_only_when_implied():
    # 30 of 34 in Tigrinya, k=5: Arabic (4) is small, so Tigrinya is hidden too (34 - 30 = 4).
    # "Fewer than 5" Arabic already implies Tigrinya holds at least 30 of 34: say so, no numbers.
    table = _languages({"ti": 30, "ar": 4}, 5)
    assert table.cells[0][0].suppressed and table.cells[0][1].status == sup.SMALL
    assert services.theme_language_note(table, 34, MIXED, "en") == "Raised mainly in Tigrinya."
    # 9 of 12: "fewer than 5" Arabic only implies Tigrinya >= 8 of 12 (67 %): still a note.
    assert services.theme_language_note(_languages({"ti": 9, "ar": 3}, 5), 12, MIXED, "en")
    # 7 of 10 with three small groups: the markers allow Tigrinya as few as 10 - 3 * 4 < 6,
    # so a note would tell more than the table does.
    table = _languages({"ti": 7, "ar": 1, "fa": 1, "tr": 1}, 5)
    assert all(f.suppressed for f in table.cells[0])
    assert services.theme_language_note(table, 10, MIXED, "en") is None


def test_no_note_when_that_language_dominates_everything():
    table = _languages({"nl": 18, "ar": 2}, 2)
    assert services.theme_language_note(table, 20, {"nl": 90, "ar": 10}, "en") is None
    assert services.theme_language_note(table, 20, MIXED, "en") is not None


def test_report_page_shows_the_note_for_a_theme_of_one_language(app, make, db, client, login_as):
    org = make.org(min_group_size=5)
    dep = deployment(app, org, [make.location(org)])
    rng = random.Random(3)
    subjects = (("koken", "ar"), ("taal", "nl"), ("privacy", "en"))
    answers = []
    for n in range(60):
        subject, lang = subjects[n % 3]
        text = rng.choice(demo.TEXTS[subject][lang])
        answers.append({"what_would_help": text, "_lang": lang, "_day": date(2025, 10, 1 + n % 27)})
    add_responses(dep, answers)
    scope = services.save_scope(org, services.ScopeData(name="Talen", deployment_ids=(dep.id,)))
    db.session.commit()
    services.recluster_scope(scope, n_clusters=3, n_resamples=0)
    db.session.commit()
    # Released figures (perturbed), as the page shows them.
    report = released_report(scope, lang="en", exact=False)
    single = [t for t in report.themes if len(t.languages.cols) == 1]
    assert single, "word themes of this fixture are one language each"
    assert all(t.language_note.startswith("Raised only in") for t in single)
    login_as(make.user(org, "policymaker"))
    page = client.get(f"/reports/{scope.id}").get_data(as_text=True)
    assert single[0].language_note in page
