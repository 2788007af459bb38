"""The text cleaner's line model (winnow.clean.text.model): bagged forests merged into one, and the
shipped weights' size (the cleaner's run time grows with trees times depth)."""

from __future__ import annotations

import numpy as np

from winnow.clean.text.model import Forest, LineModel


def _stump(feature: int, threshold: float, left: float, right: float) -> Forest:
    """One tree of depth 1: node 0 splits, nodes 1 and 2 are its leaves (each its own child)."""
    return Forest(np.array([feature, 0, 0]), np.array([threshold, np.inf, np.inf]), np.array([1, 1, 2]),
                  np.array([0.0, left, right]), np.array([0]), depth=1)


def _forest(trees: list[Forest], bias: float = 0.0) -> Forest:
    """Trees side by side in one forest (their leaf values summed)."""
    f = Forest.average(trees)
    return Forest(f.feature, f.threshold, f.child, f.value * len(trees), f.roots, f.depth, bias)


def test_an_averaged_forest_outputs_the_mean_of_its_forests():
    """train_text_cleaner.py's BAGS option: forests trained on their own samples, merged into one forest of
    as many trees as they hold together, whose output is their mean (what bagging averages)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3))
    a = _forest([_stump(0, 0.1, -1.0, 2.0), _stump(2, -0.5, 0.5, -0.25)], bias=0.3)
    b = _forest([_stump(1, 0.0, 1.5, -1.0)], bias=-0.1)
    c = _forest([_stump(0, -1.0, 0.2, 0.4), _stump(1, 1.0, -2.0, 0.0), _stump(2, 0.3, 0.7, -0.7)])
    avg = Forest.average([a, b, c])
    assert len(avg.roots) == 6 and avg.depth == 1
    assert np.allclose(avg.raw(X), (a.raw(X) + b.raw(X) + c.raw(X)) / 3)
    assert not np.allclose(a.raw(X), b.raw(X))


def test_the_shipped_weights_cost_what_one_forest_of_150_trees_does():
    """The text-dump cleaning time counts in the throughput budget: each stage walks at most 150 trees of
    depth 5 per line (bagging, if used, must keep that total)."""
    m = LineModel.load()
    for f in (m.stage1, m.stage2):
        assert len(f.roots) <= 150 and f.depth <= 5


def test_the_trainers_cache_key_covers_every_setting_the_features_read(tmp_path):
    """The cached rows and LODO models of benchmarks/train_text_cleaner.py are keyed by what they are
    computed from. The key read only params.WRAP and params.COLUMNS of params.py, so a change to the
    code-line pattern (params.CODE["pattern"], a feature) or to the per-language phrases ran against
    stale cached features and models."""
    import shutil
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    import train_text_cleaner as ttc

    for f in ttc.KEY_SOURCES:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / f, tmp_path / f)
    pages = [ttc.Page(id="a", text="", gold="")]
    before = ttc._source_hash(pages, tmp_path)
    assert ttc._source_hash(pages, tmp_path) == before  # deterministic
    params = tmp_path / "flows/winnow/clean/text/params.py"
    text = params.read_text(encoding="utf-8")
    assert '"pattern":' in text
    params.write_text(text.replace('"pattern":', '"pattern": r"^SELECT\\b|" +', 1), encoding="utf-8")
    assert ttc._source_hash(pages, tmp_path) != before
    params.write_text(text, encoding="utf-8")
    assert ttc._source_hash(pages, tmp_path) == before
    # a setting only the cleaner's rules read leaves the cached features and models valid
    assert '"stamp_max_words": 20,' in text
    params.write_text(text.replace('"stamp_max_words": 20,', '"stamp_max_words": 21,'), encoding="utf-8")
    assert ttc._source_hash(pages, tmp_path) == before
    params.write_text(text, encoding="utf-8")
    langs = tmp_path / "flows/winnow/vocab/languages.py"
    langs.write_text(langs.read_text(encoding="utf-8") + "\n# a new phrase\n", encoding="utf-8")
    assert ttc._source_hash(pages, tmp_path) != before
