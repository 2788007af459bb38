"""``visible_text`` parses with a faster parser than lxml.html's own: the text must be the same.

The reference is what lxml.html gives by itself (its own parser, ``drop_tree`` on the hidden
elements), on every HTML page in tests/data and on the cases that differ in how tails and nesting
are handled.

The pipeline reads an HTML page's visible text from the HTML cleaner's parse
(``clean_html(visible=True)``, ``visible_text_of_tree``): the same characters in the same order
and the same shingles and samples as ``visible_text`` on every real page, the cleaning unchanged.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import lxml.html
import pytest

from conftest import make_settings
from winnow.clean.html.extract import clean_html
from winnow.dedup.shingles import shingle_sets
from winnow.dedup.visible import samples, visible_text
from winnow.discover import discover
from winnow.pipeline import Pipeline
from winnow.records import Document
from winnow.settings import DedupSettings

DATA = Path(__file__).resolve().parent / "data"
PAGES = sorted(DATA.rglob("*.html.gz")) + sorted(DATA.rglob("*.html"))


def lxml_reference(content: str) -> str:
    try:
        doc = lxml.html.fromstring(content)
    except Exception:
        return ""
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    body = doc.find("body")
    return "\n".join(t.strip() for t in (doc if body is None else body).itertext() if t.strip())


def _read(path: Path) -> str:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return raw.decode("utf-8", errors="replace")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DATA)))
def test_visible_text_of_a_real_page_is_lxmls(path):
    content = _read(path)
    assert visible_text(content, "html") == lxml_reference(content)


@pytest.mark.parametrize("content", [
    "<html><body><p>one<script>var x;</script> two</p><style>p{}</style>three</body></html>",
    "<p>a fragment<noscript><p>hidden<script>x</script></p></noscript> tail</p>",
    "<html><body><template><b>t</b></template>after<!-- a comment -->end<form><input>in a form</form></body></html>",
    "<div>no body<script>1</script>x<script>2</script>y</div>",
    "<html><head><title>T</title><script>s</script></head><body>b</body></html>",
    "",
    "   ",
    "plain text, no markup",
    "<html><body><svg><style>x</style><text>drawn</text></svg>&amp; &#169; done</body></html>",
])
def test_visible_text_of_hard_cases_is_lxmls(content):
    assert visible_text(content, "html") == lxml_reference(content)


def test_a_text_dump_is_its_own_visible_text():
    assert visible_text("line one\n<b>not markup</b>", "text") == "line one\n<b>not markup</b>"


def _same_arrays(xs, ys) -> bool:
    return len(xs) == len(ys) and all(len(x) == len(y) and (x == y).all() for x, y in zip(xs, ys))


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DATA)))
def test_the_cleaners_parse_gives_a_real_pages_visible_text(path):
    """Same characters in the same order as a parse of its own (the cleaner's parser drops comments:
    a line may end elsewhere), the same shingles and samples, and the same cleaning as without it."""
    content = _read(path)
    shared, fresh = clean_html(content, visible=True), visible_text(content, "html")
    assert fresh and "".join(shared.visible.split()) == "".join(fresh.split())
    s = DedupSettings()
    assert _same_arrays(shingle_sets([shared.visible], s.shingle_words), shingle_sets([fresh], s.shingle_words))
    assert _same_arrays(samples([shared.visible], s), samples([fresh], s))
    plain = clean_html(content)
    assert plain.visible is None
    assert (shared.title, shared.paragraphs, shared.removed) == (plain.title, plain.paragraphs, plain.removed)


def test_the_cleaners_parse_shows_text_as_a_browser_does():
    """Where the two differ: a comment inside a word (React's "<!-- -->") is no break, and a page
    with an XML declaration has its text (a parse of a str with one fails: no visible text)."""
    glued = "<html><body><p>13 response<!-- -->s</p><script>x</script><noscript>n</noscript>end</body></html>"
    assert clean_html(glued, visible=True).visible == "13 responses\nend"
    assert visible_text(glued, "html") == "13 response\ns\nend"
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>Declared</p><p>text</p></body></html>'
    assert clean_html(xhtml, visible=True).visible == "Declared\ntext"
    assert visible_text(xhtml, "html") == ""


def test_the_pipeline_keeps_the_visible_text_of_the_cleaners_parse(tmp_path):
    """A real page through the workers' stages: its document's visible text is the cleaner's (no
    second parse), with the samples of that text; a text dump's is the dump."""
    page = DATA / "dedup" / "crossformat"
    html = _read(page / "page.html.gz").replace("</body>", "<p>Marked respon<!-- -->ses</p></body>", 1)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "page.html").write_text(html, encoding="utf-8")
    (tmp_path / "in" / "page.txt.gz").write_bytes((page / "page.txt.gz").read_bytes())
    s = make_settings(tmp_path, dedup={"visible_text": True})
    result = Pipeline(s).run(discover([str(tmp_path / "in")]).candidates)
    docs = {d.source.type: d for d in result.documents if isinstance(d, Document)}
    assert docs["html"].visible == clean_html(html, s.clean, visible=True).visible
    assert "Marked responses" in docs["html"].visible  # the cleaner's parse: no comment, no break
    assert "".join(docs["html"].visible.split()) == "".join(visible_text(html, "html").split())
    assert _same_arrays([docs["html"].visible_samples[1]], samples([visible_text(html, "html")], s.dedup))
    assert docs["text"].visible == gzip.decompress((page / "page.txt.gz").read_bytes()).decode("utf-8")
