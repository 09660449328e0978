"""The report PDF, rendered for real and read back: every number of the CSV, no column cut off."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from tests.conftest import login
from tests.pdftext import assert_no_chrome, needs_pdf_tools, pdf_text
from tests.reports.helpers import add_responses, deployment

from klankbord.reports import releases, services

#: The eight answers of "what makes cooking difficult", each chosen by a different number of people.
BARRIERS = (
    "equipment", "fixed_times", "crowded_kitchen", "no_storage",
    "money", "shop_far", "food_rules", "nothing",
)


@pytest.fixture
def scope(app, make, db):
    org = make.org(min_group_size=5)
    east, west = make.location(org, "AZC Oost"), make.location(org, "AZC West")
    deps = [deployment(app, org, [east]), deployment(app, org, [west])]
    for d, dep in enumerate(deps):
        answers = []
        for n in range(60 + 17 * d):
            chosen = [b for i, b in enumerate(BARRIERS) if (n * (i + 3) + d) % (i + 2) == 0]
            answers.append({
                "cooking_barriers": chosen or ["nothing"],
                "kitchen_access": ("own_kitchen", "shared_kitchen", "no_kitchen")[n % 3],
                "_day": date(2025, 9 + n % 4, 1 + n % 25),
            })
        add_responses(dep, answers)
    scope = services.save_scope(
        org, services.ScopeData(name="Koken 2025", deployment_ids=tuple(d.id for d in deps))
    )
    releases.make_scope_release(scope)  # what the nightly job does
    db.session.commit()
    return scope


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


def test_every_number_of_the_csv_is_in_the_pdf(client, make, scope, db):
    needs_pdf_tools()
    from klankbord.accounts.models import Organisation

    login(client, make.user(db.session.get(Organisation, scope.organisation_id), "policymaker"))
    rows = list(csv.reader(io.StringIO(
        client.get(f"/reports/{scope.id}/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    response = client.get(f"/reports/{scope.id}/export.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert_no_chrome(text)

    pdf_numbers: dict[str, int] = {}
    for number in _numbers(text):
        pdf_numbers[number] = pdf_numbers.get(number, 0) + 1
    needed: dict[str, int] = {}
    for row in rows[1:]:
        for cell in row[4:6]:
            if re.fullmatch(r"\d+(?:\.\d+)?", cell):
                needed[cell] = needed.get(cell, 0) + 1
    assert len(needed) > 40  # a real report, not an empty one
    missing = {n for n in needed if n not in pdf_numbers}
    assert not missing, f"numbers of the CSV missing from the PDF: {sorted(missing)}"

    # The wide eight-answer question keeps every answer and its n in each part of the table.
    barrier_rows = [r for r in rows[1:] if r[1] == "What makes cooking difficult for you?"]
    labels = {r[3] for r in barrier_rows} - {"total"}
    assert len(labels) == 8
    flat = " ".join(text.split())
    for label in labels:
        assert " ".join(label.split()[:2]) in flat, label
    overall_n = next(r[4] for r in barrier_rows if r[2] == "all" and r[3] == "total")
    assert "part 2 of 2" in flat and overall_n in pdf_numbers
