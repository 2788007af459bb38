"""Property tests: the cleaners never raise and never return text that was not in the input."""

from __future__ import annotations

import html as htmllib
import re

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from winnow.clean import clean

_TAG = re.compile(r"<!--.*?-->|<[a-zA-Z/!?][^>]*>", re.S)
_COMMENT = re.compile(r"<!--.*?-->|<[!?][^>]*>", re.S)  # comments, doctypes, "<?...>": up to the first ">"
_CODE = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.S | re.I)
_WORD = re.compile(r"\w+")

# Realistic words (and a few odd ones) so that the cleaners keep some text to check.
_words = st.sampled_from(
    "the council said on Tuesday that a new bridge over the river would open in May after five "
    "years of work and cost 50 million euros Le maire a déclaré que la ligne Новый мост через Обь "
    "открыли 東京 ‘quoted’ “double” — … e-mail http://x.y/z #tag @user 3.14 1,000".split()
)
_sentence = st.lists(_words, min_size=1, max_size=30).map(lambda ws: " ".join(ws) + ".")
_tags = st.sampled_from(["p", "div", "a", "ul", "li", "h1", "h2", "span", "script", "style", "article",
                         "table", "td", "br", "nav", "footer", "aside", "b", "em"])
_fragment = st.recursive(
    _sentence | st.text(max_size=30),
    lambda inner: st.builds(lambda t, kids, attr: f"<{t}{attr}>{''.join(kids)}</{t}>", _tags,
                            st.lists(inner, max_size=5),
                            st.sampled_from(["", " class='related'", " href='/x'", " id='main'"])),
    max_leaves=40,
)
_page = st.builds(lambda title, body: f"<html><head><title>{title}</title></head><body>{body}</body></html>",
                  _sentence, _fragment)


def _visible_text(markup: str) -> str:
    """All the text of the markup, tags removed without a separator, entities decoded,
    non-printable characters dropped (as trafilatura drops them). A "<script>" inside a
    comment or a "<?...>" is not a script, as for a browser."""
    text = htmllib.unescape(_TAG.sub("", _CODE.sub("", _COMMENT.sub("", markup))))
    return "".join(ch for ch in text if ch.isprintable() or ch in " \t\n\r")


@hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_page | _fragment)
def test_html_output_words_all_come_from_the_input(markup):
    ex = clean(markup, "html")
    visible, raw = _visible_text(markup), htmllib.unescape(markup)
    for text in [*ex.paragraphs, ex.title or ""]:
        for word in _WORD.findall(text):
            # in the text once tags and scripts are gone (words joined across a removed element),
            # or literally in the input (a parser reading an unclosed <script> as text)
            assert word in visible or word in raw, (word, text)
    assert not (ex.not_article and ex.paragraphs)


_line = st.one_of(_sentence, st.lists(_words, max_size=6).map(" ".join), st.text(max_size=60))


def _markdown_plain(text: str) -> str:
    """What a reader sees of Markdown-like dumps (html2text style): links as their text, images
    gone, ``**bold**`` as its words, backslash escapes as the character."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    return re.sub(r"\\([\\`*_{}\[\]()#+.!-])", r"\1", text)


@hsettings(max_examples=150, deadline=None)
@given(st.lists(_line, max_size=60), st.sampled_from(["\n", "\n\n", "\r\n", "\n  * "]))
def test_text_dump_paragraphs_are_runs_of_input_lines(lines, sep):
    """A paragraph is text of one input line, or of consecutive input lines joined (a
    hard-wrapped paragraph re-joined): never lines taken out of order or invented."""
    dump = sep.join(lines)
    ex = clean(dump, "text")
    dump = _markdown_plain(dump) + "\n" + dump  # the cleaner may read Markdown syntax as such
    normalized_lines = [" ".join(line.split()) for line in re.split(r"\r\n|\r|\n", dump)]
    runs = {" ".join(normalized_lines[i:j]) for i in range(len(normalized_lines))
            for j in range(i + 1, len(normalized_lines) + 1)}
    normalized_input = " ".join(dump.split())
    for p in ex.paragraphs:
        assert " ".join(p.split()) in normalized_input
        assert any(" ".join(p.split()) in run for run in runs), p
    if ex.title:
        assert " ".join(ex.title.split()) in normalized_input
    for r in ex.removed:
        assert r.reason and " ".join(r.text.split()) in normalized_input
