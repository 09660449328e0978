"""Charts stay readable on a 360px phone: a narrow drawing, labels above bars, no inline styles."""

from __future__ import annotations

import re

from klankbord.reports import charts
from klankbord.reports.suppression import Figure

LONG = (
    "Ik kan geen eten bewaren (geen koelkast of kast om eten in te bewaren op de kamer, "
    "en ook geen plek bij de receptie)"
)


def _bar_chart(labels, figures):
    return str(
        charts.bar_chart(
            "Wat maakt koken moeilijk?",
            labels,
            figures,
            desc="Staafdiagram; dezelfde getallen staan in de tabel.",
            suppressed_text="minder dan 10",
            hidden_text="verborgen",
        )
    )


def _font_sizes(svg: str) -> list[float]:
    return [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]


def test_bar_chart_is_phone_width_with_labels_above_the_bars():
    svg = _bar_chart(
        ["Ja", LONG, "Nee"],
        [Figure(40, percent=40.0), Figure(None, "small"), Figure(25, percent=25.0)],
    )
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    assert width <= 340
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert not re.search(r"\sstyle=", svg)  # the CSP forbids inline styles
    sizes = _font_sizes(svg)
    assert sizes and min(sizes) >= 13
    # Each label is above its bar; the value is at the bar's end.
    label_y = float(re.search(r'<text x="0.0" y="([\d.]+)" class="chart-label"[^>]*>Ja<', svg)[1])
    rect = re.search(r'<rect x="0" y="([\d.]+)" width="([\d.]+)"', svg)
    assert float(rect[1]) > label_y
    value_x = float(
        re.search(r'<text x="([\d.]+)" y="[\d.]+" class="chart-value"[^>]*>40%<', svg)[1]
    )
    assert value_x > float(rect[2])
    # A long label is wrapped to two lines and cut; the whole label is in a <title>.
    assert f"<title>{LONG}</title>" in svg
    lines = re.findall(r'class="chart-label"[^>]*>([^<]*)<', svg)
    assert all(len(line) <= charts.LABEL_CHARS for line in lines)
    assert "minder dan 10" in svg
    # Text and bars have enough contrast on white.
    assert set(re.findall(r'fill="(#[0-9a-f]{6})"', svg)) <= {"#1b1b1f", "#4a4a55", "#0b5c4b"}


def test_column_chart_fits_a_phone_even_with_a_year_of_months():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    figures = [Figure(10 + m) if m % 4 else Figure(None, "small") for m in range(12)]
    svg = str(
        charts.column_chart("Trend", months, figures, desc="Per maand.", suppressed_text="<10")
    )
    assert re.search(r'viewBox="0 0 (\d+) ', svg)[1] == str(charts.CHART_WIDTH)
    assert not re.search(r"\sstyle=", svg) and min(_font_sizes(svg)) >= 13
    assert ">2026<" in svg and ">01<" in svg and ">12<" in svg
    assert "&lt;10" in svg


def test_wrap_label_keeps_short_labels_and_cuts_long_ones():
    assert charts.wrap_label("Ja, in een eigen keuken") == ["Ja, in een eigen keuken"]
    lines = charts.wrap_label(LONG, width=30)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert charts.wrap_label("x" * 80, width=20) == ["x" * 19 + "…"]
