"""The text cleaner's line model (winnow.clean.text.model): bagged forests merged into one, and the
shipped weights' size (the cleaner's run time grows with trees times depth)."""

from __future__ import annotations

import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np

from winnow.clean.text.model import Forest, LineModel

ROOT = Path(__file__).resolve().parent.parent


def test_an_averaged_forest_outputs_the_mean_of_its_forests():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 5))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=2000) > 0).astype(float)
    params = {"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 20, "bagging_fraction": 0.7,
              "bagging_freq": 1, "verbosity": -1, "num_threads": 1, "deterministic": True}
    forests = [Forest.from_lightgbm(lgb.train(dict(params, seed=k), lgb.Dataset(X, y), 12).dump_model())
               for k in range(3)]
    avg = Forest.average(forests)
    assert len(avg.roots) == 36
    assert np.allclose(avg.raw(X), np.mean([f.raw(X) for f in forests], axis=0))
    assert not np.allclose(forests[0].raw(X), forests[1].raw(X))  # the bags differ


def test_training_with_bags_keeps_the_forest_size(monkeypatch):
    """BAGS forests of ROUNDS // BAGS trees each (train_text_cleaner.py): as many trees as one forest, so the
    same cost at run time, and not the same trees three times."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import train_text_cleaner as tt

    rng = np.random.default_rng(4)
    X = rng.normal(size=(3000, 4))
    y = (X[:, 0] - X[:, 3] + rng.normal(size=3000) > 0).astype(float)
    monkeypatch.setitem(tt.PARAMS, "min_data_in_leaf", 20)
    monkeypatch.setattr(tt, "BAGS", 3)
    f = tt._fit(X, y, np.ones(3000), 30)
    assert len(f.roots) == 30 and f.depth <= tt.PARAMS["max_depth"]
    first, second = (f.raw(X[:50]) for f in (Forest(f.feature, f.threshold, f.child, f.value, f.roots[:10], f.depth),
                                               Forest(f.feature, f.threshold, f.child, f.value, f.roots[10:20], f.depth)))
    assert not np.allclose(first, second)


def test_the_shipped_weights_cost_what_one_forest_of_150_trees_does():
    m = LineModel.load()
    for f in (m.stage1, m.stage2):
        assert len(f.roots) <= 150 and f.depth <= 5
