"""The scale benchmark's corpus (benchmarks/scalecorpus.py): distinct documents, a known share of copies."""

from __future__ import annotations

import gzip
import random
import re
import sys
from itertools import combinations
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import scalecorpus  # noqa: E402

pytestmark = pytest.mark.slow  # parses the dev pages into templates: 10-20 s, too long for make test-fast


@pytest.fixture(scope="module")
def material():
    return scalecorpus.load_material()


def shingles(paras: list[str]) -> set:
    words = re.findall(r"\w+", " ".join(paras).lower())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def test_the_planted_share_of_copies_is_the_one_asked_and_copies_copy_earlier_originals():
    origin = scalecorpus.plan(20_000, 0.07, seed=3)
    copies = [(i, o) for i, o in enumerate(origin) if o is not None]
    assert 0.065 < len(copies) / len(origin) < 0.075
    assert all(o < i and origin[o] is None for i, o in copies)


def test_originals_are_distinct_and_copies_are_near_duplicates_of_their_original(material):
    origin = scalecorpus.plan(600, 0.1, seed=3)
    texts = {i: shingles(scalecorpus.content(i, o, material, 3, random.Random(i))[1]) for i, o in enumerate(origin)}
    originals = [i for i, o in enumerate(origin) if o is None][:150]
    assert max(jaccard(texts[a], texts[b]) for a, b in combinations(originals, 2)) < 0.3  # dedup merges at 0.5
    copies = [(i, o) for i, o in enumerate(origin) if o is not None]
    assert len(copies) >= 30
    assert min(jaccard(texts[i], texts[o]) for i, o in copies) > 0.5


def test_files_hold_their_own_body_under_real_chrome_in_every_format(material, tmp_path):
    counts = scalecorpus.generate(tmp_path / "corpus", 120, dup_share=0.1, seed=5, material=material)
    files = sorted((tmp_path / "corpus").rglob("doc-*"))
    assert len(files) == 120 and counts[".html"] and counts[".html.gz"] and counts[".txt"]
    for f in files:
        raw = f.read_bytes()
        page = (gzip.decompress(raw) if f.name.endswith(".gz") else raw).decode("utf-8")
        assert scalecorpus.BODY not in page and scalecorpus.TITLE not in page
        assert len(page) > 1000  # the template's chrome is there, not just the body
    # the same document whatever the size of the corpus
    again = scalecorpus.generate(tmp_path / "again", 60, dup_share=0.1, seed=5, material=material)
    assert again["documents"] == 60
    for f in sorted((tmp_path / "again").rglob("doc-*")):
        assert f.read_bytes() == (tmp_path / "corpus" / f.parent.name / f.name).read_bytes()
