"""Near-duplicate detection benchmark: quality on a known set, then speed and memory at scale.

    python benchmarks/dedup.py [--set DIR] [--shared SHARED] [--sizes 10000,100000] [--planted N]
                               [--skip-quality] [--skip-scale] [--no-datasketch] [--e2e]

(a) Quality. ``benchmarks/dupset.py`` builds a set of real article bodies with known
    duplicate pairs (copies under other sites' chrome, as text dumps and HTML, with
    sentences dropped/added, noise, new headlines) and distinct same-topic articles that
    must not merge (written to ``--set``, default ``benchmarks/out/dupset``). The same
    engine (``winnow.dedup.near``) then runs, in this one process, on

    - ``raw``: the files as they are (chrome, HTML markup and all);
    - ``cleaned``: ``winnow.clean.clean(raw, kind).text``, the body the pipeline stores;
    - ``gold``: the true body each document was made from (the engine's ceiling when
      cleaning is perfect).

    Precision/recall are given for the verified pairs and for the clusters (every pair
    inside a union-find cluster, i.e. what the corpus ends up merging), with the
    hard must-not-merge pairs counted by kind. A sweep over the thresholds follows.

(b) Scale. ``--sizes`` documents of ~500 words are synthesised from real sentences
    (each document a different draw; 10% are mutated copies of an earlier one) and
    streamed, never all held in memory. Per size, one process times signatures with
    the vectorised engine and with datasketch (``MinHash.bulk``: its SHA-1 over
    shingle strings), interleaved batch by batch on the same texts so that both see
    the same machine load; then LSH with ``NearDupIndex`` and with
    ``datasketch.MinHashLSH`` (same bands/rows, fed the same signatures: their
    candidate pairs are compared), then verification of the candidates. Peak memory
    (growth of peak RSS, ``VmHWM`` reset through ``/proc/self/clear_refs``) of
    signatures + LSH is measured in a separate process per size and implementation.
    One thread throughout.

(c) End to end: ``--e2e`` ingests the set with the real flow (``run_ingest``: Prefect,
    DuckDB, the cleaners) and scores the clusters of the ``duplicates`` view.

(d) Cross-format: ``--cross-format`` takes the 1,575 dev pages of ``benchmarks/renderings.py``
    (five data sets, many sites) as HTML and as four text dumps each, and reports recall per
    pair type (text–HTML, text–text) and data set, and the merges across pages
    (``benchmarks/crossformat.py``). (a) also reports recall per pair type: its set has text
    dumps of half of its HTML copies (``benchmarks/dupset.py``).

(e) Planted copies at scale: ``--planted N`` deduplicates the bodies of N documents of
    ``benchmarks/scalecorpus.py`` in this process and counts the planted copies found in their
    original's cluster with each setting of the boilerplate filters (``planted``).

Markdown tables are printed for the README.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from statistics import median

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from winnow.dedup import near  # noqa: E402
from winnow.dedup.boilerplate import drop_boilerplate_pairs, without_boilerplate  # noqa: E402
from winnow.dedup.lsh import NearDupIndex, candidates, lsh_params  # noqa: E402
from winnow.dedup.minhash import SEED, signatures, signatures_datasketch_stock  # noqa: E402
from winnow.dedup.visible import visible_text  # noqa: E402
from winnow.memory import reset_peak, status_kb  # noqa: E402
from winnow.settings import DedupSettings  # noqa: E402
from shared_folder import SHARED  # noqa: E402  ($WINNOW_SHARED, or beside the repo)

DEFAULT_SET = ROOT / "benchmarks" / "out" / "dupset"


# --- (a) quality ---------------------------------------------------------------------------------


def load_set(set_dir: Path, shared: Path, rebuild: bool) -> dict:
    if rebuild or not (set_dir / "pairs.json").exists():
        import dupset

        dupset.build(set_dir, shared)
    return json.loads((set_dir / "pairs.json").read_text(encoding="utf-8"))


def texts_of(truth: dict, set_dir: Path) -> dict[str, dict[str, str]]:
    """variant -> doc id -> text, for raw / cleaned / gold, and each document's visible text
    (``winnow.dedup.visible``: what the pipeline keeps beside the cleaned body)."""
    from winnow.clean import clean

    raw, cleaned, gold, visible = {}, {}, {}, {}
    for d in truth["docs"]:
        content = (set_dir / d["file"]).read_text(encoding="utf-8")
        raw[d["id"]] = content
        visible[d["id"]] = visible_text(content, d["kind"])
        try:
            cleaned[d["id"]] = clean(content, d["kind"]).text
        except Exception as e:  # a cleaner crash is a miss here, not a benchmark failure
            print(f"  cleaner failed on {d['file']}: {type(e).__name__}: {e}", file=sys.stderr)
            cleaned[d["id"]] = ""
        gold[d["id"]] = d["body"]
    return {"raw": raw, "cleaned": cleaned, "gold": gold, "visible": visible}


def cluster_pairs(assignments) -> set[tuple[str, str]]:
    out = set()
    for members in near.clusters_of(assignments).values():
        out.update(combinations(sorted(members), 2))
    return out


def score(predicted: set, positive: set, negative: dict) -> dict:
    tp = len(predicted & positive)
    merged = {}
    for p in predicted:
        kind = negative.get(p)
        if kind:
            merged[kind] = merged.get(kind, 0) + 1
    return {
        "predicted": len(predicted),
        "tp": tp,
        "precision": tp / len(predicted) if predicted else 1.0,
        "recall": tp / len(positive) if positive else 1.0,
        "merged": merged,
    }


def pair_type(a: str, b: str, kinds: dict[str, str]) -> str:
    """text–text, text–HTML or HTML–HTML."""
    ka, kb = sorted((kinds[a], kinds[b]), reverse=True)
    return {"text": "text", "html": "HTML"}[ka] + "–" + {"text": "text", "html": "HTML"}[kb]


PAIR_TYPES = ("text–text", "text–HTML", "HTML–HTML")


def by_pair_type(name: str, predicted: set, positive: set, negative: dict, kinds: dict[str, str]) -> dict:
    """Precision and recall of the merged pairs per pair type; prints one table row per type."""
    out = {}
    for t in PAIR_TYPES:
        pos = {p for p in positive if pair_type(*p, kinds) == t}
        pred = {p for p in predicted if pair_type(*p, kinds) == t}
        neg = {p: k for p, k in negative.items() if pair_type(*p, kinds) == t}
        sc = score(pred, pos, neg)
        out[t] = sc
        print(f"| {name} | {t} | {len(pos)} | {sc['predicted']} | {sc['precision']:.3f} | {sc['recall']:.3f} "
              f"| {fmt_merged(sc['merged'])} |")
    return out


PAIR_TYPE_HEADER = ("| text dedup runs on | pair type | true pairs | pairs merged | precision | recall "
                    "| must-not-merge pairs merged |\n|---|---|---:|---:|---:|---:|---|")


def run_engine(texts: dict[str, str], settings: DedupSettings, visible: dict | None = None) -> tuple[list, dict]:
    """Pairs and clusters as ``run_dedup`` makes them (``crossformat.engine``): body pairs, the
    boilerplate filters, then the visible-text pairs when ``visible`` is given."""
    from crossformat import engine

    ids = sorted(texts)
    pairs = engine(ids, texts, visible, settings)[0]
    meta = {i: (len(texts[i]), 0) for i in ids}
    return pairs, near.cluster(meta, pairs, [], settings.representative)


def _merged_pairs(pairs) -> set:
    from winnow.dedup.clusters import _pair_fields

    return {tuple(sorted(_pair_fields(p)[:2])) for p in pairs}


def fmt_merged(m: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(m.items())) if m else "none"


def quality(truth: dict, set_dir: Path, settings: DedupSettings) -> dict:
    t0 = time.perf_counter()
    variants = texts_of(truth, set_dir)
    t_clean = time.perf_counter() - t0
    positive = {tuple(p) for p in truth["positive_pairs"]}
    negative = {(a, b): kind for a, b, kind in truth["negative_pairs"]}
    roles: dict[str, int] = {}
    for d in truth["docs"]:
        roles[d["role"]] = roles.get(d["role"], 0) + 1
    neg_kinds: dict[str, int] = {}
    for kind in negative.values():
        neg_kinds[kind] = neg_kinds.get(kind, 0) + 1
    print(f"\n### Near-duplicate quality: {len(truth['docs'])} documents "
          f"({sum(d['kind'] == 'html' for d in truth['docs'])} HTML, "
          f"{sum(d['kind'] == 'text' for d in truth['docs'])} text dumps), "
          f"{len(positive)} duplicate pairs, {len(negative)} must-not-merge pairs\n")
    print("Roles: " + ", ".join(f"{k} {v}" for k, v in sorted(roles.items()))
          + ". Must-not-merge pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(neg_kinds.items())) + ".")
    print(f"Settings: num_perm={settings.num_perm}, shingle_words={settings.shingle_words}, "
          f"lsh_threshold={settings.lsh_threshold} (bands x rows = "
          f"{'x'.join(map(str, lsh_params(settings.num_perm, settings.lsh_threshold)))}), "
          f"min_jaccard={settings.min_jaccard}, min_containment={settings.min_containment}, "
          f"min_containment_shingles={settings.min_containment_shingles}. "
          f"Cleaning took {t_clean:.1f} s.\n")
    print("| text dedup runs on | pairs found | precision | recall | cluster precision | cluster recall "
          "| must-not-merge pairs merged (clusters) | median Jaccard of true pairs |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    results = {}
    from winnow.dedup.shingles import shingle_sets

    rows = [("raw", "raw", None), ("cleaned", "cleaned", variants["visible"]),
            ("cleaned, bodies only (visible_text false)", "cleaned", None), ("gold", "gold", variants["visible"])]
    for name, which, visible in rows:
        texts = variants[which]
        pairs, assign = run_engine(texts, settings, visible)
        found = _merged_pairs(pairs)
        s_pairs = score(found, positive, negative)
        s_clusters = score(cluster_pairs(assign), positive, negative)
        ids = sorted(texts)
        sets = dict(zip(ids, shingle_sets([texts[i] for i in ids], settings.shingle_words)))
        js = [near.compare(sets[a], sets[b], settings).jaccard for a, b in positive]
        results[name] = {"pairs": s_pairs, "clusters": s_clusters, "median_true_jaccard": median(js)}
        print(f"| {name} | {s_pairs['predicted']} | {s_pairs['precision']:.3f} | {s_pairs['recall']:.3f} "
              f"| {s_clusters['precision']:.3f} | {s_clusters['recall']:.3f} | {fmt_merged(s_clusters['merged'])} "
              f"| {median(js):.2f} |")
    kinds = {d["id"]: d["kind"] for d in truth["docs"]}
    print("\nBy pair type (cluster level; a text dump of an HTML copy is a text document):\n")
    print(PAIR_TYPE_HEADER)
    for name, which, visible in rows[1:]:
        pairs, assign = run_engine(variants[which], settings, visible)
        results[name]["by_type"] = by_pair_type(name, cluster_pairs(assign), positive, negative, kinds)
    containment_rows(variants["cleaned"], variants["visible"], positive, negative, kinds, settings)
    boilerplate_rows(variants["cleaned"], positive, negative, kinds, settings)
    empty = sum(1 for t in variants["cleaned"].values() if not t.strip())
    print(f"\n{empty} document(s) came out of cleaning empty (missed by construction).")
    for name in ("gold", "cleaned"):
        margins(name, variants[name], positive, negative, settings)
    for name in ("gold", "cleaned"):
        sweep(name, variants[name], positive, negative, settings)
    return results


CONTAINMENTS = (0.6, 0.65, 0.7, 0.75, 0.8)


def containment_rows(texts: dict, visible: dict, positive: set, negative: dict, kinds: dict,
                     settings: DedupSettings) -> None:
    """``min_containment`` as the pipeline runs it (body pairs, the filters, the visible texts and
    their guard, which use the same threshold): cluster precision, recall per pair type and the
    must-not-merge pairs merged, for each value of ``CONTAINMENTS`` (the same values as
    ``crossformat.py``'s table, so the two sets can be set against each other)."""
    print("\nmin_containment as the pipeline runs it (cluster level, visible texts on):\n")
    print("| min_containment | cluster precision | text–text recall | text–HTML recall | HTML–HTML recall "
          "| must-not-merge pairs merged |")
    print("|---:|---:|---:|---:|---:|---|")
    for mc in CONTAINMENTS:
        merged = cluster_pairs(run_engine(texts, replace(settings, min_containment=mc), visible)[1])
        sc = score(merged, positive, negative)
        rec = []
        for t in PAIR_TYPES:
            pos = {p for p in positive if pair_type(*p, kinds) == t}
            rec.append(f"{len(pos & merged) / len(pos):.3f}")
        print(f"| {mc} | {sc['precision']:.4f} | {' | '.join(rec)} | {fmt_merged(sc['merged'])} |")


def boilerplate_rows(texts: dict, positive: set, negative: dict, kinds: dict, settings: DedupSettings) -> None:
    """Does the boilerplate filter cost syndicated copies their merge? Cluster level, per pair
    type: off, the default (``winnow.dedup.boilerplate``), and plain frequency over groups of
    near-identical documents (``crossformat.boilerplate_filter``, measured, not kept)."""
    from dataclasses import replace as _replace

    from crossformat import boilerplate_filter

    ids = sorted(texts)
    sigs = signatures([texts[i] for i in ids], settings)
    verified = near.find_pairs([(i, texts[i], s) for i, s in zip(ids, sigs)], [], texts, settings)
    print("\nThe boilerplate filter on the cleaned set (cluster level; body pairs only, visible_text false):\n")
    print(PAIR_TYPE_HEADER.replace("text dedup runs on", "filter"))
    meta = {i: (len(texts[i]), 0) for i in ids}
    off = _replace(settings, shared_parts=False, boilerplate_clusters=0)
    lengths = {i: len(texts[i]) for i in ids}
    variants = [("neither filter", off), ("shared_parts only", _replace(off, shared_parts=True)),
                (f"defaults (shared_parts, boilerplate_clusters {settings.boilerplate_clusters})", settings)]
    variants += [(f"shared_parts, boilerplate_clusters {n}", _replace(settings, boilerplate_clusters=n)) for n in (2, 3)]
    rows = [(name, without_boilerplate(verified, ids, sigs, lengths, s)[0]) for name, s in variants]
    rows += [(f"frequency over groups of near-identical documents, >= {n}", boilerplate_filter(n)(ids, sigs, verified))
             for n in (5, 8)]
    for name, kept in rows:
        assign = near.cluster(meta, kept, [], off.representative)
        by_pair_type(name, cluster_pairs(assign), positive, negative, kinds)


def margins(name: str, texts: dict, positive: set, negative: dict, settings: DedupSettings) -> None:
    """How far apart true pairs and must-not-merge pairs are."""
    from winnow.dedup.shingles import shingle_sets

    ids = sorted(texts)
    sets = dict(zip(ids, shingle_sets([texts[i] for i in ids], settings.shingle_words)))
    print(f"\nSeparation on {name} text (exact Jaccard J and containment C of every labelled pair):\n")
    print("| pairs | n | J min | J 5th pct | J median | J max | C min | C median | C max "
          "| J < 0.5 and C >= 0.8: n, shingles of the smaller side (min-max) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    groups: dict[str, list] = {"duplicate": list(positive)}
    for p, kind in negative.items():
        groups.setdefault(kind, []).append(p)
    for kind, ps in groups.items():
        v = [near.compare(sets[a], sets[b], settings) for a, b in ps]
        j = np.array([x.jaccard for x in v])
        c = np.array([x.containment for x in v])
        small = np.array([min(x.size_a, x.size_b) for x in v])
        by_c = small[(j < 0.5) & (c >= 0.8)]
        rng_c = f"{len(by_c)}, {by_c.min()}-{by_c.max()}" if len(by_c) else "0"
        label = kind if kind == "duplicate" else f"{kind} (must not merge)"
        print(f"| {label} | {len(v)} | {j.min():.2f} | {np.percentile(j, 5):.2f} | {np.median(j):.2f} | {j.max():.2f} "
              f"| {c.min():.2f} | {np.median(c):.2f} | {c.max():.2f} | {rng_c} |")
    hi = max(
        ((near.compare(sets[a], sets[b], settings), kind, a, b) for (a, b), kind in negative.items()),
        key=lambda x: x[0].containment,
    )
    print(f"\nClosest must-not-merge pair: {hi[1]} {hi[2]}/{hi[3]}: J={hi[0].jaccard:.2f}, "
          f"C={hi[0].containment:.2f}, smaller side {min(hi[0].size_a, hi[0].size_b)} shingles.")


def sweep(name: str, texts: dict, positive: set, negative: dict, base: DedupSettings) -> None:
    """Threshold sweep; precision, recall and merges at cluster level."""
    print(f"\nThreshold sweep on {name} text (cluster level; body pairs only):\n")
    print("| lsh_threshold | bands x rows | candidates | candidate recall | min_jaccard | min_containment "
          "| min_containment_shingles | precision | recall | must-not-merge merged |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    ids = sorted(texts)
    sigs = signatures([texts[i] for i in ids], base)
    ms0 = base.min_containment_shingles
    mine = (base.min_jaccard, base.min_containment, ms0)
    grid = [mine, (0.5, 1.01, ms0), (0.5, 0.8, 0), (0.5, 0.8, 50), (0.5, 0.8, 100), (0.5, 0.8, 150),
            (0.5, 0.9, 100), (0.5, 0.7, 100), (0.4, 0.8, 100), (0.6, 0.8, 100), (0.8, 0.8, 100), (0.8, 1.01, 0)]
    grid = list(dict.fromkeys(grid))
    for lsh in (0.3, 0.5, 0.7):
        s = replace(base, lsh_threshold=lsh)
        cands = candidates(list(zip(ids, sigs)), [], s)
        cset = {tuple(sorted(p)) for p in cands}
        verdicts = near.verify_pairs(cands, texts, s)
        for mj, mc, ms in grid:
            if lsh != base.lsh_threshold and (mj, mc, ms) not in (mine, (0.8, 1.01, 0)):
                continue
            pairs = [
                p for p, v in verdicts
                if v.jaccard >= mj or (mc <= 1.0 and min(v.size_a, v.size_b) >= ms and v.containment >= mc)
            ]
            pairs, _, _ = without_boilerplate(pairs, ids, sigs, {i: len(texts[i]) for i in ids}, base)
            assign = near.cluster({i: (len(texts[i]), 0) for i in ids}, pairs, [], base.representative)
            sc = score(cluster_pairs(assign), positive, negative)
            mc_s = "off" if mc > 1.0 else f"{mc}"
            print(f"| {lsh} | {'x'.join(map(str, lsh_params(base.num_perm, lsh)))} | {len(cset)} "
                  f"| {len(cset & positive) / len(positive):.3f} | {mj} | {mc_s} | {ms} "
                  f"| {sc['precision']:.3f} | {sc['recall']:.3f} | {fmt_merged(sc['merged'])} |")


def end_to_end_pairs(set_dir: Path, truth: dict) -> set[tuple[str, str]]:
    """Ingest ``set_dir/docs`` with the real pipeline (Prefect flow, DuckDB) and read back the merges.

    Every pair of set ids inside one cluster of the ``duplicates`` view counts as merged
    (``docs/NNNN.*`` -> ``NNNN``), so it is scored like the in-process cluster figures.
    """
    import dataclasses
    import shutil
    import tempfile

    from winnow.prefect_env import configure_prefect
    from winnow.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="winnow-dedup-e2e-"))
    s = Settings()
    s = dataclasses.replace(
        s,
        warehouse=dataclasses.replace(s.warehouse, db=str(work / "dedup.duckdb"), export_dir=str(work / "export")),
        flow=dataclasses.replace(s.flow, prefect_home=str(ROOT / ".winnow" / "bench-prefect")),
    )
    configure_prefect(s)
    from winnow.flow import run_ingest

    import duckdb

    summary = run_ingest([str(set_dir / "docs")], s, export=False)
    print(f"\nend to end: {summary['files']['seen']} files, {summary['files']['rejected']} rejected "
          f"({summary['rejections']}), {summary['duplicates']['folded']} folded into "
          f"{summary['duplicates']['clusters']} clusters in {summary['seconds']['total']:.1f} s")
    con = duckdb.connect(s.warehouse.db, read_only=True)
    try:
        rows = con.execute("""SELECT cluster_id, regexp_extract(unnest(source_paths), '([^/]+)\\.[a-z]+$', 1)
                              FROM duplicates""").fetchall()
    finally:
        con.close()
    shutil.rmtree(work, ignore_errors=True)
    members: dict[str, set[str]] = {}
    for cid, set_id in rows:
        members.setdefault(cid, set()).add(set_id)
    pairs = set()
    for ids in members.values():
        pairs.update(combinations(sorted(ids), 2))
    return pairs


def quality_from_pairs(name: str, predicted: set, truth: dict) -> None:
    positive = {tuple(p) for p in truth["positive_pairs"]}
    negative = {(a, b): kind for a, b, kind in truth["negative_pairs"]}
    s = score(predicted, positive, negative)
    print(f"| {name} | {s['predicted']} | {s['precision']:.3f} | {s['recall']:.3f} | {fmt_merged(s['merged'])} |")
    kinds = {d["id"]: d["kind"] for d in truth["docs"]}
    print("\n" + PAIR_TYPE_HEADER)
    by_pair_type(name, predicted, positive, negative, kinds)


# --- (b) scale -------------------------------------------------------------------------------------


class Synth:
    """Deterministic ~500-word documents made from real bodies; doc i can be rebuilt alone.

    Doc i draws sentences at random from all benchmark bodies and replaces about one
    word in four with a random word of their vocabulary, so that documents read like
    news but are distinct (two documents drawing the same sentence share almost no
    5-word shingle). One in ten is instead a copy of an earlier document with 10% of
    its sentences dropped and two others added: the pairs LSH has to find.
    """

    def __init__(self, shared: Path, words: int = 500, dup_rate: float = 0.1, noise: float = 0.25):
        import dupset

        arts = dupset.load_articles(shared, titles=False)
        self.sents = sorted({s for a in arts for p in a.paragraphs for s in dupset.sentences(p) if len(s.split()) >= 4})
        self.vocab = sorted({w for a in arts for w in a.body.split()})
        self.words = words
        self.dup_rate = dup_rate
        self.noise = noise

    def _draw(self, rng: random.Random) -> list[str]:
        out, n = [], 0
        while n < self.words:
            w = self.sents[rng.randrange(len(self.sents))].split()
            for k in range(len(w)):
                if rng.random() < self.noise:
                    w[k] = self.vocab[rng.randrange(len(self.vocab))]
            out.append(" ".join(w))
            n += len(w)
        return out

    def sentences(self, i: int) -> list[str]:
        rng = random.Random(i * 7919 + 17)
        if i >= 10 and rng.random() < self.dup_rate:
            src = self.sentences(rng.randrange(i))
            keep = [s for s in src if rng.random() > 0.1]
            extra = self._draw(random.Random(-i))[:2]
            for s in extra:
                keep.insert(rng.randrange(len(keep) + 1), s)
            return keep
        return self._draw(rng)

    def text(self, i: int) -> str:
        return " ".join(self.sentences(i))


def _reset_peak() -> float:
    """Start a fresh peak-RSS measurement; returns the current RSS in MB."""
    gc.collect()
    reset_peak()  # resets VmHWM (Linux >= 4.0)
    return status_kb("VmRSS") / 1024


def _peak_mb(rss0: float) -> float:
    """Peak RSS growth since ``_reset_peak`` (MB)."""
    return status_kb("VmHWM") / 1024 - rss0


def _texts(synth: "Synth", n: int, batch: int = 1000):
    for i in range(0, n, batch):
        yield i, [synth.text(j) for j in range(i, min(n, i + batch))]


def time_worker(n: int, shared: Path, settings: DedupSettings, datasketch: bool) -> dict:
    """Times, with both implementations interleaved batch by batch (same texts, same load)."""
    synth = Synth(shared)
    bands, rows = lsh_params(settings.num_perm, settings.lsh_threshold)
    res: dict = {"n": n, "sig_vec": 0.0, "sig_ds": 0.0}
    sigs = np.empty((n, settings.num_perm), dtype=np.uint32)
    for i, texts in _texts(synth, n):
        t = time.perf_counter()
        sigs[i : i + len(texts)] = signatures(texts, settings)
        res["sig_vec"] += time.perf_counter() - t
        if datasketch:
            t = time.perf_counter()
            signatures_datasketch_stock(texts, settings)
            res["sig_ds"] += time.perf_counter() - t
    t = time.perf_counter()
    index = NearDupIndex(settings)
    index.add_many(list(range(n)), sigs)
    cands = index.candidate_pairs()
    res["lsh_vec"] = time.perf_counter() - t
    res["cand_vec"] = len(cands)
    if datasketch:
        from datasketch import LeanMinHash, MinHashLSH

        # Same signatures, same bands and rows: the candidate pairs must be the same.
        t = time.perf_counter()
        lsh = MinHashLSH(num_perm=settings.num_perm, params=(bands, rows))
        mhs = [LeanMinHash(seed=SEED, hashvalues=sigs[i], scheme="affine32") for i in range(n)]
        with lsh.insertion_session() as session:
            for i, m in enumerate(mhs):
                session.insert(i, m, check_duplication=False)
        ds = set()
        for i, m in enumerate(mhs):
            ds.update((min(i, j), max(i, j)) for j in lsh.query(m) if j != i)
        res["lsh_ds"] = time.perf_counter() - t
        res["cand_ds"] = len(ds)
        res["same_candidates"] = ds == set(cands)
    t = time.perf_counter()
    verdicts = near.verify_pairs(cands, synth.text, settings)
    res["verify_vec"] = time.perf_counter() - t
    res["verified"] = sum(v.is_dup for _, v in verdicts)
    t = time.perf_counter()  # what run_dedup adds every run: the boilerplate filter over all signatures
    kept = drop_boilerplate_pairs([p for p, v in verdicts if v.is_dup], list(range(n)), sigs,
                                  settings.boilerplate_clusters, cluster_share=settings.boilerplate_share)
    res["boilerplate_vec"] = time.perf_counter() - t
    res["boilerplate_dropped"] = res["verified"] - len(kept)
    return res


def memory_worker(n: int, impl: str, shared: Path, settings: DedupSettings) -> dict:
    """Peak RSS growth of signatures + LSH over n docs, in a process of its own."""
    synth = Synth(shared)
    bands, rows = lsh_params(settings.num_perm, settings.lsh_threshold)
    rss0 = _reset_peak()
    if impl == "vectorised":
        sigs = np.empty((n, settings.num_perm), dtype=np.uint32)
        for i, texts in _texts(synth, n):
            sigs[i : i + len(texts)] = signatures(texts, settings)
        index = NearDupIndex(settings)
        index.add_many(list(range(n)), sigs)
        index.candidate_pairs()
    else:
        from datasketch import LeanMinHash, MinHashLSH

        mhs = []
        for i, texts in _texts(synth, n):
            mhs.extend(LeanMinHash(m) for m in signatures_datasketch_stock(texts, settings))
        lsh = MinHashLSH(num_perm=settings.num_perm, params=(bands, rows))
        with lsh.insertion_session() as session:
            for i, m in enumerate(mhs):
                session.insert(i, m, check_duplication=False)
        for m in mhs:
            lsh.query(m)
    return {"n": n, "impl": impl, "peak_mb": _peak_mb(rss0)}


def _run_worker(spec: str, shared: Path) -> dict:
    cmd = [sys.executable, __file__, "--worker", spec, "--shared", str(shared)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    print(f"  measured {spec}", file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def scale(sizes: list[int], shared: Path, settings: DedupSettings, datasketch: bool) -> None:
    impls = ["vectorised"] + (["datasketch"] if datasketch else [])
    times = {n: _run_worker(f"time:{n}:{int(datasketch)}", shared) for n in sizes}
    mem = {(n, impl): _run_worker(f"mem:{n}:{impl}", shared)["peak_mb"] for n in sizes for impl in impls}
    b, r = lsh_params(settings.num_perm, settings.lsh_threshold)
    print(f"\n### Dedup step at scale (~500-word documents, one thread, num_perm={settings.num_perm}, "
          f"{b} bands x {r} rows)\n")
    print("Times: both implementations in one process, interleaved batch by batch on the same texts. "
          "Peak memory: growth of peak RSS over signatures + LSH, each in a process of its own. "
          "datasketch's LSH is fed the vectorised signatures, so that its candidate pairs can be checked "
          "against NearDupIndex's.\n")
    print("| docs | implementation | signatures s | signatures docs/s | LSH (index + all candidate pairs) s "
          "| candidate pairs | signatures + LSH s | peak memory MB | verification s (verified pairs) "
          "| boilerplate filter s (pairs dropped) |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---|")
    for n in sizes:
        x = times[n]
        print(f"| {n:,} | vectorised | {x['sig_vec']:.1f} | {n / x['sig_vec']:,.0f} | {x['lsh_vec']:.1f} "
              f"| {x['cand_vec']:,} | {x['sig_vec'] + x['lsh_vec']:.1f} | {mem[(n, 'vectorised')]:.0f} "
              f"| {x['verify_vec']:.1f} ({x['verified']:,}) "
              f"| {x['boilerplate_vec']:.1f} ({x['boilerplate_dropped']:,}) |")
        if datasketch:
            same = "same pairs" if x["same_candidates"] else "PAIRS DIFFER"
            print(f"| {n:,} | datasketch | {x['sig_ds']:.1f} | {n / x['sig_ds']:,.0f} | {x['lsh_ds']:.1f} "
                  f"| {x['cand_ds']:,} ({same}) | {x['sig_ds'] + x['lsh_ds']:.1f} "
                  f"| {mem[(n, 'datasketch')]:.0f} | - | - |")
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        print(f"\nGrowth from {lo:,} to {hi:,} documents ({hi / lo:.0f}x):\n")
        print("| implementation | signatures time | LSH time | signatures + LSH time | peak memory |")
        print("|---|---:|---:|---:|---:|")
        for impl, s_key, l_key in (("vectorised", "sig_vec", "lsh_vec"), ("datasketch", "sig_ds", "lsh_ds")):
            if impl not in impls:
                continue
            a, z = times[lo], times[hi]
            print(f"| {impl} | {z[s_key] / a[s_key]:.1f}x | {z[l_key] / a[l_key]:.1f}x "
                  f"| {(z[s_key] + z[l_key]) / (a[s_key] + a[l_key]):.1f}x "
                  f"| {mem[(hi, impl)] / max(mem[(lo, impl)], 1):.1f}x |")
    if datasketch:
        print("\nSignatures per second on one core, vectorised vs datasketch (same texts, interleaved):\n")
        print("| docs | vectorised docs/s | datasketch docs/s | vectorised is faster by |")
        print("|---:|---:|---:|---:|")
        for n in sizes:
            x = times[n]
            print(f"| {n:,} | {n / x['sig_vec']:,.0f} | {n / x['sig_ds']:,.0f} | {x['sig_ds'] / x['sig_vec']:.1f}x |")


def planted(n: int, shared: Path, settings: DedupSettings) -> None:
    """Do the boilerplate filters keep planted copies from their cluster at scale? The bodies of
    ``benchmarks/scalecorpus.py`` (title and paragraphs, as a perfect cleaner would give them; no
    files, no flow), ``n`` documents, deduplicated in this process; planted copies found in their
    original's cluster per filter setting. Those bodies reuse a pool of real sentences (about 45
    times each at 100,000), so unrelated documents share slot values by chance."""
    import scalecorpus

    t0 = time.perf_counter()
    m = scalecorpus.load_material(shared / "eval")
    origin = scalecorpus.plan(n, 0.07, 7)
    ids = [f"{i:07d}" for i in range(n)]
    texts = {}
    for i, o in enumerate(origin):
        title, paras = scalecorpus.content(i, o, m, 7, random.Random(f"7:doc:{i}"))
        texts[ids[i]] = title + "\n" + "\n".join(paras)
    sigs = signatures([texts[i] for i in ids], settings)
    pairs = near.find_pairs([(i, texts[i], g) for i, g in zip(ids, sigs)], [], texts, settings)
    lengths = {i: len(texts[i]) for i in ids}
    copies = [(ids[i], ids[o]) for i, o in enumerate(origin) if o is not None]
    print(f"\n### Planted copies at {n:,} documents (scalecorpus bodies, in process; {len(pairs):,} verified pairs, "
          f"{time.perf_counter() - t0:.0f} s)\n")
    print("| filters | slot-value threshold (clusters) | pairs left out (shared parts / boilerplate) "
          "| planted copies in their original's cluster | s |")
    print("|---|---:|---|---:|---:|")
    off = replace(settings, shared_parts=False, boilerplate_clusters=0)
    variants = [("neither", off), ("shared_parts only", replace(off, shared_parts=True)),
                (f"defaults (boilerplate_clusters {settings.boilerplate_clusters}, "
                 f"boilerplate_share {settings.boilerplate_share})", settings)]
    variants += [(f"boilerplate_clusters {k}, no share (a count alone)", replace(settings, boilerplate_share=0.0, boilerplate_clusters=k))
                 for k in (3, settings.boilerplate_clusters)]
    from winnow.dedup.boilerplate import min_clusters_for

    for name, s in variants:
        t = time.perf_counter()
        kept, n_shared, n_bp = without_boilerplate(pairs, ids, sigs, lengths, s)
        dt = time.perf_counter() - t
        a = near.cluster({i: (lengths[i], 0) for i in ids}, kept, [], s.representative)
        found = sum(a[c].cluster_id == a[o].cluster_id for c, o in copies)
        before = without_boilerplate(pairs, ids, sigs, lengths, replace(s, boilerplate_clusters=0))[0]
        n_clusters = len({x.cluster_id for x in near.cluster({i: (lengths[i], 0) for i in ids}, before).values()})
        need = min_clusters_for(n_clusters, s.boilerplate_clusters, s.boilerplate_share) if s.boilerplate_clusters else "off"
        print(f"| {name} | {need} | {n_shared:,} / {n_bp:,} | {found:,} of {len(copies):,} ({found / len(copies):.1%}) | {dt:.1f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="where the benchmark set is (built if missing)")
    ap.add_argument("--rebuild", action="store_true", help="regenerate the set even if it exists")
    ap.add_argument("--shared", type=Path, default=SHARED,
                    help="the shared material folder (default %(default)s: $WINNOW_SHARED, else beside the repository)")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--no-datasketch", action="store_true", help="scale: measure the vectorised engine only")
    ap.add_argument("--e2e", action="store_true", help="also score the real pipeline (end_to_end_pairs)")
    ap.add_argument("--cross-format", action="store_true",
                    help="also the dev pages as HTML and four text dumps each (benchmarks/crossformat.py)")
    ap.add_argument("--cross-pages", type=int, default=None, help="cross-format: at most N pages per data set")
    ap.add_argument("--planted", type=int, default=0,
                    help="also N scalecorpus bodies in process: planted copies kept by each filter setting")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    settings = DedupSettings()  # the pipeline's defaults (visible_text on), as in the README
    if args.worker:
        kind, n, arg = args.worker.split(":")
        if kind == "time":
            print(json.dumps(time_worker(int(n), args.shared, settings, arg == "1")))
        else:
            print(json.dumps(memory_worker(int(n), arg, args.shared, settings)))
        return 0
    if not args.skip_quality:
        truth = load_set(args.set, args.shared, args.rebuild)
        quality(truth, args.set, settings)
        if args.e2e:
            predicted = end_to_end_pairs(args.set, truth)
            print("\n| run | pairs merged | precision | recall | must-not-merge pairs merged |")
            print("|---|---:|---:|---:|---|")
            quality_from_pairs("end to end (winnow ingest)", predicted, truth)
    if args.cross_format:
        import crossformat

        crossformat.run(args.shared / "eval", args.cross_pages, settings)
    if args.planted:
        planted(args.planted, args.shared, settings)
    if not args.skip_scale:
        scale([int(x) for x in args.sizes.split(",")], args.shared, settings, not args.no_datasketch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
