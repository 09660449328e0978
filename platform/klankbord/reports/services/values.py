"""The values a report is made of: plain dataclasses, every number already suppressed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from klankbord.reports import suppression as sup

# Report values ---------------------------------------------------------------------------------


@dataclass
class QuestionSection:
    survey_id: str
    question_id: str
    title: str
    type: str
    overall: sup.SuppressedTable
    by_location: sup.SuppressedTable | None
    by_period: sup.SuppressedTable | None

    @property
    def n(self) -> sup.Figure:
        return self.overall.row_totals[0]


@dataclass
class Quote:
    ref: str
    text: str
    language: str
    translation_nl: str | None = None
    hidden: bool = False
    #: Not a translation: codebook gist and closest Dutch quote, for a non-Dutch text (issue 15).
    aid: Any = None


@dataclass
class LinkView:
    kind: str  # "action" or "update"
    id: int
    text: str
    status: str = ""


@dataclass
class ThemeSection:
    id: int
    title: str
    label: str
    terms: list[str]
    size: sup.Figure
    share: float | None
    stability: float | None
    trend: sup.SuppressedTable
    languages: sup.SuppressedTable
    quotes: list[Quote]
    links: list[LinkView]
    curated: bool
    change: str | None = None
    language_note: str | None = None
    gist: str | None = None
    #: Nearest codebook topic (Dutch title) and its similarity, when known.
    topic_title: str | None = None
    topic_score: float | None = None
    #: Distinctive words per language, only for language groups the report may show.
    keywords: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SignOffView:
    """Who signed off a release's curated themes, as the report shows it."""

    name: str
    #: A role value ("admin", "policymaker"); pages show it translated.
    role: str
    signed_at: datetime


@dataclass
class Report:
    """Everything a report shows, already suppressed."""

    scope_id: int
    name: str
    generated_at: datetime
    min_group_size: int
    period_from: date | None
    period_to: date | None
    first_day: date | None
    last_day: date | None
    deployments: list[str]
    meetings: list[str]
    locations: list[str]
    languages: list[str]
    n_responses: sup.Figure
    n_ideas: int
    participation: sup.SuppressedTable | None
    response_languages: sup.SuppressedTable | None
    questions: list[QuestionSection]
    themes: list[ThemeSection]
    n_texts: int
    other_texts: sup.Figure
    small_themes: int
    run: dict | None
    changes: dict | None
    notes: list[str] = field(default_factory=list)
    #: The release shown: its version and the last day of data it holds.
    release_version: int | None = None
    data_until: date | None = None
    #: Survey rounds shown as an earlier release had them (fewer than k of their records
    #: changed since): (label, last day of data shown for them).
    held_back: list[tuple[str, date]] = field(default_factory=list)
    #: Staff changed the themes or quotes of the release's run (see services.signoff).
    curated: bool = False
    #: The sign-off that holds for this release; None when missing or cleared.
    signoff: SignOffView | None = None

    @property
    def needs_signoff(self) -> bool:
        """Curated and not signed off: not to be shared yet."""
        return self.curated and self.signoff is None
