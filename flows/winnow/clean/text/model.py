"""The line classifier: two stacked tree ensembles evaluated with numpy.

Stage 1 scores each line from its own features (``features.NAMES``). Stage 2
sees those features again plus the stage-1 probabilities of the lines around it
and where the densest run of likely-body lines lies, which smooths the
decisions along the page (a lone chrome line inside the article, a prose-like
teaser in a block of headlines). Both stages are gradient-boosted trees trained
by ``benchmarks/train_text_cleaner.py`` with LightGBM and exported to
``weights.npz``; at run time they are plain arrays walked with numpy, so the
cleaner needs no machine-learning package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from winnow.clean.text.features import NAMES, _window_mean, densest_run

WEIGHTS = Path(__file__).with_name("weights.npz")

STAGE2_EXTRA = [
    "p1", "p1_m1", "p1_m2", "p1_m3", "p1_p1", "p1_p2", "p1_p3",
    "p1_w2", "p1_w5", "p1_w10", "p1_in_run", "p1_log_dist_before", "p1_log_dist_after",
    "p1_run_share", "p1_max", "p1_page_mean",
    "p1_left_max3", "p1_right_max3", "p1_sandwich3", "p1_left_max8", "p1_right_max8", "p1_sandwich8",
]


@dataclass
class Forest:
    """Trees flattened into node arrays. The children of node i are ``child[i]`` (taken when
    ``x <= threshold``) and ``child[i] + 1``; a leaf is its own child with an infinite threshold."""

    feature: np.ndarray  # int (nodes,)
    threshold: np.ndarray  # float64 (nodes,)
    child: np.ndarray  # int (nodes,)
    value: np.ndarray  # float64 (nodes,), leaf outputs
    roots: np.ndarray  # int (trees,)
    depth: int
    bias: float = 0.0

    def raw(self, X: np.ndarray) -> np.ndarray:
        n = X.shape[0]
        if n == 0 or len(self.roots) == 0:
            return np.full(n, self.bias)
        node = np.broadcast_to(self.roots, (n, len(self.roots))).copy()
        rows = np.arange(n)[:, None]
        for _ in range(self.depth):
            node = self.child[node] + (X[rows, self.feature[node]] > self.threshold[node])
        return self.value[node].sum(axis=1) + self.bias

    def proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.raw(X), -30, 30)))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}feature": self.feature.astype(np.int16),
            f"{prefix}threshold": self.threshold,
            f"{prefix}child": self.child.astype(np.int32),
            f"{prefix}value": self.value.astype(np.float64),
            f"{prefix}roots": self.roots.astype(np.int32),
            f"{prefix}meta": np.array([self.depth, self.bias]),
        }

    @classmethod
    def from_arrays(cls, a, prefix: str) -> "Forest":
        meta = a[f"{prefix}meta"]
        return cls(
            a[f"{prefix}feature"].astype(np.intp), a[f"{prefix}threshold"].astype(np.float64),
            a[f"{prefix}child"].astype(np.intp), a[f"{prefix}value"].astype(np.float64),
            a[f"{prefix}roots"].astype(np.intp), int(meta[0]), float(meta[1]),
        )

    @classmethod
    def average(cls, forests: list["Forest"]) -> "Forest":
        """One forest whose output is the mean of ``forests``' outputs (their trees side by side, leaf values
        divided by their number): bagged forests cost at run time what one of the same total size does."""
        k = len(forests)
        feature, threshold, child, value, roots = [], [], [], [], []
        offset = 0
        for f in forests:
            feature.append(f.feature)
            threshold.append(f.threshold)
            child.append(f.child + offset)
            value.append(f.value / k)
            roots.append(f.roots + offset)
            offset += len(f.feature)
        return cls(np.concatenate(feature), np.concatenate(threshold), np.concatenate(child),
                   np.concatenate(value), np.concatenate(roots), max(f.depth for f in forests),
                   sum(f.bias for f in forests) / k)

    @classmethod
    def from_lightgbm(cls, dump: dict) -> "Forest":
        """Build from ``Booster.dump_model()`` (numerical splits, ``<=`` goes left)."""
        feature: list = []
        threshold: list = []
        child: list = []
        value: list = []
        roots = []
        depth = 0

        def new() -> int:
            feature.append(0)
            threshold.append(np.inf)
            child.append(len(child))
            value.append(0.0)
            return len(feature) - 1

        def fill(i: int, node: dict, d: int) -> None:
            nonlocal depth
            if "leaf_value" in node:
                value[i] = node["leaf_value"]
                depth = max(depth, d)
                return
            if node.get("decision_type", "<=") != "<=":
                raise ValueError("only numerical <= splits are supported")
            feature[i] = node["split_feature"]
            threshold[i] = node["threshold"]
            left, right = new(), new()
            assert right == left + 1
            child[i] = left
            fill(left, node["left_child"], d + 1)
            fill(right, node["right_child"], d + 1)

        for tree in dump["tree_info"]:
            root = new()
            roots.append(root)
            fill(root, tree["tree_structure"], 0)
        return cls(
            np.array(feature, dtype=np.intp), np.array(threshold, dtype=np.float64),
            np.array(child, dtype=np.intp), np.array(value, dtype=np.float64),
            np.array(roots, dtype=np.intp), depth,
        )


@dataclass
class LineModel:
    stage1: Forest
    stage2: Forest
    threshold: float = 0.5  # body if stage-2 probability >= threshold
    info: dict | None = None

    def predict(self, X: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(stage-1, stage-2) body probabilities for the lines of one page."""
        p1 = self.stage1.proba(X)
        p2 = self.stage2.proba(stage2_matrix(X, p1, words))
        return p1, p2

    def save(self, path: Path = WEIGHTS) -> None:
        arrays = {**self.stage1.to_arrays("s1_"), **self.stage2.to_arrays("s2_")}
        arrays["threshold"] = np.array([self.threshold])
        arrays["info"] = np.array(json.dumps(self.info or {}, sort_keys=True))
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "LineModel":
        with np.load(path, allow_pickle=False) as a:
            return cls(
                Forest.from_arrays(a, "s1_"), Forest.from_arrays(a, "s2_"),
                float(a["threshold"][0]), json.loads(str(a["info"])),
            )


def stage2_matrix(X: np.ndarray, p1: np.ndarray, words: np.ndarray) -> np.ndarray:
    n = len(p1)
    E = np.zeros((n, len(STAGE2_EXTRA)))
    if n:
        def shift(k):
            out = np.zeros(n)
            if k > 0:
                out[k:] = p1[:-k] if k < n else 0
            else:
                out[: n + k] = p1[-k:] if -k < n else 0
            return out
        rs, re_ = densest_run((p1 - 0.5) * np.log1p(words))
        idx = np.arange(n)
        wsum = max(float(words.sum()), 1.0)
        E[:, 0] = p1
        E[:, 1] = shift(1)
        E[:, 2] = shift(2)
        E[:, 3] = shift(3)
        E[:, 4] = shift(-1)
        E[:, 5] = shift(-2)
        E[:, 6] = shift(-3)
        E[:, 7] = _window_mean(p1, 2)
        E[:, 8] = _window_mean(p1, 5)
        E[:, 9] = _window_mean(p1, 10)
        E[:, 10] = (idx >= rs) & (idx < re_)
        E[:, 11] = np.log1p(np.maximum(rs - idx, 0))
        E[:, 12] = np.log1p(np.maximum(idx - (re_ - 1), 0))
        E[:, 13] = float(words[rs:re_].sum()) / wsum
        E[:, 14] = float(p1.max())
        E[:, 15] = float((p1 * words).sum()) / wsum
        for col, k in ((16, 3), (19, 8)):
            left = np.zeros(n)
            right = np.zeros(n)
            for d in range(1, k + 1):
                left = np.maximum(left, shift(d))
                right = np.maximum(right, shift(-d))
            E[:, col] = left
            E[:, col + 1] = right
            E[:, col + 2] = np.minimum(left, right)
    return np.hstack([X, E])


@lru_cache(maxsize=1)
def default_model() -> LineModel | None:
    """The shipped model, or None when the weights file is missing (rules only)."""
    try:
        return LineModel.load()
    except (OSError, KeyError, ValueError):
        return None
