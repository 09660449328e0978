"""Fixtures for the analysis engine: plain data, no Flask app."""

import json
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
PLATFORM = Path(__file__).resolve().parents[2] / "platform"

try:  # the package is normally installed (pip install -e .); fall back to the tree
    import klankbord.analysis  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(PLATFORM))


def _load(name):
    with open(DATA / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def feedback():
    """57 answers on three themes (housing, language, work) in nl, en and ar."""
    return _load("feedback_mixed.jsonl")


@pytest.fixture(scope="session")
def dutch(feedback):
    """The Dutch answers only: three clearly separated themes."""
    return [r for r in feedback if r["lang"] == "nl"]
