"""Dedup in the warehouse: every live document gets a cluster and one representative per cluster.

Clusters are recomputed on every run from facts that do not depend on arrival order:

- exact duplicates: equal content hashes (normalised text);
- near duplicates: verified pairs in ``dup_pairs``. Only documents not yet compared
  under the current dedup settings (``dedup_seen``) are compared, one per exact group,
  against the stored MinHash signatures of everything else (``doc_signatures``): old
  signatures are never recomputed, and the pairs found incrementally are the pairs a
  from-scratch run finds.

Only documents whose assignment changed are written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa

from winnow.dedup.boilerplate import (MIN_SHARE, agree_on_boilerplate, both_signed, min_clusters_for, pair_clusters,
                                       without_boilerplate)
from winnow.dedup.clusters import DocMeta, cluster
from winnow.dedup.minhash import SIGNATURE_DTYPE, signature_key, signatures
from winnow.dedup.near import verify_pairs
from winnow.dedup.visible import CANDIDATE_SHARE, COMMON_PAGES, sample_keys, samples, shares, with_visible
from winnow.settings import Settings
from winnow.storage.db import memory_bounded, registered, transaction
from winnow.storage.lsh_candidates import candidate_chunks
from winnow.storage.queries import named
from winnow.storage.tables import samples_table

# The cluster columns of `documents` that run_dedup assigns, in order, with their Arrow types.
DUP_COLUMNS = {"cluster_id": pa.string(), "duplicate_of": pa.string(), "dup_similarity": pa.float64(),
               "dup_method": pa.string(), "dup_containment": pa.float64(), "dup_matched": pa.string(),
               "dup_rule": pa.string()}

@dataclass
class DedupStats:
    documents: int = 0
    compared: int = 0  # documents compared with the warehouse in this run (one per exact group)
    signatures_computed: int = 0
    candidate_pairs: int = 0
    new_pairs: int = 0
    shared_part_pairs: int = 0  # stored pairs left out of the clusters: the shorter side is a part other pages share
    boilerplate_pairs: int = 0  # stored pairs left out of the clusters: they agree mostly on boilerplate
    visible_candidate_pairs: int = 0  # candidates by visible text (winnow.dedup.visible) in this run
    new_visible_pairs: int = 0  # ... stored: a body inside the other's visible text
    visible_pairs: int = 0  # pairs that join clusters by their visible texts alone
    witnessed_part_pairs: int = 0  # stored pairs left out of the clusters: both bodies are witnessed shared parts
    clusters: int = 0  # clusters of two or more
    folded: int = 0  # documents that are not their cluster's representative
    exact_folded: int = 0
    near_folded: int = 0
    changed: int = 0

    def as_stats(self) -> Counter:
        """The counts as run stats (``dedup.<name>``)."""
        return Counter({f"dedup.{k}": v for k, v in asdict(self).items()})


def _ids_table(ids) -> pa.Table:
    return pa.table({"doc_id": pa.array(sorted(ids), pa.string())})


def _pair_docs_table(clusters: dict[str, str]) -> pa.Table:
    return pa.table({"doc_id": pa.array(list(clusters), pa.string()),
                     "cluster": pa.array(list(clusters.values()), pa.string())})


def _pairs_table(pairs) -> pa.Table:
    return pa.table({
        "doc_a": pa.array([p.a for p in pairs], pa.string()),
        "doc_b": pa.array([p.b for p in pairs], pa.string()),
        "jaccard": pa.array([p.jaccard for p in pairs], pa.float64()),
        "containment": pa.array([p.containment for p in pairs], pa.float64()),
        "reason": pa.array([p.reason for p in pairs], pa.string()),
    })


def _visible_pairs_table(pairs) -> pa.Table:
    return pa.table({
        "doc_a": pa.array([p.a for p in pairs], pa.string()),
        "doc_b": pa.array([p.b for p in pairs], pa.string()),
        "a_in_b": pa.array([p.a_in_b for p in pairs], pa.float64()),
        "b_in_a": pa.array([p.b_in_a for p in pairs], pa.float64()),
        "a_in_b_body": pa.array([p.a_in_b_body for p in pairs], pa.float64()),
        "b_in_a_body": pa.array([p.b_in_a_body for p in pairs], pa.float64()),
    })


def _assign_table(changes: list[tuple]) -> pa.Table:
    """(doc_id, *the DUP_COLUMNS values) per changed document."""
    doc_ids, *values = list(zip(*changes)) or [()] * (1 + len(DUP_COLUMNS))
    assign = {"doc_id": pa.array(doc_ids, pa.string())}
    assign.update({name: pa.array(v, t) for (name, t), v in zip(DUP_COLUMNS.items(), values)})
    return pa.table(assign)


def _load_signatures(con, key: str, ids) -> tuple[list[str], np.ndarray]:
    with registered(con, _doc_ids=_ids_table(ids)):
        tbl = con.sql(named("stored_signatures"), params=[key]).to_arrow_table()
    doc_ids = tbl.column("doc_id").to_pylist()
    flat = tbl.column("minhash").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    n = len(doc_ids)
    sigs = flat.astype(SIGNATURE_DTYPE).reshape(n, -1) if n else np.zeros((0, 0), SIGNATURE_DTYPE)
    return doc_ids, sigs


def _load_texts(con, ids) -> dict[str, str]:
    with registered(con, _doc_ids=_ids_table(ids)):
        return dict(con.execute(named("document_texts")).fetchall())


def _compute_and_store(con, key: str, ids: list[str], texts: dict[str, str], s) -> np.ndarray:
    """MinHash signatures of ``ids`` (computed once, stored under ``key``)."""
    computed = signatures([texts[d] for d in ids], s)
    with registered(con, _signatures=pa.table({
        "doc_id": pa.array(ids, pa.string()),
        "minhash": pa.array([row.tolist() for row in computed], pa.list_(pa.uint32())),
    })):
        con.execute(named("insert_signatures"), [key])
    return computed


VERIFY_CHUNK = 5_000  # candidate pairs verified (documents signed) at a time: only their texts are held


def _sign_missing(con, key: str, ids: list[str], s, stats: DedupStats) -> None:
    """Signatures of the documents of ``ids`` stored without one (a worker that failed to sign, a
    warehouse of an older winnow), computed from the stored texts once and stored under ``key``."""
    with registered(con, _doc_ids=_ids_table(ids)):
        todo = [d for (d,) in con.execute(named("unsigned_documents"), [key]).fetchall()]
    for i in range(0, len(todo), VERIFY_CHUNK):
        part = todo[i : i + VERIFY_CHUNK]
        _compute_and_store(con, key, part, _load_texts(con, part), s)
    stats.signatures_computed += len(todo)


def find_new_pairs(con, run_id: str, settings: Settings, reps: list[str], stats: DedupStats) -> None:
    """Compare the not-yet-compared representatives with everything else; store signatures and pairs.
    The candidates come from DuckDB (``winnow.storage.lsh_candidates``) a chunk at a time, and are
    verified a chunk at a time: the flow holds no signature of the warehouse and only the texts of
    ``VERIFY_CHUNK`` candidate pairs."""
    s = settings.dedup
    key, shash = signature_key(s), settings.dedup_hash
    seen = {r[0] for r in con.execute(named("dedup_seen"), [shash]).fetchall()}
    new = [d for d in reps if d not in seen]
    del seen
    stats.compared = len(new)
    if not new:
        return
    _sign_missing(con, key, reps, s, stats)
    accepted = []
    for cands in candidate_chunks(con, s, key, new, reps):
        stats.candidate_pairs += len(cands)
        for i in range(0, len(cands), VERIFY_CHUNK):
            part = cands[i : i + VERIFY_CHUNK]
            texts = _load_texts(con, {d for pair in part for d in pair})
            accepted += [p for p, v in verify_pairs(part, texts, s) if v.is_dup]
    stats.new_pairs = len(accepted)
    if accepted:
        with registered(con, _new_pairs=_pairs_table(accepted)):
            con.execute(named("insert_pairs"), [shash, run_id])
    if s.visible_text:
        find_new_visible_pairs(con, run_id, settings, new, reps, {}, stats)
    with registered(con, _doc_ids=_ids_table(new)):
        con.execute(named("insert_seen"), [shash, run_id])


def _missing_samples(con, settings: Settings, new: list[str], stats: DedupStats) -> None:
    """Samples of the new documents that have a visible text but no stored samples (a worker that
    failed to sign), computed from the stored texts and stored."""
    body_key, page_key = sample_keys(settings.dedup)
    with registered(con, _doc_ids=_ids_table(new)):
        have = {r[0] for r in con.execute(named("sampled_doc_ids"), [page_key]).fetchall()}
    missing = sorted(set(new) - have)
    if not missing:
        return
    with registered(con, _doc_ids=_ids_table(missing)):
        visible = dict(con.execute(named("document_visible")).fetchall())
    if not visible:
        return
    todo = sorted(visible)
    bodies = _load_texts(con, todo)
    for key, texts in ((body_key, [bodies[d] for d in todo]), (page_key, [visible[d] for d in todo])):
        with registered(con, _signatures=samples_table(todo, samples(texts, settings.dedup))):
            con.execute(named("insert_visible_signatures"), [key])
    stats.signatures_computed += len(todo)


CANDIDATE_CHUNK = 10_000  # documents whose candidates are found in one query: bounds its join


def visible_candidates(con, s, new: list[str], live: list[str], chunk: int = CANDIDATE_CHUNK,
                       common_pages: int = COMMON_PAGES) -> list[tuple[str, str]]:
    """``winnow.dedup.visible.sample_candidates`` over the stored samples, in DuckDB: the rare sampled
    shingles of the live pages and bodies (held by at most ``common_pages`` pages) in temporary
    tables, then the new bodies against every page and the bodies of the other live documents
    against the new pages, ``chunk`` new documents at a time (each join holds only those)."""
    body_key, page_key = sample_keys(s)
    with registered(con, _live_ids=_ids_table(live), _doc_ids=_ids_table(new)):
        con.execute(named("visible_doc_numbers"))
    con.execute(named("visible_common_shingles"), [page_key, common_pages])
    con.execute(named("visible_rare_pages"), [page_key])
    con.execute(named("visible_rare_bodies"), [body_key])
    con.execute(named("drop_common_shingles"))
    out: set[tuple[str, str]] = set()
    ids = sorted(set(new) & set(live))
    for query in ("visible_candidates_of_bodies", "visible_candidates_of_pages"):
        for i in range(0, len(ids), chunk):
            with registered(con, _chunk=_ids_table(ids[i : i + chunk])):
                out.update(con.execute(named(query), [CANDIDATE_SHARE]).fetchall())
    for name in ("drop_rare_pages", "drop_rare_bodies", "drop_doc_numbers"):
        con.execute(named(name))
    return sorted(out)


def find_new_visible_pairs(con, run_id: str, settings: Settings, new: list[str], reps: list[str],
                           texts: dict[str, str], stats: DedupStats) -> None:
    """The new documents against every stored one by their visible texts (``winnow.dedup.visible``):
    candidates from the stored samples (``visible_candidates``: a body whose sample lies half inside
    a page's sample, in DuckDB), then both shares of each candidate, stored when one body lies inside
    the other's visible text. Documents stored without a visible text take no part."""
    s = settings.dedup
    _missing_samples(con, settings, new, stats)
    cands = visible_candidates(con, s, new, reps, common_pages=s.visible_common_pages)
    stats.visible_candidate_pairs = len(cands)
    found = []
    step = 2000  # candidate pairs at a time: only their documents' texts are held
    for i in range(0, len(cands), step):
        chunk = cands[i : i + step]
        need = sorted({d for pair in chunk for d in pair})
        with registered(con, _doc_ids=_ids_table(need)):
            visible = dict(con.execute(named("document_visible")).fetchall())
            bodies = {d: texts[d] for d in need if d in texts}
            bodies.update(con.execute(named("document_texts")).fetchall() if len(bodies) < len(need) else [])
        found += [p for p in shares(chunk, bodies, visible, s) if max(p.a_in_b, p.b_in_a) >= s.min_containment]
        del visible, bodies
    stats.new_visible_pairs = len(found)
    if found:
        with registered(con, _visible_pairs=_visible_pairs_table(found)):
            con.execute(named("insert_visible_pairs"), [settings.dedup_hash, run_id])


def _without_boilerplate(con, settings: Settings, pairs: list, reps: list[str], lengths: dict[str, int],
                         stats: DedupStats) -> list:
    """The stored pairs less those of shared parts and those that agree mostly on boilerplate
    (``winnow.dedup.boilerplate``), judged on the pairs, the documents' lengths and the stored
    signatures of every live document compared (``reps``)."""
    s = settings.dedup
    if not pairs or not (s.shared_parts or s.boilerplate_clusters):
        return pairs
    kept, stats.shared_part_pairs, stats.boilerplate_pairs = without_boilerplate(
        pairs, [], np.zeros((0, s.num_perm), SIGNATURE_DTYPE), lengths, s,
        boilerplate=lambda kept: _drop_boilerplate_pairs(con, signature_key(s), kept, reps, s))
    return kept


def _drop_boilerplate_pairs(con, key: str, pairs: list, reps: list[str], s) -> list:
    """``winnow.dedup.boilerplate.drop_boilerplate_pairs`` over the stored signatures of ``reps``,
    the same pairs kept, with the counting done by DuckDB (``boilerplate_slots``): only the
    signatures of the pairs' documents come into Python, and only the slot values they hold are
    counted, where every signature was loaded and each slot sorted (5.7 s at 100,000 documents)."""
    if not pairs:
        return pairs
    ids, sigs = _load_signatures(con, key, {d for p in pairs for d in p[:2]} & set(reps))
    row = {d: i for i, d in enumerate(ids)}
    clusters = pair_clusters(pairs, row)
    frequent = np.zeros(sigs.shape, dtype=bool)
    with registered(con, _doc_ids=_ids_table(reps), _pair_docs=_pair_docs_table(clusters)):
        signed = con.execute(named("signed_documents"), [key]).fetchone()[0]
        n_clusters = signed - len(clusters) + len(set(clusters.values()))
        need = min_clusters_for(n_clusters, s.boilerplate_clusters, s.boilerplate_share)
        for doc_id, slots in con.execute(named("boilerplate_slots"), [key, need]).fetchall():
            frequent[row[doc_id], np.asarray(slots, dtype=np.int64) - 1] = True
    kept = []
    for p in pairs:
        a, b = p[0], p[1]
        if not both_signed(p, row) or not agree_on_boilerplate(sigs[row[a]], sigs[row[b]], frequent[row[a]], MIN_SHARE):
            kept.append(p)
    return kept


def run_dedup(con, run_id: str, settings: Settings) -> DedupStats:
    """Find new near-duplicate pairs, then recompute and store every cluster (one transaction: a
    failure stores nothing, and the next run compares the same documents again). DuckDB running out
    of memory is a ``WarehouseError`` of one line."""
    with memory_bounded("dedup", settings.warehouse.memory_limit_mb):
        return _run_dedup(con, run_id, settings)


def _run_dedup(con, run_id: str, settings: Settings) -> DedupStats:
    with transaction(con):
        # rows as active_docs selects them: (doc_id, content_hash, char_count, created, *DUP_COLUMNS), kept as
        # tuples: a dict per row took 464 B more per document, for every live document, in every run
        docs = con.execute(named("active_docs")).fetchall()
        stats = DedupStats(documents=len(docs))
        groups: dict[str, list[str]] = {}
        for d in docs:
            groups.setdefault(d[1], []).append(d[0])
        exact_groups = [sorted(g) for g in groups.values() if len(g) > 1]
        if settings.dedup.near:
            reps = sorted(min(g) for g in groups.values())  # one document per exact group
            find_new_pairs(con, run_id, settings, reps, stats)
            verified = con.execute(named("live_pairs"), [settings.dedup_hash]).fetchall()
            lengths = {d[0]: d[2] for d in docs}
            pairs = _without_boilerplate(con, settings, verified, reps, lengths, stats)
            if settings.dedup.visible_text:
                vpairs = con.execute(named("live_visible_pairs"), [settings.dedup_hash]).fetchall()
                pairs, stats.visible_pairs, stats.witnessed_part_pairs = with_visible(
                    pairs, verified, vpairs, lengths, settings.dedup)
        else:
            pairs = []
        meta = {d[0]: DocMeta(d[2], d[3]) for d in docs}
        rule = settings.dedup.representative
        assignments = cluster(meta, pairs, exact_groups, rule)
        changes = []
        sizes: dict[str, int] = {}
        for d in docs:
            a = assignments[d[0]]
            sizes[a.cluster_id] = a.cluster_size
            alone = a.cluster_size == 1
            dup_of = None if a.is_representative else a.representative_doc_id
            new = (a.cluster_id, dup_of,
                   None if alone else round(a.similarity, 6),
                   None if alone else a.method,
                   None if alone else round(a.containment, 6),
                   None if alone else a.matched_doc_id,
                   None if alone else rule)
            if dup_of:
                stats.folded += 1
                if a.method == "exact":
                    stats.exact_folded += 1
                else:
                    stats.near_folded += 1
            if new != d[4:]:
                changes.append((d[0], *new))
        stats.clusters = sum(1 for n in sizes.values() if n > 1)
        stats.changed = len(changes)
        if changes:
            with registered(con, _assign=_assign_table(changes)):
                con.execute(named("apply_clusters"), [run_id])
        con.execute(named("clear_superseded_clusters"))
    return stats
