"""Extraction-quality metric of the article-extraction benchmark.

Tokens are ``\\w+`` matches (case kept); a text becomes the multiset of its
overlapping 4-token shingles; per page precision = |pred & gold| / |pred| and
recall = |pred & gold| / |gold| (multiset intersection). P and R are averaged
over pages and F1 is computed from those averages; the mean of per-page F1 is
reported beside it because averages hide the pages users complain about.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, k: int = SHINGLE) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < k:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + k]) for i in range(len(tokens) - k + 1))


@dataclass(frozen=True)
class PageScore:
    page: str
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def score_page(page: str, predicted: str, gold: str) -> PageScore:
    pred, true = shingles(predicted), shingles(gold)
    if not pred:
        return PageScore(page, 1.0, 0.0 if true else 1.0)
    if not true:
        return PageScore(page, 0.0, 1.0)
    tp = sum((pred & true).values())
    return PageScore(page, tp / sum(pred.values()), tp / sum(true.values()))


@dataclass(frozen=True)
class Summary:
    n: int
    precision: float
    recall: float
    f1: float  # F1 of the averaged P and R (the benchmark's figure)
    mean_page_f1: float
    worst: list[PageScore]


def summarize(scores: Iterable[PageScore], worst: int = 5) -> Summary:
    scores = list(scores)
    if not scores:
        return Summary(0, 0.0, 0.0, 0.0, 0.0, [])
    n = len(scores)
    p = sum(s.precision for s in scores) / n
    r = sum(s.recall for s in scores) / n
    f1 = 0.0 if p + r == 0 else 2 * p * r / (p + r)
    mean_f1 = sum(s.f1 for s in scores) / n
    return Summary(n, p, r, f1, mean_f1, sorted(scores, key=lambda s: s.f1)[:worst])
