"""HTML extraction quality per data set, leave-one-data-set-out, with the extractors winnow could
call measured in the same run; and HTML cleaning time per page against trafilatura's.

    python benchmarks/quality_html.py [--eval-dir SHARED/eval] [--quick] [--no-cache]

(``benchmarks/quality.py`` runs this as its HTML part.)

Data sets, each scored on its own (metric: ``winnow.evaluate``, see shared/eval/README.md):

- ``aeb-dev``: the article-extraction benchmark's dev pages (gold: ``articleBody``);
- ``dragnet``, ``readability``, ``cleanportaleval``, ``cleaneval-dev``: wceb-dev's subsets,
  decoded and unwrapped as its README says. Dragnet's gold is cut at its comments marker:
  winnow drops reader comments by default, so the article alone is the target.

Systems, all on the same decoded pages in this run: winnow's ``clean_html``; trafilatura 2.x
``extract`` with its defaults and with ``favor_precision``; readability-lxml's summary rendered
as text by inscriptis (as the wceb-dev README's reference figures).

Leave-one-data-set-out: winnow's HTML path picks, per page, between trafilatura's body and
readability's by general signals, and gives trafilatura without precision mode a say when the
body is a few words (``extract.fuller``); the thresholds of both (``patterns.CHOOSER``) are fitted by
``fit_chooser`` below. The figure reported for a data set comes from thresholds fitted on the
other data sets only (the held-out set never contributes); the shipped thresholds (fitted on
all of them) are printed beside, with their in-sample figures. Every other threshold of the
HTML path is fixed by hand and was set on aeb-dev and the seeds before the wceb-dev pages
existed: on aeb-dev those are in-sample, on the four wceb-dev subsets they are held out.

"Real articles returned empty": pages whose gold article has at least ``min_body_words``
words, for which winnow gives a body shorter than that (the pipeline would reject them as
``not_article`` or ``too_short``).

Timing: CPU time per page of ``clean_html`` and of ``trafilatura.extract`` (defaults) on the
same decoded pages, warm, several passes in turn, in this process; the ratio of the totals is
the figure (``time_per_page``).

Extractor outputs are cached under ``benchmarks/out/html/`` (git-ignored), keyed by the
version of each library and, for winnow, by a hash of ``winnow/clean/html/*.py``,
``winnow/vocab/*.py`` and the cleaning settings' defaults: edit the cleaner and its cache is rebuilt. ``--no-cache`` ignores the cache.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import re
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))

from winnow.evaluate import score_page, summarize  # noqa: E402

from shared_folder import EVAL as DEFAULT_EVAL  # noqa: E402
OUT = ROOT / "benchmarks" / "out" / "html"
DATASETS = ("aeb-dev", "dragnet", "readability", "cleanportaleval", "cleaneval-dev")
QUICK_EVERY = {"dragnet": 8, "aeb-dev": 2}  # --quick: every n-th page of these sets, all of the others
COMMENTS = re.compile(r"^[!@#$%^&*() \t]{6,}COMMENTS\s*$", re.M)
_WRAPPER = re.compile(r"(?:^<text [^>]+>\s*|\s*</text>$)", re.M)
_WORD = re.compile(r"\w+")
READABLE_WORDS = 50  # a readable article page: its gold has this many words (as quality_text.py)
EMPTY_WORDS = 20  # given back empty: fewer words than this (winnow's min_body_words: too_short)


@dataclass(frozen=True)
class Page:
    dataset: str
    id: str
    html: str
    gold: str


# ---------------------------------------------------------------- inputs

def _decode_aeb(raw: bytes) -> str:
    from charset_normalizer import from_bytes

    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("latin-1")


def load_aeb(eval_dir: Path) -> list[Page]:
    d = eval_dir / "aeb-dev"
    truth = json.loads((d / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page("aeb-dev", pid, _decode_aeb(gzip.decompress((d / "html" / f"{pid}.html.gz").read_bytes())),
             truth[pid].get("articleBody") or "")
        for pid in sorted(truth)
        if (d / "html" / f"{pid}.html.gz").exists()
    ]


def article_gold(subset: str, body: str) -> str:
    """The gold the cleaner aims at: Dragnet's is cut at its comments marker."""
    if subset == "dragnet":
        m = COMMENTS.search(body)
        if m:
            return body[: m.start()]
    return body


def load_wceb(eval_dir: Path) -> list[Page]:
    d = eval_dir / "wceb-dev"
    out = []
    for line in (d / "gold.jsonl").read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        r = json.loads(line)
        raw = gzip.decompress((d / "html" / r["subset"] / f"{r['id']}.html.gz").read_bytes())
        html = raw.decode(r["encoding"], errors="ignore")
        if r["subset"] in ("cleaneval-dev", "cleanportaleval"):
            html = _WRAPPER.sub("", html)
        out.append(Page(r["subset"], r["id"], html, article_gold(r["subset"], r["body"])))
    return out


def load_pages(eval_dir: Path, quick: bool = False) -> dict[str, list[Page]]:
    pages: dict[str, list[Page]] = {name: [] for name in DATASETS}
    for p in load_aeb(eval_dir) + load_wceb(eval_dir):
        pages[p.dataset].append(p)
    for name in pages:
        pages[name].sort(key=lambda p: p.id)
        if quick and name in QUICK_EVERY:
            pages[name] = pages[name][:: QUICK_EVERY[name]]
    return pages


# ---------------------------------------------------------------- systems

def trafilatura_default(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def trafilatura_precision(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, favor_precision=True) or ""


def readability_lxml(html: str) -> str:
    """readability-lxml's summary as text, rendered by inscriptis (the wceb-dev README's reference)."""
    import inscriptis
    from readability import Document

    return inscriptis.get_text(Document(html).summary()) or ""


_CHOOSER = re.compile(rb"\nCHOOSER[^\n]*\{.*?\n\}", re.S)


def _code_hash(*parts: Path) -> str:
    """Of the code that makes winnow's candidates; the chooser's thresholds are left out (the
    candidates do not depend on them: the fit reads them from the cache)."""
    h = hashlib.sha256()
    for part in parts:
        files = sorted(part.rglob("*.py")) if part.is_dir() else [part]
        for f in files:
            h.update(_CHOOSER.sub(b"", f.read_bytes()))
    return h.hexdigest()[:12]


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    return {name: md.version(name) for name in ("trafilatura", "readability-lxml", "inscriptis", "lxml")}


class Cache:
    """Outputs of one system per data set: ``OUT/<system>/<key>/<dataset>.json`` (id -> value)."""

    def __init__(self, system: str, key: str, enabled: bool = True) -> None:
        self.dir = OUT / re.sub(r"\W+", "_", system) / key
        self.enabled = enabled

    def run(self, dataset: str, pages: list[Page], fn: Callable[[Page], object]) -> dict[str, object]:
        path = self.dir / f"{dataset}.json"
        stored = json.loads(path.read_text(encoding="utf-8")) if self.enabled and path.exists() else {}
        missing = [p for p in pages if p.id not in stored]
        for p in missing:
            stored[p.id] = fn(p)
        if missing and self.enabled:
            self.dir.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
        return {p.id: stored[p.id] for p in pages}


def safe(fn: Callable[[str], str]) -> Callable[[Page], str]:
    """A baseline that raises on a page gives an empty text for it (counted as empty)."""
    def run(p: Page) -> str:
        try:
            return fn(p.html) or ""
        except Exception:  # noqa: BLE001 - a baseline's failure is its empty output
            return ""
    return run


# ---------------------------------------------------------------- winnow, leave-one-data-set-out

CANDIDATES = ("trafilatura", "readability", "balanced")


def winnow_candidates(p: Page) -> dict:
    """winnow's finished extractions of a page (readability's body, trafilatura's, trafilatura's
    without precision mode) and the chooser's inputs: what the leave-one-data-set-out fit needs,
    computed once per page."""
    from winnow.clean.html import extract as ex
    from winnow.settings import CleanSettings

    settings = CleanSettings()
    page = ex.analyse(p.html, settings)
    out: dict = {"features": None}
    for name in CANDIDATES:
        out[name] = {"text": "", "not_article": False, "words": 0, "none": True}
        if page is None:
            continue
        page.run(name)
        e = ex.finish(page, name, settings)
        out[name] = {"text": "\n".join(e.paragraphs), "not_article": e.not_article, "words": ex.body_words(e),
                     "none": page.blocks[name] is None}
    if page is not None:
        out["features"] = page.features
    return out


@dataclass
class Scored:
    """Per page: each candidate's text, its P/R, and the features; so that a chooser's figure is
    a lookup, not a re-run."""

    page: Page
    features: dict | None
    texts: dict[str, str]
    scores: dict
    not_article: dict[str, bool | None]  # None: that body has no text, it has no say
    missing: dict[str, bool]  # that extractor found no body at all
    words: dict[str, int]  # words of each finished body (winnow's word count; 0 when not_article)
    balanced_none: bool  # trafilatura without precision mode found no body
    readable: bool = False  # the gold has READABLE_WORDS words or more
    empty: dict[str, bool] = field(default_factory=dict)  # that body has fewer than EMPTY_WORDS words


def _verdict(c: dict) -> bool | None:
    """As ``extract.verdict``: a body without text has no say."""
    return True if c["not_article"] else (False if c["text"].strip() else None)


def _no_words(c: dict, name: str) -> bool:
    f = c["features"]
    return f is None or f[f"{name[0]}_words"] == 0


def score_candidates(pages: list[Page], cands: dict[str, dict]) -> list[Scored]:
    out = []
    for p in pages:
        c = cands[p.id]
        texts = {n: ("" if c[n]["not_article"] else c[n]["text"]) for n in CANDIDATES}
        out.append(Scored(p, c["features"], texts, {n: score_page(p.id, t, p.gold) for n, t in texts.items()},
                          {n: _verdict(c[n]) for n in ("trafilatura", "readability")},
                          {n: c[n]["not_article"] is False and not c[n]["text"] and _no_words(c, n)
                           for n in ("trafilatura", "readability")},
                          {n: c[n]["words"] for n in CANDIDATES}, c["balanced"]["none"],
                          words(p.gold) >= READABLE_WORDS, {n: words(t) < EMPTY_WORDS for n, t in texts.items()}))
    return out


from winnow.clean.html.candidates import choose, confident, doubtful, fragment_of_index, other  # noqa: E402
from winnow.clean.html.extract import FULLER_FLOOR  # noqa: E402


def pick(s: Scored, params: dict) -> str:
    """The body ``clean_html`` uses with these chooser thresholds (the steps of ``extract._clean``)."""
    if s.features is None:
        return "trafilatura"
    name = _choose(s, params)
    n = s.words[name]
    if n < params["tiny_words"] and s.not_article.get(name) is not True and not s.balanced_none and s.words["balanced"] >= params["fuller"] * max(n, FULLER_FLOOR):
        return "balanced"  # extract.fuller
    return name


def _choose(s: Scored, params: dict) -> str:
    """readability's body or trafilatura's (``extract._choose``)."""
    name, second = "readability", False
    if doubtful(s.features, params):
        name, second = choose(s.features, params), True
    if s.missing[name]:
        name, second = other(name), True
    if s.not_article[name]:
        if name == "trafilatura" and fragment_of_index(s.features, s.not_article, params):
            return name
        return confident(name, s.not_article)
    if second and name == "readability" and not s.missing["trafilatura"] and fragment_of_index(s.features, s.not_article, params):
        return "trafilatura"
    return name


def dataset_f1(scored: list[Scored], params: dict) -> float:
    return summarize(s.scores[pick(s, params)] for s in scored).f1


def fit_score(scored: list[Scored], params: dict) -> float:
    """F1 on a data set less the share of its readable articles given back empty: an empty
    article is what a user notices first, so it costs twice (once in F1, once here)."""
    picks = [pick(s, params) for s in scored]
    f1 = summarize(s.scores[n] for s, n in zip(scored, picks)).f1
    readable = [(s, n) for s, n in zip(scored, picks) if s.readable]
    empty = sum(s.empty[n] for s, n in readable)
    return f1 - empty / max(len(readable), 1)


GRID = {
    "min_words": (10, 30, 60),
    "max_link": (0.1, 0.2, 0.35, 1.0),
    "min_overlap": (0.5, 0.7, 0.9),
    "link_margin": (0.05, 0.1, 0.2),
    "longer": (2.0, 3.0, 5.0, float("inf")),  # inf: the rule off
    "tiny_words": (0, 25, 50),  # 0: extract.fuller off
    "fuller": (3.0, 10.0, 30.0),
}


def _fixed() -> dict:
    """Thresholds not fitted (the dev data sets hold no index pages to fit them on)."""
    from winnow.clean.html import patterns as pat

    return {k: pat.CHOOSER[k] for k in ("short_words", "many_headlines", "agree")}


FIXED = _fixed()


def grid_scores(scored: dict[str, list[Scored]]) -> list[tuple[dict, dict[str, float]]]:
    """``fit_score`` of every grid point on every data set (computed once, shared by the folds)."""
    import itertools

    keys = list(GRID)
    out = []
    for values in itertools.product(*(GRID[k] for k in keys)):
        params = {**FIXED, **dict(zip(keys, values))}
        out.append((params, {ds: fit_score(sc, params) for ds, sc in scored.items()}))
    return out


def fit_chooser(table: list[tuple[dict, dict[str, float]]], train: list[str]) -> dict:
    """The grid point with the best mean ``fit_score`` over the training data sets (each set
    weighs the same, so Dragnet's 1,242 pages do not outvote the others); ties go to the
    earlier point."""
    best, best_score = None, -1e9
    for params, by_set in table:
        score = sum(by_set[ds] for ds in train) / len(train)
        if score > best_score + 1e-9:
            best, best_score = params, score
    return best


# ---------------------------------------------------------------- empties and time

def words(text: str) -> int:
    return len(_WORD.findall(text or ""))


def returned_empty(pages: list[Page], texts: dict[str, str]) -> tuple[int, int]:
    """(readable article pages, of them given back with fewer than ``EMPTY_WORDS`` words)."""
    readable = [p for p in pages if words(p.gold) >= READABLE_WORDS]
    return len(readable), sum(words(texts[p.id]) < EMPTY_WORDS for p in readable)


def time_per_page(pages: list[Page], passes: int = 3) -> dict[str, dict[str, float]]:
    """CPU ms per page of ``clean_html``, of ``trafilatura.extract`` with its defaults (no
    metadata: the budget's reference), and of trafilatura with its metadata (which winnow also
    extracts), on the same decoded pages.

    Warm: every system first runs once over all the pages (imports, stop lists, dateparser's
    per-language regexes are paid there, as a long run pays them once). Then ``passes`` passes;
    in each, every page is run by every system in turn, the order rotating page by page, so a
    noisy neighbour on the machine hits all systems alike. Per system: the mean (total over
    passes and pages) and the median of the per-page times (each page's fastest pass)."""
    import statistics

    import trafilatura

    from winnow.clean.html import clean_html

    systems = {
        "winnow": clean_html,
        "trafilatura default": trafilatura.extract,
        "trafilatura with metadata": lambda h: trafilatura.extract(h, with_metadata=True),
    }
    for fn in systems.values():
        for p in pages:
            fn(p.html)
    names = list(systems)
    best: dict[str, list[float]] = {name: [float("inf")] * len(pages) for name in names}
    total = dict.fromkeys(names, 0.0)
    for rep in range(passes):
        for i, p in enumerate(pages):
            k = (i + rep) % len(names)
            for name in names[k:] + names[:k]:
                t0 = time.process_time()
                systems[name](p.html)
                dt = time.process_time() - t0
                total[name] += dt
                best[name][i] = min(best[name][i], dt)
    n = max(len(pages) * passes, 1)
    return {name: {"mean": 1000 * total[name] / n, "median": 1000 * statistics.median(best[name]) if pages else 0.0}
            for name in names}


def timing_sample(pages: dict[str, list[Page]], per_set: int) -> list[Page]:
    """Up to ``per_set`` pages of each data set, spread evenly over it."""
    out = []
    for ps in pages.values():
        step = max(1, len(ps) // per_set)
        out += ps[::step][:per_set]
    return out


# ---------------------------------------------------------------- report

BASELINES: dict[str, Callable[[str], str]] = {
    "trafilatura default": trafilatura_default,
    "trafilatura precision": trafilatura_precision,
    "readability-lxml": readability_lxml,
}


def _fmt_params(params: dict) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in params.items())


def report(eval_dir: Path = DEFAULT_EVAL, quick: bool = False, cache: bool = True,
           time_pages: int = 40, out=print, explore: str = "", passes: int = 3) -> dict:
    """Run everything, print the Markdown tables, return the figures (for the driver and tests)."""

    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    warnings.simplefilter("ignore")
    t_start = time.time()
    pages = load_pages(eval_dir, quick)
    versions = _versions()
    base_key = "-".join(versions[k] for k in ("trafilatura", "readability-lxml", "inscriptis"))
    from winnow.settings import CleanSettings

    winnow_key = hashlib.sha256((_code_hash(ROOT / "flows" / "winnow" / "clean" / "html", ROOT / "flows" / "winnow" / "vocab")
                                 + repr(CleanSettings())).encode()).hexdigest()[:12] + "-" + base_key

    outputs: dict[str, dict[str, dict[str, str]]] = {name: {} for name in BASELINES}
    scored: dict[str, list[Scored]] = {}
    for ds, ps in pages.items():
        for name, fn in BASELINES.items():
            outputs[name][ds] = Cache(name, base_key, cache).run(ds, ps, safe(fn))
        cands = (Cache("explore", explore, cache) if explore else Cache("winnow candidates", winnow_key, cache)).run(
            ds, ps, winnow_candidates)
        scored[ds] = score_candidates(ps, cands)

    # leave one data set out: thresholds fitted on the others score the held-out set
    table = grid_scores(scored)
    folds = {ds: fit_chooser(table, [k for k in pages if k != ds]) for ds in pages}
    shipped = fit_chooser(table, list(pages))
    outputs["winnow (leave-one-data-set-out)"] = {
        ds: {s.page.id: s.texts[pick(s, folds[ds])] for s in scored[ds]} for ds in pages
    }
    outputs["winnow, trafilatura body only"] = {ds: {s.page.id: s.texts["trafilatura"] for s in sc} for ds, sc in scored.items()}
    outputs["winnow, readability body only"] = {ds: {s.page.id: s.texts["readability"] for s in sc} for ds, sc in scored.items()}

    figures: dict = {"f1": {}, "empty": {}, "folds": folds, "shipped": shipped}
    systems = ["winnow (leave-one-data-set-out)", *BASELINES, "winnow, trafilatura body only", "winnow, readability body only"]
    out(f"### HTML extraction quality per data set{' (--quick subset)' if quick else ''}\n")
    out("F1 of mean P and mean R over a data set's pages (4-token shingles, shared/eval/README.md); "
        "in brackets the mean of per-page F1. winnow's figure for a data set uses chooser thresholds "
        "fitted without it.\n")
    out("| system | " + " | ".join(f"{ds} ({len(pages[ds])})" for ds in pages) + " |")
    out("|---|" + "---:|" * len(pages))
    for name in systems:
        cells = []
        for ds, ps in pages.items():
            s = summarize(score_page(p.id, outputs[name][ds][p.id], p.gold) for p in ps)
            figures["f1"].setdefault(name, {})[ds] = s.f1
            cells.append(f"{s.f1:.3f} ({s.mean_page_f1:.3f})")
        label = f"**{name}**" if name.startswith("winnow (") else name
        out(f"| {label} | " + " | ".join(cells) + " |")

    ours = figures["f1"]["winnow (leave-one-data-set-out)"]
    best_other = {ds: max(figures["f1"][b][ds] for b in ("trafilatura default", "readability-lxml")) for ds in pages}
    margins = ", ".join(f"{ds} {ours[ds] - best_other[ds]:+.3f}" for ds in pages)
    out(f"\nwinnow minus the better of trafilatura default and readability-lxml: {margins}")

    out(f"\n### Real articles returned empty (gold of {READABLE_WORDS}+ words; output under {EMPTY_WORDS} words, "
        "what ingest rejects as too_short, or not_article)\n")
    out("| system | " + " | ".join(pages) + " |")
    out("|---|" + "---:|" * len(pages))
    for name in systems[:4]:
        cells = []
        for ds, ps in pages.items():
            n, empty = returned_empty(ps, outputs[name][ds])
            figures["empty"].setdefault(name, {})[ds] = (empty, n)
            cells.append(f"{empty} of {n} ({100 * empty / max(n, 1):.1f}%)")
        out(f"| {name} | " + " | ".join(cells) + " |")

    out("\n### Chooser thresholds (trafilatura's body or readability's, `patterns.CHOOSER`)\n")
    for ds, params in folds.items():
        out(f"- without {ds}: {_fmt_params(params)}")
    out(f"- all data sets (what to ship): {_fmt_params(shipped)}")
    from winnow.clean.html import patterns as pat

    same = all(pat.CHOOSER.get(k) == v for k, v in shipped.items())
    out(f"- shipped in patterns.CHOOSER: {_fmt_params(pat.CHOOSER)}" + ("" if same else "  **(differs from the fit)**"))
    chosen = {ds: [pick(s, shipped) for s in sc] for ds, sc in scored.items()}
    out("- pages whose body the shipped thresholds take from readability / trafilatura / trafilatura without "
        "precision mode: " + ", ".join(f"{ds} {'/'.join(str(chosen[ds].count(n)) for n in ('readability', 'trafilatura', 'balanced'))}"
                                       f" of {len(pages[ds])}" for ds in pages))

    if time_pages:
        sample = timing_sample(pages, time_pages)
        ms = time_per_page(sample, passes)
        figures["time"] = ms
        w, t, tm = ms["winnow"], ms["trafilatura default"], ms["trafilatura with metadata"]
        ratio = w["mean"] / t["mean"]
        figures["time_ratio"] = ratio
        out(f"\n### HTML cleaning time\n\nCPU time per page, the same {len(sample)} decoded pages ({time_pages} per "
            f"data set), warm, {passes} passes in turn, this run: winnow `clean_html` {w['mean']:.1f} ms "
            f"(median {w['median']:.1f}); trafilatura default {t['mean']:.1f} ms (median {t['median']:.1f}): "
            f"**{ratio:.2f}×** (budget 1.5×; medians {w['median'] / t['median']:.2f}×); trafilatura with its "
            f"metadata (which winnow also extracts) {tm['mean']:.1f} ms: {w['mean'] / tm['mean']:.2f}×")
    out(f"\n(trafilatura {versions['trafilatura']}, readability-lxml {versions['readability-lxml']}, "
        f"inscriptis {versions['inscriptis']}; run took {time.time() - t_start:.0f} s)")
    return figures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL, help="the shared eval folder (default %(default)s)")
    ap.add_argument("--quick", action="store_true", help="a subset: every 8th Dragnet page, every 2nd aeb-dev page")
    ap.add_argument("--no-cache", action="store_true", help="recompute every extractor output")
    ap.add_argument("--time-pages", type=int, default=40, help="pages per data set timed (0: no timing)")
    ap.add_argument("--passes", type=int, default=3, help="timed passes over those pages (after a warm-up pass)")
    ap.add_argument("--explore", default="", help=argparse.SUPPRESS)  # while iterating: a named cache of winnow's outputs
    args = ap.parse_args(argv)
    report(args.eval_dir, args.quick, not args.no_cache, args.time_pages, explore=args.explore, passes=args.passes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
