"""Themes of a run as report sections: released sizes, trends, languages, quotes and links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select

from klankbord.core.refs import text_ref
from klankbord.extensions import db
from klankbord.meetings.models import MeetingAction, MeetingIdea, MeetingUpdate
from klankbord.reports import ptable
from klankbord.reports import suppression as sup
from klankbord.reports.models import QuoteCuration, ReportTheme, ThemeLink, ThemeMember, ThemeRun
from klankbord.reports.services.aggregates import _theme_aggregates
from klankbord.reports.services.common import _text
from klankbord.reports.services.values import LinkView, Quote, ThemeSection
from klankbord.surveys.models import Answer

SHOWN_QUOTES = 5


def _texts_for(refs: Iterable[tuple[str | None, str | None, int | None]]) -> dict[str, str]:
    """Look the texts up by reference (a retention delete makes them disappear)."""
    survey = [(r, q) for r, q, i in refs if i is None]
    ideas = [i for _, _, i in refs if i is not None]
    texts = {}
    if survey:
        rows = db.session.execute(
            select(Answer.response_id, Answer.question_id, Answer.value_text).where(
                Answer.response_id.in_({r for r, _ in survey}), Answer.position == 0
            )
        ).all()
        wanted = set(survey)
        texts.update({text_ref(r, q): t for r, q, t in rows if (r, q) in wanted and t})
    if ideas:
        rows = db.session.execute(
            select(MeetingIdea.id, MeetingIdea.text).where(MeetingIdea.id.in_(ideas))
        ).all()
        texts.update({text_ref(None, None, i): t for i, t in rows})
    return texts


def theme_sections(
    run: ThemeRun,
    k: int,
    lang: str,
    *,
    for_curation: bool = False,
    until: date | None = None,
    texts_in_release: tuple[int, int] | None = None,
) -> tuple[list[ThemeSection], int, int]:
    """Themes of a run as report sections; also the "other" count and the number of small themes.

    Sizes are live counts (a deleted text leaves its theme). Themes smaller than ``k`` and hidden
    themes are counted with "other", so every text is counted and no small group is shown.
    """
    themes = [t for t in run.themes if t.merged_into_id is None]
    ids = [t.id for t in themes] or [-1]
    sizes_keys, lang_rows, month_rows = _theme_aggregates(run, ids, until)
    sizes = {t: n for t, (n, _) in sizes_keys.items()}
    trend: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for theme_id, month, n, key_sum in month_rows:
        trend[theme_id][month] = (int(n), int(key_sum))
    months = sorted({m for per in trend.values() for m in per})
    langs: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    lang_cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for theme_id, language, n, key_sum in lang_rows:
        langs[theme_id][language] = (int(n), int(key_sum))
        lang_cells[language][0] += int(n)
        lang_cells[language][1] += int(key_sum)
    # Texts per language over all themes, as released (quote eligibility, language notes).
    lang_totals: dict[str, int] = defaultdict(int)
    for language, (n, key_sum) in lang_cells.items():
        lang_totals[language] = ptable.perturb(n, key_sum, k) if texts_in_release else n
    total_in_themes = sum(sizes.values())
    other_key = 0
    if texts_in_release is None:
        n_texts = max(run.n_texts, total_in_themes + run.n_other)
    else:
        # A release counts its own texts; "other" is a cell of its own, perturbed like any.
        n_texts = max(texts_in_release[0], total_in_themes)
        other_key = texts_in_release[1] - sum(key for _, key in sizes_keys.values())
    other = n_texts - total_in_themes
    reps = (
        db.session.execute(
            select(ThemeMember)
            .where(ThemeMember.theme_id.in_(ids), ThemeMember.rank.is_not(None))
            .order_by(ThemeMember.theme_id, ThemeMember.rank)
        )
        .scalars()
        .all()
    )
    texts = _texts_for([(m.response_id, m.question_id, m.idea_id) for m in reps])
    curation = {
        row.ref: row
        for row in db.session.execute(
            select(QuoteCuration).where(
                QuoteCuration.organisation_id == run.organisation_id,
                QuoteCuration.ref.in_([m.ref for m in reps] or ["-"]),
            )
        ).scalars()
    }
    reps_by_theme: dict[int, list[ThemeMember]] = defaultdict(list)
    for member in reps:
        reps_by_theme[member.theme_id].append(member)
    links = _links_for([t.id for t in themes])
    vectors = _stored_vectors([m.ref for m in reps])
    sections, small = [], 0
    for theme in sorted(themes, key=lambda t: (-sizes.get(t.id, 0), t.number)):
        size, size_key = sizes_keys.get(theme.id, (0, 0))
        if not for_curation and (size < k or theme.hidden):
            other += size
            other_key += size_key
            small += 1 if size < k else 0
            continue
        per_month = trend.get(theme.id, {})
        trend_table = sup.suppress(
            sup.distribution(
                months,
                [per_month.get(m, (0, 0))[0] for m in months],
                size,
                key_sums=[per_month.get(m, (0, 0))[1] for m in months],
                n_key_sum=size_key,
            ),
            k,
        )
        per_lang = langs.get(theme.id, {})
        codes = sorted(per_lang, key=lambda c: (-per_lang[c][0], c))
        lang_table = sup.suppress(
            sup.distribution(
                codes,
                [per_lang[c][0] for c in codes],
                size,
                key_sums=[per_lang[c][1] for c in codes],
                n_key_sum=size_key,
            ),
            k,
        )
        quotes = []
        for member in reps_by_theme.get(theme.id, []):
            text = texts.get(member.ref)
            cur = curation.get(member.ref)
            if text is None:
                continue
            hidden = bool(cur and cur.hidden)
            # A quote says who wrote it: a language group smaller than k must not be recognisable.
            # On true counts: a released count may lie above k for a group just below it.
            if not sup.quote_allowed(size, k) or not sup.quote_allowed(
                lang_cells[member.language][0], k
            ):
                hidden = True
            if hidden and not for_curation:
                continue
            quotes.append(
                Quote(
                    member.ref, text, member.language, cur.translation_nl if cur else None, hidden
                )
            )
            if not for_curation and len(quotes) >= SHOWN_QUOTES:
                break
        _add_dutch_aids(quotes, theme, vectors)
        naming = theme.naming or {}
        figures = lang_table.cells[0] if lang_table.cells else [None] * len(lang_table.cols)
        shown_languages = {
            code
            for code, fig in zip(lang_table.cols, figures, strict=True)
            if fig is not None
            and not fig.suppressed
            and sup.quote_allowed(lang_cells[code][0], k)
        }
        released = ptable.perturb(size, size_key, k) if texts_in_release else size
        shown_texts = (
            ptable.perturb(n_texts, texts_in_release[1], k) if texts_in_release else n_texts
        )
        share = round(100.0 * released / shown_texts, 1) if shown_texts else None
        sections.append(
            ThemeSection(
                id=theme.id,
                title=theme.title,
                label=theme.label,
                terms=list(theme.terms or []),
                size=sup.Figure(released, sup.SHOWN if size >= k else sup.SMALL),
                share=share,
                stability=theme.stability,
                trend=trend_table,
                languages=lang_table,
                quotes=quotes,
                links=links.get(theme.id, []),
                curated=bool(theme.curated_name),
                language_note=theme_language_note(lang_table, released, lang_totals, lang),
                gist=theme.gist,
                topic_title=naming.get("topic_title") or None,
                topic_score=naming.get("topic_score"),
                keywords={
                    code: words
                    for code, words in (naming.get("keywords") or {}).items()
                    if code in shown_languages
                },
            )
        )
    if texts_in_release is not None:
        other = ptable.perturb(other, other_key, k)
    return sections, other, small


def _stored_vectors(refs: list[str]) -> dict:
    """Stored embedding vectors of these texts (empty without the model or vectors)."""
    from klankbord.embeddings.services import vectors_for

    return vectors_for(refs) if refs else {}


def _add_dutch_aids(quotes: list[Quote], theme: ReportTheme, vectors: dict) -> None:
    """Give each non-Dutch quote without a translation a Dutch aid (not a translation).

    The aid names the quote's nearest codebook topic (else the theme's, when close) and the
    closest Dutch quote shown in the same theme, so it reveals no text the report hides.
    """
    from klankbord.analysis import dutch_aid, topic_by_id

    naming = theme.naming or {}
    topic = topic_by_id(naming.get("topic")) if naming.get("topic_close") else None
    dutch = [q for q in quotes if q.language == "nl" and not q.hidden]
    for quote in quotes:
        if quote.language == "nl" or quote.translation_nl or quote.hidden:
            continue
        quote.aid = dutch_aid(
            quote.text,
            quote.language,
            [q.text for q in dutch],
            vector=vectors.get(quote.ref),
            dutch_vectors=[vectors.get(q.ref) for q in dutch],
            theme_topic=(topic, naming.get("topic_score") or 0.0) if topic else None,
        )


def theme_language_note(
    languages: sup.SuppressedTable, size: int, overall: dict[str, int], lang: str
) -> str | None:
    """"Raised mainly in Tigrinya (8 of 12 responses)", told only from what the report shows.

    A complaint of one language group must stay visible, but the note may not reveal more than
    the table beside it. With the dominant count shown, the note gives it. With that count hidden
    (it would give away a small group), the note is given without numbers, and only when the shown
    numbers and the "fewer than k" markers already imply that language holds the share.
    """
    from klankbord.analysis import dominant_language_note

    if size <= 0 or not languages.cols:
        return None
    k = languages.min_group_size
    figures = dict(zip(languages.cols, languages.cells[0], strict=True))

    def upper(fig: sup.Figure) -> int:
        if not fig.suppressed:
            return fig.value or 0
        return k - 1 if fig.status == sup.SMALL else size

    for code, fig in figures.items():
        if code == "unknown" or fig.status == sup.SMALL:
            continue
        rest = {c: f for c, f in figures.items() if c != code}
        count = fig.value if not fig.suppressed else size - sum(upper(f) for f in rest.values())
        # The rest counts as "unknown", which never dominates: only this language can.
        note = dominant_language_note(
            {code: count, "unknown": size - count},
            lang="en" if lang == "en" else "nl",
            overall=overall,
            counts=not fig.suppressed,
        )
        if note:
            return note
    return None


def _links_for(theme_ids: list[int]) -> dict[int, list[LinkView]]:
    rows = (
        db.session.execute(select(ThemeLink).where(ThemeLink.theme_id.in_(theme_ids or [-1])))
        .scalars()
        .all()
    )
    out: dict[int, list[LinkView]] = defaultdict(list)
    for link in rows:
        if link.action_id is not None:
            action = db.session.get(MeetingAction, link.action_id)
            if action:
                out[link.theme_id].append(
                    LinkView("action", link.id, action.description, action.status)
                )
        else:
            upd = db.session.get(MeetingUpdate, link.update_id)
            if upd:
                out[link.theme_id].append(
                    LinkView(
                        "update",
                        link.id,
                        _text(upd.title, "nl"),
                        "published" if upd.published_at else "draft",
                    )
                )
    return out
