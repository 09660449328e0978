"""Rebuild a :class:`SurveyDefinition` from the JSON snapshot stored with a survey version.

``SurveyVersion.definition`` holds ``definitions.canonical_content(defn)``: already validated, so
this only
maps it back onto the frozen dataclasses (pure Python, cached per content hash).
"""

from __future__ import annotations

from typing import Any

from klankbord.surveys.definitions import (
    Condition,
    Language,
    Option,
    Question,
    SurveyDefinition,
    TextMap,
    _with_hash,
)


def _texts(value: dict | None) -> TextMap | None:
    return None if value is None else TextMap(value)


def definition_from_content(data: dict[str, Any], source_path: str = "") -> SurveyDefinition:
    """Return the definition for a stored snapshot; its content hash is recomputed, not trusted."""
    questions = []
    for q in data["questions"]:
        cond = q.get("show_if")
        questions.append(
            Question(
                id=q["id"],
                type=q["type"],
                text=TextMap(q["text"]),
                help=_texts(q.get("help")),
                options=tuple(
                    Option(
                        value=o["value"],
                        text=TextMap(o["text"]),
                        icon=o.get("icon"),
                        audio=TextMap(o.get("audio") or {}),
                    )
                    for o in q.get("options") or ()
                ),
                required=bool(q.get("required")),
                show_if=None
                if cond is None
                else Condition(
                    question=cond["question"],
                    equals=cond.get("equals"),
                    any_of=tuple(cond.get("any_of") or ()),
                ),
                sensitive_note=_texts(q.get("sensitive_note")),
                max_length=q.get("max_length"),
                min_value=q.get("min_value"),
                max_value=q.get("max_value"),
                audio=TextMap(q.get("audio") or {}),
            )
        )
    defn = SurveyDefinition(
        id=data["id"],
        version=data["version"],
        languages=tuple(
            Language(code=lang["code"], reviewed=lang["reviewed"]) for lang in data["languages"]
        ),
        default_language=data["default_language"],
        title=TextMap(data["title"]),
        intro=TextMap(data["intro"]),
        thanks=TextMap(data["thanks"]),
        what_happens_next=TextMap(data["what_happens_next"]),
        questions=tuple(questions),
        source_path=source_path,
    )
    return _with_hash(defn)


_CACHE: dict[str, SurveyDefinition] = {}


def cached(content_hash: str) -> SurveyDefinition | None:
    """Return the definition already built for ``content_hash``, or None."""
    return _CACHE.get(content_hash)


def cached_definition(content_hash: str, data: dict[str, Any]) -> SurveyDefinition:
    """Return the definition for a snapshot, built once per content hash (snapshots never
    change)."""
    defn = _CACHE.get(content_hash)
    if defn is None:
        defn = definition_from_content(data)
        if len(_CACHE) > 256:
            _CACHE.clear()
        _CACHE[content_hash] = defn
    return defn
