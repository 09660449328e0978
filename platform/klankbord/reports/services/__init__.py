"""Reports: aggregate a scope in SQL, find themes in its free text, curate them, build the report.

:func:`build_report` is the only way a report's numbers reach a reader: the page, the PDF, the CSV
and the share link all render the :class:`Report` it returns, and every number in it has already
passed small-group suppression (see ``suppression.py``) and the perturbation of a release (see
``releases.py``). Services flush; views and jobs commit.

The package is split by responsibility; callers import ``klankbord.reports.services`` and use the
names re-exported here:

- ``scopes``: saving a scope, the SQL filters of its responses and ideas, the form's choices;
- ``values``: the dataclasses a report is made of (``Report``, ``ThemeSection`` ...);
- ``questions``: closed questions and participation of a release;
- ``clustering``: a scope's free text and its clustering into a theme run;
- ``curation``: renaming, hiding, merging, splitting, moving, quotes and links, carried over runs;
- ``aggregates``: theme sizes, languages and months in SQL, and their one cache;
- ``themes``: the theme sections of a report (released sizes, quotes, language notes);
- ``assembly``: :func:`build_report`;
- ``sharing``: share links;
- ``signoff``: the sign-off a curated release needs before it is shared.

A module-level constant read inside a submodule (``CACHE_SECONDS``, ``SHOWN_QUOTES`` ...) is
changed in that submodule, not here: ``services.aggregates.CACHE_SECONDS``.
"""

from __future__ import annotations

from klankbord.reports.services.aggregates import (
    _AGGREGATES,
    _AGGREGATES_SIZE,
    CACHE_SECONDS,
    _month,
    _theme_aggregates,
)
from klankbord.reports.services.assembly import (
    DEFAULT_LABELS,
    _build_report,
    _iso_date,
    build_report,
)
from klankbord.reports.services.clustering import (
    CLUSTER_THREADS,
    METHOD_EMBEDDINGS,
    METHOD_TFIDF,
    STORED_REPRESENTATIVES,
    TextItem,
    _clusterer_method,
    collect_texts,
    recluster_scope,
    report_k_range,
    scope_vectorizer,
    theme_naming,
)
from klankbord.reports.services.common import ReportError, _text
from klankbord.reports.services.curation import (
    MATCH_THRESHOLD,
    SIZE_CHANGE,
    _jaccard,
    _move_ref,
    _ref_in_org,
    carry_curation,
    curate_quote,
    link_theme,
    member_refs,
    merge_themes,
    move_texts,
    rename_theme,
    set_theme_hidden,
    split_theme,
    unlink_theme,
)
from klankbord.reports.services.questions import (
    _breakdown,
    _group_labels,
    _period_labels,
    _question_section,
    closed_question_sections,
    participation,
)
from klankbord.reports.services.scopes import (
    ScopeData,
    _deployment_label,
    _idea_filters,
    _own_ids,
    _response_filters,
    _scope_deployments,
    min_group_size,
    save_scope,
    scope_choices,
    survey_versions_in,
)
from klankbord.reports.services.sharing import (
    SHARE_DAYS_MAX,
    _token_hash,
    create_share_link,
    find_share_link,
    revoke_share_link,
)
from klankbord.reports.services.signoff import (
    SIGN_OFF_ROLES,
    active_signoff,
    curation_changed,
    curators_of,
    is_curated,
    last_cleared_signoff,
    needs_signoff,
    runs_with_ref,
    shareable_release,
    sign_off,
)
from klankbord.reports.services.themes import (
    SHOWN_QUOTES,
    _add_dutch_aids,
    _links_for,
    _stored_vectors,
    _texts_for,
    theme_language_note,
    theme_sections,
)
from klankbord.reports.services.values import (
    LinkView,
    QuestionSection,
    Quote,
    Report,
    SignOffView,
    ThemeSection,
)
from klankbord.surveys.services import CLOSED_TYPES, definition_of

__all__ = [
    "CACHE_SECONDS",
    "CLOSED_TYPES",
    "CLUSTER_THREADS",
    "DEFAULT_LABELS",
    "MATCH_THRESHOLD",
    "METHOD_EMBEDDINGS",
    "METHOD_TFIDF",
    "SHARE_DAYS_MAX",
    "SIGN_OFF_ROLES",
    "SHOWN_QUOTES",
    "SIZE_CHANGE",
    "STORED_REPRESENTATIVES",
    "LinkView",
    "QuestionSection",
    "Quote",
    "Report",
    "ReportError",
    "ScopeData",
    "SignOffView",
    "TextItem",
    "ThemeSection",
    "active_signoff",
    "build_report",
    "carry_curation",
    "closed_question_sections",
    "collect_texts",
    "create_share_link",
    "curate_quote",
    "curation_changed",
    "curators_of",
    "definition_of",
    "find_share_link",
    "is_curated",
    "last_cleared_signoff",
    "link_theme",
    "member_refs",
    "merge_themes",
    "min_group_size",
    "move_texts",
    "needs_signoff",
    "participation",
    "recluster_scope",
    "rename_theme",
    "report_k_range",
    "revoke_share_link",
    "runs_with_ref",
    "save_scope",
    "scope_choices",
    "scope_vectorizer",
    "set_theme_hidden",
    "shareable_release",
    "sign_off",
    "split_theme",
    "survey_versions_in",
    "theme_language_note",
    "theme_naming",
    "theme_sections",
    "unlink_theme",
    # Private helpers other reports modules, benchmarks and tests reach for.
    "_AGGREGATES",
    "_AGGREGATES_SIZE",
    "_add_dutch_aids",
    "_breakdown",
    "_build_report",
    "_clusterer_method",
    "_deployment_label",
    "_group_labels",
    "_idea_filters",
    "_iso_date",
    "_jaccard",
    "_links_for",
    "_month",
    "_move_ref",
    "_own_ids",
    "_period_labels",
    "_question_section",
    "_ref_in_org",
    "_response_filters",
    "_scope_deployments",
    "_stored_vectors",
    "_text",
    "_texts_for",
    "_theme_aggregates",
    "_token_hash",
]
