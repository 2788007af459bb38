"""The report page: one self-contained HTML file (inline CSS, SVG and a small script).

Rendered with Jinja2 (autoescaped) from ``page.html.j2``; the document browser's data is
JSON inside a ``<script type="application/json">`` element, read by ``browser.js``.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime, timezone
from itertools import chain, groupby
from pathlib import Path
from typing import Iterator, TextIO

import jinja2
from markupsafe import Markup

from winnow import __version__
from winnow.report import charts
from winnow.report.queries import ReportData

HERE = Path(__file__).resolve().parent
SITES_SHOWN = 100  # rows of the per-site table
SITE_HISTOGRAMS = 12  # small multiples of the boilerplate histogram

CARDS = [
    ("documents", "documents"),
    ("words", "words"),
    ("languages", "languages"),
    ("source_types", "source types"),
    ("sites", "sites"),
    ("removed_lines", "lines removed"),
    ("rejected_files", "files rejected"),
    ("folded_duplicates", "duplicates folded"),
    ("runs", "runs"),
]


def file_uri(path: str | None) -> str:
    if not path:
        return ""
    p = Path(path)
    return p.as_uri() if p.is_absolute() else p.as_posix()


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process: it keeps the compiled page template (compiling it took ~0.03 s of
    every report; ``warm_up`` does it ahead, while a run's workers clean)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["file_uri"] = file_uri
    return env


def warm_up() -> None:
    """Compile the page's template (kept by ``_environment``)."""
    _environment().get_template("page.html.j2")


JSON_PIECE = 1 << 20  # characters of the browser's JSON handed to the page at a time


def _script_json(value) -> Iterator[Markup]:
    """JSON safe inside a <script> element (no "</" can close it early, no "<!--" opens an escaped
    part: written "<\\/" and "\\u003c!--", both JSON escapes; "<\\!--" before was not one, and the
    browser's JSON.parse failed on a document holding "<!--"), in pieces of about
    ``JSON_PIECE`` characters: the page is written as it is made, never held whole in memory.

    A list (the documents) is encoded an element at a time by json's C encoder (``encode``; the
    streaming ``iterencode`` runs its pure-Python one, ~2.5x slower), so a piece may pass
    ``JSON_PIECE`` by one document. Either way a chunk holds whole strings, so a "</" or "<!--"
    never straddles two chunks."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
    chunks = (encoder.iterencode(value) if not isinstance(value, list) else
              chain(["["], (("," if i else "") + encoder.encode(x) for i, x in enumerate(value)), ["]"]))
    piece: list[str] = []
    size = 0
    for chunk in chunks:
        piece.append(chunk.replace("</", "<\\/").replace("<!--", "\\u003c!--"))
        size += len(chunk)
        if size >= JSON_PIECE:
            yield Markup("".join(piece))
            piece, size = [], 0
    yield Markup("".join(piece))


def render_charts(d: ReportData) -> dict[str, str | None]:
    top_sites = [s["site"] for s in d.sites[:SITE_HISTOGRAMS]]
    return {
        "languages": charts.bars(d.languages, "language", "documents", "Documents per language"),
        "sites": charts.bars(d.sites, "site", "documents", "Documents per site (top 30)"),
        "boilerplate": charts.share_histogram(d.boilerplate, "Share of each document's words removed by cleaning"),
        "boilerplate_sites": charts.share_histograms_per_site(
            d.boilerplate, top_sites, f"The same, per site (the {len(top_sites)} largest)"),
        "removal_reasons": charts.bars(d.removal_reasons, "reason", "lines", "Removed lines by reason", limit=60),
        "rejection_reasons": charts.bars(d.rejection_reasons, "reason", "files", "Rejected files by reason",
                                         limit=60, color=charts.ORANGE),
        "cluster_sizes": charts.cluster_sizes(d.cluster_sizes),
        "run_counts": charts.run_counts(d.runs),
        "run_seconds": charts.run_seconds(d.runs),
    }


EMPTY = {
    "languages": "No documents yet.", "sites": "No documents yet.", "boilerplate": "No documents yet.",
    "boilerplate_sites": "No documents yet.", "removal_reasons": "Cleaning removed nothing from the corpus.",
    "rejection_reasons": "No file was rejected.", "cluster_sizes": "No duplicate clusters.",
    "run_counts": "No runs yet.", "run_seconds": "No run recorded its stage times.",
}


def render(d: ReportData, *, warehouse: str) -> str:
    return "".join(render_pieces(d, warehouse=warehouse))


def render_to(fh: TextIO, d: ReportData, *, warehouse: str) -> None:
    """Write the page to ``fh`` as it is made (the browser's JSON alone is tens of MB)."""
    for piece in render_pieces(d, warehouse=warehouse):
        fh.write(piece)


def render_pieces(d: ReportData, *, warehouse: str) -> Iterator[str]:
    svgs = render_charts(d)

    def chart(name: str) -> Markup:
        svg = svgs[name]
        if svg is None:
            return Markup('<p class="empty" data-empty-chart="{}">{}</p>').format(name, EMPTY[name])
        return Markup('<figure class="chart" data-chart="{}">').format(name) + Markup(svg) + Markup("</figure>")

    largest = [{"cluster_id": cid, "size": members[0]["size"], "members": members}
               for cid, members in ((k, list(g)) for k, g in groupby(d.largest_clusters, key=lambda r: r["cluster_id"]))]
    docs = [dict(doc, path_uri=file_uri(doc["path"])) for doc in d.documents]
    template = _environment().get_template("page.html.j2")
    return template.generate(
        d=d, g=d.glance, cards=CARDS, chart=chart, warehouse=warehouse, version=__version__,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        sites_shown=d.sites[:SITES_SHOWN], largest=largest,
        clusters=sum(r["clusters"] for r in d.cluster_sizes),
        clustered_documents=sum(r["documents"] for r in d.cluster_sizes),
        documents_json=_script_json(docs),
        script=Markup((HERE / "browser.js").read_text(encoding="utf-8")),
    )
