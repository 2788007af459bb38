"""What a run says: plurals, re-cleaning after a settings change, the Prefect flow run."""

from __future__ import annotations

import dataclasses

from conftest import SEEDS, ingest, make_settings


def test_summary_counts_agree_with_their_nouns(tmp_path):
    from winnow.cli import summary_lines

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    page = (SEEDS / "000_6854359e01b304fc.txt").read_bytes()
    (inbox / "a.txt").write_bytes(page)
    (inbox / "b.txt").write_bytes(page + b"\n")  # other bytes, same text: an exact duplicate
    s = make_settings(tmp_path)
    summary = ingest([inbox], s)
    text = "\n".join(summary_lines(summary, s))
    assert "corpus now 1 document\n" in text + "\n", text
    assert "1 folded into 1 cluster " in text, text
    assert "1 row ->" in text, text
    assert "1 clusters" not in text and "1 documents" not in text and "1 rows" not in text
    assert all(line == line.rstrip() for line in text.splitlines())
    assert f"warehouse   {(tmp_path / 'corpus.duckdb').absolute()}" in text
    # the Prefect flow run behind the winnow run is named (no UI link: the temporary server has no UI)
    prefect = summary["prefect"]
    assert prefect["flow_run_id"] and prefect["flow_run_name"] and prefect["ui"] is None
    assert f"prefect     flow run {prefect['flow_run_name']} ({prefect['flow_run_id']})" in text


def test_a_settings_change_says_re_cleaned_not_changed_files(tmp_path):
    from winnow.cli import summary_lines

    s = make_settings(tmp_path)
    first = ingest([SEEDS], s, export=False)
    assert first["files"]["new"] == 5
    changed = dataclasses.replace(s, clean=dataclasses.replace(s.clean, min_body_words=21))
    again = ingest([SEEDS], changed, export=False)
    f = again["files"]
    assert (f["new"], f["changed"], f["recleaned"], f["unchanged"]) == (0, 0, 5, 0)
    assert again["documents"]["superseded"] == 5
    text = "\n".join(summary_lines(again, changed))
    assert "re-cleaned: settings changed" in text and "superseded by changed files" not in text, text
    # a file whose bytes changed is still "changed"
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "x.txt").write_bytes((SEEDS / "001_a7bb1ff81f784584.txt").read_bytes() + b"\nA first version.\n")
    ingest([folder], changed, export=False)
    with open(folder / "x.txt", "a") as fh:
        fh.write("\nA correction was added to this story later.\n")
    third = ingest([folder], changed, export=False)
    assert (third["files"]["changed"], third["files"]["recleaned"]) == (1, 0)
    assert "by changed files" in "\n".join(summary_lines(third, changed))


def test_pairs_the_boilerplate_filter_kept_apart_are_counted_in_every_summary(tmp_path):
    """`dedup.boilerplate_pairs` reaches --json, runs.summary and the artifact table, and the human line
    names it only when there are some."""
    import json
    from collections import Counter

    from test_dedup_warehouse import ARTICLES, SIDEBAR, site_a, write
    from winnow.cli import summary_lines
    from winnow.summary import RunSummary
    from conftest import query

    folder = tmp_path / "in"
    posts = [k for k in sorted(ARTICLES) if len(ARTICLES[k]["body"].split()) > 150
             and ARTICLES[k]["body"][:1].isascii()][:8]
    for k in posts:
        write(folder, f"post-{k}.html", site_a(ARTICLES[k]["topic"], [" ".join(ARTICLES[k]["body"].split()[:60]),
                                                                      SIDEBAR]))
    write(folder, "gallery-1.html", site_a("Fashion week", ["Portraits from the first day of the fashion week.", SIDEBAR]))
    write(folder, "gallery-2.html", site_a("Saturday", ["Twelve looks from the market on Saturday.", SIDEBAR]))
    on = make_settings(tmp_path / "on", dedup={"shared_parts": False, "boilerplate_clusters": 3})
    summary = ingest([folder], on, export=False)
    kept_apart = summary["duplicates"]["boilerplate_pairs"]
    assert kept_apart >= 1, summary["duplicates"]  # the two galleries at least
    stored = json.loads(query(on, "SELECT summary FROM runs WHERE run_id = ?", [summary["run_id"]])[0][0])
    assert stored["duplicates"]["boilerplate_pairs"] == kept_apart
    line = next(x for x in summary_lines(summary, on) if x.startswith("duplicates"))
    assert line.endswith(f"; {kept_apart} pair{'s' if kept_apart > 1 else ''} kept apart as boilerplate"), line
    table = RunSummary(run_id="r", stats=Counter({"dedup.boilerplate_pairs": kept_apart})).table_rows()
    assert {"what": "duplicates boilerplate_pairs", "count": kept_apart} in table

    off = make_settings(tmp_path / "off", dedup={"shared_parts": False, "boilerplate_clusters": 0})
    plain = ingest([folder], off, export=False)
    assert plain["duplicates"]["boilerplate_pairs"] == 0
    line = next(x for x in summary_lines(plain, off) if x.startswith("duplicates"))
    assert "boilerplate" not in line and line.endswith(" near)"), line


def test_pairs_the_shared_part_filter_kept_apart_are_in_the_summary_and_the_duplicates_line(tmp_path):
    """`dedup.shared_part_pairs` reaches --json/runs.summary (to_dict), the artifact table, and the
    human `duplicates` line, beside the slot-value filter's count."""
    from collections import Counter

    from winnow.cli import summary_lines
    from winnow.summary import RunSummary

    r = RunSummary(run_id="r", stats=Counter({"dedup.shared_part_pairs": 5, "dedup.boilerplate_pairs": 1}))
    d = r.to_dict()
    assert (d["duplicates"]["shared_part_pairs"], d["duplicates"]["boilerplate_pairs"]) == (5, 1)
    assert {"what": "duplicates shared_part_pairs", "count": 5} in r.table_rows()
    d["seconds"] = {"total": 1.0, "prefect_startup": 0.0, "work": 1.0}  # what ingest adds after the run
    line = next(x for x in summary_lines(d, make_settings(tmp_path)) if x.startswith("duplicates"))
    assert line.endswith("; 5 pairs kept apart as shared parts; 1 pair kept apart as boilerplate"), line
