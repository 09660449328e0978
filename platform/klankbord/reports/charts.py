"""Server-side SVG charts: no chart library, no script, nothing from another host.

Charts are inline ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (named by
``aria-labelledby``), coloured with classes from ``static/css/reports.css`` (the CSP forbids
``style=""``). Every chart is drawn from already suppressed :class:`Figure` values and always sits
next to a table with the same numbers, so a screen reader or a printout loses nothing. Suppressed
bars are not drawn; their marker text is written where the bar would be.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

from klankbord.reports.suppression import Figure

_ids = itertools.count(1)

BAR_HEIGHT = 26
BAR_GAP = 8
LABEL_WIDTH = 230
CHART_WIDTH = 640


def _short(text: str, limit: int = 34) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css_class: str) -> Markup:
    n = next(_ids)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="chart-title-{n} chart-desc-{n}">'
        f'<title id="chart-title-{n}">{escape(title)}</title>'
        f'<desc id="chart-desc-{n}">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(
    title: str,
    labels: Sequence[str],
    figures: Sequence[Figure],
    *,
    desc: str,
    suppressed_text: str,
    hidden_text: str,
) -> Markup:
    """Horizontal bars of percentages (counts when no percentage may be shown)."""
    use_percent = any(f.percent is not None for f in figures)
    values = [(f.percent if use_percent else f.value) for f in figures]
    top = max([v for v in values if v is not None] or [0]) or 1
    scale_max = 100.0 if use_percent else float(top)
    bar_space = CHART_WIDTH - LABEL_WIDTH - 70
    height = len(figures) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    body = []
    for i, (label, figure, value) in enumerate(zip(labels, figures, values, strict=True)):
        y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP)
        mid = y + BAR_HEIGHT / 2 + 5
        body.append(f'<text x="0" y="{mid:.0f}" class="chart-label">{escape(_short(label))}</text>')
        if value is None:
            marker = suppressed_text if figure.status == "small" else hidden_text
            body.append(
                f'<text x="{LABEL_WIDTH}" y="{mid:.0f}" class="chart-suppressed">'
                f"{escape(marker)}</text>"
            )
            continue
        width = max(1.0, bar_space * float(value) / scale_max) if value else 0.0
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'class="chart-bar chart-bar-{i % 6}" fill="#0b5c4b"/>'
        )
        shown = f"{value:.0f}%" if use_percent else f"{value}"
        body.append(
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{mid:.0f}" class="chart-value">'
            f"{escape(shown)}</text>"
        )
    return _svg(CHART_WIDTH, height, title, desc, body, "bar-chart")


def column_chart(
    title: str, labels: Sequence[str], figures: Sequence[Figure], *, desc: str, suppressed_text: str
) -> Markup:
    """Vertical columns of counts, e.g. texts per month for a theme's trend."""
    width = max(240, 56 * len(figures) + 20)
    height = 170
    plot = 110
    top = max([f.value for f in figures if f.value is not None] or [0]) or 1
    body = [
        f'<line x1="10" y1="{plot + 10}" x2="{width - 10}" y2="{plot + 10}" class="chart-axis" '
        f'stroke="#4a4a55"/>'
    ]
    for i, (label, figure) in enumerate(zip(labels, figures, strict=True)):
        x = 14 + i * 56
        if figure.value is None:
            body.append(
                f'<text x="{x + 22}" y="{plot}" class="chart-suppressed" '
                f'text-anchor="middle">{escape(suppressed_text)}</text>'
            )
        else:
            h = plot * figure.value / top
            body.append(
                f'<rect x="{x}" y="{plot + 10 - h:.1f}" width="44" height="{h:.1f}" '
                f'class="chart-bar" fill="#0b5c4b"/>'
            )
            body.append(
                f'<text x="{x + 22}" y="{plot + 4 - h:.1f}" class="chart-value" '
                f'text-anchor="middle">{figure.value}</text>'
            )
        body.append(
            f'<text x="{x + 22}" y="{plot + 30}" class="chart-label" '
            f'text-anchor="middle">{escape(_short(label, 8))}</text>'
        )
    return _svg(width, height, title, desc, body, "column-chart")
