"""Saved report scopes, theme runs with their curation, and share links.

Theme members point at the texts themselves (a survey answer or a meeting idea) with cascading
foreign keys and hold no copy of the text, so when retention deletes a response or an idea, it
disappears from every theme as well. Curation of a quote (hide it, translate it) is keyed by the
text, not by the theme, so it survives every re-clustering.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from klankbord.accounts.models import OrgScoped
from klankbord.core.refs import text_ref
from klankbord.core.time import utcnow
from klankbord.extensions import db

SOURCE_SURVEY = "survey"
SOURCE_MEETING = "meeting"


class ReportScope(OrgScoped, db.Model):
    """What a report covers, saved under a name, e.g. "Taallessen AZC-Oost, najaar"."""

    __tablename__ = "report_scope"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Name staff give the report.
    name: Mapped[str] = mapped_column(String(200))
    #: Survey deployment ids (empty: none).
    deployment_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: Meeting ids whose ideas are included (empty: none).
    meeting_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: Only responses from deployments at these locations (empty: every location).
    location_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: First and last day included (None: open-ended).
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    #: Language codes of responses and ideas included (empty: every language).
    languages: Mapped[list] = mapped_column(JSON, default=list)
    #: Which free text goes into the themes.
    include_survey_text: Mapped[bool] = mapped_column(default=True)
    include_meeting_text: Mapped[bool] = mapped_column(default=True)
    #: Comparison over time: "month" or "deployment".
    compare_by: Mapped[str] = mapped_column(String(20), default="month")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    runs: Mapped[list[ThemeRun]] = relationship(
        back_populates="scope",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ThemeRun.id.desc()",
    )

    @property
    def latest_run(self) -> ThemeRun | None:
        return self.runs[0] if self.runs else None

    def __repr__(self) -> str:
        return f"<ReportScope {self.id}>"


class ThemeRun(OrgScoped, db.Model):
    """One clustering of a scope's free text."""

    __tablename__ = "report_theme_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int] = mapped_column(
        ForeignKey("report_scope.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How themes were found, e.g. "tfidf-lsa-kmeans" or "embeddings-kmeans".
    method: Mapped[str] = mapped_column(String(60))
    #: Engine parameters (n_clusters, min_cluster_size, random_state, chosen k ...).
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Texts clustered, texts in no theme ("other"), themes found.
    n_texts: Mapped[int] = mapped_column(default=0)
    n_other: Mapped[int] = mapped_column(default=0)
    n_themes: Mapped[int] = mapped_column(default=0)
    #: What changed since the previous run: {"new": [...], "gone": [...], "grown": [...], ...}.
    changes: Mapped[dict | None] = mapped_column(JSON)

    scope: Mapped[ReportScope] = relationship(back_populates="runs")
    themes: Mapped[list[ReportTheme]] = relationship(
        back_populates="run",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReportTheme.number",
        foreign_keys="ReportTheme.run_id",
    )

    def __repr__(self) -> str:
        return f"<ThemeRun {self.id}>"


class ReportTheme(OrgScoped, db.Model):
    """A theme found in one run, with the facilitators' curation."""

    __tablename__ = "report_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("report_theme_run.id", ondelete="CASCADE"), index=True
    )
    #: The engine's theme number in this run (0 = largest).
    number: Mapped[int] = mapped_column(default=0)
    #: The engine's Dutch title (central Dutch text, codebook topic, or English; see
    #: ``klankbord.analysis._titles``); runs before it stored the key terms here.
    label: Mapped[str] = mapped_column(String(300))
    #: One Dutch line on what the theme is about.
    gist: Mapped[str | None] = mapped_column(String(400))
    #: How the title was found: {"source", "topic", "topic_title", "topic_score", "keywords":
    #: {language: [words]}}.
    naming: Mapped[dict | None] = mapped_column(JSON)
    #: Key terms, most distinctive first.
    terms: Mapped[list] = mapped_column(JSON, default=list)
    #: Texts in the theme when it was found (the report counts live members).
    size: Mapped[int] = mapped_column(default=0)
    #: Share of the run's texts, 0..1.
    share: Mapped[float] = mapped_column(default=0.0)
    #: {language code: number of texts} when found.
    languages: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Stability over resamples, 0..1; None when not measured.
    stability: Mapped[float | None] = mapped_column()
    #: Name a facilitator gave; shown instead of the label.
    curated_name: Mapped[str | None] = mapped_column(String(200))
    #: A facilitator hid the theme from the report.
    hidden: Mapped[bool] = mapped_column(default=False)
    #: Set when this theme was merged into another one of the same run.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_theme.id", ondelete="SET NULL")
    )
    #: The previous run's theme this one was matched to (its curation was carried over).
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_theme.id", ondelete="SET NULL")
    )

    run: Mapped[ThemeRun] = relationship(back_populates="themes", foreign_keys=[run_id])
    members: Mapped[list[ThemeMember]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", passive_deletes=True
    )
    links: Mapped[list[ThemeLink]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def title(self) -> str:
        return self.curated_name or self.label

    def __repr__(self) -> str:
        return f"<ReportTheme {self.id}>"


class ThemeMember(db.Model):
    """A text in a theme: a reference to a survey answer or a meeting idea, never a copy."""

    __tablename__ = "report_theme_member"
    __table_args__ = (
        CheckConstraint(
            "(response_id IS NOT NULL AND question_id IS NOT NULL AND idea_id IS NULL)"
            " OR (response_id IS NULL AND idea_id IS NOT NULL)",
            name="one_source",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("report_theme.id", ondelete="CASCADE"), index=True
    )
    #: A free-text survey answer: its response and question (the answer's key, position 0).
    response_id: Mapped[str | None] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str | None] = mapped_column(String(64))
    #: Or a meeting idea.
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_idea.id", ondelete="CASCADE"), index=True
    )
    #: Language of the text.
    language: Mapped[str] = mapped_column(String(5))
    #: 1..5 for the theme's representative quotes in order; None otherwise.
    rank: Mapped[int | None] = mapped_column()
    #: A facilitator moved this text here by hand; re-runs keep it with the matching theme.
    pinned: Mapped[bool] = mapped_column(default=False)

    theme: Mapped[ReportTheme] = relationship(back_populates="members")

    @property
    def ref(self) -> str:
        return text_ref(self.response_id, self.question_id, self.idea_id)


class QuoteCuration(OrgScoped, db.Model):
    """A facilitator's decision about one text as a quote: hide it, or add a Dutch translation."""

    __tablename__ = "report_quote_curation"
    __table_args__ = (UniqueConstraint("organisation_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The text: "s:<response id>:<question id>" or "m:<idea id>" (see ThemeMember.ref).
    ref: Mapped[str] = mapped_column(String(120))
    #: Never show this text as a quote.
    hidden: Mapped[bool] = mapped_column(default=False)
    #: Dutch translation shown under the original.
    translation_nl: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThemeLink(OrgScoped, db.Model):
    """A theme linked to a meeting action item or a "you said, we did" update."""

    __tablename__ = "report_theme_link"
    __table_args__ = (
        CheckConstraint("(action_id IS NULL) <> (update_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("report_theme.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_action.id", ondelete="CASCADE")
    )
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_update.id", ondelete="CASCADE")
    )

    theme: Mapped[ReportTheme] = relationship(back_populates="links")


class ShareLink(OrgScoped, db.Model):
    """A read-only link to a report for people without an account: expiring and revocable."""

    __tablename__ = "report_share_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int] = mapped_column(
        ForeignKey("report_scope.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the random token in the link; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    scope: Mapped[ReportScope] = relationship()

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class Release(OrgScoped, db.Model):
    """A stored, versioned snapshot of the figures of a report scope or a survey round.

    Every figure anyone but the facilitators' working view sees is read from a release (see
    docs/privacy.md): the aggregated rows (counts with the sums of their records' keys) of the data
    up to the end of ``data_until``, a closed day. The figures are perturbed and suppressed when
    they are shown, the same way every time, so a release reads the same on the page, in the PDF,
    the CSV and through a share link, today and next month.
    """

    __tablename__ = "report_release"
    __table_args__ = (
        CheckConstraint(
            "(scope_id IS NULL) <> (deployment_id IS NULL)", name="release_one_subject"
        ),
        UniqueConstraint("scope_id", "version"),
        UniqueConstraint("deployment_id", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_scope.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_deployment.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, ... per scope or survey round.
    version: Mapped[int] = mapped_column()
    #: The last day whose data the release holds (the end of a closed period).
    data_until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The theme run whose themes the release shows (curation of that run applies).
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_theme_run.id", ondelete="SET NULL")
    )
    #: True number of records in the release; used by the release rule only, never shown.
    n_records: Mapped[int] = mapped_column(default=0)
    #: The aggregated rows (see reports.releases.freeze).
    payload: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<Release {self.id} v{self.version} until {self.data_until}>"


class SignOff(OrgScoped, db.Model):
    """A named person's sign-off of a release's curated themes, needed before it is shared.

    Curation (names, merges, hidden themes, moved texts, hidden or translated quotes, links) is
    the staff's reading of what residents said. Before that reading leaves the organisation (a
    share link), someone other than the curators, in a role that answers for it, signs it off.
    Any later curation change of the release's theme run clears the sign-off (``cleared_at``);
    the row stays as the record of who signed what, and when.
    """

    __tablename__ = "report_signoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_id: Mapped[int] = mapped_column(
        ForeignKey("report_scope.id", ondelete="CASCADE"), index=True
    )
    #: The release signed off (its figures and its theme run with the curation of that moment).
    release_id: Mapped[int] = mapped_column(
        ForeignKey("report_release.id", ondelete="CASCADE"), index=True
    )
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Name and role of the signer when signing, as the report shows them.
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when a later curation change made the sign-off void.
    cleared_at: Mapped[datetime | None] = mapped_column()
    #: Why it was cleared: "curation".
    cleared_reason: Mapped[str | None] = mapped_column(String(40))

    release: Mapped[Release] = relationship()

    def __repr__(self) -> str:
        return f"<SignOff {self.id} release {self.release_id}>"
