"""CSV export of a built (already suppressed) report.

It reads the same :class:`~klankbord.reports.services.Report` the page and the PDF show
(``reports/pdf.html`` through :mod:`klankbord.core.pdf`), so it can never show a number the page
hides. CSV cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
from typing import Any

#: A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """Make a cell safe for spreadsheets: prefix formula-like text with an apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _figure_cells(figure, markers: dict[str, str]) -> list[str]:
    if figure is None:
        return ["", ""]
    if figure.value is None:
        return [markers[figure.status], ""]
    return [str(figure.value), "" if figure.percent is None else f"{figure.percent:.1f}"]


def report_rows(report, markers: dict[str, str], headers: dict[str, str]) -> list[list[str]]:
    """Every aggregate table of the report as rows: section, table, group, answer, count, %."""
    rows: list[list[str]] = [
        [headers[h] for h in ("section", "table", "group", "answer", "count", "percent")]
    ]

    def add_table(section: str, name: str, table) -> None:
        for i, group in enumerate(table.rows):
            for j, col in enumerate(table.cols):
                rows.append([section, name, group, col, *_figure_cells(table.cells[i][j], markers)])
            rows.append(
                [
                    section,
                    name,
                    group,
                    headers["total"],
                    *_figure_cells(table.row_totals[i], markers),
                ]
            )
        if table.col_totals is not None:
            for j, col in enumerate(table.cols):
                rows.append(
                    [
                        section,
                        name,
                        headers["total"],
                        col,
                        *_figure_cells(table.col_totals[j], markers),
                    ]
                )
        if table.grand_total is not None:
            rows.append(
                [
                    section,
                    name,
                    headers["total"],
                    headers["total"],
                    *_figure_cells(table.grand_total, markers),
                ]
            )

    if report.participation is not None:
        add_table(headers["participation"], headers["participation"], report.participation)
    for question in report.questions:
        add_table(headers["questions"], question.title, question.overall)
        for name, table in (
            (headers["by_location"], question.by_location),
            (headers["by_period"], question.by_period),
        ):
            if table is not None:
                add_table(headers["questions"], f"{question.title} — {name}", table)
    for theme in report.themes:
        add_table(headers["themes"], theme.title, theme.trend)
        add_table(headers["themes"], f"{theme.title} — {headers['languages']}", theme.languages)
    rows.append(
        [headers["themes"], headers["other"], "", "", *_figure_cells(report.other_texts, markers)]
    )
    return rows


def to_csv(rows: list[list[str]]) -> str:
    """Write rows as CSV (with a BOM so spreadsheet programs read UTF-8), every cell neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
