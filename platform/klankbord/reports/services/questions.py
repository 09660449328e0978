"""Closed questions and participation of a release: distributions, comparisons, suppression."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from klankbord.reports import suppression as sup
from klankbord.reports.services.common import _text
from klankbord.reports.services.values import QuestionSection
from klankbord.surveys.models import Deployment
from klankbord.surveys.services import CLOSED_TYPES, definition_of

# Closed questions --------------------------------------------------------------------------------


def _group_labels(deployments: Sequence[Deployment], several: str) -> dict[int, str]:
    """The location group of each deployment: its one location, or "several" with the names."""
    labels = {}
    for deployment in deployments:
        names = [location.name for location in deployment.locations]
        labels[deployment.id] = names[0] if len(names) == 1 else f"{several}: {', '.join(names)}"
    return labels


def _period_labels(deployments: Sequence[Deployment], lang: str) -> dict[int, str]:
    return {d.id: f"{d.version.survey_id} {d.opens_at:%Y-%m-%d}" for d in deployments}


def closed_question_sections(
    deployments: Sequence[Deployment],
    rows: Sequence[tuple],
    lang: str,
    k: int,
    labels: dict[str, str],
    compare_by: str = "month",
) -> list[QuestionSection]:
    """Distribution, n and comparisons for every closed question of the scope's surveys.

    ``rows`` are a release's (deployment, month, question, value, n, first, key sum, first key
    sum) rows; every shown count is perturbed by its cell key.
    """
    by_deployment = {d.id: d for d in deployments}
    location_of = _group_labels(deployments, labels["several"])
    period_of = _period_labels(deployments, lang)
    # (survey, question) -> {(deployment, month, value): (count, answering, key sums)}
    counts: dict[tuple[str, str], dict[tuple[int, str, str], tuple]] = defaultdict(dict)
    for deployment_id, month, question_id, value, n, first, key_sum, first_key in rows:
        if deployment_id not in by_deployment:
            continue
        survey_id = by_deployment[deployment_id].version.survey_id
        counts[(survey_id, question_id)][(deployment_id, month, value)] = (
            int(n),
            int(first or 0),
            int(key_sum),
            int(first_key),
        )
    sections = []
    seen: set[tuple[str, str]] = set()
    for deployment in deployments:
        defn = definition_of(deployment.version)
        for question in defn.questions:
            key = (defn.id, question.id)
            if question.type not in CLOSED_TYPES or key in seen:
                continue
            seen.add(key)
            data = counts.get(key, {})
            if not data:
                continue
            values = [option.value for option in question.options]
            option_labels = [_text(option.text, lang) for option in question.options]
            additive = question.type != "multiple_choice"
            sections.append(
                _question_section(
                    defn.id,
                    question.id,
                    _text(question.text, lang),
                    question.type,
                    values,
                    option_labels,
                    additive,
                    data,
                    location_of,
                    period_of if compare_by == "deployment" else None,
                    k,
                )
            )
    return sections


def _breakdown(groups: list[str], group_of, values, labels, additive, data) -> sup.CountTable:
    cells = {g: [0] * len(values) for g in groups}
    cell_keys = {g: [0] * len(values) for g in groups}
    answering = dict.fromkeys(groups, 0)
    answering_keys = dict.fromkeys(groups, 0)
    index = {v: j for j, v in enumerate(values)}
    for (deployment_id, month, value), (n, first, key_sum, first_key) in data.items():
        group = group_of(deployment_id, month)
        if value in index:
            cells[group][index[value]] += n
            cell_keys[group][index[value]] += key_sum
        answering[group] += first
        answering_keys[group] += first_key
    matrix = [cells[g] for g in groups]
    col_totals = [sum(col) for col in zip(*matrix, strict=True)] if matrix else [0] * len(values)
    row_totals = [answering[g] for g in groups]
    key_sums: dict = {
        ("c", i, j): cell_keys[g][j] for i, g in enumerate(groups) for j in range(len(values))
    }
    key_sums.update({("r", i): answering_keys[g] for i, g in enumerate(groups)})
    key_sums.update({("k", j): sum(cell_keys[g][j] for g in groups) for j in range(len(values))})
    key_sums[("g",)] = sum(answering_keys.values())
    return sup.CountTable(
        list(groups),
        list(labels),
        matrix,
        row_totals,
        col_totals,
        sum(row_totals),
        rows_additive=additive,
        key_sums=key_sums,
    )


def _question_section(
    survey_id,
    question_id,
    title,
    qtype,
    values,
    option_labels,
    additive,
    data,
    location_of,
    period_of,
    k,
) -> QuestionSection:
    totals = [0] * len(values)
    total_keys = [0] * len(values)
    n = n_key = 0
    index = {v: j for j, v in enumerate(values)}
    for (_, _, value), (count, first, key_sum, first_key) in data.items():
        if value in index:
            totals[index[value]] += count
            total_keys[index[value]] += key_sum
        n += first
        n_key += first_key
    overall = sup.distribution(
        option_labels, totals, n, additive=additive, key_sums=total_keys, n_key_sum=n_key
    )
    locations = sorted({location_of[d] for d, _, _ in data})
    if period_of is None:
        periods = sorted({m for _, m, _ in data})
        period_group = lambda d, m: m  # noqa: E731
    else:
        periods = sorted({period_of[d] for d, _, _ in data})
        period_group = lambda d, m: period_of[d]  # noqa: E731
    breakdowns = []
    if len(locations) > 1:
        breakdowns.append(
            _breakdown(
                locations, lambda d, m: location_of[d], values, option_labels, additive, data
            )
        )
    if len(periods) > 1:
        breakdowns.append(_breakdown(periods, period_group, values, option_labels, additive, data))
    first, results = sup.suppress_linked(overall, breakdowns, k)
    by_location = results.pop(0) if len(locations) > 1 else None
    by_period = results.pop(0) if len(periods) > 1 else None
    return QuestionSection(survey_id, question_id, title, qtype, first, by_location, by_period)


def participation(
    deployments: Sequence[Deployment], day_rows: Sequence[tuple], k: int, labels
) -> tuple[sup.SuppressedTable | None, sup.SuppressedTable | None, sup.Figure]:
    """Responses per location group and month, and per language, suppressed and perturbed.

    ``day_rows`` are a release's (deployment, day, language, n, key sum) rows.
    """
    if not deployments:
        return None, None, sup.Figure(0)
    per_month: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for deployment_id, day, language, n, key_sum in day_rows:
        for cell in (per_month[(deployment_id, f"{day:%Y-%m}")], per_lang[language]):
            cell[0] += int(n)
            cell[1] += int(key_sum)
    lang_rows = sorted(per_lang.items())
    location_of = _group_labels(deployments, labels["several"])
    groups = sorted({location_of[d] for d, _ in per_month})
    months = sorted({m for _, m in per_month})
    if not groups:
        return None, None, sup.Figure(0)
    cells = {g: [[0, 0] for _ in months] for g in groups}
    for (deployment_id, m), (n, key_sum) in per_month.items():
        cell = cells[location_of[deployment_id]][months.index(m)]
        cell[0] += n
        cell[1] += key_sum
    matrix = [[c[0] for c in cells[g]] for g in groups]
    keys = [[c[1] for c in cells[g]] for g in groups]
    total = sum(map(sum, matrix))
    total_key = sum(map(sum, keys))
    key_sums: dict = {
        ("c", i, j): keys[i][j] for i in range(len(groups)) for j in range(len(months))
    }
    key_sums.update({("r", i): sum(keys[i]) for i in range(len(groups))})
    key_sums.update({("k", j): sum(row[j] for row in keys) for j in range(len(months))})
    key_sums[("g",)] = total_key
    table = sup.CountTable(
        groups,
        months,
        matrix,
        [sum(r) for r in matrix],
        [sum(c) for c in zip(*matrix, strict=True)],
        total,
        key_sums=key_sums,
    )
    languages = sup.distribution(
        [code for code, _ in lang_rows],
        [n for _, (n, _) in lang_rows],
        total,
        key_sums=[key for _, (_, key) in lang_rows],
        n_key_sum=total_key,
    )
    months_overall = sup.distribution(
        months,
        table.col_totals,
        total,
        key_sums=[key_sums[("k", j)] for j in range(len(months))],
        n_key_sum=total_key,
    )
    force: set = set()
    for _ in range(3):
        # The number of responses is the total of both tables: whatever one hides, both hide.
        overall, (per_group,) = sup.suppress_linked(months_overall, [table], k, force=force)
        lang_table = sup.suppress(
            languages, k, force={("r", 0)} if overall.row_totals[0].suppressed else ()
        )
        if lang_table.row_totals[0].suppressed and not overall.row_totals[0].suppressed:
            force = {("r", 0)}
            continue
        break
    return per_group, lang_table, overall.row_totals[0]
