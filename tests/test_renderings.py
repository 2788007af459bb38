"""The benchmarks' text renderings of a page (benchmarks/renderings.py) hold the page's visible text."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import renderings  # noqa: E402

# An ad loader as Dragnet's universetoday.com pages have it: a document.write of a <script> tag inside an
# HTML comment in a script. A browser reads the script to its real end tag; Python's html.parser ends it at
# the first "</script>", inside the JavaScript string, and the real end tag comes unpaired.
_PAGE = """<html><head><title>Rover</title>
<script type="text/javascript"><!--
if (! window.disable_ads) {
document.write('<script src="http://widgets.example.com/ads.js"></script>');
}
//--></script>
</head><body>
<div id="menu"><a href="/">Home</a> <a href="/news">News</a></div>
<h1>Could the next planetary rover come from Canada?</h1>
<p>A prototype of the new rover, a thirty kilogram machine, crossed the test field near Montreal on Monday.</p>
<p>Its makers say the design could fly on a lunar lander before the end of the decade.</p>
<script type="text/javascript"><!--
document.write('<script src="http://widgets.example.com/more.js"></script>');
//--></script>
<p>The footer of the site.</p>
</body></html>"""


def test_markdown_keeps_the_text_after_a_script_that_writes_a_script_tag():
    """html2text went silent for the rest of the page after the unpaired </script> (failed before: the dump
    held the title and nothing of the article); every paragraph of the page is in the Markdown now."""
    md = renderings.render_markdown(_PAGE)
    for text in ("# Could the next planetary rover come from Canada?",
                 "A prototype of the new rover, a thirty kilogram machine,",
                 "Its makers say the design could fly on a lunar lander",
                 "The footer of the site.",
                 "[News](/news)"):
        assert text in md, md
    assert renderings.render_markdown("<p>a</p></script></style></head><p>b</p>").split() == ["a", "b"]
