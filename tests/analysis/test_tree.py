"""Two-level theme tree (issue 15 item 5): top themes over the fitted themes, nested exactly."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from klankbord.analysis import FeedbackClusterer
from klankbord.analysis._tree import build_theme_tree, choose_n_top

N_TOP, N_SUB, PER_SUB, DIM = 6, 3, 8, 24


def _centres(rng):
    """6 well separated groups of 3 sub-centres each (fine ids in random group order)."""
    tops = np.eye(DIM)[:N_TOP] * 4.0
    centres, groups = [], []
    for g in range(N_TOP):
        for _ in range(N_SUB):
            centres.append(tops[g] + rng.normal(scale=0.3, size=DIM))
            groups.append(g)
    order = rng.permutation(len(centres))
    return np.array(centres)[order], np.array(groups)[order]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auto_cut_finds_the_separated_groups(seed):
    rng = np.random.default_rng(seed)
    centres, groups = _centres(rng)
    tree = build_theme_tree(centres, rng.integers(5, 50, size=len(centres)))
    assert tree.n_top == N_TOP
    assert adjusted_mutual_info_score(groups, tree.parent) == pytest.approx(1.0)
    # children list every fine theme once, under its parent
    flat = sorted(i for kids in tree.children for i in kids)
    assert flat == list(range(len(centres)))
    for t, kids in enumerate(tree.children):
        assert all(tree.parent[i] == t for i in kids)


def test_fixed_number_and_bounds():
    rng = np.random.default_rng(0)
    centres, _ = _centres(rng)
    sizes = np.full(len(centres), 10)
    assert build_theme_tree(centres, sizes, n_top=3).n_top == 3
    assert build_theme_tree(centres, sizes, n_top=100).n_top == len(centres)
    # fewer fine themes than the lower bound: every theme is its own top theme
    small = build_theme_tree(centres[:4], sizes[:4])
    assert small.n_top == 4 and sorted(small.parent) == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        build_theme_tree(centres, sizes, n_top=0)
    assert build_theme_tree(np.empty((0, DIM)), []).n_top == 0


def test_choose_n_top_picks_the_largest_jump_inside_the_range():
    # 20 fine themes; costs rise slowly, with a jump when going from 8 to 7 groups
    costs = np.linspace(1.0, 2.0, 19)
    costs[20 - 8] *= 10  # merge index m - n_top for n_top = 8
    assert choose_n_top(costs, 20, (5, 15)) == 8
    assert choose_n_top(costs, 20, (9, 15)) in range(9, 16)  # jump outside: stays in range


def test_top_labels_map_other_to_other():
    tree = build_theme_tree(np.eye(3), [5, 5, 5], n_top=2)
    labels = np.array([0, 1, 2, -1, 2])
    top = tree.top_labels(labels)
    assert top[3] == -1
    assert top[0] == tree.parent[0] and top[4] == tree.parent[2]


class GroupedEmbedder:
    """Text "g<top>s<sub> <n>": a vector near the sub-centre of a top group."""

    name = "grouped-test"

    def __init__(self):
        rng = np.random.default_rng(42)
        self.centres = {
            (g, s): np.eye(DIM)[g] * 4.0 + rng.normal(scale=0.6, size=DIM)
            for g in range(N_TOP)
            for s in range(N_SUB)
        }

    def __call__(self, texts):
        out = []
        for text in texts:
            code, n = text.split()
            g, s = int(code[1]), int(code[3])
            noise = np.random.default_rng(int(n) + 1000 * (g * N_SUB + s)).normal(
                scale=0.08, size=DIM
            )
            out.append(self.centres[(g, s)] + noise)
        return np.array(out, dtype=np.float32)


def _texts():
    return [f"g{g}s{s} {n}" for g in range(N_TOP) for s in range(N_SUB) for n in range(PER_SUB)]


def _clusterer(**kw):
    from klankbord.analysis import EmbeddingVectorizer

    vec = EmbeddingVectorizer(embedder=GroupedEmbedder(), language_offsets=None)
    return FeedbackClusterer(
        n_clusters=N_TOP * N_SUB, n_resamples=0, min_cluster_size=3, vectorizer=vec,
        outlier_z=np.inf, levels=2, **kw,
    )


def test_clusterer_two_levels_nest_and_score_at_both_granularities():
    texts = _texts()
    c = _clusterer().fit(texts, languages=["en"] * len(texts))
    fine = [t.split()[0] for t in texts]
    top = [t[:2] for t in texts]
    assert adjusted_mutual_info_score(fine, c.labels_) > 0.95
    assert c.tree_.n_top == N_TOP == len(c.top_themes_)
    assert adjusted_mutual_info_score(top, c.top_labels_) > 0.95
    # exact nesting: the top label of a text is the parent of its theme
    for lab, toplab in zip(c.labels_, c.top_labels_, strict=True):
        assert toplab == c.tree_.parent[lab]
    assert sum(t.size for t in c.top_themes_) == sum(t.size for t in c.themes_)
    for t in c.top_themes_:
        assert t.title and all(c.top_labels_[i] == t.id for i in t.representatives)
    # new texts: the top theme is the parent of the predicted theme
    new = ["g2s1 77", "g4s0 78"]
    np.testing.assert_array_equal(
        c.predict_top(new, languages=["en", "en"]),
        c.tree_.top_labels(c.predict(new, languages=["en", "en"])),
    )
    assert c.predict_top(new, languages=["en", "en"])[0] == c.top_labels_[texts.index("g2s1 0")]


def test_two_levels_do_not_depend_on_input_order():
    texts = _texts()
    base = _clusterer().fit(texts, languages=["en"] * len(texts))
    order = np.random.default_rng(5).permutation(len(texts))
    moved = _clusterer().fit([texts[i] for i in order], languages=["en"] * len(texts))
    np.testing.assert_array_equal(moved.top_labels_, base.top_labels_[order])
    assert [t.size for t in moved.top_themes_] == [t.size for t in base.top_themes_]


def test_one_level_has_no_tree_and_bad_levels_are_refused():
    texts = _texts()
    c = FeedbackClusterer(n_clusters=4, n_resamples=0).fit(texts)
    assert not hasattr(c, "tree_")
    with pytest.raises(ValueError, match="levels"):
        FeedbackClusterer(levels=3).fit(texts)
