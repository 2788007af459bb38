"""Train the text-dump cleaner's line model from the dev data sets (minutes, one core).

    python benchmarks/train_text_cleaner.py [--eval-dir SHARED/eval] [--max-pages 0] [--lodo]

1. Training pages come from every dev data set (``renderings.DATASETS``: aeb-dev and
   the four wceb-dev subsets), every page (``--max-pages N``: at most N per data set,
   every k-th page), each as text dumps in several renderings (``renderings.RENDERINGS``:
   inscriptis, flat, hard-wrapped, Markdown-like; two per page, in rotation, plus
   one line per paragraph without blank lines). Every line of a dump is labelled
   body / not body by aligning the page's gold to it: a token of the dump is "in
   the body" when one of the 4-token shingles it belongs to (across line ends too)
   occurs in the gold; a line is body when at least half of its tokens are.
2. Synthetic pages add what the data sets hold little of: blocks of other pages'
   headlines and teasers injected after (or before) the article, and index pages
   made only of such blocks (labelled all chrome).
3. Stage 1 (boosted trees over ``features.NAMES``) is trained; stage 2 is trained on
   the *out-of-fold* stage-1 probabilities of the lines around each line
   (stacking), so it learns how much to trust stage 1.
4. The forests are exported to ``flows/winnow/clean/text/weights.npz`` (numpy
   arrays; LightGBM is needed only here, not at run time).

``--lodo`` also trains one model per data set without that data set
(leave-one-data-set-out), cached under ``benchmarks/out/models/`` for
``benchmarks/quality_text.py``, which scores each data set with the model that
never saw it (``--only dragnet,readability``: only those data sets' models, the
shipped weights left alone: quicker while iterating, still models that never saw them).
With ``BAGS`` > 1, ``BAGS`` forests of ``ROUNDS // BAGS`` trees each (own row and
feature samples) are averaged into one forest per stage, as many trees as one
unbagged forest (the same run-time cost). Tried with 3 and 5 bags (with and
without stronger regularisation), the held-out Dragnet and Readability F1 moved
by -0.005 to +0.006 per rendering, in no consistent direction: the shipped
weights use one forest (``BAGS = 1``). Features are cached under ``benchmarks/out/features/``, keyed by every
source they depend on (``KEY_SOURCES``: the feature code, the language data; and the settings of
``params.py`` the feature code reads). ``--folds K`` prints the old K-fold cross-validated score of the
aeb-dev pages alone. Each data set weighs the same in training whatever its
size, and pages weigh alike within it. LightGBM runs single-threaded and
deterministic, so the same data gives the same weights.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import renderings as rd  # noqa: E402
from winnow.clean.text.features import page_features  # noqa: E402
from winnow.clean.text.lines import split_lines  # noqa: E402
from winnow.clean.text.model import WEIGHTS, Forest, LineModel, stage2_matrix  # noqa: E402
from winnow.evaluate import shingles  # noqa: E402

from shared_folder import EVAL as DEFAULT_EVAL  # noqa: E402
_TOKEN = re.compile(r"\w+")
_MARKER = re.compile(r"^\s*(?:[*+o•·-])\s+")

PARAMS = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 15,
    "max_depth": 5,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.6,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "seed": 7,
    "verbosity": -1,
}
ROUNDS = 150
BAGS = 1  # forests averaged per stage, ROUNDS // BAGS trees each on its own samples: as many trees at run time
INNER_FOLDS = 4


# ---------------------------------------------------------------- data

def strip_style(text: str) -> str:
    """Leading whitespace and list markers removed (real dumps often have none)."""
    return "\n".join(_MARKER.sub("", ln).lstrip() for ln in text.splitlines())


def compact_style(text: str) -> str:
    """One line per paragraph, no blank lines (like seed 000)."""
    return "\n".join(ln for ln in strip_style(text).splitlines() if ln.strip())


def spaced_style(text: str) -> str:
    """Every line separated by a blank line (like most seeds)."""
    return "\n\n".join(ln for ln in strip_style(text).splitlines() if ln.strip())


STYLES = {"given": lambda t: t, "stripped": strip_style, "compact": compact_style, "spaced": spaced_style}



@dataclass
class Page:
    id: str
    text: str  # the inscriptis rendering
    gold: str
    title: str = ""  # the HTML <title>, used only to make synthetic headline lists
    dataset: str = "aeb-dev"
    dumps: dict = None  # rendering -> text dump (all data sets' training)


# ---------------------------------------------------------------- synthetic chrome
# The dev pages hold few "news stream" blocks (headline + teaser pairs about other
# stories) and few pure index pages, so the training set gets some, made from the
# *other* dev pages' titles and first paragraphs: they read like prose but are
# unrelated to the article, which is exactly what the model must learn to drop.

LIST_HEADINGS = ["", "", "More news", "Latest stories", "Related", "Trending", "Recommended for you",
                 "Top Stories", "Latest News", "Most popular", "Lire aussi", "Weitere Nachrichten"]


def _teaser_block(pages: list[Page], me: int, rng: np.random.Generator, pairs: int) -> list[str]:
    out = []
    heading = LIST_HEADINGS[int(rng.integers(len(LIST_HEADINGS)))]
    if heading:
        out.append(heading)
    for _ in range(pairs):
        j = int(rng.integers(len(pages)))
        if j == me:
            j = (j + 1) % len(pages)
        other = pages[j]
        if other.title:
            out.append(other.title)
        para = next((p for p in other.gold.split("\n") if len(p.split()) >= 12), "")
        if para and rng.random() < 0.85:
            words = para.split()
            if rng.random() < 0.6:
                out.append(" ".join(words[: int(rng.integers(14, 36))]) + rng.choice(["...", "…", " ..."]))
            else:
                out.append(re.split(r"(?<=[.!?])\s", para, maxsplit=1)[0])
    return out


def inject_style(text: str, gold: str, pages: list[Page], me: int) -> str:
    """Stripped rendering with a block of other stories' headlines and teasers after (or before) the body."""
    rng = np.random.default_rng(1000 + me)
    lines = [ln for ln in strip_style(text).splitlines() if ln.strip()]
    from winnow.clean.text.lines import split_lines as _split

    lab = align_labels(_split("\n".join(lines)), gold)
    body = np.flatnonzero(lab)
    at = int(body[-1]) + 1 if len(body) else len(lines) // 2
    if rng.random() < 0.3 and len(body):
        at = int(body[0])
    block = _teaser_block(pages, me, rng, int(rng.integers(3, 9)))
    sep = "\n\n" if rng.random() < 0.5 else "\n"
    return sep.join(lines[:at] + block + lines[at:])


def index_style(text: str, gold: str, pages: list[Page], me: int) -> str:
    """A page with the site's chrome and only a list of teasers: no article at all."""
    rng = np.random.default_rng(2000 + me)
    lines = [ln for ln in strip_style(text).splitlines() if ln.strip()]
    from winnow.clean.text.lines import split_lines as _split

    lab = align_labels(_split("\n".join(lines)), gold)
    body = np.flatnonzero(lab)
    head = lines[: int(body[0])] if len(body) else lines[:20]
    tail = lines[int(body[-1]) + 1 :] if len(body) else lines[-20:]
    block = _teaser_block(pages, me, rng, int(rng.integers(6, 14)))
    sep = "\n\n" if rng.random() < 0.5 else "\n"
    return sep.join(head[-40:] + block + tail[:40])


SYNTHETIC = {"inject": inject_style, "index": index_style}
INDEX_EVERY = 3  # one page in three also yields a synthetic index page
INJECT_EVERY = 2  # one page in two also yields a rendering with a block of other stories


def _html_title(path: Path) -> str:
    import gzip

    try:
        raw = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    except OSError:
        return ""
    return _title_of(raw)


def _title_of(raw: str) -> str:
    import html as _html

    m = re.search(r"<title[^>]*>(.*?)</title>", raw, re.I | re.S)
    return re.sub(r"\s+", " ", _html.unescape(m.group(1))).strip() if m else ""


def load_dev(eval_dir: Path = DEFAULT_EVAL) -> list[Page]:
    d = Path(eval_dir) / "aeb-dev"
    gold = json.loads((d / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for f in sorted((d / "text").glob("*.txt")):
        title = _html_title(d / "html" / f"{f.stem}.html.gz")
        pages.append(Page(f.stem, f.read_text(encoding="utf-8"), gold[f.stem]["articleBody"], title))
    return pages


def align_labels(lines, gold: str) -> np.ndarray:
    """Body (1) / not body (0) per line, by 4-token shingle alignment with the gold body."""
    gold_sh = set(shingles(gold))
    toks, owner = [], []
    for i, ln in enumerate(lines):
        t = _TOKEN.findall(ln.text)
        toks += t
        owner += [i] * len(t)
    covered = np.zeros(len(toks), dtype=bool)
    for k in range(len(toks) - 3):
        if tuple(toks[k : k + 4]) in gold_sh:
            covered[k : k + 4] = True
    if 0 < len(toks) < 4 and tuple(toks) in gold_sh:
        covered[:] = True
    n = len(lines)
    tot = np.zeros(n)
    cov = np.zeros(n)
    np.add.at(tot, owner, 1)
    np.add.at(cov, owner, covered)
    return ((tot > 0) & (cov >= 0.5 * np.maximum(tot, 1))).astype(float)


@dataclass
class Rows:
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    words: np.ndarray
    page: np.ndarray  # page index per row
    seg: list  # (page index, style, start, end) per rendered page
    dataset: np.ndarray | None = None  # data set name per row


def load_training(eval_dir: Path = DEFAULT_EVAL, max_pages: int = 0) -> list[Page]:
    """At most ``max_pages`` pages of every data set (every k-th page; 0: every page), with their dumps in every
    rendering."""
    pages = []
    for ds in rd.DATASETS:
        group = [p for p in rd.load_pages(eval_dir, (ds,)) if len(p.gold.split()) >= 1]
        step = max(1, -(-len(group) // max_pages)) if max_pages else 1
        group = group[::step]
        dumps = {r: rd.dumps(group, r, eval_dir) for r in rd.RENDERINGS}
        for p in group:
            d = {r: dumps[r][p.key] for r in rd.RENDERINGS}
            pages.append(Page(p.key, d["inscriptis"], p.gold, _title_of(p.html[:200_000]), ds, d))
    return pages


def _rendered(pg: Page, pi: int) -> list[tuple[str, str]]:
    """(style, text) of the renderings page ``pi`` is trained on: two in rotation, and one line per paragraph."""
    names = rd.RENDERINGS
    picks = [names[pi % len(names)], names[(pi + 2) % len(names)]]
    out = [(r, pg.dumps[r]) for r in picks]
    out.append(("compact", compact_style(pg.dumps["flat"])))
    return out


def build_all_rows(pages: list[Page], cache_dir: Path | None = None) -> Rows:
    """Rows for the all-data-sets training (cached on disk by the cleaner's source and the page list)."""
    key = _source_hash(pages)
    f = (cache_dir or ROOT / "benchmarks" / "out" / "features") / f"rows-{key}.npz"
    if f.exists():
        z = np.load(f, allow_pickle=True)
        return Rows(z["X"], z["y"], z["w"], z["words"], z["page"], list(map(tuple, z["seg"])), z["dataset"])
    rows = build_rows(pages, styles=("rendered",) + tuple(SYNTHETIC))
    # each data set weighs the same, whatever its size
    for ds in np.unique(rows.dataset):
        m = rows.dataset == ds
        rows.w[m] *= len(rows.w) / (len(np.unique(rows.dataset)) * rows.w[m].sum())
    f.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(f, X=rows.X, y=rows.y, w=rows.w, words=rows.words, page=rows.page,
                        seg=np.array(rows.seg, dtype=object), dataset=rows.dataset)
    return rows


# What the cached rows (features, labels, weights) and models are computed from, besides the pages:
# the line splitter, the features, the chrome patterns and the per-language data they are built from,
# the word counters, the model's evaluation, this script (labelling, synthetic pages, training
# settings) and the renderings (KEY_SOURCES); and every setting of params.py those feature modules
# read (``_feature_settings``: params.CODE, params.WRAP, params.COLUMNS..., found in their source, so a
# setting a feature starts reading is covered without adding it here; the rules' settings, read by the
# cleaner only, leave the cached features and models valid).
FEATURE_SOURCES = tuple(Path("flows/winnow/clean/text") / f
                        for f in ("lines.py", "features.py", "patterns.py", "lang.py", "model.py"))
KEY_SOURCES = (
    *FEATURE_SOURCES,
    Path("flows/winnow/clean/text/params.py"),  # only the settings the features read (_feature_settings)
    *(Path("flows/winnow/vocab") / f for f in ("__init__.py", "languages.py", "words.py")),
    Path("benchmarks/train_text_cleaner.py"),
    Path("benchmarks/renderings.py"),
)
_PARAMS_READ = re.compile(r"\bparams\.([A-Z][A-Z0-9_]*)|^from winnow\.clean\.text\.params import ([\w, ]+)", re.M)


def _feature_settings(root: Path = ROOT) -> str:
    """repr of the settings of ``params.py`` the feature modules read (taken from the file under ``root``)."""
    names: set[str] = set()
    for f in FEATURE_SOURCES:
        for attr, imported in _PARAMS_READ.findall((root / f).read_text(encoding="utf-8")):
            names.update([attr] if attr else (n.strip() for n in imported.split(",")))
    values: dict = {}
    exec(compile((root / "flows/winnow/clean/text/params.py").read_text(encoding="utf-8"), "params.py", "exec"), values)
    return repr(sorted((n, values[n]) for n in names))


def _source_hash(pages: list[Page], root: Path = ROOT) -> str:
    """Key of the cached rows and models: the sources the rows depend on (``KEY_SOURCES``), the settings
    of params.py the features read, the pages."""
    from importlib.metadata import version

    h = hashlib.sha256()
    for f in KEY_SOURCES:
        if f.name != "params.py":  # rules' settings too: only those the features read count
            h.update(str(f).encode() + b"\0" + (root / f).read_bytes())
    h.update(_feature_settings(root).encode())
    h.update(repr((PARAMS, ROUNDS, BAGS, INNER_FOLDS, INDEX_EVERY, INJECT_EVERY, rd.RENDERINGS,
                   version("justext"))).encode())
    for p in pages:
        h.update(p.id.encode())
    return h.hexdigest()[:16]


def lodo_models(pages: list[Page], rows: Rows | None = None, cache_dir: Path | None = None,
                datasets=rd.DATASETS) -> dict[str, LineModel]:
    """{data set: model trained without it} (leave-one-data-set-out), cached on disk (rows built if needed)."""
    out = {}
    key = _source_hash(pages)
    d = cache_dir or ROOT / "benchmarks" / "out" / "models"
    d.mkdir(parents=True, exist_ok=True)
    for ds in datasets:
        f = d / f"lodo-{ds}-{key}.npz"
        if not f.exists():
            rows = rows or build_all_rows(pages)
            t0 = time.time()
            train(rows, rows.dataset != ds).save(f)
            print(f"  model without {ds}: {time.time() - t0:.0f}s", file=sys.stderr)
        out[ds] = LineModel.load(f)
    return out


def build_rows(pages: list[Page], styles=tuple(STYLES) + tuple(SYNTHETIC)) -> Rows:
    from winnow.clean.text.features import NAMES

    wcol = NAMES.index("words")
    Xs, ys, ws, ps, segs, dss = [], [], [], [], [], []
    start = 0
    for pi, pg in enumerate(pages):
        labels = align_labels(split_lines(pg.text), pg.gold)
        texts = []
        for st in styles:
            if st == "index" and pi % INDEX_EVERY:
                continue
            if st == "inject" and pi % INJECT_EVERY:
                continue
            if st == "rendered":
                texts += _rendered(pg, pi)
            else:
                texts.append((st, None))
        for st, text in texts:
            if not pg.text.strip() or not pg.gold.strip():
                continue
            if st in SYNTHETIC:
                lines = split_lines(SYNTHETIC[st](pg.text, pg.gold, pages, pi))
                y = np.zeros(len(lines)) if st == "index" else align_labels(lines, pg.gold)
            elif text is not None:
                lines = split_lines(text)
                y = align_labels(lines, pg.gold)
            else:
                lines = split_lines(STYLES[st](pg.text))
                y = labels if len(lines) == len(labels) else align_labels(lines, pg.gold)
            if not lines:
                continue
            pf = page_features(lines)
            words = pf.X[:, wcol]
            # weight: long lines carry more of the metric's shingles; pages count alike
            w = np.sqrt(words + 1.0)
            w = w / w.sum() * len(w) ** 0.5 * 10 if len(w) else w
            Xs.append(pf.X)
            ys.append(y)
            ws.append(w)
            ps.append(np.full(len(y), pi))
            dss.append(np.full(len(y), pg.dataset))
            segs.append((pi, st, start, start + len(y)))
            start += len(y)
    X = np.vstack(Xs)
    return Rows(X, np.concatenate(ys), np.concatenate(ws), X[:, wcol], np.concatenate(ps), segs, np.concatenate(dss))


# ---------------------------------------------------------------- training

def _fit(X, y, w, rounds=None) -> Forest:
    """Boosted trees; with ``BAGS`` > 1, the average of that many forests of ``rounds // BAGS`` trees, each on
    its own seed (its own row and feature samples), merged into one forest of the same size."""
    import lightgbm as lgb

    rounds = rounds or ROUNDS
    forests = []
    data = lgb.Dataset(X, y, weight=w, free_raw_data=False)  # binned once for every bag
    for k in range(BAGS):
        # the first bag is the unbagged training (its samples drawn from PARAMS' seed), the others draw their own
        params = dict(PARAMS, bagging_seed=PARAMS["seed"] + 101 * k, feature_fraction_seed=PARAMS["seed"] + 211 * k) if k else PARAMS
        booster = lgb.train(params, data, num_boost_round=max(1, rounds // BAGS))
        forests.append(Forest.from_lightgbm(booster.dump_model()))
    return forests[0] if BAGS == 1 else Forest.average(forests)


def _stage2_rows(rows: Rows, p1: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Stage-2 matrix for the rendered pages whose rows are in ``mask``."""
    out = np.zeros((len(p1), 0))
    parts = {}
    for pi, st, a, b in rows.seg:
        if mask[a]:
            parts[a] = stage2_matrix(rows.X[a:b], p1[a:b], rows.words[a:b])
    if not parts:
        return out
    width = next(iter(parts.values())).shape[1]
    M = np.zeros((len(p1), width))
    for a, m in parts.items():
        M[a : a + len(m)] = m
    return M


def train(rows: Rows, mask: np.ndarray | None = None, threshold: float = 0.5) -> LineModel:
    """Both stages on the rows in ``mask`` (all when None); stage 2 sees out-of-fold stage-1 output."""
    if mask is None:
        mask = np.ones(len(rows.y), dtype=bool)
    pages = np.unique(rows.page[mask])
    p1 = np.zeros(len(rows.y))
    for k in range(INNER_FOLDS):
        held = np.isin(rows.page, pages[k::INNER_FOLDS])
        fit = mask & ~held
        f = _fit(rows.X[fit], rows.y[fit], rows.w[fit])
        sel = mask & held
        p1[sel] = f.proba(rows.X[sel])
    stage1 = _fit(rows.X[mask], rows.y[mask], rows.w[mask])
    M = _stage2_rows(rows, p1, mask)
    stage2 = _fit(M[mask], rows.y[mask], rows.w[mask])
    return LineModel(stage1, stage2, threshold, {"rounds": ROUNDS, "bags": BAGS, "params": PARAMS, "pages": int(len(pages))})


def crossval_models(pages: list[Page], folds: int = 5, rows: Rows | None = None) -> dict[str, LineModel]:
    """One model per fold, trained without that fold's pages: {page id: model that never saw it}."""
    rows = rows or build_rows(pages)
    out = {}
    for k in range(folds):
        held = [i for i in range(len(pages)) if i % folds == k]
        model = train(rows, ~np.isin(rows.page, held))
        for i in held:
            out[pages[i].id] = model
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--max-pages", type=int, default=0, help="training pages per data set (every k-th page; 0: all)")
    ap.add_argument("--lodo", action="store_true", help="also train the leave-one-data-set-out models")
    ap.add_argument("--folds", type=int, default=0, help="K-fold cross-validated F1 of aeb-dev alone (0: skip)")
    ap.add_argument("--only", default="", help="with --lodo: only these held-out data sets' models (comma-separated; "
                    "the shipped weights are not retrained)")
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    args = ap.parse_args(argv)
    only = [d for d in args.only.split(",") if d]
    if [d for d in only if d not in rd.DATASETS]:
        ap.error(f"--only: unknown data set; one of {', '.join(rd.DATASETS)}")
    t0 = time.time()
    if args.folds:
        from winnow.clean.text.cleaner import clean_with
        from winnow.evaluate import score_page, summarize

        pages = load_dev(args.eval_dir)
        models = crossval_models(pages, args.folds, build_rows(pages))
        for st in ("given", "stripped", "compact", "spaced"):
            scores = [score_page(p.id, clean_with(STYLES[st](p.text), model=models[p.id]).text, p.gold) for p in pages]
            s = summarize(scores)
            print(f"CV {st:9s} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} mean page F1={s.mean_page_f1:.3f} "
                  f"worst: " + ", ".join(f"{w.page[:8]}={w.f1:.2f}" for w in s.worst))
    pages = load_training(args.eval_dir, args.max_pages)
    rows = build_all_rows(pages)
    per = ", ".join(f"{ds} {int((rows.dataset == ds).sum())}" for ds in rd.DATASETS)
    print(f"{len(pages)} pages, {len(rows.y)} line rows ({per}), {rows.y.mean():.2%} body; "
          f"features in {time.time() - t0:.1f}s")
    if args.lodo:
        lodo_models(pages, rows, datasets=only or rd.DATASETS)
    if only:
        print(f"trained the models without {', '.join(only)} only; {args.out} left as it is")
        return 0
    model = train(rows)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) in {time.time() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
