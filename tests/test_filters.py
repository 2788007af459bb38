"""Corpus filters: the language allowlist and the opt-in Gopher/C4-style quality rules."""

from __future__ import annotations

import dataclasses
import gzip
import re
import shutil

import pytest

from conftest import DATA, SEEDS, ingest, make_settings, query, winnow_cli
from winnow.filters import measure, verdicts
from winnow.settings import FilterSettings

DEFAULTS = FilterSettings()


def _seed_body(name: str = "002_dc365b1f32c8c620.txt") -> str:
    """The article lines of a seed (the long ones), as the cleaner would keep them."""
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(ln.strip() for ln in lines if len(ln.split()) > 15)


def _failing(text: str) -> set[str]:
    return {reason for reason, _, ok in verdicts(measure(text), DEFAULTS) if not ok}


BODY = _seed_body()

# each rule, and a real article body changed so that it (and only it) fails
BROKEN = {
    "quality_mean_word_length": re.sub(r"\w+", lambda m: m.group(0)[:1], BODY),  # one-letter words
    "quality_symbol_ratio": "\n".join("#news #world #asia #today #breaking " + ln for ln in BODY.splitlines()),
    "quality_terminal_punctuation": "\n".join(ln.rstrip(".!?\"'”’") for ln in BODY.splitlines()),
    "quality_bullet_lines": "\n".join("• " + ln for ln in BODY.splitlines()),
    "quality_repeated_ngrams": "\n".join([BODY.splitlines()[0]] * 30),
}


def test_every_seed_passes_every_rule_at_the_defaults():
    for p in sorted(SEEDS.glob("*.txt")):
        assert _failing(_seed_body(p.name)) == set(), p.name


@pytest.mark.parametrize("reason", sorted(BROKEN))
def test_each_rule_rejects_its_own_failure_only(reason):
    assert _failing(BODY) == set()
    assert _failing(BROKEN[reason]) == {reason}


def test_scripts_without_spaces_are_not_judged_by_word_length():
    chinese = "北京是中国的首都，也是一座有三千多年历史的古城。" * 40
    assert measure(chinese)["mean_word_length"] is None
    assert "quality_mean_word_length" not in _failing(chinese)


@pytest.mark.slow
def test_filters_in_the_pipeline_record_reasons_counts_and_explain(tmp_path):
    inbox = tmp_path / "in"
    shutil.copytree(SEEDS, inbox)
    (inbox / "fr.html").write_bytes(gzip.decompress((DATA / "html" / "articles" / "fr_bus_electrique.html.gz").read_bytes()))
    spam = (SEEDS / "004_100b601e58cd9120.txt").read_text(encoding="utf-8")
    spam = "\n".join("#news #world #asia #today #breaking #viral " + ln if len(ln.split()) > 15 else ln
                     for ln in spam.splitlines())
    (inbox / "spam.txt").write_text(spam, encoding="utf-8")
    s = make_settings(tmp_path, filter={"languages": ("en",), "quality": True})
    summary = ingest([inbox], s)
    assert summary["rejections"] == {"language_not_allowed": 1, "quality_symbol_ratio": 1}
    rows = dict(query(s, "SELECT regexp_extract(path, '[^/]+$'), reason FROM rejected_files"))
    assert rows == {"fr.html": "language_not_allowed", "spam.txt": "quality_symbol_ratio"}
    assert query(s, "SELECT count(*) FROM corpus")[0][0] == 5  # every seed kept with the rules on
    detail = query(s, "SELECT detail FROM rejected_files WHERE reason = 'language_not_allowed'")[0][0]
    assert "fr" in detail and "[filter] languages" in detail

    cfg = tmp_path / "filters.toml"
    cfg.write_text('[filter]\nlanguages = ["en"]\nquality = true\n', encoding="utf-8")
    proc = winnow_cli("clean", inbox / "spam.txt", inbox / "000_6854359e01b304fc.txt", "--explain", "--config", cfg)
    assert proc.returncode == 0, proc.stderr
    assert "spam.txt: rejected (quality_symbol_ratio" in proc.stdout
    assert "-- filters:" in proc.stdout
    assert re.search(r"^ok   quality_symbol_ratio: '#' and ellipses per word 0\.\d+ \(max 0\.1\)$", proc.stdout, re.M)
    assert re.search(r"^ok   language_not_allowed: en \(allowed: en\)$", proc.stdout, re.M)


def test_default_filters_leave_the_fingerprint_alone():
    """Existing warehouses are not re-cleaned by an upgrade that adds filters at their defaults."""
    from winnow import __version__
    from winnow.settings import Settings, _hash

    s = Settings()
    d = s.to_dict()
    assert s.fingerprint == _hash({"version": __version__, "clean": d["clean"], "language": d["language"]})
    on = dataclasses.replace(s, filter=dataclasses.replace(s.filter, quality=True))
    assert s.fingerprint != on.fingerprint  # a filter that changes what is kept changes the documents
