"""Load and validate the survey definitions in ``surveys/*.yaml``.

This module is pure Python (stdlib and PyYAML): no Flask, no SQLAlchemy, no
database. It turns one YAML file into a frozen :class:`SurveyDefinition` or
raises :class:`SurveyDefinitionError` with a message that names the file, the
question and the field, so that a member of a municipality's staff who edits a
file can find the mistake without reading Python::

    surveys/koken.yaml: question 'kitchen_access': field 'text': missing language 'ti'

The file format is documented for staff in ``surveys/README.md``. Decisions
worth knowing when building on this module:

* Every question is optional unless the file says ``required: true``
  (trauma-informed default: a resident may always skip).
* ``scale`` and ``yes_no`` questions get their options generated here, with a
  face pictogram per scale value and texts in all seven languages, so that
  every survey shows the same faces and the same words. A file may override a
  generated option's text or add a recording, but not add or remove values.
* ``content_hash`` is computed from the *normalised* definition (what a
  resident sees, generated options included), not from the raw bytes: comments,
  whitespace and key order do not make a new version, a changed word does.
* YAML is parsed with ``yaml.safe_load``. Because PyYAML silently keeps the
  last of two equal keys, the node tree is also composed (``yaml.compose``,
  which builds no Python objects) to report a duplicated key with its line.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from klankbord.core.languages import LANGUAGES, text_in

__all__ = [
    "ALL_LANGUAGES",
    "AUDIO_EXTENSIONS",
    "DEFAULT_MAX_LENGTH",
    "QUESTION_TYPES",
    "SCALE_FACES",
    "Condition",
    "Language",
    "Option",
    "Question",
    "SurveyDefinition",
    "SurveyDefinitionError",
    "TextMap",
    "load_all",
    "load_definition",
    "visible_questions",
]

#: Language codes a survey may offer, in the order staff pages list them.
ALL_LANGUAGES: tuple[str, ...] = LANGUAGES

#: Question types, and which ones have options a ``show_if`` can refer to.
QUESTION_TYPES: tuple[str, ...] = (
    "single_choice",
    "multiple_choice",
    "scale",
    "yes_no",
    "number",
    "free_text",
)
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "scale", "yes_no"})

#: Default and ceiling for the length of a free-text answer, in characters.
DEFAULT_MAX_LENGTH = 1000
MAX_MAX_LENGTH = 10_000

#: Largest YAML file accepted; a survey of 12 questions in 7 languages is ~60 kB.
MAX_FILE_BYTES = 1_000_000

#: Recording formats that phones play without a plugin.
AUDIO_EXTENSIONS: tuple[str, ...] = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".webm")

#: Scale values with the pictogram id of the face shown for each (1 = worst).
SCALE_FACES: tuple[tuple[str, str], ...] = (
    ("1", "face_very_unhappy"),
    ("2", "face_unhappy"),
    ("3", "face_neutral"),
    ("4", "face_happy"),
    ("5", "face_very_happy"),
)

SCALE_LABELS: dict[str, dict[str, str]] = {
    "1": {
        "nl": "Heel slecht",
        "en": "Very bad",
        "ar": "سيئ جدًا",
        "ti": "ብጣዕሚ ሕማቕ",
        "fa": "خیلی بد",
        "tr": "Çok kötü",
        "uk": "Дуже погано",
    },
    "2": {
        "nl": "Slecht",
        "en": "Bad",
        "ar": "سيئ",
        "ti": "ሕማቕ",
        "fa": "بد",
        "tr": "Kötü",
        "uk": "Погано",
    },
    "3": {
        "nl": "Gaat wel",
        "en": "Okay",
        "ar": "مقبول",
        "ti": "ማእከላይ",
        "fa": "متوسط",
        "tr": "İdare eder",
        "uk": "Нормально",
    },
    "4": {
        "nl": "Goed",
        "en": "Good",
        "ar": "جيد",
        "ti": "ጽቡቕ",
        "fa": "خوب",
        "tr": "İyi",
        "uk": "Добре",
    },
    "5": {
        "nl": "Heel goed",
        "en": "Very good",
        "ar": "جيد جدًا",
        "ti": "ብጣዕሚ ጽቡቕ",
        "fa": "خیلی خوب",
        "tr": "Çok iyi",
        "uk": "Дуже добре",
    },
}

#: Values of a ``yes_no`` question with their pictogram ids and texts.
YES_NO_OPTIONS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "yes",
        "answer_yes",
        {"nl": "Ja", "en": "Yes", "ar": "نعم", "ti": "እወ", "fa": "بله", "tr": "Evet", "uk": "Так"},
    ),
    (
        "no",
        "answer_no",
        {"nl": "Nee", "en": "No", "ar": "لا", "ti": "ኣይፋል", "fa": "نه", "tr": "Hayır", "uk": "Ні"},
    ),
    (
        "dont_know",
        "answer_dont_know",
        {
            "nl": "Weet ik niet",
            "en": "I don't know",
            "ar": "لا أعرف",
            "ti": "ኣይፈልጥን",
            "fa": "نمی‌دانم",
            "tr": "Bilmiyorum",
            "uk": "Не знаю",
        },
    ),
)

_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_VALUE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")

_TOP_FIELDS = {
    "id": True,
    "version": True,
    "languages": True,
    "default_language": False,
    "title": True,
    "intro": True,
    "thanks": True,
    "what_happens_next": True,
    "questions": True,
}
_QUESTION_COMMON = {"id", "type", "text", "help", "required", "show_if", "sensitive_note", "audio"}
_QUESTION_EXTRA = {
    "single_choice": {"options"},
    "multiple_choice": {"options"},
    "scale": {"options"},
    "yes_no": {"options"},
    "number": {"min_value", "max_value"},
    "free_text": {"max_length"},
}
_ALL_QUESTION_FIELDS = _QUESTION_COMMON.union(*_QUESTION_EXTRA.values())
_OPTION_FIELDS = {"value", "text", "icon", "audio"}
_LANGUAGE_FIELDS = {"code", "reviewed"}
_SHOW_IF_FIELDS = {"question", "equals", "any_of"}


class SurveyDefinitionError(Exception):
    """A survey file cannot be used; the message says where and why.

    The parts are also kept as attributes (``path``, ``question``, ``option``,
    ``field``, ``problem``) so that a command or a test can use them.
    """

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        question: str | None = None,
        option: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.problem = problem
        self.question = question
        self.option = option
        self.field = field
        parts = [path]
        if question is not None:
            parts.append(f"question {question!r}")
        if option is not None:
            parts.append(f"option {option!r}")
        if field is not None:
            parts.append(f"field {field!r}")
        parts.append(problem)
        super().__init__(": ".join(parts))


class TextMap(Mapping[str, str]):
    """An immutable, hashable mapping (language code -> text, or -> audio path).

    ``types.MappingProxyType`` would be read-only too, but it cannot be hashed,
    which would make the frozen dataclasses below unhashable.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"TextMap({self._data!r})"


_EMPTY = TextMap()


@dataclass(frozen=True)
class Language:
    """A language a survey offers; ``reviewed`` says a native speaker checked it."""

    code: str
    reviewed: bool


@dataclass(frozen=True)
class Option:
    """One answer a resident can choose; ``value`` is what is stored."""

    value: str
    text: Mapping[str, str]
    icon: str | None = None
    #: Language code -> recording path, relative to the directory of the YAML file.
    audio: Mapping[str, str] = _EMPTY


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier question's answer has a given value.

    Exactly one of ``equals`` and ``any_of`` is set. For a multiple-choice
    question the condition holds when any chosen value matches.
    """

    question: str
    equals: str | None = None
    any_of: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        """Return the values that make the condition true."""
        return (self.equals,) if self.equals is not None else self.any_of

    def matches(self, answer: object) -> bool:
        """Return whether ``answer`` (a value, a list of values or None) meets the condition."""
        if answer is None:
            return False
        if isinstance(answer, (list, tuple, set, frozenset)):
            given = {str(a) for a in answer}
        else:
            given = {str(answer)}
        return not given.isdisjoint(self.values)


@dataclass(frozen=True)
class Question:
    """One question; which fields matter depends on ``type``."""

    id: str
    type: str
    text: Mapping[str, str]
    help: Mapping[str, str] | None = None
    options: tuple[Option, ...] = ()
    required: bool = False
    show_if: Condition | None = None
    #: A short note shown before a sensitive question, e.g. "You may skip this".
    sensitive_note: Mapping[str, str] | None = None
    #: Free text only: the most characters an answer may have.
    max_length: int | None = None
    #: Number only: the smallest and largest answers allowed (both optional).
    min_value: int | None = None
    max_value: int | None = None
    #: Language code -> recording path, relative to the directory of the YAML file.
    audio: Mapping[str, str] = _EMPTY

    @property
    def has_options(self) -> bool:
        """Return whether the answer is chosen from ``options``."""
        return self.type in CHOICE_TYPES

    @property
    def option_values(self) -> tuple[str, ...]:
        """Return the values of the options, in order."""
        return tuple(o.value for o in self.options)

    def option(self, value: str) -> Option:
        """Return the option with ``value``; raise ``KeyError`` if there is none."""
        for opt in self.options:
            if opt.value == value:
                return opt
        raise KeyError(value)


@dataclass(frozen=True)
class SurveyDefinition:
    """A validated survey as read from one YAML file."""

    id: str
    version: int
    languages: tuple[Language, ...] = field(repr=False)
    default_language: str = field(repr=False)
    title: Mapping[str, str] = field(repr=False)
    intro: Mapping[str, str] = field(repr=False)
    thanks: Mapping[str, str] = field(repr=False)
    #: Shown on the thank-you page: what the municipality does with the answers.
    what_happens_next: Mapping[str, str] = field(repr=False)
    questions: tuple[Question, ...] = field(repr=False)
    #: The path the file was loaded from, as given; not part of equality or the hash.
    source_path: str = field(compare=False)
    #: sha256 (hex) of the canonical JSON of everything above except source_path.
    content_hash: str = ""

    @property
    def language_codes(self) -> tuple[str, ...]:
        """Return the codes of the languages offered, in file order."""
        return tuple(lang.code for lang in self.languages)

    def language(self, code: str) -> Language:
        """Return the offered language with ``code``; raise ``KeyError`` if not offered."""
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)

    def question(self, question_id: str) -> Question:
        """Return the question with ``question_id``; raise ``KeyError`` if there is none."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def text(self, mapping_or_field: Mapping[str, str] | str | None, lang: str) -> str:
        """Return a text in ``lang``, falling back to the survey's default language first
        (the one rule of ``core.languages``).

        ``mapping_or_field`` is a language mapping (``question.text``) or the name
        of a survey-level text field (``"title"``, ``"intro"``, ``"thanks"``,
        ``"what_happens_next"``). ``None`` gives an empty string.
        """
        if isinstance(mapping_or_field, str):
            if mapping_or_field not in ("title", "intro", "thanks", "what_happens_next"):
                raise KeyError(mapping_or_field)
            mapping: Mapping[str, str] | None = getattr(self, mapping_or_field)
        else:
            mapping = mapping_or_field
        return text_in(mapping, lang, default=self.default_language)


def visible_questions(defn: SurveyDefinition, answers: Mapping[str, object]) -> list[Question]:
    """Return the questions to show given the answers so far, applying ``show_if``.

    A question whose condition refers to a hidden question is hidden too, so an
    answer left behind after a resident went back and changed an earlier answer
    does not open a branch. ``answers`` maps question ids to a value, a list of
    values (multiple choice) or None.
    """
    shown: list[Question] = []
    visible_ids: set[str] = set()
    for q in defn.questions:
        cond = q.show_if
        if cond is None or (
            cond.question in visible_ids and cond.matches(answers.get(cond.question))
        ):
            shown.append(q)
            visible_ids.add(q.id)
    return shown


def load_definition(path: str | os.PathLike[str]) -> SurveyDefinition:
    """Read, validate and return the survey in the YAML file at ``path``."""
    display = os.fspath(path)
    data = _read_yaml(Path(path), display)
    return _Builder(display, Path(path).parent, Path(path).stem).build(data)


def load_all(directory: str | os.PathLike[str]) -> list[SurveyDefinition]:
    """Load every ``*.yaml`` file directly in ``directory``, sorted by survey id.

    Files starting with ``_`` or ``.`` are skipped (drafts). Two files with the
    same survey id are an error.
    """
    base = os.fspath(directory)
    names = sorted(
        n
        for n in os.listdir(base)
        if n.endswith((".yaml", ".yml")) and not n.startswith(("_", "."))
    )
    seen: dict[str, str] = {}
    defs = []
    for name in names:
        path = os.path.join(base, name)
        if not os.path.isfile(path):
            continue
        defn = load_definition(path)
        if defn.id in seen:
            raise SurveyDefinitionError(
                path, f"survey id {defn.id!r} is also used by {seen[defn.id]}", field="id"
            )
        seen[defn.id] = path
        defs.append(defn)
    return sorted(defs, key=lambda d: d.id)


# --------------------------------------------------------------------------- reading


def _read_yaml(path: Path, display: str) -> dict[str, Any]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SurveyDefinitionError(display, f"cannot read file ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise SurveyDefinitionError(
            display, f"file is too large ({size} bytes; at most {MAX_FILE_BYTES})"
        )
    raw = path.read_bytes()[: MAX_FILE_BYTES + 1]
    if len(raw) > MAX_FILE_BYTES:
        raise SurveyDefinitionError(display, f"file is too large (at most {MAX_FILE_BYTES} bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyDefinitionError(
            display, f"file is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    _refuse_deep_nesting(text, display)
    try:
        _refuse_aliases(text, display)
        data = yaml.safe_load(text)
        _check_duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader), display)
    except yaml.YAMLError as exc:
        raise SurveyDefinitionError(display, f"invalid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:  # thousands of nested brackets: PyYAML parses recursively
        raise SurveyDefinitionError(display, "invalid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_kind(data)}"
        raise SurveyDefinitionError(
            display, f"the file must be a mapping of fields (id, version, ...), but it is {kind}"
        )
    return data


#: Survey files nest a few levels; PyYAML slows down quadratically (and then recurses too
#: deep) on thousands of nested brackets, so such a file is refused before parsing.
MAX_NESTING = 64


def _refuse_deep_nesting(text: str, display: str) -> None:
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    indents = (len(line) - len(line.lstrip(" ")) for line in text.splitlines())
    if deepest > MAX_NESTING or max(indents, default=0) > MAX_NESTING * 8:
        raise SurveyDefinitionError(
            display, f"invalid YAML: nested more than {MAX_NESTING} levels deep"
        )


def _refuse_aliases(text: str, display: str) -> None:
    """Refuse anchors and aliases (``&x`` / ``*x``): survey files do not need them, and nested
    aliases make a small file expand exponentially (a "billion laughs" file hangs the loader)."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else 0
            raise SurveyDefinitionError(
                display, f"anchors and aliases (*{event.anchor}) are not allowed (line {line})"
            )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return problem


def _check_duplicate_keys(node: yaml.Node | None, display: str) -> None:
    """Reject a mapping with the same key twice (PyYAML would keep the last silently)."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in keys:
                        line = key_node.start_mark.line + 1
                        raise SurveyDefinitionError(
                            display, f"key {key_node.value!r} appears twice (line {line})"
                        )
                    keys.add(key_node.value)
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "yes/no value"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if value is None:
        return "empty value"
    return type(value).__name__


# --------------------------------------------------------------------------- building


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


# --------------------------------------------------------------------------- hashing


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
