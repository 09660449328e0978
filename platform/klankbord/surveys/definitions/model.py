"""The frozen dataclasses a survey file becomes, its error, and which questions a resident sees."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from klankbord.core.languages import text_in
from klankbord.surveys.definitions.constants import CHOICE_TYPES


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

