"""Dutch titles and one-line gists for themes, without a network or a large model.

Why: keyword lists mixing scripts ("الطبخ, food, їжу") are not a title a Dutch council member
can read. A theme is named, in this order of preference:

1. its most central Dutch text (among the more central half of its members), shortened at a
   clause boundary to a readable phrase (``source="dutch_text"``);
2. else the nearest topic of the shipped **codebook** of reception-life subjects
   (``data/codebook.json``, built by ``benchmarks/build_codebook.py`` from the positions paper's
   themes and the surveys' own texts in seven languages), matched across languages, when it is
   close enough (``source="codebook"``; the closeness is kept as ``topic_score``); a weaker match
   (at least half the threshold) titles it as "Mogelijk: <topic>" (``source="codebook_weak"``),
   so a theme stays titled in Dutch with its uncertainty in plain sight;
3. else its most central English text (``source="english_text"``);
4. else its keywords (``source="keywords"``).

The gist is the codebook topic's Dutch gist when the topic is close enough, else the central
Dutch (or English) text in full, up to one line. The topic and its score are always given, so a
report can show how sure the match is. Keywords are computed per language, without stop words.

Codebook matching has two forms:

* **embeddings**: when the clusterer ran on the default embedding model and vectors of the
  codebook ship for it (``data/codebook-<model>.npz``), a theme's centre is compared with each
  topic's centroid (the mean over the seven languages, language offsets applied as for texts);
* **lexical**: otherwise, and for single texts at request time (live moderation), each text is
  compared with the topic's texts *in its own language* by character n-gram TF-IDF; a theme's
  score for a topic is the mean over its members.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from . import _text
from ._labels import ctfidf_terms

#: Centred cosine between a theme centre and a topic centroid (embedding path; both minus the
#: mean topic centroid, because raw e5 cosines all lie in 0.92-0.99) from which the topic is
#: used. On the demo's five subjects the right topic scored 0.39-0.75 and the best wrong one
#: at most 0.35 ("rust" for the privacy texts, a neighbouring topic).
EMBEDDING_MIN_SCORE = 0.3
#: Character n-gram cosine (lexical path) from which the topic is used. On the demo texts the
#: best topic scored a median 0.64 when right and 0.32 when wrong.
LEXICAL_MIN_SCORE = 0.35
#: Below the threshold but above this share of it, a topic still titles a theme that has no Dutch
#: text, marked "Mogelijk" (perhaps) with its score, rather than a title in another language.
WEAK_FACTOR = 0.5
#: The marker of such a weak match (the title is Dutch, so is the marker).
MAYBE_NL = "Mogelijk"

_CLAUSE_END = re.compile(r"(?<=[.!?;:؟。።፧])\s+|\s+[-–—]\s+")
_CLAUSE_SPLIT = re.compile(
    r",\s*|،\s*|፣\s*|\s+(?=(?:maar|omdat|want|zodat|dus|terwijl|anders|but|because|so|"
    r"although|while|ama|çünkü|але|бо|тому|ولكن|لأن|اما|چون|ግን)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Topic:
    """One codebook topic: Dutch and English title and gist, texts per language."""

    id: str
    title: dict[str, str]
    gist: dict[str, str]
    texts: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class ThemeName:
    """How a theme is named for a Dutch reader (see the module docstring)."""

    title: str
    gist: str
    source: str
    topic: str | None
    topic_title: str
    topic_score: float
    keywords: dict[str, tuple[str, ...]]


@cache
def load_codebook() -> tuple[Topic, ...]:
    """The shipped codebook of reception-life topics."""
    path = resources.files("klankbord.analysis") / "data" / "codebook.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Topic(
            id=t["id"],
            title=dict(t["title"]),
            gist=dict(t["gist"]),
            texts={lg: tuple(v) for lg, v in t["texts"].items()},
        )
        for t in data["topics"]
    )


def topic_by_id(topic_id: str | None) -> Topic | None:
    """The codebook topic with this id, or None."""
    return next((t for t in load_codebook() if t.id == topic_id), None)


def codebook_vectors_path(model: str):
    """Where the shipped codebook vectors of ``model`` live (named as the offsets file)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model.split("@")[0])
    return resources.files("klankbord.analysis") / "data" / f"codebook-{safe}.npz"


@cache
def _codebook_vectors(model: str) -> dict[str, np.ndarray]:
    path = codebook_vectors_path(model)
    if not path.is_file():
        return {}
    with path.open("rb") as fh, np.load(fh) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def shorten(text: str, max_words: int = 12, max_chars: int = 80) -> str:
    """Cut a text to a readable title: its first sentence, else its first clause, else words.

    Clause boundaries are sentence ends, commas and conjunctions such as "maar", "omdat",
    "because"; a clause of fewer than three words is joined with the next. Only when no
    boundary gives a short enough phrase are words cut, and then an ellipsis says so.
    """
    text = " ".join(text.split())
    if not text:
        return ""
    phrase = _CLAUSE_END.split(text, maxsplit=1)[0]
    if len(phrase.split()) > max_words or len(phrase) > max_chars:
        parts = [p for p in _CLAUSE_SPLIT.split(phrase) if p and p.strip()]
        acc = ""
        for part in parts:
            candidate = f"{acc} {part}".strip() if acc else part.strip()
            if len(candidate.split()) > max_words or len(candidate) > max_chars:
                break
            acc = candidate
            if len(acc.split()) >= 3:
                break
        if acc and len(acc.split()) >= 2:
            phrase = acc
        else:
            words = []
            for word in phrase.split():
                if len(words) >= max_words or len(" ".join([*words, word])) > max_chars - 1:
                    break
                words.append(word)
            phrase = " ".join(words or phrase.split()[:1]) + "…"
    phrase = phrase.strip().rstrip(".,;:!?،؛؟።፣ ")
    return phrase[:1].upper() + phrase[1:] if phrase else ""


def one_line(text: str, max_chars: int = 160) -> str:
    """The text on one line, cut at a word boundary with an ellipsis when longer than max_chars."""
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(".,;: ") + "…"


# -- codebook matching ----------------------------------------------------------------------------


class LexicalMatcher:
    """Per-language character n-gram TF-IDF over the codebook's texts; no model, microseconds.

    A text is compared only with topic texts in its own language, so it works for every
    language the codebook covers, including Tigrinya.
    """

    def __init__(self, topics: tuple[Topic, ...] | None = None):
        self.topics = topics if topics is not None else load_codebook()
        self._models: dict[str, tuple[TfidfVectorizer, np.ndarray, np.ndarray]] = {}
        languages = {lg for t in self.topics for lg in t.texts}
        for lg in sorted(languages):
            docs, owner = [], []
            for j, topic in enumerate(self.topics):
                for text in topic.texts.get(lg, ()):
                    docs.append(_text.normalise(text, lg))
                    owner.append(j)
            if docs:
                vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
                matrix = vec.fit_transform(docs)
                self._models[lg] = (vec, matrix, np.asarray(owner))

    def scores(self, texts: list[str], languages: list[str]) -> np.ndarray:
        """``(n_texts, n_topics)``: best cosine of each text with a topic text in its language."""
        out = np.zeros((len(texts), len(self.topics)), dtype=np.float32)
        by_lang: dict[str, list[int]] = {}
        for i, lg in enumerate(languages):
            if lg in self._models:
                by_lang.setdefault(lg, []).append(i)
        for lg, rows in by_lang.items():
            vec, matrix, owner = self._models[lg]
            q = vec.transform([_text.normalise(texts[i], lg) for i in rows])
            sims = (q @ matrix.T).toarray()
            for j in range(len(self.topics)):
                cols = owner == j
                if cols.any():
                    out[rows, j] = sims[:, cols].max(axis=1)
        return out


@cache
def lexical_matcher() -> LexicalMatcher:
    """The shared matcher over the shipped codebook (built once per process)."""
    return LexicalMatcher()


def codebook_centroids(vectorizer, dim: int) -> np.ndarray | None:
    """Topic centroids in an embedding vectoriser's space, or None when they cannot be had.

    Needs the fitted :class:`~klankbord.analysis._embed.EmbeddingVectorizer` of the default
    model (the shipped vectors are per model) and no TF-IDF block stacked beside it.
    """
    from ._embed import embedder_name

    embedder = getattr(vectorizer, "embedder_", None)
    if embedder is None:
        return None
    if getattr(vectorizer, "lsa_", None) is not None:
        # hybrid features: the centres' first columns are the embedding (see name_themes)
        dim = getattr(vectorizer, "embedding_dims_", None)
        if not dim:
            return None
    raw = _codebook_vectors(embedder_name(embedder))
    topics = load_codebook()
    if not raw:
        return None
    rows = []
    for topic in topics:
        vecs = []
        for lg in topic.texts:
            v = raw.get(f"{topic.id}:{lg}")
            if v is None or v.shape[0] != dim:
                return None
            v = normalize(v[None, :])
            if hasattr(vectorizer, "_offset"):  # the same language removal as for texts
                v = vectorizer._offset(v, [""], [lg])
            vecs.append(v[0])
        rows.append(np.mean(vecs, axis=0))
    return normalize(np.asarray(rows, dtype=np.float32))


def centred_cosine(X: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Cosine of rows of X with the centroids after removing the centroids' mean from both."""
    mean = centroids.mean(axis=0)
    return normalize(X - mean) @ normalize(centroids - mean).T


def match_text(text: str, language: str) -> tuple[Topic | None, float]:
    """The nearest codebook topic of one text in its own language, and the score (lexical).

    Returns ``(None, score)`` when the best score is below :data:`LEXICAL_MIN_SCORE`.
    """
    matcher = lexical_matcher()
    lang = _text.resolve_language(text, language)
    scores = matcher.scores([text], [lang])[0]
    if not scores.size:
        return None, 0.0
    j = int(np.argmax(scores))
    score = float(scores[j])
    return (matcher.topics[j] if score >= LEXICAL_MIN_SCORE else None), round(score, 3)


# -- naming ---------------------------------------------------------------------------------------


def keywords_by_language(
    analyses: list[list[tuple[str, str]]],
    labels: np.ndarray,
    languages: list[str],
    themes: list[int],
    n_terms: int = 5,
) -> dict[int, dict[str, tuple[str, ...]]]:
    """Distinctive words of each theme per language (class-based TF-IDF within the language).

    Stop words are gone from ``analyses`` (see ``_text.analyse``); keywords also leave out the
    longer function-word lists of :func:`_text.keyword_stopwords`, in all seven languages. A
    language's words are compared only with the same language's other themes, so one script
    never crowds out another.
    """
    analyses = [
        [(key, surface) for key, surface in words if key not in _text.keyword_stopwords(lg)]
        for words, lg in zip(analyses, languages, strict=True)
    ]
    out: dict[int, dict[str, tuple[str, ...]]] = {t: {} for t in themes}
    langs = np.asarray(languages)
    for lg in sorted(set(languages)):
        mask = langs == lg
        sub = np.where(mask, labels, -1)
        present = [t for t in themes if np.any(sub == t)]
        if not present:
            continue
        terms = ctfidf_terms(analyses, sub, present, n_terms=n_terms)
        for t in present:
            if terms[t]:
                out[t][lg] = tuple(terms[t])
    for t in themes:
        counts = {lg: int(np.sum((labels == t) & (langs == lg))) for lg in out[t]}
        out[t] = dict(sorted(out[t].items(), key=lambda kv: (-counts[kv[0]], kv[0])))
    return out


def _central_text(members, sims, languages, texts, lang) -> str | None:
    """The most central text in ``lang`` among the more central half of the members."""
    if not len(members):
        return None
    order = members[np.argsort(-sims, kind="stable")]
    half = order[: max(1, (len(order) + 1) // 2)]
    for i in half:
        if languages[i] == lang and texts[i].strip():
            return texts[i]
    return None


def name_themes(
    texts: list[str],
    languages: list[str],
    emb: np.ndarray,
    labels: np.ndarray,
    centres: np.ndarray,
    analyses: list[list[tuple[str, str]]],
    fallback_labels: dict[int, str],
    vectorizer=None,
) -> dict[int, ThemeName]:
    """A :class:`ThemeName` per theme id ``0..len(centres)-1`` (see the module docstring)."""
    themes = list(range(len(centres)))
    keywords = keywords_by_language(analyses, labels, languages, themes)
    topics = load_codebook()
    # With hybrid features only the leading embedding columns compare with the codebook.
    dims = getattr(vectorizer, "embedding_dims_", None) if vectorizer is not None else None
    model_centres = centres if not dims else normalize(centres[:, :dims])
    centroids = (
        codebook_centroids(vectorizer, model_centres.shape[1])
        if len(centres) and topics
        else None
    )
    if centroids is not None:
        topic_scores = centred_cosine(model_centres, centroids)
        threshold = EMBEDDING_MIN_SCORE
    else:
        per_text = lexical_matcher().scores(texts, languages)
        topic_scores = np.zeros((len(themes), len(topics)), dtype=np.float32)
        for t in themes:
            members = np.flatnonzero(labels == t)
            if len(members):
                topic_scores[t] = per_text[members].mean(axis=0)
        threshold = LEXICAL_MIN_SCORE
    out = {}
    for t in themes:
        members = np.flatnonzero(labels == t)
        sims = emb[members] @ centres[t] if len(members) else np.empty(0)
        topic, score = None, float("nan")
        if topics and len(topic_scores[t]):
            j = int(np.argmax(topic_scores[t]))
            topic, score = topics[j], round(float(topic_scores[t][j]), 3)
        close = topic is not None and score >= threshold
        weak = topic is not None and not close and score >= threshold * WEAK_FACTOR
        dutch = _central_text(members, sims, languages, texts, "nl")
        english = _central_text(members, sims, languages, texts, "en")
        if dutch:
            title, source = shorten(dutch), "dutch_text"
        elif close:
            title, source = topic.title["nl"], "codebook"
        elif weak:
            title, source = f"{MAYBE_NL}: {topic.title['nl']}", "codebook_weak"
        elif english:
            title, source = shorten(english), "english_text"
        else:
            title, source = fallback_labels.get(t) or f"thema {t + 1}", "keywords"
        if close:
            gist = topic.gist["nl"]
        elif dutch:
            gist = one_line(dutch)
        elif weak:
            gist = f"{MAYBE_NL}: {topic.gist['nl'][:1].lower()}{topic.gist['nl'][1:]}"
        elif english:
            gist = one_line(english)
        else:
            gist = ""
        out[t] = ThemeName(
            title=title,
            gist=gist,
            source=source,
            topic=topic.id if topic else None,
            topic_title=topic.title["nl"] if topic else "",
            topic_score=score,
            keywords=keywords[t],
        )
    return out


# -- a Dutch aid for a text a Dutch reader cannot read --------------------------------------------


@dataclass(frozen=True)
class DutchAid:
    """What a Dutch reader gets beside a non-Dutch text: **not a translation**.

    ``gist`` is the Dutch gist of the nearest codebook topic (``score`` says how close; starting
    "Mogelijk:" when no topic is close enough); ``dutch_text`` is the closest Dutch text of the
    same theme or agenda item (None when it has none).
    """

    topic_title: str
    gist: str
    score: float
    dutch_text: str | None


def dutch_aid(
    text: str,
    language: str | None,
    dutch_texts: list[str],
    *,
    vector: np.ndarray | None = None,
    dutch_vectors: list[np.ndarray | None] | None = None,
    theme_topic: tuple[Topic | None, float] | None = None,
) -> DutchAid | None:
    """A :class:`DutchAid` for one text, or None when the text is Dutch.

    The topic is the text's own nearest codebook topic in its language; when none is close
    enough, the theme's topic (``theme_topic``, already judged close by the caller). The Dutch
    text is the nearest by stored vectors when both sides have one, else the Dutch text on the
    same topic that matches it best, else the first (callers pass the most central first).
    """
    lang = _text.resolve_language(text, language)
    if lang == "nl":
        return None
    topic, score = match_text(text, lang)
    weak = False
    if topic is None and theme_topic is not None and theme_topic[0] is not None:
        topic, score = theme_topic
    if topic is None:
        # Nothing close: still say what it is most like, marked "Mogelijk" with its score, so
        # every non-Dutch text gets an aid.
        matcher = lexical_matcher()
        scores = matcher.scores([text], [lang])[0]
        if scores.size and scores.max() > 0:
            topic, score, weak = matcher.topics[int(np.argmax(scores))], float(scores.max()), True
    nearest = None
    candidates = [(i, t) for i, t in enumerate(dutch_texts) if t and t.strip()]
    if candidates and vector is not None and dutch_vectors is not None:
        scored = [
            (float(np.dot(vector, dutch_vectors[i])), i)
            for i, _ in candidates
            if i < len(dutch_vectors) and dutch_vectors[i] is not None
        ]
        if scored:
            nearest = dutch_texts[max(scored)[1]]
    if nearest is None and candidates and topic is not None:
        matcher = lexical_matcher()
        j = next(n for n, t in enumerate(matcher.topics) if t.id == topic.id)
        sims = matcher.scores([t for _, t in candidates], ["nl"] * len(candidates))[:, j]
        if sims.max() >= LEXICAL_MIN_SCORE:
            nearest = candidates[int(np.argmax(sims))][1]
    if nearest is None and candidates:
        nearest = candidates[0][1]
    if topic is None and nearest is None:
        return None
    gist = topic.gist["nl"] if topic else ""
    if weak:
        gist = f"{MAYBE_NL}: {gist[:1].lower()}{gist[1:]}"
    return DutchAid(
        topic_title=topic.title["nl"] if topic else "",
        gist=gist,
        score=round(float(score), 2) if topic else 0.0,
        dutch_text=one_line(nearest, 200) if nearest else None,
    )


def dutch_aids(
    texts: list[str], languages: list[str | None], groups: list
) -> list[DutchAid | None]:
    """:func:`dutch_aid` for many texts; the Dutch texts offered are those of the same group.

    ``groups`` holds one hashable key per text (a theme, an agenda item); texts are taken in the
    order given, so pass the most central or most supported first.
    """
    resolved = [_text.resolve_language(t, lg) for t, lg in zip(texts, languages, strict=True)]
    dutch_by_group: dict = {}
    for text, lang, group in zip(texts, resolved, groups, strict=True):
        if lang == "nl":
            dutch_by_group.setdefault(group, []).append(text)
    return [
        None if lang == "nl" else dutch_aid(text, lang, dutch_by_group.get(group, []))
        for text, lang, group in zip(texts, resolved, groups, strict=True)
    ]
