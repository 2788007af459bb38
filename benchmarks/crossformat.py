"""Cross-format near duplicates on pages the dedup rules were not made on.

    python benchmarks/dedup.py --skip-quality --skip-scale --cross-format [--cross-pages N]
    python benchmarks/crossformat.py [--pages N] [--eval-dir /work/shared/eval]

Every dev page with gold text (``benchmarks/renderings.py``: aeb-dev and the four
wceb-dev data sets, 1,575 pages of many sites) is one article that a user may get
as HTML or as a text dump. Each page gives five documents: its HTML and its four
text renderings (inscriptis, flat, hard-wrapped, Markdown-like); all of them are
cleaned with ``winnow.clean.clean`` and deduplicated together with the engine the
pipeline runs (``winnow.dedup.near``: MinHash, LSH, verification, union-find).

The five documents of one page must form one cluster (their pairs are the true
pairs); documents of two different pages must not merge (every other pair), unless the
pages' gold texts are near duplicates themselves (Readability's test pages share a
lorem ipsum body: the engine run on the gold texts decides). Recall
is given per pair type: text–HTML (a dump and the page it was rendered from),
text–text (two renderings of one page); precision over all merged pairs, with the
merges across pages listed by data set. A page whose gold is empty (no article) is
left out; a document that cleaning leaves empty stays in (a miss of the cleaner,
counted separately so that the dedup's own share is visible).
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dataclasses import replace  # noqa: E402

from winnow.dedup import near  # noqa: E402
from winnow.dedup.lsh import candidates, lsh_params  # noqa: E402
from winnow.settings import DedupSettings  # noqa: E402

FORMATS = ("html", "inscriptis", "flat", "wrapped", "markdown")


def documents(pages, eval_dir: Path) -> dict[tuple[str, str], str]:
    """(page key, format) -> cleaned body."""
    import renderings
    from winnow.clean import clean

    raw = {f: renderings.dumps(pages, f, eval_dir) for f in FORMATS[1:]}
    out = {}
    for p in pages:
        for f in FORMATS:
            content = p.html if f == "html" else raw[f][p.key]
            try:
                out[(p.key, f)] = clean(content, "html" if f == "html" else "text").text
            except Exception as e:  # a cleaner crash is a miss here, not a benchmark failure
                print(f"  cleaner failed on {p.key} ({f}): {type(e).__name__}: {e}", file=sys.stderr)
                out[(p.key, f)] = ""
    return out


def pair_type(fa: str, fb: str) -> str:
    if fa == "html" or fb == "html":
        return "text–HTML"
    return "text–text"


def evaluate(pages, cleaned: dict, settings: DedupSettings) -> dict:
    """Cluster every document; score the merged pairs against 'same page'."""
    ids = sorted(cleaned)
    texts = {f"{k}|{f}": cleaned[(k, f)] for k, f in ids}
    order = sorted(texts)
    sigs = near.signatures([texts[i] for i in order], settings)
    pairs = near.find_pairs([(i, texts[i], s) for i, s in zip(order, sigs)], [], texts, settings)
    assign = near.cluster({i: (len(texts[i]), 0) for i in order}, pairs, [], settings.representative)
    merged = set()
    for members in near.clusters_of(assign).values():
        merged.update(combinations(sorted(members), 2))
    dataset = {p.key: p.dataset for p in pages}
    empty = {i for i in order if not texts[i].strip()}
    rows: dict[tuple[str, str], dict] = {}
    for p in pages:
        for fa, fb in combinations(FORMATS, 2):
            a, b = sorted((f"{p.key}|{fa}", f"{p.key}|{fb}"))
            t = pair_type(fa, fb)
            for key in ((p.dataset, t), ("all", t), (p.dataset, f"{fa}–{fb}"), ("all", f"{fa}–{fb}")):
                r = rows.setdefault(key, {"true": 0, "found": 0, "empty": 0})
                r["true"] += 1
                r["found"] += (a, b) in merged
                r["empty"] += (a, b) not in merged and (a in empty or b in empty)
    # Pages whose gold texts are themselves duplicates (Readability's test pages share their
    # lorem ipsum) are one article: their documents may merge.
    gold = {p.key: p.gold for p in pages}
    gkeys = sorted(gold)
    gpairs = near.find_pairs([(k, gold[k]) for k in gkeys], [], gold, settings)
    same = near.cluster({k: (len(gold[k]), 0) for k in gkeys}, gpairs, [], settings.representative)
    group = {k: same[k].cluster_id for k in gkeys}
    wrong = [(a, b) for a, b in merged if group[a.split("|")[0]] != group[b.split("|")[0]]]
    wrong_by: dict[str, int] = {}
    for a, b in wrong:
        k = f"{dataset[a.split('|')[0]]} / {dataset[b.split('|')[0]]}"
        wrong_by[k] = wrong_by.get(k, 0) + 1
    cands = {tuple(sorted(p)) for p in candidates(list(zip(order, sigs)), [], settings)}
    return {"rows": rows, "merged": len(merged), "candidates": len(cands), "wrong": len(wrong), "wrong_by": wrong_by,
            "gold_groups": sum(1 for g in near.clusters_of(same).values() if len(g) > 1),
            "empty_docs": len(empty), "documents": len(order)}


def report(res: dict, datasets) -> None:
    rows = res["rows"]
    precision = 1 - res["wrong"] / res["merged"] if res["merged"] else 1.0
    print(f"\n{res['documents']} documents ({res['empty_docs']} left empty by cleaning), "
          f"{res['merged']} pairs merged, {res['wrong']} across pages whose gold texts differ: "
          f"precision {precision:.4f}"
          + (f" ({', '.join(f'{k} {v}' for k, v in sorted(res['wrong_by'].items()))})" if res["wrong"] else "")
          + f". ({res['gold_groups']} groups of pages have near-duplicate gold texts: merging them is right.)\n")
    print("| data set | pages | text–HTML recall | text–text recall | missed with an empty side (text–HTML / text–text) |")
    print("|---|---:|---:|---:|---|")
    for ds in (*datasets, "all"):
        th, tt = rows.get((ds, "text–HTML")), rows.get((ds, "text–text"))
        if not th:
            continue
        pages = th["true"] // 4
        print(f"| {ds} | {pages} | {th['found'] / th['true']:.3f} | {tt['found'] / tt['true']:.3f} "
              f"| {th['empty']} / {tt['empty']} |")
    print("\nBy pair of formats (all data sets):\n")
    print("| pair | true pairs | recall |")
    print("|---|---:|---:|")
    for fa, fb in combinations(FORMATS, 2):
        r = rows[("all", f"{fa}–{fb}")]
        print(f"| {fa}–{fb} | {r['true']} | {r['found'] / r['true']:.3f} |")


def run(eval_dir: Path, per_dataset: int | None, settings: DedupSettings, cache: Path | None = None) -> dict:
    import renderings

    pages = [p for p in renderings.load_pages(eval_dir) if p.gold.strip()]
    if per_dataset:
        kept, seen = [], {}
        for p in pages:
            if seen.get(p.dataset, 0) < per_dataset:
                kept.append(p)
                seen[p.dataset] = seen.get(p.dataset, 0) + 1
        pages = kept
    print(f"\n### Cross-format near duplicates: {len(pages)} dev pages, each as HTML and four text dumps\n")
    t0 = time.perf_counter()
    if cache and cache.exists():  # cleaned bodies of an earlier run (to try dedup settings quickly)
        import pickle

        cleaned = {k: v for k, v in pickle.loads(cache.read_bytes()).items() if k[0] in {p.key for p in pages}}
    else:
        cleaned = documents(pages, eval_dir)
        if cache:
            import pickle

            cache.write_bytes(pickle.dumps(cleaned))
    print(f"Cleaning {len(cleaned)} documents took {time.perf_counter() - t0:.0f} s. Settings: "
          f"lsh_threshold={settings.lsh_threshold}, min_jaccard={settings.min_jaccard}, "
          f"min_containment={settings.min_containment}, "
          f"min_containment_shingles={settings.min_containment_shingles}.")
    res = evaluate(pages, cleaned, settings)
    report(res, tuple(dict.fromkeys(p.dataset for p in pages)))
    explain(cleaned, settings)
    print("\nOther LSH thresholds (same cleaned bodies):\n")
    print("| lsh_threshold | bands x rows | candidate pairs | text–HTML recall | text–text recall | precision |")
    print("|---:|---|---:|---:|---:|---:|")
    for lsh in (settings.lsh_threshold, 0.4):
        s = replace(settings, lsh_threshold=lsh)
        r = res if lsh == settings.lsh_threshold else evaluate(pages, cleaned, s)
        th, tt = r["rows"][("all", "text–HTML")], r["rows"][("all", "text–text")]
        print(f"| {lsh} | {'x'.join(map(str, lsh_params(s.num_perm, lsh)))} | {r['candidates']} "
              f"| {th['found'] / th['true']:.3f} | {tt['found'] / tt['true']:.3f} "
              f"| {1 - r['wrong'] / r['merged'] if r['merged'] else 1.0:.4f} |")
    return res


def explain(cleaned: dict, settings: DedupSettings) -> None:
    """Why the text–HTML pairs that did not merge were missed."""
    from winnow.dedup.shingles import shingle_sets

    keys = sorted({k for k, _ in cleaned})
    texts = {f"{k}|{f}": v for (k, f), v in cleaned.items()}
    order = sorted(texts)
    sets = dict(zip(order, shingle_sets([texts[i] for i in order], settings.shingle_words)))
    sigs = near.signatures([texts[i] for i in order], settings)
    pairs = near.find_pairs([(i, texts[i], g) for i, g in zip(order, sigs)], [], texts, settings)
    assign = near.cluster({i: (len(texts[i]), 0) for i in order}, pairs, [], settings.representative)
    why: dict[str, int] = {}
    for k in keys:
        for f in FORMATS[1:]:
            a, b = f"{k}|html", f"{k}|{f}"
            if assign[a].cluster_id == assign[b].cluster_id:
                continue
            v = near.compare(sets[a], sets[b], settings)
            if not texts[a].strip() or not texts[b].strip():
                w = "cleaning left one side empty"
            elif v.is_dup:
                w = "verification accepts it, LSH did not propose it (low Jaccard: one side much longer)"
            elif v.containment >= settings.min_containment:
                w = f"contained, but the shorter side has < {settings.min_containment_shingles} shingles (teaser rule)"
            elif v.containment >= 0.5:
                w = "the two cleanings differ by whole paragraphs (0.5 <= containment < min_containment)"
            else:
                w = "the two cleanings kept different text (containment < 0.5)"
            why[w] = why.get(w, 0) + 1
    total = sum(why.values())
    print(f"\nWhy {total} text–HTML pairs did not merge:\n")
    print("| cause | pairs |")
    print("|---|---:|")
    for w, n in sorted(why.items(), key=lambda x: -x[1]):
        print(f"| {w} | {n} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=Path("/work/shared/eval"))
    ap.add_argument("--pages", type=int, default=None, help="at most this many pages per data set")
    ap.add_argument("--cache", type=Path, help="reuse (or write) the cleaned bodies in this file")
    args = ap.parse_args(argv)
    run(args.eval_dir, args.pages, DedupSettings(), args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
