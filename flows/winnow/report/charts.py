"""The report's charts: Vega-Lite specs built with Altair, rendered to SVG by vl-convert.

The SVG goes inline into the page, so the report needs no script library and no network.
Every function takes rows from ``queries`` and returns an SVG string (or ``None`` when
there is nothing to draw: the page says so in words instead of an empty frame).
"""

from __future__ import annotations

from typing import Any, Optional

import altair as alt
import vl_convert

WIDTH = 560
BAR_HEIGHT = 18  # per category of a horizontal bar chart
BLUE, ORANGE = "#4c78a8", "#f58518"
_CONFIG = {"font": "sans-serif", "view": {"stroke": None}, "axis": {"labelLimit": 260}}


def count_axis(top: float) -> alt.Axis:
    """An axis of whole counts up to ``top``: no tick at half a document."""
    return alt.Axis(format="d", tickCount=max(1, min(int(top), 8)))


LABEL_LIMIT = _CONFIG["axis"]["labelLimit"]  # pixels: a longer axis label is cut with an ellipsis
# Axis labels are 10 px (Vega-Lite's default); no ASCII glyph of the renderer's sans-serif is wider
# than ~1.02 em (25 '@' fit in 260 px, 26 do not): 12 px a character bounds a label's width.
SAFE_LABEL_CHARS = LABEL_LIMIT // 12


def labels_fit(spec: dict) -> bool:
    """Every label of the chart's x and y axes is short and ASCII enough to fit ``LABEL_LIMIT`` for
    sure: the categories' values (a quantitative axis is labelled with numbers of a few characters)."""
    layer = spec.get("spec", spec)  # a faceted chart's axes are its inner chart's
    fields = {enc["field"] for channel in ("x", "y")
              if (enc := layer.get("encoding", {}).get(channel)) and enc.get("type") in ("nominal", "ordinal")}
    rows = [row for values in [spec.get("data", {}).get("values", [])] + list(spec.get("datasets", {}).values())
            for row in values]
    return all(not isinstance(v := row.get(f), str) or (len(v) <= SAFE_LABEL_CHARS and v.isascii())
               for row in rows for f in fields)


def to_svg(chart: alt.TopLevelMixin, validate: bool = False) -> str:
    """The chart as SVG. Altair's check of the spec against Vega-Lite's schema (``validate``) costs
    about as much as drawing the smaller charts; ``tests/test_report.py`` makes it on every
    chart of a real report instead of every run. When no label can reach the axes' label limit the
    limit is dropped from the spec: cutting measures every label's width in the renderer (a
    quarter of the drawing time), and a label that fits is drawn the same."""
    spec = chart.to_dict(validate=validate)
    config = spec.setdefault("config", {})
    config.update(_CONFIG)
    if labels_fit(spec):
        config["axis"] = {**_CONFIG["axis"], "labelLimit": 0}  # 0: no limit
    return vl_convert.vegalite_to_svg(spec)


def warm_up() -> None:
    """Render one tiny chart: vl-convert's first conversion starts its JavaScript engine and loads
    Vega-Lite and the fonts (~0.4 CPU-seconds more than the next one). The flow calls this in a
    thread while the workers clean, so the report after the run does not pay it alone. (A tiny chart
    of every kind saved ~0.1 s of the report's first drawing and cost 0.24 CPU-s more here:
    ``benchmarks/report_charts.py``.)"""
    to_svg(alt.Chart(alt.Data(values=[{"n": 1, "k": "a"}])).mark_bar().encode(x="n:Q", y="k:N"))


def tips(*shorthands: str) -> list[alt.Tooltip]:
    """Tooltips as channel objects: the same Vega-Lite as the shorthand strings, which Altair parses by
    matching each against the schema's channel definitions (~4 CPU-ms a chart, in the run's tail)."""
    return [alt.Tooltip(s) for s in shorthands]


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=[{k: (v if isinstance(v, (int, float, str)) or v is None else str(v))
                             for k, v in r.items()} for r in rows])


def bars(rows: list[dict], category: str, value: str, title: str, *, limit: int = 30,
         color: str = BLUE) -> Optional[str]:
    """Horizontal bars, largest first (the first ``limit`` rows, which come sorted)."""
    rows = rows[:limit]
    if not rows:
        return None
    chart = alt.Chart(_data(rows), title=title).mark_bar(color=color).encode(
        x=alt.X(f"{value}:Q", title=value.replace("_", " "), axis=count_axis(max(r[value] for r in rows))),
        y=alt.Y(f"{category}:N", sort=None, title=None),
        tooltip=tips(f"{category}:N", f"{value}:Q"),
    ).properties(width=WIDTH - 200, height=BAR_HEIGHT * len(rows))
    return to_svg(chart)


def _tallest_bin(rows: list[dict], *keys: str) -> int:
    tally: dict[tuple, int] = {}
    for r in rows:
        k = tuple(r[key] for key in keys)
        tally[k] = tally.get(k, 0) + r["documents"]
    return max(tally.values(), default=1)


def share_histogram(rows: list[dict], title: str) -> Optional[str]:
    """Documents per 5% bin of boilerplate share, stacked by source type."""
    if not rows:
        return None
    chart = alt.Chart(_data(rows), title=title).mark_bar().encode(
        x=alt.X("percent_from:O", title="% of the page's words removed (bins of 5%)",
                scale=alt.Scale(domain=list(range(0, 100, 5)))),
        y=alt.Y("sum(documents):Q", title="documents", axis=count_axis(_tallest_bin(rows, "percent_from"))),
        color=alt.Color("source_type:N", title="source type", scale=alt.Scale(range=[BLUE, ORANGE])),
        tooltip=tips("percent_from:O", "source_type:N", "sum(documents):Q"),
    ).properties(width=WIDTH, height=180)
    return to_svg(chart)


def share_histograms_per_site(rows: list[dict], sites: list[str], title: str) -> Optional[str]:
    """The same histogram as small multiples, one per site (the given sites, in order)."""
    rows = [r for r in rows if r["site"] in set(sites)]
    if not rows:
        return None
    chart = alt.Chart(_data(rows)).mark_bar().encode(
        x=alt.X("percent_from:O", title="% removed", scale=alt.Scale(domain=list(range(0, 100, 5))),
                axis=alt.Axis(values=[0, 25, 50, 75, 95])),
        y=alt.Y("sum(documents):Q", title="documents",
                axis=alt.Axis(format="d", tickCount=max(1, min(_tallest_bin(rows, "site", "percent_from"), 3)))),
        color=alt.Color("source_type:N", title="source type", scale=alt.Scale(range=[BLUE, ORANGE])),
    ).properties(width=150, height=70).facet(
        facet=alt.Facet("site:N", sort=sites, title=None, header=alt.Header(labelLimit=150)),
        columns=3, title=title,
    )
    return to_svg(chart)


def cluster_sizes(rows: list[dict]) -> Optional[str]:
    if not rows:
        return None
    chart = alt.Chart(_data(rows), title="Duplicate clusters by size").mark_bar(color=BLUE).encode(
        x=alt.X("size:O", title="documents in the cluster"),
        y=alt.Y("clusters:Q", title="clusters", axis=count_axis(max(r["clusters"] for r in rows))),
        tooltip=tips("size:O", "clusters:Q", "documents:Q"),
    ).properties(width=min(WIDTH, 40 * len(rows) + 80), height=160)
    return to_svg(chart)


def run_seconds(runs: list[dict]) -> Optional[str]:
    """Seconds per stage of each run, stacked."""
    rows = [{"run": _run_label(r), "stage": stage, "seconds": secs}
            for r in runs for stage, secs in r["step_seconds"].items()]
    if not rows:
        return None
    order = [_run_label(r) for r in runs]
    chart = alt.Chart(_data(rows), title="Seconds per stage, per run").mark_bar().encode(
        x=alt.X("run:N", sort=order, title="run (start, UTC)", axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("sum(seconds):Q", title="seconds"),
        color=alt.Color("stage:N", title="stage"),
        tooltip=tips("run:N", "stage:N", "sum(seconds):Q"),
    ).properties(width=min(WIDTH, 30 * len(order) + 120), height=180)
    return to_svg(chart)


def run_counts(runs: list[dict]) -> Optional[str]:
    """Files seen, files processed and new documents per run."""
    names = {"files_seen": "files seen", "files_processed": "files processed", "documents_new": "new documents"}
    rows = [{"run": _run_label(r), "what": label, "count": r[key] or 0} for r in runs for key, label in names.items()]
    if not rows:
        return None
    order = [_run_label(r) for r in runs]
    chart = alt.Chart(_data(rows), title="Files and documents per run").mark_bar().encode(
        x=alt.X("run:N", sort=order, title="run (start, UTC)", axis=alt.Axis(labelAngle=-40)),
        xOffset=alt.XOffset("what:N", sort=list(names.values())),
        y=alt.Y("count:Q", title="count", axis=count_axis(max(r["count"] for r in rows))),
        color=alt.Color("what:N", sort=list(names.values()), title=None),
        tooltip=tips("run:N", "what:N", "count:Q"),
    ).properties(width=min(WIDTH, 45 * len(order) + 120), height=180)
    return to_svg(chart)


def _run_label(run: dict) -> str:
    started = run["started_at"]
    return started.strftime("%Y-%m-%d %H:%M:%S") if hasattr(started, "strftime") else str(started)
