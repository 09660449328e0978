"""A definition's normalised content and its sha256 (what a resident sees decides a version)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from klankbord.surveys.definitions.model import Condition, SurveyDefinition


def canonical_content(defn: SurveyDefinition) -> dict[str, Any]:
    """Return the definition as plain JSON-able data (everything but ``source_path``)."""

    def texts(m: Mapping[str, str] | None) -> dict[str, str] | None:
        return None if m is None else dict(m)

    def cond(c: Condition | None) -> dict[str, Any] | None:
        if c is None:
            return None
        return {"question": c.question, "equals": c.equals, "any_of": list(c.any_of)}

    return {
        "id": defn.id,
        "version": defn.version,
        "languages": [{"code": lang.code, "reviewed": lang.reviewed} for lang in defn.languages],
        "default_language": defn.default_language,
        "title": texts(defn.title),
        "intro": texts(defn.intro),
        "thanks": texts(defn.thanks),
        "what_happens_next": texts(defn.what_happens_next),
        "questions": [
            {
                "id": q.id,
                "type": q.type,
                "text": texts(q.text),
                "help": texts(q.help),
                "options": [
                    {
                        "value": o.value,
                        "text": texts(o.text),
                        "icon": o.icon,
                        "audio": texts(o.audio),
                    }
                    for o in q.options
                ],
                "required": q.required,
                "show_if": cond(q.show_if),
                "sensitive_note": texts(q.sensitive_note),
                "max_length": q.max_length,
                "min_value": q.min_value,
                "max_value": q.max_value,
                "audio": texts(q.audio),
            }
            for q in defn.questions
        ],
    }


def _with_hash(defn: SurveyDefinition) -> SurveyDefinition:
    dump = json.dumps(
        canonical_content(defn), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    digest = hashlib.sha256(dump.encode("utf-8")).hexdigest()
    return SurveyDefinition(**{**defn.__dict__, "content_hash": digest})
