"""The workers' stages share work between them (one shingling of a body for its signature and its
sample, ...): what they store must be what each quantity's own definition gives, document by
document, on real files (every HTML page, text dump and seed in the repository).

The references here are the definitions, computed one text at a time by the plain functions
(``signatures``, ``shingle_set``, ...), not by the shared paths the pipeline takes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from conftest import make_settings
from winnow import pipeline as pipeline_module
from winnow.clean.evidence import line_hash, line_hashes
from winnow.clean.text.features import line_words
from winnow.clean.text.lines import split_lines
from winnow.clean.text.params import EVIDENCE
from winnow.dedup.minhash import fold32, signatures
from winnow.dedup.shingles import shingle_hashes_batch, shingle_hashes_of_tokens, shingle_set
from winnow.dedup.visible import SAMPLE_EVERY, samples, samples_of_hashes
from winnow.discover import discover
from winnow.pipeline import Pipeline, QualityFilter
from winnow.read import read_candidate
from winnow.records import Document, Rejection, SourceFile
from winnow.vocab.words import ALONE, Tokens, codepoints, line_word_counts, token_spans, tokens, word_count

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


def sample_by_definition(text: str, k: int) -> np.ndarray:
    """The sampled shingles of one text as ``winnow.dedup.visible`` defines them: of its set of
    shingle hashes, those that are multiples of SAMPLE_EVERY, folded to 32 bits, sorted, unique."""
    st_ = shingle_set(text, k)
    return np.unique(fold32(st_[st_ % np.uint64(SAMPLE_EVERY) == 0]))


def units_by_definition(text: str) -> list[str]:
    """``word_units`` as first written: word tokens, and stand-alone characters paired in text order."""
    cw, starts, ends, _, kc = token_spans(codepoints(text))
    chars = cw.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    out, pending = [], ""
    for a, b, c in zip(starts.tolist(), ends.tolist(), kc[starts].tolist()):
        if c != ALONE:
            out.append(chars[a:b])
        elif pending:
            out.append(pending + chars[a:b])
            pending = ""
        else:
            pending = chars[a:b]
    return out + ([pending] if pending else [])


REAL_FILES = sorted(DATA.rglob("*.html.gz")) + sorted(DATA.rglob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="module", params=[pipeline_module.SIGN_CHARS, 5000], ids=["default-runs", "short-runs"])
def real_batch(request, tmp_path_factory):
    """Every real page, text dump and seed of the repository through the workers' stages, as one batch
    (the signature stage signing runs of documents as long as by default, and much shorter runs)."""
    folder = tmp_path_factory.mktemp("real") / "in"
    folder.mkdir()
    for i, path in enumerate(REAL_FILES):
        name = path.name if not path.name.endswith(".gz") else path.name[:-3]
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        (folder / f"{i:03d}-{name}").write_bytes(data)
    s = make_settings(folder.parent, dedup={"visible_text": True})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline_module, "SIGN_CHARS", request.param)
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


@hsettings(max_examples=60, deadline=None, derandomize=CI)
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


def test_each_documents_words_and_hash_are_its_texts_own_and_no_tokens_are_kept(real_batch):
    """The filter tokenises a body once; identify hashes those tokens: the word count and the content
    hash are those of the text's own tokens, and the tokens do not leave the worker's stages."""
    s, result = real_batch
    for doc in result.documents:
        assert doc.words == len(units_by_definition(doc.text)) == word_count(doc.text), doc.source.path
        key = " ".join(tokens(doc.text))
        assert doc.content_hash == hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        assert doc.tokens is None
    assert result.stats["signature.in"] == result.stats["signature.out"] == len(result.documents)


def _filter_by_definition(text: str, clean) -> str:
    units = units_by_definition(text)
    if len(units) < clean.min_body_words:
        return "too_short"
    if len(units) >= 200 and len(set(units)) / len(units) < clean.min_unique_word_ratio:
        return "repetitive"
    return "ok"


def _filtered(text: str, settings) -> str:
    source = SourceFile(path="/x", sha256="0" * 64, size=len(text), mtime=0.0, type="text")
    out = QualityFilter(settings).process(Document(source=source, text=text))
    if isinstance(out, Rejection):
        return out.reason
    assert out.words == len(units_by_definition(text)) and out.tokens is not None
    return "ok"


def test_the_filter_decides_as_its_definition_on_every_real_body(real_batch):
    s, result = real_batch
    bodies = [d.text for d in result.documents] + [d.text[:120] for d in result.documents]  # whole, cut short
    for path in REAL_FILES[:10]:  # raw files too: HTML source, long and repetitive enough to be judged
        doc = read_candidate(discover([str(path)]).candidates[0], s.input)
        bodies.append(doc.raw if isinstance(doc, Document) else "")
    decisions = [_filtered(b, s) for b in bodies]
    assert decisions == [_filter_by_definition(b, s.clean) for b in bodies]
    assert set(decisions) == {"ok", "too_short", "repetitive"}


_LATIN = "abcdefghijklmnopqrstuvwxyzßäöüéçñABCDEFGHIJÄÖÜÉ0123456789\u0301\u0308"
_CJK = "中国人民银行北京東京的是了タワーのひらがなカタカナ한국어ไทย"
_SEP = " \n\t.,;:!?'’\"«»—-()…_·、。，！？\u00a0\u200b\u3000\u2028\x85😀ﬁ①\U00020000\ud800"
_TEXT = st.text(alphabet=_LATIN + _CJK + _SEP, max_size=300)
_PROPS = hsettings(max_examples=300, deadline=None, derandomize=CI)


@_PROPS
@given(_TEXT)
def test_one_tokenisation_gives_each_quantity_as_defined(text):
    t = Tokens(text)
    assert t.key() == " ".join(tokens(text))
    assert t.units() == units_by_definition(text)
    assert t.word_count() == word_count(text) == len(units_by_definition(text))


@_PROPS
@given(st.lists(_TEXT, max_size=6), st.integers(1, 6))
def test_shingles_of_tokens_are_the_shingles_of_the_texts(texts, k):
    h, off = shingle_hashes_of_tokens([Tokens(t) for t in texts], k)
    h0, off0 = shingle_hashes_batch(texts, k)
    assert off.tolist() == off0.tolist() and h.tolist() == h0.tolist()


@_PROPS
@given(st.lists(_TEXT, max_size=12))
def test_line_word_counts_are_each_lines_word_count(lines):
    """One normalisation for all the lines of a dump: each line's count as if counted alone (lines
    holding line breaks or characters that normalise across them included)."""
    assert line_word_counts(lines).tolist() == [word_count(t) for t in lines]


def test_a_dumps_evidence_lines_are_those_the_cleaners_word_counter_admits():
    """The corpus evidence's line hashes count each line's words for all lines at once: the lines
    kept are those ``line_words`` (the text cleaner's counter) puts within the evidence's limit."""
    dumps = sorted(DATA.rglob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    assert len(dumps) > 20
    for path in dumps:
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = split_lines(text)
        keys = {ln.key for ln in lines if line_words(ln.text) <= EVIDENCE["max_words"]}
        assert line_hashes(text, lines) == sorted(line_hash(k) for k in keys if k), path


def control_ratio_by_definition(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    return sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) < 0xA0) / len(sample)


@_PROPS
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF, exclude_categories=()), max_size=400)
       | st.text(max_size=300).map(lambda t: t * 80))
def test_the_readers_control_share_is_its_definitions(text):
    """The reader counts control characters (binary detection) with a regex: the same share as
    counting them one by one, within and beyond the 20,000 characters it looks at."""
    from winnow.read import _control_ratio

    assert _control_ratio(text) == control_ratio_by_definition(text)


@_PROPS
@given(st.text(max_size=400))
def test_the_language_stages_letter_count_is_its_definitions(text):
    from winnow.language import _letters

    assert _letters(text) == sum(1 for ch in text if ch.isalpha())
