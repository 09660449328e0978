"""Validate the parsed YAML of one file and build the dataclasses, with messages for staff."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from klankbord.surveys.definitions.constants import (
    _ALL_QUESTION_FIELDS,
    _LANGUAGE_FIELDS,
    _OPTION_FIELDS,
    _QUESTION_COMMON,
    _QUESTION_EXTRA,
    _SHOW_IF_FIELDS,
    _SLUG,
    _TOP_FIELDS,
    _VALUE,
    ALL_LANGUAGES,
    AUDIO_EXTENSIONS,
    DEFAULT_MAX_LENGTH,
    MAX_MAX_LENGTH,
    QUESTION_TYPES,
    SCALE_FACES,
    SCALE_LABELS,
    YES_NO_OPTIONS,
)
from klankbord.surveys.definitions.hashing import _with_hash
from klankbord.surveys.definitions.model import (
    _EMPTY,
    Condition,
    Language,
    Option,
    Question,
    SurveyDefinition,
    SurveyDefinitionError,
    TextMap,
)
from klankbord.surveys.definitions.reading import _kind


class _Builder:
    """Validate the parsed YAML of one file and build the dataclasses."""

    def __init__(self, display: str, base_dir: Path, stem: str) -> None:
        self.display = display
        self.base_dir = base_dir
        self.stem = stem
        self.langs: tuple[str, ...] = ()
        self.all_ids: set[object] = set()

    def error(self, problem: str, **where: str | None) -> SurveyDefinitionError:
        return SurveyDefinitionError(self.display, problem, **where)

    # -- generic checks

    def check_fields(
        self,
        data: Mapping[Any, Any],
        allowed: Iterable[str],
        *,
        required: Iterable[str] = (),
        prefix: str = "",
        **where: str | None,
    ) -> None:
        """Reject unknown fields (with a suggestion for a typo) and missing ones."""
        allowed = set(allowed)
        for key in data:
            if not isinstance(key, str) or key not in allowed:
                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.error(f"unknown field{extra}", field=f"{prefix}{key}", **where)
        for key in required:
            if key not in data:
                raise self.error("missing", field=f"{prefix}{key}", **where)

    def mapping(self, value: object, **where: str | None) -> Mapping[Any, Any]:
        if not isinstance(value, dict):
            raise self.error(f"must be a mapping, not a {_kind(value)}", **where)
        return value

    def slug(self, value: object, pattern: re.Pattern[str], **where: str | None) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.error(f"must be text, not a {_kind(value)}", **where)
        text = str(value)
        if not pattern.match(text):
            raise self.error(
                f"{text!r} must use only lowercase letters a-z, digits and '_' "
                "(at most 64 characters)",
                **where,
            )
        return text

    def texts(
        self, value: object, *, optional: bool = False, **where: str | None
    ) -> TextMap | None:
        """Check a language -> text mapping that must cover every offered language."""
        if value is None and optional:
            return None
        data = self.mapping(value, **where)
        for code, text in data.items():
            if code not in self.langs:
                raise self.error(
                    f"language {code!r} is not offered by this survey (languages: "
                    f"{', '.join(self.langs)})",
                    **where,
                )
            if not isinstance(text, str):
                hint = " (put it in quotes)" if isinstance(text, (bool, int, float)) else ""
                raise self.error(
                    f"language {code!r} must be text, not a {_kind(text)}{hint}", **where
                )
            if not text.strip():
                raise self.error(f"language {code!r} is empty", **where)
        for code in self.langs:
            if code not in data:
                raise self.error(f"missing language {code!r}", **where)
        return TextMap((code, data[code].strip()) for code in self.langs)

    def audio(self, value: object, **where: str | None) -> TextMap:
        if value is None:
            return _EMPTY
        data = self.mapping(value, **where)
        out = {}
        for code, rel in data.items():
            if code not in self.langs:
                raise self.error(f"language {code!r} is not offered by this survey", **where)
            if not isinstance(rel, str) or not rel.strip():
                raise self.error(f"language {code!r} must be a file path", **where)
            rel = rel.strip()
            parts = Path(rel).parts
            if rel.startswith(("/", "\\")) or os.path.isabs(rel) or ".." in parts or "\\" in rel:
                raise self.error(
                    f"{rel!r} must be a path relative to the survey file, like "
                    f"audio/{self.stem}/{code}/question.mp3",
                    **where,
                )
            if not rel.lower().endswith(AUDIO_EXTENSIONS):
                raise self.error(
                    f"{rel!r} must be a recording ({', '.join(AUDIO_EXTENSIONS)})", **where
                )
            if not (self.base_dir / rel).is_file():
                raise self.error(
                    f"audio file {rel!r} for language {code!r} does not exist beside the "
                    "survey file",
                    **where,
                )
            out[code] = rel
        return TextMap((code, out[code]) for code in self.langs if code in out)

    # -- the survey

    def build(self, data: Mapping[Any, Any]) -> SurveyDefinition:
        self.check_fields(data, _TOP_FIELDS, required=[k for k, r in _TOP_FIELDS.items() if r])
        survey_id = self.slug(data["id"], _SLUG, field="id")
        if survey_id != self.stem:
            raise self.error(
                f"the id {survey_id!r} must equal the file name without .yaml ({self.stem!r})",
                field="id",
            )
        version = data["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.error("must be a whole number of at least 1", field="version")

        languages = self.languages(data["languages"])
        self.langs = tuple(lang.code for lang in languages)
        default = data.get("default_language", "nl")
        if default not in self.langs:
            raise self.error(
                f"{default!r} is not one of the survey's languages", field="default_language"
            )
        texts = {
            key: self.texts(data[key], field=key)
            for key in ("title", "intro", "thanks", "what_happens_next")
        }
        questions = self.questions(data["questions"])
        defn = SurveyDefinition(
            id=survey_id,
            version=version,
            languages=languages,
            default_language=default,
            title=texts["title"],
            intro=texts["intro"],
            thanks=texts["thanks"],
            what_happens_next=texts["what_happens_next"],
            questions=questions,
            source_path=self.display,
        )
        return _with_hash(defn)

    def languages(self, value: object) -> tuple[Language, ...]:
        if not isinstance(value, list) or not value:
            raise self.error(
                "must be a list such as '- {code: nl, reviewed: true}'", field="languages"
            )
        out: list[Language] = []
        for index, item in enumerate(value, start=1):
            where = f"languages[{index}]"
            entry = self.mapping(item, field=where)
            self.check_fields(
                entry, _LANGUAGE_FIELDS, required=("code", "reviewed"), prefix=f"{where}."
            )
            code = entry["code"]
            if code not in ALL_LANGUAGES:
                raise self.error(
                    f"unknown language {code!r} (choose from {', '.join(ALL_LANGUAGES)})",
                    field=f"{where}.code",
                )
            if code in (lang.code for lang in out):
                raise self.error(f"language {code!r} is listed twice", field=f"{where}.code")
            if not isinstance(entry["reviewed"], bool):
                raise self.error("must be true or false", field=f"{where}.reviewed")
            out.append(Language(code=code, reviewed=entry["reviewed"]))
        return tuple(out)

    # -- questions

    def questions(self, value: object) -> tuple[Question, ...]:
        if not isinstance(value, list) or not value:
            raise self.error("must be a list with at least one question", field="questions")
        self.all_ids = {item.get("id") for item in value if isinstance(item, dict)}
        built: list[Question] = []
        for index, item in enumerate(value, start=1):
            built.append(self.question(item, index, built))
        return tuple(built)

    def question(self, item: object, index: int, earlier: list[Question]) -> Question:
        data = self.mapping(item, field=f"questions[{index}]")
        raw_id = data.get("id")
        if raw_id is None:
            raise self.error("missing", field=f"questions[{index}].id")
        qid = self.slug(raw_id, _SLUG, field=f"questions[{index}].id")
        if any(q.id == qid for q in earlier):
            raise self.error("question id is used twice in this survey", question=qid, field="id")

        self.check_fields(data, _ALL_QUESTION_FIELDS, required=("type", "text"), question=qid)
        qtype = data["type"]
        if qtype not in QUESTION_TYPES:
            hint = difflib.get_close_matches(str(qtype), QUESTION_TYPES, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise self.error(
                f"unknown type {qtype!r}{extra}; choose from {', '.join(QUESTION_TYPES)}",
                question=qid,
                field="type",
            )
        allowed = _QUESTION_COMMON | _QUESTION_EXTRA[qtype]
        for key in data:
            if key not in allowed:
                raise self.error(
                    f"is not used by a question of type {qtype!r}", question=qid, field=key
                )

        required = data.get("required", False)
        if not isinstance(required, bool):
            raise self.error("must be true or false", question=qid, field="required")

        options = self.options(qid, qtype, data.get("options"))
        kwargs: dict[str, Any] = {}
        if qtype == "free_text":
            max_length = data.get("max_length", DEFAULT_MAX_LENGTH)
            if (
                isinstance(max_length, bool)
                or not isinstance(max_length, int)
                or not (0 < max_length <= MAX_MAX_LENGTH)
            ):
                raise self.error(
                    f"must be a whole number from 1 to {MAX_MAX_LENGTH}",
                    question=qid,
                    field="max_length",
                )
            kwargs["max_length"] = max_length
        if qtype == "number":
            for key in ("min_value", "max_value"):
                number = data.get(key)
                if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
                    raise self.error("must be a whole number", question=qid, field=key)
                kwargs[key] = number
            low, high = kwargs["min_value"], kwargs["max_value"]
            if low is not None and high is not None and low > high:
                raise self.error(
                    f"must not be larger than max_value ({high})", question=qid, field="min_value"
                )

        return Question(
            id=qid,
            type=qtype,
            text=self.texts(data["text"], question=qid, field="text"),
            help=self.texts(data.get("help"), optional=True, question=qid, field="help"),
            options=options,
            required=required,
            show_if=self.show_if(qid, data.get("show_if"), earlier),
            sensitive_note=self.texts(
                data.get("sensitive_note"), optional=True, question=qid, field="sensitive_note"
            ),
            audio=self.audio(data.get("audio"), question=qid, field="audio"),
            **kwargs,
        )

    def options(self, qid: str, qtype: str, value: object) -> tuple[Option, ...]:
        if qtype in ("number", "free_text"):
            return ()
        generated = _generated_options(qtype)
        if value is None:
            if not generated:
                raise self.error(
                    "missing; a choice question needs at least two options",
                    question=qid,
                    field="options",
                )
            return tuple(self.restrict(o) for o in generated)
        if not isinstance(value, list):
            raise self.error(f"must be a list, not a {_kind(value)}", question=qid, field="options")
        if not generated and len(value) < 2:
            raise self.error(
                "a choice question needs at least two options", question=qid, field="options"
            )

        parsed: dict[str, Mapping[Any, Any]] = {}
        for index, item in enumerate(value, start=1):
            data = self.mapping(item, question=qid, field=f"options[{index}]")
            if "value" not in data:
                raise self.error("missing", question=qid, field=f"options[{index}].value")
            raw = data["value"]
            if isinstance(raw, bool):
                raise self.error(
                    "YAML reads yes/no/true/false as a yes-no value; put the value in quotes, "
                    'e.g. value: "yes"',
                    question=qid,
                    field=f"options[{index}].value",
                )
            val = self.slug(raw, _VALUE, question=qid, field=f"options[{index}].value")
            if val in parsed:
                raise self.error(f"duplicate value {val!r}", question=qid, field="options")
            self.check_fields(data, _OPTION_FIELDS, question=qid, option=val)
            parsed[val] = data

        if not generated:
            out = []
            for val, data in parsed.items():
                if "text" not in data:
                    raise self.error("missing", question=qid, option=val, field="text")
                out.append(self.option(qid, val, data, None))
            return tuple(out)

        # scale / yes_no: options only override texts or add audio of generated ones.
        known = [o.value for o in generated]
        for val in parsed:
            if val not in known:
                raise self.error(
                    f"a {qtype} question has the values {', '.join(known)}; "
                    f"{val!r} is not one of them",
                    question=qid,
                    field="options",
                )
        out = []
        for gen in generated:
            if gen.value in parsed:
                out.append(self.option(qid, gen.value, parsed[gen.value], gen))
            else:
                out.append(self.restrict(gen))
        return tuple(out)

    def option(self, qid: str, val: str, data: Mapping[Any, Any], gen: Option | None) -> Option:
        if gen is not None and "icon" in data:
            raise self.error(
                "the pictograms of scale and yes_no answers are fixed",
                question=qid,
                option=val,
                field="icon",
            )
        icon = data.get("icon")
        if icon is not None:
            icon = self.slug(icon, _SLUG, question=qid, option=val, field="icon")
        if "text" in data:
            text = self.texts(data["text"], question=qid, option=val, field="text")
        else:
            assert gen is not None
            text = self.restrict(gen).text
        return Option(
            value=val,
            text=text,
            icon=gen.icon if gen is not None else icon,
            audio=self.audio(data.get("audio"), question=qid, option=val, field="audio"),
        )

    def restrict(self, option: Option) -> Option:
        """Keep only the texts of the languages this survey offers."""
        return Option(
            value=option.value,
            text=TextMap((c, option.text[c]) for c in self.langs),
            icon=option.icon,
            audio=option.audio,
        )

    def show_if(self, qid: str, value: object, earlier: list[Question]) -> Condition | None:
        if value is None:
            return None
        data = self.mapping(value, question=qid, field="show_if")
        self.check_fields(
            data, _SHOW_IF_FIELDS, required=("question",), prefix="show_if.", question=qid
        )
        target_id = data["question"]
        target = next((q for q in earlier if q.id == target_id), None)
        if target is None:
            if target_id == qid:
                problem = "a question cannot depend on itself"
            elif target_id in self.all_ids:
                problem = (
                    f"question {target_id!r} comes after this one; show_if can only refer to "
                    "an earlier question"
                )
            else:
                problem = f"refers to {target_id!r}, which is not a question of this survey"
            raise self.error(problem, question=qid, field="show_if")
        if not target.has_options:
            raise self.error(
                f"question {target_id!r} is of type {target.type!r}; show_if needs a question "
                "with options (single_choice, multiple_choice, scale, yes_no)",
                question=qid,
                field="show_if",
            )
        if ("equals" in data) == ("any_of" in data):
            raise self.error(
                "give exactly one of 'equals' and 'any_of'", question=qid, field="show_if"
            )
        if "equals" in data:
            values: tuple[str, ...] = (self.condition_value(qid, data["equals"]),)
        else:
            raw = data["any_of"]
            if not isinstance(raw, list) or not raw:
                raise self.error(
                    "'any_of' must be a non-empty list of values", question=qid, field="show_if"
                )
            values = tuple(self.condition_value(qid, v) for v in raw)
        for val in values:
            if val not in target.option_values:
                raise self.error(
                    f"question {target_id!r} has no option {val!r} "
                    f"(its values: {', '.join(target.option_values)})",
                    question=qid,
                    field="show_if",
                )
        if "equals" in data:
            return Condition(question=target_id, equals=values[0])
        return Condition(question=target_id, any_of=values)

    def condition_value(self, qid: str, value: object) -> str:
        # YAML 1.1 reads an unquoted yes/no as a boolean; a condition on a yes_no
        # question is the common case, so accept it rather than make staff quote it.
        if value is True:
            return "yes"
        if value is False:
            return "no"
        if isinstance(value, (int, str)):
            return str(value)
        raise self.error(
            f"a value must be text, not a {_kind(value)}", question=qid, field="show_if"
        )


def _generated_options(qtype: str) -> tuple[Option, ...]:
    if qtype == "scale":
        return tuple(
            Option(value=v, text=TextMap(SCALE_LABELS[v]), icon=icon) for v, icon in SCALE_FACES
        )
    if qtype == "yes_no":
        return tuple(Option(value=v, text=TextMap(t), icon=i) for v, i, t in YES_NO_OPTIONS)
    return ()

