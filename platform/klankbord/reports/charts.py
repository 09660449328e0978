"""Server-side SVG charts: no chart library, no script, nothing from another host.

Charts are inline ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (named by
``aria-labelledby``), coloured with classes from ``static/css/reports.css`` and presentation
attributes (the CSP forbids ``style=""``). Every chart is drawn from already suppressed
:class:`Figure` values and always sits next to a table with the same numbers, so a screen reader or
a printout loses nothing. Suppressed bars are not drawn; their marker text is written where the bar
would be.

The drawing is 320 units wide, the width of a phone, so text stays readable there (the page CSS
caps how far a chart is scaled up on a desktop or in a PDF). A bar's label sits above the bar with
the whole width for its text (wrapped to two lines, the full label in a ``<title>`` when cut), and
the percentage or count at the end of the bar.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from klankbord.reports.suppression import Figure

_ids = itertools.count(1)

#: Width of every chart in SVG units (scaled to the page width, up to a cap set in reports.css).
CHART_WIDTH = 320
#: Font sizes in SVG units: at 360px a unit is about a CSS pixel.
FONT_SIZE = 14
SMALL_FONT_SIZE = 13
LINE_HEIGHT = 18
BAR_HEIGHT = 16
ROW_GAP = 12
#: Room at the end of the longest bar for its value ("100%").
VALUE_ROOM = 44
#: Characters that fit on one label line at FONT_SIZE (a conservative average glyph width).
LABEL_CHARS = 44
LABEL_LINES = 2
TEXT_FILL = "#1b1b1f"
MUTED_FILL = "#4a4a55"
BAR_FILL = "#0b5c4b"


def _short(text: str, limit: int = 34) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrap_label(text: str, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> list[str]:
    """Break ``text`` into at most ``lines`` lines of about ``width`` characters; cut with "…"."""
    words = " ".join(str(text).split()).split(" ")
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
            continue
        out.append(current)
        current = word
    if current:
        out.append(current)
    out = [_short(line, width) for line in out] or [""]
    if len(out) > lines:
        out = out[: lines - 1] + [_short(" ".join(out[lines - 1 :]), width)]
        if not out[-1].endswith("…"):
            out[-1] = _short(out[-1] + " …", width)
    return out


def _text(x: float, y: float, text: str, css_class: str, **attrs) -> str:
    size = attrs.pop("font_size", FONT_SIZE)
    fill = attrs.pop("fill", TEXT_FILL)
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" class="{css_class}" font-size="{size}" '
        f'fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


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
    """Horizontal bars of percentages (counts when no percentage may be shown), label above."""
    use_percent = any(f.percent is not None for f in figures)
    values = [(f.percent if use_percent else f.value) for f in figures]
    top = max([v for v in values if v is not None] or [0]) or 1
    scale_max = 100.0 if use_percent else float(top)
    bar_space = CHART_WIDTH - VALUE_ROOM
    body: list[str] = []
    y = 0.0
    for i, (label, figure, value) in enumerate(zip(labels, figures, values, strict=True)):
        lines = wrap_label(label)
        full = " ".join(str(label).split())
        row = ['<g class="chart-row">']
        if " ".join(lines).replace(" …", "…") != full:
            row.append(f"<title>{escape(full)}</title>")
        for n, line in enumerate(lines):
            row.append(_text(0, y + FONT_SIZE + n * LINE_HEIGHT, line, "chart-label"))
        bar_y = y + len(lines) * LINE_HEIGHT + 4
        base = bar_y + BAR_HEIGHT - 3
        if value is None:
            marker = suppressed_text if figure.status == "small" else hidden_text
            row.append(
                _text(0, base, marker, "chart-suppressed", fill=MUTED_FILL, font_style="italic")
            )
        else:
            width = max(1.0, bar_space * float(value) / scale_max) if value else 0.0
            row.append(
                f'<rect x="0" y="{bar_y:.1f}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'class="chart-bar chart-bar-{i % 6}" fill="{BAR_FILL}"/>'
            )
            shown = f"{value:.0f}%" if use_percent else f"{value}"
            row.append(_text(width + 6, base, shown, "chart-value", font_weight="600"))
        row.append("</g>")
        body.extend(row)
        y = bar_y + BAR_HEIGHT + ROW_GAP
    height = max(1, round(y - ROW_GAP + 4))
    return _svg(CHART_WIDTH, height, title, desc, body, "bar-chart")


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _column_labels(labels: Sequence[str], chars: int) -> list[tuple[str, str]]:
    """Two short lines per column: a month "2026-07" becomes "07" with the year under the first
    column and wherever the year changes; other labels are cut to fit."""
    out = []
    last_year = None
    for label in labels:
        match = _MONTH.fullmatch(str(label))
        if match:
            year, month = match.groups()
            out.append((month, year if year != last_year else ""))
            last_year = year
        else:
            out.append((_short(label, max(2, chars)), ""))
    return out


def column_chart(
    title: str, labels: Sequence[str], figures: Sequence[Figure], *, desc: str, suppressed_text: str
) -> Markup:
    """Vertical columns of counts, e.g. texts per month for a theme's trend."""
    n = max(1, len(figures))
    width = CHART_WIDTH
    slot = min(64.0, (width - 8) / n)
    column = slot * 0.7
    top_room = 20
    plot = 100
    axis = top_room + plot
    height = axis + 2 * LINE_HEIGHT + 6
    top = max([f.value for f in figures if f.value is not None] or [0]) or 1
    body = [
        f'<line x1="0" y1="{axis}" x2="{4 + n * slot:.1f}" y2="{axis}" class="chart-axis" '
        f'stroke="{MUTED_FILL}"/>'
    ]
    short = _column_labels(labels, int(slot / 8))
    for i, figure in enumerate(figures):
        x = 4 + i * slot + (slot - column) / 2
        mid = x + column / 2
        if figure.value is None:
            body.append(
                _text(
                    mid,
                    axis - 6,
                    suppressed_text,
                    "chart-suppressed",
                    font_size=SMALL_FONT_SIZE,
                    fill=MUTED_FILL,
                    font_style="italic",
                    text_anchor="middle",
                )
            )
        else:
            h = plot * figure.value / top
            body.append(
                f'<rect x="{x:.1f}" y="{axis - h:.1f}" width="{column:.1f}" height="{h:.1f}" '
                f'class="chart-bar" fill="{BAR_FILL}"/>'
            )
            body.append(
                _text(
                    mid,
                    axis - h - 5,
                    str(figure.value),
                    "chart-value",
                    font_size=SMALL_FONT_SIZE,
                    text_anchor="middle",
                )
            )
        first, second = short[i]
        body.append(_text(mid, axis + LINE_HEIGHT, first, "chart-label", text_anchor="middle"))
        if second:
            body.append(
                _text(
                    mid,
                    axis + 2 * LINE_HEIGHT,
                    second,
                    "chart-label",
                    font_size=SMALL_FONT_SIZE,
                    fill=MUTED_FILL,
                    text_anchor="middle",
                )
            )
    return _svg(width, height, title, desc, body, "column-chart")
