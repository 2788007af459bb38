"""Cross-format near duplicates on pages the dedup rules were not made on.

    python benchmarks/dedup.py --skip-quality --skip-scale --cross-format [--cross-pages N]
    python benchmarks/crossformat.py [--pages N] [--eval-dir SHARED/eval]

Every dev page with gold text (``benchmarks/renderings.py``: aeb-dev and the four
wceb-dev data sets, 1,575 pages of many sites) is one article that a user may get
as HTML or as a text dump. Each page gives five documents: its HTML and its four
text renderings (inscriptis, flat, hard-wrapped, Markdown-like); all of them are
cleaned with ``winnow.clean.clean`` and deduplicated together with the engine the
pipeline runs (``winnow.dedup.near``: MinHash, LSH, verification, union-find; then
``winnow.dedup.visible``: each body inside the other document's visible text, guarded).

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
from winnow.dedup.boilerplate import without_boilerplate  # noqa: E402
from winnow.dedup.clusters import _pair_fields  # noqa: E402
from winnow.dedup.lsh import candidates  # noqa: E402
from winnow.dedup.visible import find_visible_pairs, samples, visible_text, with_visible  # noqa: E402
from winnow.settings import DedupSettings  # noqa: E402
from shared_folder import EVAL  # noqa: E402  ($WINNOW_SHARED/eval, or beside the repo)

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


def engine(order: list, texts: dict, visible: dict | None, settings: DedupSettings, guard: bool = True):
    """The pairs clusters are made of, as ``run_dedup`` makes them: verified body pairs, the
    boilerplate filters, then the visible-text pairs and their guard (``winnow.dedup.visible``,
    when ``settings.visible_text`` and ``visible`` is given). Returns (pairs, body signatures,
    pairs left out as shared parts, as boilerplate, visible pairs added, body pairs left out
    between two witnessed parts). ``guard=False``: every visible pair, no witnessed parts (measured,
    not in the pipeline)."""
    sigs = near.signatures([texts[i] for i in order], settings)
    verified = near.find_pairs([(i, texts[i], s) for i, s in zip(order, sigs)], [], texts, settings)
    pairs, shared, dropped = without_boilerplate(verified, order, sigs, {i: len(texts[i]) for i in order}, settings)
    added = parted = 0
    if settings.visible_text and visible is not None:
        body_samples = dict(zip(order, samples([texts[i] for i in order], settings)))
        page_samples = dict(zip(order, samples([visible[i] for i in order], settings)))
        vpairs = find_visible_pairs(order, body_samples, page_samples, texts, visible, settings)
        if guard:
            pairs, added, parted = with_visible(pairs, verified, vpairs, {i: len(texts[i]) for i in order}, settings)
        else:
            pairs, added, parted = with_visible(pairs, [], vpairs, {}, settings)
    return pairs, sigs, shared, dropped, added, parted


def evaluate(pages, cleaned: dict, settings: DedupSettings, keep=None, gold_settings: DedupSettings | None = None,
             visible: dict | None = None, guard: bool = True) -> dict:
    """Cluster every document; score the merged pairs against 'same page'.

    ``visible``: id -> visible text (``winnow.dedup.visible``); None = bodies only.
    ``keep(order, sigs, pairs) -> pairs``: an experimental filter of the verified pairs
    (``boilerplate_filter``); None = the engine as the pipeline runs it. ``gold_settings``
    (default ``settings``) decide which pages' gold texts are duplicates: keep them fixed
    when comparing settings, so that every variant is scored against the same truth.
    """
    ids = sorted(cleaned)
    texts = {f"{k}|{f}": cleaned[(k, f)] for k, f in ids}
    order = sorted(texts)
    pairs, sigs, shared, dropped, added, parted = engine(order, texts, visible, settings, guard)
    if keep is not None:
        pairs = keep(order, sigs, pairs)
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
                r = rows.setdefault(key, {"true": 0, "found": 0, "empty": 0, "true_both": 0, "found_both": 0})
                r["true"] += 1
                r["found"] += (a, b) in merged
                r["empty"] += (a, b) not in merged and (a in empty or b in empty)
                if a not in empty and b not in empty:  # the dedup's own share: both sides have a body
                    r["true_both"] += 1
                    r["found_both"] += (a, b) in merged
    # Pages whose gold texts are themselves duplicates (Readability's test pages share their
    # lorem ipsum) are one article: their documents may merge.
    gold = {p.key: p.gold for p in pages}
    gkeys = sorted(gold)
    gs = gold_settings or settings
    gpairs = near.find_pairs([(k, gold[k]) for k in gkeys], [], gold, gs)
    same = near.cluster({k: (len(gold[k]), 0) for k in gkeys}, gpairs, [], gs.representative)
    group = {k: same[k].cluster_id for k in gkeys}
    wrong = [(a, b) for a, b in merged if group[a.split("|")[0]] != group[b.split("|")[0]]]
    wrong_by: dict[str, int] = {}
    for a, b in wrong:
        k = f"{dataset[a.split('|')[0]]} / {dataset[b.split('|')[0]]}"
        wrong_by[k] = wrong_by.get(k, 0) + 1
    cands = {tuple(sorted(p)) for p in candidates(list(zip(order, sigs)), [], settings)}
    return {"rows": rows, "merged": len(merged), "candidates": len(cands), "wrong": len(wrong), "wrong_by": wrong_by,
            "boilerplate_dropped": dropped, "shared_dropped": shared, "visible_added": added,
            "visible_parted": parted,
            "gold_groups": sum(1 for g in near.clusters_of(same).values() if len(g) > 1),
            "empty_docs": len(empty), "documents": len(order)}


def _ratio(r: dict, which: str = "") -> str:
    true, found = (r["true_both"], r["found_both"]) if which == "both" else (r["true"], r["found"])
    return f"{found / true:.3f}" if true else "-"


def _precision(res: dict) -> float:
    return 1 - res["wrong"] / res["merged"] if res["merged"] else 1.0


def boilerplate_filter(min_groups: int, strict_jaccard: float = 0.8, min_share: float = 0.5):
    """The boilerplate filter with plain frequency (measured, not kept): slot values are counted
    over groups of near-identical documents (verified pairs with Jaccard >= ``strict_jaccard``)
    instead of over clusters (``winnow.dedup.boilerplate``). Copies of one story that differ by
    more than that are groups of their own, so a story with as many copies as a site has pages
    looks like a sidebar."""

    def keep(order, sigs, pairs):
        from winnow.dedup.boilerplate import _cluster_of, boilerplate_slots

        idx = {d: i for i, d in enumerate(order)}
        groups = _cluster_of(len(order), [(idx[p.a], idx[p.b]) for p in pairs if p.jaccard >= strict_jaccard])
        frequent = boilerplate_slots(sigs, groups, min_groups)
        out = []
        for p in pairs:
            agree = sigs[idx[p.a]] == sigs[idx[p.b]]
            if not agree.any() or (agree & ~frequent[idx[p.a]]).sum() >= min_share * agree.sum():
                out.append(p)
        return out

    return keep


def report(res: dict, datasets, settings: DedupSettings) -> None:
    rows = res["rows"]
    precision = 1 - res["wrong"] / res["merged"] if res["merged"] else 1.0
    print(f"\n{res['documents']} documents ({res['empty_docs']} left empty by cleaning), "
          f"{res['merged']} pairs merged, {res['wrong']} across pages whose gold texts differ: "
          f"precision {precision:.4f}"
          + (f" ({', '.join(f'{k} {v}' for k, v in sorted(res['wrong_by'].items()))})" if res["wrong"] else "")
          + f". ({res['gold_groups']} groups of pages have near-duplicate gold texts: merging them is right.) "
          f"Verified pairs left out: {res['shared_dropped']} as shared parts (shared_parts={settings.shared_parts}), "
          f"{res['boilerplate_dropped']} as boilerplate (boilerplate_clusters={settings.boilerplate_clusters}, "
          f"boilerplate_share={settings.boilerplate_share}), {res['visible_parted']} between two witnessed parts; "
          f"{res['visible_added']} pairs added by the visible texts (visible_text={settings.visible_text}).\n")
    print("| data set | pages | text–HTML recall | text–text recall | missed with an empty side (text–HTML / text–text) "
          "| text–HTML recall, both sides non-empty | text–text recall, both sides non-empty |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for ds in (*datasets, "all"):
        th, tt = rows.get((ds, "text–HTML")), rows.get((ds, "text–text"))
        if not th:
            continue
        pages = th["true"] // 4
        print(f"| {ds} | {pages} | {th['found'] / th['true']:.3f} | {tt['found'] / tt['true']:.3f} "
              f"| {th['empty']} / {tt['empty']} | {_ratio(th, 'both')} | {_ratio(tt, 'both')} |")
    print("\nBy pair of formats (all data sets):\n")
    print("| pair | true pairs | recall |")
    print("|---|---:|---:|")
    for fa, fb in combinations(FORMATS, 2):
        r = rows[("all", f"{fa}–{fb}")]
        print(f"| {fa}–{fb} | {r['true']} | {r['found'] / r['true']:.3f} |")


def run(eval_dir: Path, per_dataset: int | None, settings: DedupSettings, cache: Path | None = None,
        variants: bool = True) -> dict:
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
    import renderings

    raw = {f: renderings.dumps(pages, f, eval_dir) for f in FORMATS[1:]}
    visible = {f"{p.key}|{f}": (visible_text(p.html, "html") if f == "html" else raw[f][p.key])
               for p in pages for f in FORMATS}
    visible_cost(pages)
    res = evaluate(pages, cleaned, settings, visible=visible)
    report(res, tuple(dict.fromkeys(p.dataset for p in pages)), settings)
    explain(cleaned, visible, settings)
    if not variants:
        return res
    print("\nOther settings and ideas (same cleaned bodies; 'both' = both sides non-empty):\n")
    print("| variant | candidate pairs | text–HTML recall | text–text recall | text–HTML recall (both) "
          "| text–text recall (both) | pairs across pages | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    variants = [
        ("as the pipeline runs (defaults: visible_text true)", settings, None),
        ("visible_text false (bodies only)", replace(settings, visible_text=False), None),
        ("visible pairs without the guard (no witnessed parts)", settings, "unguarded"),
        ("neither filter (shared_parts false, boilerplate_clusters 0)",
         replace(settings, shared_parts=False, boilerplate_clusters=0), None),
        ("shared_parts false", replace(settings, shared_parts=False), None),
        ("shared_parts false, boilerplate_clusters 3", replace(settings, shared_parts=False, boilerplate_clusters=3), None),
        ("boilerplate_clusters 0", replace(settings, boilerplate_clusters=0), None),
        ("boilerplate_clusters 2", replace(settings, boilerplate_clusters=2), None),
        ("boilerplate_clusters 3", replace(settings, boilerplate_clusters=3), None),
        ("boilerplate_clusters 6", replace(settings, boilerplate_clusters=6), None),
        ("lsh_threshold 0.4", replace(settings, lsh_threshold=0.4), None),
        ("lsh_threshold 0.2", replace(settings, lsh_threshold=0.2), None),
    ] + [(f"min_containment {mc}", replace(settings, min_containment=mc), None)
         for mc in (0.6, 0.65, 0.7, 0.75, 0.8) if mc != settings.min_containment] + [
        ("min_containment_shingles 50", replace(settings, min_containment_shingles=50), None),
    ] + [(f"bodies only (visible_text false), frequency over groups of near-identical documents instead of "
           f"clusters, >= {g} groups",
           replace(settings, shared_parts=False, boilerplate_clusters=0), boilerplate_filter(g)) for g in (5, 8)]
    for name, s, keep in variants:
        if s == settings and keep is None:
            r = res
        elif keep == "unguarded":
            r = evaluate(pages, cleaned, s, None, settings, visible, guard=False)
        else:  # the frequency variants replace the body pairs' filters: measured on body pairs alone
            r = evaluate(pages, cleaned, s, keep, settings, None if keep else visible)
        th, tt = r["rows"][("all", "text–HTML")], r["rows"][("all", "text–text")]
        print(f"| {name} | {r['candidates']} | {_ratio(th)} | {_ratio(tt)} | {_ratio(th, 'both')} "
              f"| {_ratio(tt, 'both')} | {r['wrong']} | {_precision(r):.4f} |")
    return res


def visible_cost(pages, n: int = 150) -> None:
    """What keeping the visible text costs the HTML path: ``visible_text`` and ``winnow.clean.clean``
    timed side by side, page by page, on the first ``n`` pages (a text dump's visible text is the dump
    itself and costs nothing)."""
    from winnow.clean import clean

    t_vis = t_clean = 0.0
    for p in pages[:n]:
        t0 = time.perf_counter()
        visible_text(p.html, "html")
        t1 = time.perf_counter()
        try:
            clean(p.html, "html")
        except Exception:  # noqa: BLE001 - a cleaner crash costs what it cost
            pass
        t_vis, t_clean = t_vis + t1 - t0, t_clean + time.perf_counter() - t1
    print(f"\nVisible text of {min(n, len(pages))} HTML pages: {t_vis:.1f} s, against {t_clean:.1f} s to clean them "
          f"(side by side, page by page): +{t_vis / t_clean:.1%} of the HTML cleaning time.")


def explain(cleaned: dict, visible: dict, settings: DedupSettings) -> None:
    """Why the text–HTML pairs that did not merge were missed."""
    from winnow.dedup.shingles import shingle_sets

    keys = sorted({k for k, _ in cleaned})
    texts = {f"{k}|{f}": v for (k, f), v in cleaned.items()}
    order = sorted(texts)
    sets = dict(zip(order, shingle_sets([texts[i] for i in order], settings.shingle_words)))
    sigs = near.signatures([texts[i] for i in order], settings)
    verified = near.find_pairs([(i, texts[i], g) for i, g in zip(order, sigs)], [], texts, settings)
    pairs = engine(order, texts, visible, settings)[0]
    dropped = {(p.a, p.b) for p in verified} - {tuple(sorted(_pair_fields(p)[:2])) for p in pairs}
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
            elif tuple(sorted((a, b))) in dropped:
                w = "verified, left out as a shared part, boilerplate or between two witnessed parts"
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
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    ap.add_argument("--pages", type=int, default=None, help="at most this many pages per data set")
    ap.add_argument("--cache", type=Path, help="reuse (or write) the cleaned bodies in this file")
    ap.add_argument("--no-variants", action="store_true", help="the pipeline's figures only, no table of variants")
    ap.add_argument("--visible-cost", action="store_true",
                    help="only time visible_text against cleaning on the first HTML pages, then stop")
    args = ap.parse_args(argv)
    if args.visible_cost:
        import renderings

        visible_cost([p for p in renderings.load_pages(args.eval_dir) if p.gold.strip()])
        return 0
    # the pipeline's defaults: [dedup] visible_text is on (config/winnow.toml)
    run(args.eval_dir, args.pages, DedupSettings(), args.cache, not args.no_variants)
    return 0


if __name__ == "__main__":
    sys.exit(main())
