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

The code lives in the modules of this package (``constants``, ``model``, ``reading``,
``building``, ``hashing``, ``loading``); every name is re-exported here, so callers import
from ``klankbord.surveys.definitions`` as before.
"""

from __future__ import annotations

from klankbord.surveys.definitions.building import (  # noqa: F401
    _Builder,
    _generated_options,
)
from klankbord.surveys.definitions.constants import (  # noqa: F401
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
    CHOICE_TYPES,
    DEFAULT_MAX_LENGTH,
    MAX_FILE_BYTES,
    MAX_MAX_LENGTH,
    QUESTION_TYPES,
    SCALE_FACES,
    SCALE_LABELS,
    YES_NO_OPTIONS,
)
from klankbord.surveys.definitions.hashing import (  # noqa: F401
    _with_hash,
    canonical_content,
)
from klankbord.surveys.definitions.loading import (  # noqa: F401
    load_all,
    load_definition,
)
from klankbord.surveys.definitions.model import (  # noqa: F401
    _EMPTY,
    Condition,
    Language,
    Option,
    Question,
    SurveyDefinition,
    SurveyDefinitionError,
    TextMap,
    visible_questions,
)
from klankbord.surveys.definitions.reading import (  # noqa: F401
    MAX_NESTING,
    _check_duplicate_keys,
    _kind,
    _read_yaml,
    _refuse_aliases,
    _refuse_deep_nesting,
    _yaml_problem,
)

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
