"""The dataset card written beside every export: ``README.md`` (a Hugging Face dataset card, YAML
header first) and ``dataset_info.json`` (the same facts for programs).

Every count comes from ``warehouse/card/*.sql`` on the connection that wrote the export, so the
card describes exactly the rows beside it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from winnow import __version__
from winnow.storage.db import sql_dir
from winnow.storage.queries import dicts, named

# Hugging Face's size categories, by number of rows.
SIZE_CATEGORIES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]

COLUMNS = {
    "doc_id": "sha256(raw bytes : settings fingerprint), 20 hex digits: the same file and settings give the same id",
    "title": "the page's headline",
    "text": "the cleaned body, without the title; paragraphs separated by newlines",
    "language": "ISO 639-1 code (langdetect, seeded), 'und' when there was too little text",
    "language_prob": "langdetect's probability of that language",
    "author": "byline, when the page had one",
    "published": "date as found on the page (ISO when known)",
    "url": "the page's own URL (canonical link or metadata), when it named one",
    "char_count": "characters in text",
    "word_count": "words in text",
    "source_type": "html or text (a plain-text dump of a page)",
    "extractor": "what cleaned the page",
    "extractor_version": "its version",
    "source_paths": "every input file with this content",
    "sha256": "of the raw bytes of the first source file",
    "content_hash": "of the normalised text: equal hashes are exact duplicates",
    "run_id": "the winnow run that made the document",
    "pipeline_version": "winnow's version in that run",
    "config_hash": "hash of the corpus-shaping settings in that run",
    "ingested_at": "when the first source file was ingested",
    "cluster_id": "the duplicate cluster this document represents",
    "cluster_size": "documents in that cluster (the copies folded into this one)",
}

KNOWN_LIMITATIONS = [
    "The licence field is what the person who ran winnow declared ([export] license); winnow does not "
    "know the rights attached to the pages it was given.",
    "Text dumps: reader comments that read like prose can be kept; list- or table-shaped article content "
    "(recipes, results) is often dropped.",
    "HTML: related links inside a sentence stay; the date is trafilatura's and can come from a footer year.",
    "Language identification is langdetect on the cleaned body: short or mixed-language texts can be "
    "mislabelled; 'und' marks texts too short to tell.",
    "Duplicates: each cluster keeps one representative; near duplicates are word 5-shingle MinHash "
    "matches (Jaccard >= [dedup] min_jaccard or containment), so a digest page can chain two stories.",
    "Personal information (names, e-mail addresses in the text) is not removed.",
]


def _rows(con, name: str) -> list[dict[str, Any]]:
    return dicts(con.execute((sql_dir() / "card" / f"{name}.sql").read_text(encoding="utf-8")))


def size_category(rows: int) -> str:
    return next((label for top, label in SIZE_CATEGORIES if rows < top), "n>1B")


def card_info(con, settings, *, data_format: str, files: list[str]) -> dict[str, Any]:
    """The facts of the card, as written to dataset_info.json."""
    counts = _rows(con, "counts")[0]
    columns = [(name, str(ctype)) for name, ctype, *_ in con.execute(named("corpus_columns")).fetchall()]
    runs = _rows(con, "runs")
    return {
        "pretty_name": settings.export.pretty_name,
        "license": settings.export.license,
        "format": data_format,
        "files": files,
        "documents": counts["documents"],
        "words": counts["words"],
        "characters": counts["characters"],
        "duplicates_folded": counts["duplicates_folded"],
        "files_rejected": counts["files_rejected"],
        "languages": {r["language"]: r["documents"] for r in _rows(con, "languages")},
        "sources": _rows(con, "sources"),
        "columns": [{"name": n, "type": t, "description": COLUMNS.get(n, "")} for n, t in columns],
        "pipeline_version": __version__,
        "config_hash": settings.config_hash,
        "runs": runs,
        "run_ids": [r["run_id"] for r in runs],
        "cleaning_settings": settings.corpus_settings(),
        "known_limitations": KNOWN_LIMITATIONS,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _header(info: dict[str, Any]) -> str:
    langs = sorted(lang for lang in info["languages"] if lang != "und")
    meta = {
        "pretty_name": info["pretty_name"],
        "license": info["license"],
        "language": langs,
        "multilinguality": "multilingual" if len(langs) > 1 else "monolingual",
        "size_categories": [size_category(info["documents"])],
        "task_categories": ["text-generation"],
        "tags": ["winnow", "news", "web"],
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": info["files"]}]}],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def card_markdown(info: dict[str, Any]) -> str:
    builder = "parquet" if info["format"] == "parquet" else "json"
    lines = [
        _header(info),
        f"# {info['pretty_name']}",
        "",
        f"{info['documents']:,} documents ({info['words']:,} words) cleaned and deduplicated by winnow "
        f"{info['pipeline_version']} from raw news and web files: one row per duplicate cluster, with the "
        f"provenance of every document. {info['duplicates_folded']:,} copies were folded into their cluster's "
        f"representative; {info['files_rejected']:,} input files did not become documents (each recorded with a "
        "reason in the warehouse).",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        f'ds = load_dataset("{builder}", data_dir="path/to/this/folder")',
        "```",
        "",
        f"Files ({info['format']}): " + ", ".join(f"`{f}`" for f in info["files"]),
        "",
        "## Languages",
        "",
        "| language | documents |",
        "|---|---:|",
        *[f"| {k} | {v:,} |" for k, v in info["languages"].items()],
        "",
        "## Sources",
        "",
        "| source type | extractor | documents |",
        "|---|---|---:|",
        *[f"| {r['source_type']} | {r['extractor']} {r['extractor_version']} | {r['documents']:,} |"
          for r in info["sources"]],
        "",
        "## Columns",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
        *[f"| `{c['name']}` | {c['type']} | {c['description']} |" for c in info["columns"]],
        "",
        "## Provenance",
        "",
        f"Exported by winnow {info['pipeline_version']} (settings hash `{info['config_hash']}`) at "
        f"{info['exported_at']}. The documents were made by these runs:",
        "",
        "| run | winnow | settings hash | documents |",
        "|---|---|---|---:|",
        *[f"| `{r['run_id']}` | {r['pipeline_version']} | `{r['config_hash']}` | {r['documents']:,} |"
          for r in info["runs"]],
        "",
        "Cleaning settings of this export (`config/winnow.toml`):",
        "",
        "```json",
        json.dumps(info["cleaning_settings"], indent=2, sort_keys=True),
        "```",
        "",
        "## Known limitations",
        "",
        *[f"- {x}" for x in info["known_limitations"]],
        "",
        "## Licence",
        "",
        f"`{info['license']}`, as declared in the settings ([export] license).",
        "",
    ]
    return "\n".join(lines)


def write_card(con, folder: Path, settings, *, data_format: str, files: list[str]) -> dict[str, Any]:
    info = card_info(con, settings, data_format=data_format, files=files)
    (folder / "dataset_info.json").write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str) + "\n",
                                              encoding="utf-8")
    (folder / "README.md").write_text(card_markdown(info), encoding="utf-8")
    return info
