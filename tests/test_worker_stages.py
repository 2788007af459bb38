"""The workers' stages share work between them (one shingling of a body for its signature and its
sample, ...): what they store must be what each quantity's own definition gives, document by
document, on real files (every HTML page, text dump and seed in the repository).

The references here are the definitions, computed one text at a time by the plain functions
(``signatures``, ``shingle_set``, ...), not by the shared paths the pipeline takes.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from conftest import make_settings
from winnow.dedup.minhash import fold32, signatures
from winnow.dedup.shingles import shingle_hashes_batch, shingle_set
from winnow.dedup.visible import SAMPLE_EVERY, samples, samples_of_hashes
from winnow.discover import discover
from winnow.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def sample_by_definition(text: str, k: int) -> np.ndarray:
    """The sampled shingles of one text as ``winnow.dedup.visible`` defines them: of its set of
    shingle hashes, those that are multiples of SAMPLE_EVERY, folded to 32 bits, sorted, unique."""
    st_ = shingle_set(text, k)
    return np.unique(fold32(st_[st_ % np.uint64(SAMPLE_EVERY) == 0]))


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory):
    """Every real page, text dump and seed of the repository through the workers' stages, as one batch."""
    folder = tmp_path_factory.mktemp("real") / "in"
    folder.mkdir()
    files = sorted(DATA.rglob("*.html.gz")) + sorted(DATA.rglob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    for i, path in enumerate(files):
        name = path.name if not path.name.endswith(".gz") else path.name[:-3]
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        (folder / f"{i:03d}-{name}").write_bytes(data)
    s = make_settings(folder.parent, dedup={"visible_text": True})
    result = Pipeline(s).run(discover([str(folder)]).candidates)
    yield s, result
    shutil.rmtree(folder, ignore_errors=True)


def test_the_batchs_signatures_and_samples_are_each_documents_own(real_batch):
    """The signer shingles each body once for its signature and its sample: each document's
    signature is the one ``signatures`` gives its text alone, and its samples those of the definition."""
    s, result = real_batch
    docs = result.documents
    assert len(docs) > 40 and {d.source.type for d in docs} == {"html", "text"}
    k = s.dedup.shingle_words
    for doc in docs:
        assert np.array_equal(doc.signature, signatures([doc.text], s.dedup)[0]), doc.source.path
        body, page = doc.visible_samples
        assert np.array_equal(body, sample_by_definition(doc.text, k)), doc.source.path
        assert np.array_equal(page, sample_by_definition(doc.visible, k)), doc.source.path
        assert body.dtype == page.dtype == np.uint32
    assert sum(len(d.visible_samples[0]) for d in docs) > 100  # the samples are not all empty


_pieces = st.sampled_from(["ab ", "cd. ", "x1 ", "Straße ", "STRASSE ", "中国", "人", "\n", ", ", "é", "ﬁ ", "q"] +
                         [f"w{i} " for i in range(40)])
_texts = st.lists(st.lists(_pieces, max_size=400).map("".join), max_size=8)


@hsettings(max_examples=60, deadline=None)
@given(texts=_texts, k=st.integers(1, 6))
def test_samples_from_a_batchs_hashes_are_each_texts_samples(texts, k):
    hashes, offsets = shingle_hashes_batch(texts, k)
    got = samples_of_hashes(hashes, offsets)
    assert len(got) == len(texts)
    for text, sample in zip(texts, got):
        assert np.array_equal(sample, sample_by_definition(text, k))
        assert sample.dtype == np.uint32
    assert all(np.array_equal(a, b) for a, b in zip(got, samples(texts, _Dedup(k))))


class _Dedup:
    def __init__(self, k: int):
        self.shingle_words = k
