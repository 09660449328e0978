"""Load one survey file or every survey file of a directory."""

from __future__ import annotations

import os
from pathlib import Path

from klankbord.surveys.definitions.building import _Builder
from klankbord.surveys.definitions.model import SurveyDefinition, SurveyDefinitionError
from klankbord.surveys.definitions.reading import _read_yaml


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

