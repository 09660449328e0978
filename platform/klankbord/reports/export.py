"""CSV and PDF exports of a built (already suppressed) report.

Both read the same :class:`~klankbord.reports.services.Report` the page shows, so they can never
show a number the page hides. CSV cells that a spreadsheet would run as a formula are neutralised;
the PDF is the page's own HTML (autoescaped by Jinja) rendered by WeasyPrint, which may not fetch
anything from the network.
"""

from __future__ import annotations

import csv
import io
from typing import Any

#: A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing on this server."""


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


def _no_fetch(url: str, *args, **kwargs):
    """WeasyPrint URL fetcher that refuses everything: a report PDF loads nothing."""
    raise ValueError(f"Fetching is disabled in report PDFs: {url[:40]}")


def no_fetch_url_fetcher():
    """:func:`_no_fetch` in the form WeasyPrint 66+ expects (a ``URLFetcher``).

    WeasyPrint 70 reads ``url_fetcher._fail_on_errors`` when a fetch fails, so a bare function
    turned every URL in the HTML into an AttributeError (a 500) instead of a skipped resource.
    Refused URLs are skipped with a warning; nothing is read from disk or the network.
    """
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # older WeasyPrint: plain functions are the fetcher protocol
        return _no_fetch

    class NoFetch(URLFetcher):
        def fetch(self, url, headers=None):
            return _no_fetch(url)

    return NoFetch(allowed_protocols=(), fail_on_errors=False)


def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the Pango/HarfBuzz libraries are missing
        return False
    return True


def render_pdf(html: str, css: str = "") -> bytes:
    """Render HTML (with the given stylesheet text) to PDF bytes."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise PdfUnavailable(str(error)) from error
    stylesheets = [weasyprint.CSS(string=css)] if css else []
    fetcher = no_fetch_url_fetcher()
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=stylesheets)
