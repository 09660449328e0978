"""Plain notes on a theme's languages, and quotes chosen across languages."""

import numpy as np
import pytest

from klankbord.analysis import (
    dominant_language,
    dominant_language_note,
    language_mix_note,
    representatives_across_languages,
)
from klankbord.analysis._labels import representatives


@pytest.mark.parametrize(
    "languages, lang, expected",
    [
        ({"ti": 8, "nl": 2}, "en", "Raised mainly in Tigrinya (8 of 10 responses)."),
        ({"ti": 8, "nl": 2}, "nl", "Vooral genoemd in het Tigrinya (8 van de 10 reacties)."),
        ({"fa": 6}, "en", "Raised only in Farsi (Persian) (all 6 responses)."),
        ({"ar": 6}, "nl", "Alleen genoemd in het Arabisch (alle 6 reacties)."),
        ({"ti": 5, "nl": 5}, "en", None),
        ({"unknown": 9, "nl": 1}, "en", None),
        ({}, "en", None),
    ],
)
def test_dominant_language_note(languages, lang, expected):
    assert dominant_language_note(languages, lang) == expected


def test_dominance_is_not_noted_when_the_whole_input_is_that_language():
    overall = {"nl": 90, "ar": 10}
    assert dominant_language_note({"nl": 10}, "en", overall=overall) is None
    assert dominant_language_note({"ar": 7, "nl": 1}, "en", overall=overall) == (
        "Raised mainly in Arabic (7 of 8 responses)."
    )


def test_threshold_and_mix_note():
    assert dominant_language({"uk": 6, "tr": 4}, threshold=0.6) == "uk"
    assert dominant_language({"uk": 6, "tr": 4}, threshold=0.7) is None
    assert language_mix_note({"nl": 5, "ar": 4, "en": 2}, "en") == (
        "Raised in 3 languages: Dutch (5), Arabic (4), English (2)."
    )
    assert language_mix_note({"nl": 5, "ar": 4}, "nl") == (
        "Genoemd in 2 talen: Nederlands (5), Arabisch (4)."
    )
    assert language_mix_note({"nl": 5}, "en") is None


def _unit(rows):
    X = np.asarray(rows, dtype=np.float32)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def test_representatives_cover_languages_and_keep_translations():
    # 0-3 Dutch (0 most central), 4 an Arabic translation of 0 (cosine 0.99), 5 English
    X = _unit([[1, 0, 0], [1, 0.55, 0], [1, -0.55, 0], [1, 0, -0.58], [1, 0.05, 0], [1, 0, 0.6]])
    langs = ["nl", "nl", "nl", "nl", "ar", "en"]
    keys = [f"t{i}" for i in range(6)]
    members = np.arange(6)
    centre = _unit([[1, 0, 0]])[0]
    reps = representatives_across_languages(X, members, centre, langs, keys, n=3)
    assert reps == (0, 4, 5)  # one per language, largest language first; the translation stays
    # centrality alone would have picked three Dutch texts (and dropped the translation)
    assert {langs[i] for i in representatives(X, members, centre, keys, n=3)} == {"nl"}


def test_representatives_skip_near_duplicates_within_a_language():
    X = _unit([[1, 0, 0], [1, 0.01, 0], [1, 0.8, 0]])
    reps = representatives_across_languages(
        X, np.arange(3), _unit([[1, 0, 0]])[0], ["nl"] * 3, ["a", "b", "c"], n=3
    )
    assert reps == (0, 2)


def test_one_language_gives_the_same_quotes_as_before():
    rng = np.random.RandomState(0)
    X = _unit(rng.normal(size=(30, 6)) + np.array([3, 0, 0, 0, 0, 0]))
    members = np.arange(30)
    centre = _unit([X.mean(axis=0)])[0]
    keys = [str(i) for i in range(30)]
    assert representatives_across_languages(X, members, centre, ["nl"] * 30, keys, n=5) == (
        representatives(X, members, centre, keys, n=5)
    )
