"""Trends per location: answer shares of every closed question per location, release by release.

Plain functions (no request); the view formats dates and strings. Every number is one that a
release of the scope already shows on its report page: for each release, the closed questions are
built by :func:`klankbord.reports.services.closed_question_sections` from the release's frozen rows,
exactly as the report does, and the trend takes that report's "by location" table (the question's
overall table when it was answered at one location only). So each point is perturbed by the cell
key, suppressed together with the report's overall and monthly tables, and a hidden cell stays
hidden: a share is never worked out from totals or from another release.

**Cumulative releases and differencing.** A release holds everything up to its ``data_until``, so
two points of one location differ by the people who answered (or were removed) in between. The
release rule asks for at least k changed records per *scope*, not per location or question: a
release may bring 30 new answers at one location and a single one at another, or ten new people of
whom only one answered a question behind a branch. Side by side, that location's two points would
show which cells the one person moved (unchanged records keep their cell key, so an unchanged cell
shows the very same number, and a changed one almost always another number). The trend therefore
applies the release rule per question and location: a point is shown only when at least k
people's answers to that question at that location changed since the location's previous point
that showed a number, or none did (then every number is the same). Otherwise the point is *held
back* and the table says why. The trend never shows the difference between two releases (new
answers per period would be counts of a handful of people, unsuppressed); it shows the cumulative
shares as released.

What this does not close: the report pages of the two releases themselves (each was the newest
release for a while, and a reader may have kept its CSV) show the same breakdowns one at a time;
a zero that becomes "fewer than k" between them names the newcomers' answer (docs/privacy.md,
section 8, "Trends per location").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup
from sqlalchemy import select

from klankbord.extensions import db
from klankbord.reports import charts, services
from klankbord.reports import suppression as sup
from klankbord.reports.models import Release, ReportScope
from klankbord.reports.releases import ReleaseData, cell_changes
from klankbord.surveys.seam import deployments_by_id

#: Most release dates one trend shows; older releases are thinned to one per week, then month.
#: Each release costs what a cold report page costs (the suppression audit's linear programmes,
#: about 1 s CPU for the demo's 33 questions; memoised afterwards), so the page stays bounded.
MAX_POINTS = 8

SHOWN = "shown"
#: Fewer than k people's answers changed at this location since its previous shown point.
HELD = "held"
#: The location has no answers to the question in this release.
ABSENT = "absent"


@dataclass(frozen=True)
class TrendPoint:
    """One location at one release: the figures that release's report shows for it."""

    version: int
    data_until: date
    status: str
    #: People who answered the question there (released, or suppressed); None unless shown.
    n: sup.Figure | None = None
    #: One figure per answer option: released count with its share (``percent``), or suppressed.
    options: tuple[sup.Figure | None, ...] = ()

    @property
    def shows_a_number(self) -> bool:
        figures = [self.n, *self.options]
        return self.status == SHOWN and any(f is not None and f.value is not None for f in figures)


@dataclass
class LocationTrend:
    location: str
    #: One point per release date of the trend (``Trends.dates``), oldest first.
    points: list[TrendPoint]

    @property
    def shown(self) -> list[TrendPoint]:
        return [p for p in self.points if p.status != ABSENT]


@dataclass
class QuestionTrend:
    survey_id: str
    question_id: str
    title: str
    type: str
    options: list[str]
    locations: list[LocationTrend]


@dataclass
class Trends:
    scope_id: int
    min_group_size: int
    #: (release version, data_until) of each point, oldest first.
    dates: list[tuple[int, date]]
    questions: list[QuestionTrend]
    #: Releases the scope has (more than ``dates`` when older ones were thinned).
    n_releases: int = 0
    notes: list[str] = field(default_factory=list)


# Which releases ------------------------------------------------------------------------------


def scope_releases(scope: ReportScope) -> list[Release]:
    """Every release of the scope, oldest first."""
    return list(
        db.session.execute(
            select(Release).where(Release.scope_id == scope.id).order_by(Release.version)
        ).scalars()
    )


def choose_points(releases: Sequence[Release], limit: int = MAX_POINTS) -> list[Release]:
    """At most ``limit`` releases, always the newest: all of them when few, else the newest of
    each ISO week, else of each month, then the newest ``limit`` of those. Which releases are
    chosen depends on their dates only."""
    chosen = list(releases)
    for bucket in (
        lambda r: tuple(r.data_until.isocalendar())[:2],
        lambda r: (r.data_until.year, r.data_until.month),
    ):
        if len(chosen) <= limit:
            break
        newest: dict = {}
        for release in releases:
            newest[bucket(release)] = release  # oldest first, so the newest of a bucket wins
        chosen = sorted(newest.values(), key=lambda r: r.version)
    return chosen[-limit:]


# Building ------------------------------------------------------------------------------------


def _deployments(scope: ReportScope, release: Release) -> list:
    return deployments_by_id(scope.organisation_id, release.payload.get("deployment_ids") or [])


def _answering_rows(deployments, rows, several: str) -> dict:
    """{(survey, question, location): {(deployment, month): (answering, their key sum)}}: the
    true rows the per-location release rule compares (never shown)."""
    by_id = {d.id: d for d in deployments}
    location_of = services._group_labels(deployments, several)
    out: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for deployment_id, month, question_id, _value, _n, first, _key, first_key in rows:
        deployment = by_id.get(deployment_id)
        if deployment is None:
            continue
        key = (deployment.version.survey_id, question_id, location_of[deployment_id])
        cell = out[key][(deployment_id, month)]
        cell[0] += int(first or 0)
        cell[1] += int(first_key or 0)
    return {key: {cell: tuple(v) for cell, v in cells.items()} for key, cells in out.items()}


def _location_rows(section, deployments, rows, several: str) -> dict[str, tuple]:
    """{location: (n figure, option figures)} of one question in one release's report."""
    table = section.by_location
    if table is not None:
        return {
            name: (table.row_totals[i], tuple(table.cells[i])) for i, name in enumerate(table.rows)
        }
    # Answered at one location only: the report shows no breakdown, its overall table is that
    # location's row.
    by_id = {d.id: d for d in deployments}
    location_of = services._group_labels(deployments, several)
    places = {
        location_of[d]
        for d, _m, q, *_ in rows
        if q == section.question_id
        and d in by_id
        and by_id[d].version.survey_id == section.survey_id
    }
    if len(places) != 1:
        return {}
    overall = section.overall
    return {places.pop(): (overall.row_totals[0], tuple(overall.cells[0]))}


def build_trends(
    scope: ReportScope,
    *,
    lang: str = "nl",
    labels: dict[str, str] | None = None,
    limit: int = MAX_POINTS,
) -> Trends | None:
    """The trend of every closed question per location over the scope's releases, or None
    before the first release."""
    every = scope_releases(scope)
    if not every:
        return None
    return trends_of_releases(
        scope, choose_points(every, limit), lang=lang, labels=labels, n_releases=len(every)
    )


def trends_of_releases(
    scope: ReportScope,
    releases: Sequence[Release],
    *,
    lang: str = "nl",
    labels: dict[str, str] | None = None,
    n_releases: int | None = None,
) -> Trends:
    """The trend over the given releases of the scope (oldest first)."""
    labels = {**services.DEFAULT_LABELS, **(labels or {})}
    several = labels["several"]
    k = services.min_group_size(scope)
    dates = [(r.version, r.data_until) for r in releases]
    # (survey, question) -> title, type, options (from the newest release that has it)
    meta: dict[tuple[str, str], tuple[str, str, list[str]]] = {}
    order: list[tuple[str, str]] = []
    # (survey, question) -> location -> release index -> (n, options by label)
    shown: dict = defaultdict(lambda: defaultdict(dict))
    truth: dict = defaultdict(dict)  # (survey, question, location) -> release index -> rows
    for index, release in enumerate(releases):
        data = ReleaseData(release)
        deployments = _deployments(scope, release)
        rows = data.closed_counts()
        frozen = release.payload.get("scope") or {}
        sections = services.closed_question_sections(
            deployments, rows, lang, k, labels, frozen.get("compare_by", scope.compare_by)
        )
        for section in sections:
            key = (section.survey_id, section.question_id)
            if key not in meta:
                order.append(key)
            meta[key] = (section.title, section.type, list(section.overall.cols))
            for location, (n, figures) in _location_rows(
                section, deployments, rows, several
            ).items():
                shown[key][location][index] = (
                    n,
                    dict(zip(section.overall.cols, figures, strict=True)),
                )
        for key, cells in _answering_rows(deployments, rows, several).items():
            truth[key][index] = cells
    questions = []
    for key in order:  # in the order of the oldest report that has them
        title, qtype, options = meta[key]
        locations = []
        for location in sorted(shown[key]):
            per_release = shown[key][location]
            points = []
            reference = None  # true rows of the last point that showed a number
            for index, (version, day) in enumerate(dates):
                if index not in per_release:
                    points.append(TrendPoint(version, day, ABSENT))
                    continue
                rows_now = truth.get((*key, location), {}).get(index, {})
                if reference is not None:
                    changed = cell_changes(reference, rows_now)
                    if 0 < changed < k:
                        points.append(TrendPoint(version, day, HELD))
                        continue
                n, by_label = per_release[index]
                point = TrendPoint(
                    version, day, SHOWN, n, tuple(by_label.get(option) for option in options)
                )
                if point.shows_a_number:
                    reference = rows_now
                points.append(point)
            locations.append(LocationTrend(location, points))
        questions.append(QuestionTrend(key[0], key[1], title, qtype, options, locations))
    return Trends(
        scope_id=scope.id,
        min_group_size=k,
        dates=dates,
        questions=questions,
        n_releases=len(releases) if n_releases is None else n_releases,
    )


# Export --------------------------------------------------------------------------------------


def trend_rows(trends: Trends, headers: dict[str, str], markers: dict[str, str]) -> list[list[str]]:
    """The trend table as CSV rows: question, location, release, data up to, answer, count,
    percent, n. Held-back points give one row with the reason in the count column."""
    rows = [
        [
            headers[h]
            for h in (
                "question",
                "location",
                "release",
                "data_until",
                "answer",
                "count",
                "percent",
                "n",
            )
        ]
    ]

    def cell(figure) -> list[str]:
        if figure is None:
            return ["", ""]
        if figure.value is None:
            return [markers[figure.status], ""]
        return [str(figure.value), "" if figure.percent is None else f"{figure.percent:.1f}"]

    for question in trends.questions:
        for location in question.locations:
            for point in location.points:
                if point.status == ABSENT:
                    continue
                head = [
                    question.title,
                    location.location,
                    str(point.version),
                    point.data_until.isoformat(),
                ]
                if point.status == HELD:
                    rows.append([*head, "", markers["held"], "", ""])
                    continue
                n = cell(point.n)[0]
                for option, figure in zip(question.options, point.options, strict=True):
                    rows.append([*head, option, *cell(figure), n])
    return rows


# The chart -----------------------------------------------------------------------------------

#: Line colours (WCAG AA on white) and dash patterns: a location is told apart by both, and by
#: its point marker, so the chart does not rest on colour alone.
COLOURS = ("#0b5c4b", "#38577a", "#8a4b08", "#6b3f87", "#1d6b2f", "#1b1b1f")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
PLOT_HEIGHT = 70
Y_AXIS = 34
RIGHT_ROOM = 10


def _marker(index: int, x: float, y: float, colour: str) -> str:
    shape = index % 4
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if shape == 1:
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape == 2:
        return (
            f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},'
            f'{y + 3:.1f}" fill="{colour}"/>'
        )
    return (
        f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} '
        f'{x - 4.5:.1f},{y:.1f}" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    )


def _x_positions(days: Sequence[date], left: float, right: float) -> list[float]:
    if len(days) == 1:
        return [(left + right) / 2]
    first, last = days[0], days[-1]
    span = max(1, (last - first).days)
    return [left + (right - left) * (day - first).days / span for day in days]


def trend_chart(
    question: QuestionTrend,
    dates: Sequence[tuple[int, date]],
    *,
    title: str,
    desc: str,
    day_label: Callable[[date], str],
) -> Markup:
    """Small multiples: one panel per answer, the share (0–100 %) of each location at each
    release date, a line per location through its shown points. Suppressed and held-back points
    are not drawn (the line breaks there); the table under the chart says what they are."""
    width = charts.CHART_WIDTH
    left, right = float(Y_AXIS), float(width - RIGHT_ROOM)
    xs = _x_positions([day for _, day in dates], left + 6, right - 6)
    body: list[str] = []
    y = 0.0
    # Legend: one row per location, with its line, dash and marker.
    for i, location in enumerate(question.locations):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        mid = y + 11
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="2" y1="{mid:.1f}" x2="30" y2="{mid:.1f}" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
        )
        body.append(_marker(i, 16, mid, colour))
        body.append(charts._text(38, mid + 5, charts._short(location.location, 36), "chart-label"))
        y += charts.LINE_HEIGHT + 2
    y += 6
    for j, option in enumerate(question.options):
        lines = charts.wrap_label(option)
        for n, line in enumerate(lines):
            body.append(
                charts._text(
                    0,
                    y + charts.FONT_SIZE + n * charts.LINE_HEIGHT,
                    line,
                    "chart-label",
                    font_weight="600",
                )
            )
        top = y + len(lines) * charts.LINE_HEIGHT + 8
        bottom = top + PLOT_HEIGHT
        for share in (0, 50, 100):
            gy = bottom - PLOT_HEIGHT * share / 100
            body.append(
                f'<line x1="{left:.1f}" y1="{gy:.1f}" x2="{right:.1f}" y2="{gy:.1f}" '
                f'stroke="#8a8f98" stroke-width="{1 if share == 0 else 0.5}"/>'
            )
            body.append(
                charts._text(
                    left - 4,
                    gy + 4,
                    f"{share}%",
                    "chart-label",
                    font_size=11,
                    fill=charts.MUTED_FILL,
                    text_anchor="end",
                )
            )
        for i, location in enumerate(question.locations):
            colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            run: list[tuple[float, float]] = []
            runs = [run]
            marks = []
            for x, point in zip(xs, location.points, strict=True):
                figure = point.options[j] if point.status == SHOWN else None
                if figure is None or figure.percent is None:
                    run = []
                    runs.append(run)
                    continue
                py = bottom - PLOT_HEIGHT * min(100.0, figure.percent) / 100
                run.append((x, py))
                marks.append(_marker(i, x, py, colour))
            for segment in runs:
                if len(segment) > 1:
                    points = " ".join(f"{x:.1f},{py:.1f}" for x, py in segment)
                    body.append(
                        f'<polyline points="{points}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{dash_attr}/>'
                    )
            body.extend(marks)
        # Dates under each panel: the first and the last (all of them when they fit).
        label_y = bottom + charts.LINE_HEIGHT
        if len(xs) == 1:
            body.append(
                charts._text(
                    xs[0],
                    label_y,
                    day_label(dates[0][1]),
                    "chart-label",
                    font_size=12,
                    text_anchor="middle",
                )
            )
        elif xs:
            body.append(
                charts._text(left, label_y, day_label(dates[0][1]), "chart-label", font_size=12)
            )
            body.append(
                charts._text(
                    right,
                    label_y,
                    day_label(dates[-1][1]),
                    "chart-label",
                    font_size=12,
                    text_anchor="end",
                )
            )
        y = label_y + 14
    height = max(1, round(y))
    return charts._svg(width, height, title, desc, body, "trend-chart")
