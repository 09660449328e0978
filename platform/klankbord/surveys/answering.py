"""Read and check a resident's answers against a survey definition (pure Python, no Flask, no DB).

Answers travel in form fields named ``a.<question id>`` (one field per chosen option for multiple
choice). An answer is a string (an option value or free text), a list of option values, or an int.
Problems are :class:`AnswerError` values with a code that ``ui_text`` turns into the resident's
language.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from klankbord.surveys.definitions import Question, SurveyDefinition, visible_questions

FIELD_PREFIX = "a."

#: Arabic-Indic and Persian digits are typed on many phones; numbers accept them too.
_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_NUMBER = re.compile(r"^[+-]?\d{1,9}$")
#: Control characters other than newline and tab are removed from free text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Answer = str | int | list[str]


class FormLike(Protocol):
    def getlist(self, key: str) -> list[str]: ...


@dataclass(frozen=True)
class AnswerError:
    """Why an answer cannot be used; ``code`` is a key of ``ui_text.ERRORS``."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def field_name(question_id: str) -> str:
    return FIELD_PREFIX + question_id


def read_answer(question: Question, raw: list[str]) -> tuple[Answer | None, AnswerError | None]:
    """Turn the raw form values of one question into an answer, or say what is wrong."""
    values = [v for v in raw if v is not None and v != ""]
    if question.type == "multiple_choice":
        chosen: list[str] = []
        for value in values:
            if value not in question.option_values:
                return None, AnswerError("unknown_option")
            if value not in chosen:
                chosen.append(value)
        # Keep the order of the options, not of the request.
        ordered = [v for v in question.option_values if v in chosen]
        return (ordered or None), None
    if len(values) > 1:
        return None, AnswerError("malformed")
    if not values:
        return None, None
    value = values[0]
    if question.has_options:
        if value not in question.option_values:
            return None, AnswerError("unknown_option")
        return value, None
    if question.type == "number":
        text = value.strip().translate(_DIGITS)
        if not text:
            return None, None
        if not _NUMBER.match(text):
            return None, AnswerError("not_number")
        number = int(text)
        low, high = question.min_value, question.max_value
        if (low is not None and number < low) or (high is not None and number > high):
            return None, AnswerError("out_of_range", {"min": low, "max": high})
        return number, None
    # free text
    text = unicodedata.normalize("NFC", _CONTROL.sub("", value.replace("\r\n", "\n"))).strip()
    if not text:
        return None, None
    limit = question.max_length or 0
    if len(text) > limit:
        return None, AnswerError("too_long", {"max": limit, "length": len(text)})
    return text, None


def parse_answers(
    defn: SurveyDefinition, form: FormLike, questions: Iterable[Question] | None = None
) -> tuple[dict[str, Answer], dict[str, AnswerError]]:
    """Read the answers of ``questions`` (default: all) from ``form``; return answers and errors."""
    answers: dict[str, Answer] = {}
    errors: dict[str, AnswerError] = {}
    for question in defn.questions if questions is None else questions:
        answer, error = read_answer(question, form.getlist(field_name(question.id)))
        if error is not None:
            errors[question.id] = error
        elif answer is not None:
            answers[question.id] = answer
    return answers, errors


def unknown_fields(defn: SurveyDefinition, names: Iterable[str]) -> list[str]:
    """Return answer field names that are not questions of the survey (a malformed request)."""
    ids = {q.id for q in defn.questions}
    return [n for n in names if n.startswith(FIELD_PREFIX) and n[len(FIELD_PREFIX) :] not in ids]


def shown_answers(defn: SurveyDefinition, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """Keep only answers to questions that are shown given the answers (``show_if``)."""
    return {q.id: answers[q.id] for q in visible_questions(defn, answers) if q.id in answers}


def missing_required(
    defn: SurveyDefinition, answers: Mapping[str, Answer]
) -> dict[str, AnswerError]:
    """Return a ``required`` error for every shown required question without an answer."""
    return {
        q.id: AnswerError("required")
        for q in visible_questions(defn, answers)
        if q.required and q.id not in answers
    }


def hidden_values(answers: Mapping[str, Answer], skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Return (field name, value) pairs that carry the answers so far in hidden form fields."""
    skipped = set(skip)
    pairs: list[tuple[str, str]] = []
    for qid, answer in answers.items():
        if qid in skipped:
            continue
        values = answer if isinstance(answer, list) else [answer]
        pairs.extend((field_name(qid), str(v)) for v in values)
    return pairs


def fingerprint(answers: Mapping[str, Answer]) -> str:
    """Return a stable sha256 of the answers, to tell an identical retry from different answers."""
    dump = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(dump.encode("utf-8")).hexdigest()
