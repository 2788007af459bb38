"""Settings: ``config/winnow.toml`` parsed once into one typed, frozen object.

Every setting has a default here; the TOML file documents them and overrides
what it names. Unknown keys and wrongly typed values are errors with a one-line
message (``ConfigError``), never silently ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from winnow import __version__

DEFAULT_CONFIG = Path("config/winnow.toml")
DEFAULT_DB = Path("warehouse/corpus.duckdb")
ENV_CONFIG = "WINNOW_CONFIG"
ENV_DB = "WINNOW_DB"


class ConfigError(ValueError):
    """A settings problem a user can fix; the message is one line."""


@dataclass(frozen=True)
class InputSettings:
    paths: tuple[str, ...] = ("seeds",)  # what `winnow ingest` reads when given no paths
    max_file_mb: float = 50.0  # larger files are rejected (reason: too_large)
    max_decompressed_mb: float = 200.0  # gzip output cap (reason: gzip_bomb); also per WARC record
    max_warc_mb: float = 5000.0  # WARC files are read record by record: their own size cap (too_large)
    max_seconds_per_page: float = 120.0  # cleaning one page longer than this: rejected (timeout); 0 = no limit
    follow_symlinks: bool = True  # links inside an input root; links leaving it are never followed
    invalid_utf8: str = "replace"  # mostly-UTF-8 file with a few bad bytes: "replace" (counted) or "reject"


@dataclass(frozen=True)
class CleanSettings:
    html_extractor: str = "auto"  # "auto" (readability-lxml, trafilatura when in doubt) | "readability" | "trafilatura"
    html_favor_precision: bool = True  # trafilatura precision mode on HTML
    html_include_comments: bool = False  # keep reader comments of HTML pages
    html_include_tables: bool = True
    html_remove_related: bool = True  # drop "related stories" callouts, boxes and headline lists
    html_detect_index_pages: bool = True  # pages that are lists of teasers: rejected (not_article)
    reject_non_articles: bool = True  # false: pages called not_article are kept as documents
    min_body_words: int = 20  # fewer words after cleaning: rejected (reason: too_short)
    min_unique_word_ratio: float = 0.1  # distinct/total words of a long body below this: rejected (repetitive)
    corpus_evidence: bool = True  # text dumps: lines recurring across the warehouse are chrome


@dataclass(frozen=True)
class LanguageSettings:
    seed: int = 0  # langdetect is random unless seeded
    min_chars: int = 40  # shorter texts get language "und"
    min_probability: float = 0.5  # below this the language is "und"


@dataclass(frozen=True)
class DedupSettings:
    near: bool = True  # near-duplicate detection after exact dedup
    num_perm: int = 128  # MinHash permutations
    shingle_words: int = 5  # word shingle size
    lsh_threshold: float = 0.5  # pairs at this Jaccard become LSH candidates with probability >= 0.99
    min_jaccard: float = 0.5  # verified Jaccard to call two documents copies ...
    min_containment: float = 0.7  # ... or containment of the shorter in the longer ...
    min_containment_shingles: int = 100  # ... when the shorter has this many shingles (not a teaser)
    representative: str = "longest"  # "longest" | "earliest": which member stands for a cluster
    shared_parts: bool = True  # leave out the pairs of a text found inside two unrelated documents (winnow.dedup.boilerplate)
    boilerplate_clusters: int = 4  # a pair agreeing mostly on signature values of this many clusters is left out (0: off) ...
    boilerplate_share: float = 0.001  # ... and of at least this share of all clusters (the threshold grows with the warehouse)
    visible_text: bool = True  # also a copy: each body inside the other's visible text (winnow.dedup.visible)
    visible_common_pages: int = 100  # ... a sampled shingle on more live pages than this is no evidence of a copy


# [dedup] settings applied where clusters are recomputed from the stored pairs: not part of dedup_hash
CLUSTER_TIME_DEDUP = ("shared_parts", "boilerplate_clusters", "boilerplate_share")
# [dedup] settings that decide the stored pairs, added after warehouses were made with their default
# (then a constant of the code): left out of dedup_hash at that value, so that those warehouses'
# hashes hold; any other value is in the hash, and the pairs are compared again under it
HASHED_UNLESS_DEFAULT = {"visible_common_pages": 100}


def default_export_dir(db: str | os.PathLike) -> str:
    """Beside its own warehouse: ``export`` next to corpus.duckdb, ``<name>-export`` next to <name>.duckdb."""
    p = Path(db)
    return str(p.parent / ("export" if p.stem == "corpus" else f"{p.stem}-export"))


@dataclass(frozen=True)
class WarehouseSettings:
    db: str = str(DEFAULT_DB)
    export_dir: str = ""  # unset: beside the warehouse (default_export_dir)
    lock_timeout_seconds: float = 60.0  # how long a second writer/reader waits for the file
    memory_limit_mb: float = 1024.0  # DuckDB's memory limit on winnow's own connections (it spills beyond)

    def __post_init__(self) -> None:
        if self.export_dir == "":
            object.__setattr__(self, "export_dir", default_export_dir(self.db))


RUNNERS = ("process", "thread", "dask")


@dataclass(frozen=True)
class SqlSettings:
    memory_limit_mb: float = 1024.0  # a `winnow sql` query needing more memory is stopped (never spills to disk)
    timeout_seconds: float = 30.0  # ... and one running longer; keep it below warehouse.lock_timeout_seconds


@dataclass(frozen=True)
class FlowSettings:
    batch_size: int = 200  # files per Prefect task
    runner: str = "process"  # "process" (one process per worker) | "thread" | "dask"
    workers: int = 0  # worker processes, threads or Dask workers; 0 = one per core
    dask_address: str = ""  # an existing Dask scheduler; empty = start a LocalCluster
    retries: int = 2  # retries of I/O tasks
    retry_delay_seconds: float = 1.0
    prefect_home: str = ".winnow"  # Prefect's state, kept inside the project


@dataclass(frozen=True)
class ScheduleSettings:
    inbox: str = "seeds"
    interval_seconds: float = 3600.0
    cron: str = ""  # a cron expression wins over the interval when set
    ui_port: int = 4200  # the local Prefect server (API and UI) `winnow serve` starts on 127.0.0.1


@dataclass(frozen=True)
class ReportSettings:
    path: str = ""  # where `winnow report` and the flow write the page; empty = report.html beside the warehouse
    after_run: bool = True  # the flow writes the report after each run (and links it as an artifact)
    browser_documents: int = 5000  # documents (with their text) in the page's document browser
    largest_clusters: int = 10  # duplicate clusters listed with their members


@dataclass(frozen=True)
class FilterSettings:
    languages: tuple[str, ...] = ()  # language allowlist (ISO 639-1, "und"); empty = every language
    quality: bool = False  # opt-in: the Gopher/C4-style rules below (winnow.filters)
    min_mean_word_length: float = 2.0  # Gopher: 3 (Korean dev articles average 2.9)
    max_mean_word_length: float = 10.0
    max_symbol_ratio: float = 0.1  # '#' and ellipses per word
    min_terminal_punctuation_share: float = 0.1  # lines ending in . ! ? ...
    max_bullet_line_share: float = 0.9
    max_top_ngram_share: float = 0.2  # characters covered by the most frequent 2/3/4-gram
    max_duplicate_ngram_share: float = 0.95  # covered by repeated 5- to 10-grams (Gopher: 0.15)


@dataclass(frozen=True)
class ExportSettings:
    license: str = "unknown"  # the dataset card's licence field (a Hugging Face licence id, "other", "unknown")
    pretty_name: str = "winnow corpus"  # the dataset card's title
    jsonl_shard_mb: float = 256.0  # `export --format jsonl`: a new gzip shard after this much JSON text


@dataclass(frozen=True)
class Settings:
    input: InputSettings = field(default_factory=InputSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    language: LanguageSettings = field(default_factory=LanguageSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    filter: FilterSettings = field(default_factory=FilterSettings)
    warehouse: WarehouseSettings = field(default_factory=WarehouseSettings)
    flow: FlowSettings = field(default_factory=FlowSettings)
    sql: SqlSettings = field(default_factory=SqlSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    source: str = "<defaults>"  # where the settings came from

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("source")
        return d

    def corpus_settings(self) -> dict[str, Any]:
        """The settings that shape the corpus (not paths, timeouts or presentation)."""
        d = self.to_dict()
        return {k: d[k] for k in ("clean", "language", "dedup", "filter")}

    @property
    def config_hash(self) -> str:
        """Hash of every setting that shapes the corpus (not paths or timeouts)."""
        return _hash(self.corpus_settings())

    @property
    def dedup_hash(self) -> str:
        """Identifies the near-duplicate test: pairs verified under other settings, or under
        another version of winnow's tokenisation (``winnow.vocab.words.VERSION``), are not reused."""
        from winnow.vocab.words import VERSION

        # representative and the boilerplate filters act where clusters are recomputed from the stored
        # pairs, not on the pairs (left out: the hashes of earlier warehouses hold)
        d = {k: v for k, v in self.to_dict()["dedup"].items()
             if k not in CLUSTER_TIME_DEDUP and not (k in HASHED_UNLESS_DEFAULT and v == HASHED_UNLESS_DEFAULT[k])}
        return _hash(d | {"representative": None, "vocabulary": VERSION})

    @property
    def fingerprint(self) -> str:
        """Identifies how a document was made: same bytes + same fingerprint = same document."""
        d = self.to_dict()
        made = {"version": __version__, "clean": d["clean"], "language": d["language"]}
        if self.filter != FilterSettings():  # filters decide what is kept: other filters, other documents
            made["filter"] = d["filter"]  # (absent at their defaults, so existing fingerprints stay valid)
        return _hash(made)

    @property
    def report_path(self) -> Path:
        return Path(self.report.path) if self.report.path else Path(self.warehouse.db).parent / "report.html"

    def with_db(self, db: str | os.PathLike | None) -> "Settings":
        if db is None:
            return self
        w = self.warehouse
        derived = w.export_dir == default_export_dir(w.db)  # an export goes beside its own warehouse
        return dataclasses.replace(
            self, warehouse=dataclasses.replace(w, db=str(db), export_dir="" if derived else w.export_dir)
        )


def worker_count(flow: FlowSettings) -> int:
    """``[flow] workers``, with 0 meaning one per core this process may run on."""
    if flow.workers:
        return flow.workers
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _hash(obj: Any) -> str:
    blob = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


_SECTIONS = {f.name: f.type for f in dataclasses.fields(Settings) if f.name != "source"}


def _coerce(section: str, key: str, value: Any, default: Any) -> Any:
    where = f"[{section}] {key}"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number, not {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number, not {value!r}")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, not {value!r}")
        return value
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings, not {value!r}")
        return tuple(value)
    raise ConfigError(f"{where}: unsupported setting type")  # pragma: no cover


_PATHS = {"db", "export_dir", "prefect_home", "inbox"}


def _build_section(name: str, values: Mapping[str, Any]):
    cls = {
        "input": InputSettings,
        "clean": CleanSettings,
        "language": LanguageSettings,
        "dedup": DedupSettings,
        "filter": FilterSettings,
        "warehouse": WarehouseSettings,
        "flow": FlowSettings,
        "sql": SqlSettings,
        "schedule": ScheduleSettings,
        "report": ReportSettings,
        "export": ExportSettings,
    }[name]
    defaults = cls()
    known = {f.name for f in dataclasses.fields(cls)}
    out = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                f"unknown setting [{name}] {key} (known: {', '.join(sorted(known))})"
            )
        out[key] = _coerce(name, key, value, getattr(defaults, key))
        if isinstance(out[key], str) and key in _PATHS and not out[key].strip():
            raise ConfigError(f"[{name}] {key} must name a path, not {value!r} (delete the line for the default)")
    return cls(**out)  # unset fields take their defaults (export_dir: beside the db given here)


# Ranges beyond which a setting would fail mid-run (an overflow, a memory blow-up) or make no sense.
# (section, key): (low, high, inclusive low); every float must also be finite.
_RANGES: dict[tuple[str, str], tuple[float, float, bool]] = {
    ("input", "max_file_mb"): (0, 100_000, False),
    ("input", "max_decompressed_mb"): (0, 100_000, False),
    ("input", "max_warc_mb"): (0, 10_000_000, False),
    ("input", "max_seconds_per_page"): (0, 7 * 86400, True),  # 0 = no limit
    ("clean", "min_body_words"): (0, 100_000, True),
    ("clean", "min_unique_word_ratio"): (0, 1, True),
    ("language", "seed"): (0, 2**32 - 1, True),
    ("language", "min_chars"): (0, 1_000_000, True),
    ("language", "min_probability"): (0, 1, True),
    ("dedup", "num_perm"): (16, 1024, True),
    ("dedup", "shingle_words"): (1, 25, True),
    ("dedup", "lsh_threshold"): (0, 1, False),
    ("dedup", "min_jaccard"): (0, 1, False),
    ("dedup", "min_containment"): (0, 1, False),
    ("dedup", "min_containment_shingles"): (0, 1_000_000, True),
    ("dedup", "boilerplate_clusters"): (0, 1_000_000, True),
    ("dedup", "boilerplate_share"): (0, 1, True),
    ("dedup", "visible_common_pages"): (1, 1_000_000_000, True),
    ("warehouse", "lock_timeout_seconds"): (0, 7 * 86400, True),
    ("warehouse", "memory_limit_mb"): (64, 1_048_576, True),
    ("flow", "batch_size"): (1, 100_000, True),
    ("flow", "workers"): (0, 1024, True),  # 0 = one per core
    ("flow", "retries"): (0, 100, True),
    ("flow", "retry_delay_seconds"): (0, 86400, True),
    ("sql", "memory_limit_mb"): (16, 1_048_576, True),
    ("sql", "timeout_seconds"): (0, 7 * 86400, False),
    ("schedule", "interval_seconds"): (0, 366 * 86400, False),
    ("schedule", "ui_port"): (1, 65535, True),
    ("report", "browser_documents"): (0, 10_000_000, True),
    ("report", "largest_clusters"): (0, 1_000_000, True),
    ("export", "jsonl_shard_mb"): (0, 1_048_576, False),
    ("filter", "min_mean_word_length"): (0, 1000, True),
    ("filter", "max_mean_word_length"): (0, 1000, True),
    ("filter", "max_symbol_ratio"): (0, 1000, True),
    ("filter", "min_terminal_punctuation_share"): (0, 1, True),
    ("filter", "max_bullet_line_share"): (0, 1, True),
    ("filter", "max_top_ngram_share"): (0, 1, True),
    ("filter", "max_duplicate_ngram_share"): (0, 1, True),
}


def _validate(s: Settings) -> None:
    def check(ok: bool, msg: str) -> None:
        if not ok:
            raise ConfigError(msg)

    for name in _SECTIONS:
        for f in dataclasses.fields(getattr(s, name)):
            v = getattr(getattr(s, name), f.name)
            if isinstance(v, float):
                check(math.isfinite(v), f"[{name}] {f.name} must be a finite number, not {v}")
            bounds = _RANGES.get((name, f.name))
            if bounds:
                lo, hi, closed = bounds
                ok = (lo <= v if closed else lo < v) and v <= hi
                check(ok, f"[{name}] {f.name} must be {'>=' if closed else '>'} {lo:g} and <= {hi:g}, not {v:g}")
    check(s.input.invalid_utf8 in ("replace", "reject"),
          f"[input] invalid_utf8 must be 'replace' or 'reject', not {s.input.invalid_utf8!r}")
    check(
        s.dedup.representative in ("longest", "earliest"),
        f"[dedup] representative must be 'longest' or 'earliest', not {s.dedup.representative!r}",
    )
    check(s.clean.html_extractor in ("auto", "readability", "trafilatura"),
          f"[clean] html_extractor must be 'auto', 'readability' or 'trafilatura', not {s.clean.html_extractor!r}")
    check(s.flow.runner in RUNNERS, f"[flow] runner must be one of {', '.join(RUNNERS)}, not {s.flow.runner!r}")


def check_writable(folder: str | os.PathLike, what: str) -> Path:
    """A folder winnow will write in: created if missing; one line if that, or writing, is impossible."""
    p = Path(folder).absolute()
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"{what} {p} cannot be created: {e.strerror or e}") from None
    if not p.is_dir():
        raise ConfigError(f"{what} {p} is not a folder")
    if not os.access(p, os.W_OK | os.X_OK):
        raise ConfigError(f"{what} {p} is not writable")
    return p


def settings_from_mapping(data: Mapping[str, Any], source: str = "<mapping>") -> Settings:
    sections = {}
    for name, values in data.items():
        if name not in _SECTIONS:
            raise ConfigError(f"unknown section [{name}] (known: {', '.join(_SECTIONS)})")
        if not isinstance(values, Mapping):
            raise ConfigError(f"[{name}] must be a table")
        sections[name] = _build_section(name, values)
    s = Settings(**sections, source=source)
    _validate(s)
    return s


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Load settings from ``path``, else $WINNOW_CONFIG, else config/winnow.toml, else defaults.

    A path that was asked for explicitly (argument or environment) must exist.
    """
    explicit = path is not None or bool(os.environ.get(ENV_CONFIG))
    p = Path(path if path is not None else os.environ.get(ENV_CONFIG) or DEFAULT_CONFIG)
    if not p.exists():
        if explicit:
            raise ConfigError(f"config file not found: {p}")
        settings = Settings()
    else:
        settings = _read_toml(p)
    env_db = os.environ.get(ENV_DB)
    return settings.with_db(env_db) if env_db else settings


def _read_toml(p: Path) -> Settings:
    if not p.is_file():
        raise ConfigError(f"config path is not a file: {p}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {p} is not valid TOML: {e}") from None
    return _resolve_paths(settings_from_mapping(data, source=str(p)), p.parent, data)


# Settings that name files or folders. Written in a settings file, a relative path means a
# path relative to that file's folder, wherever winnow runs from.
PATH_SETTINGS = {
    "input": ("paths",),
    "warehouse": ("db", "export_dir"),
    "flow": ("prefect_home",),
    "schedule": ("inbox",),
    "report": ("path",),
}


def _resolve_paths(s: Settings, folder: Path, data: Mapping[str, Any]) -> Settings:
    def absolute(value: str) -> str:
        if not value or os.path.isabs(value):  # empty: "the default place", not a path
            return value
        return os.path.normpath(folder.absolute() / value)

    for section, keys in PATH_SETTINGS.items():
        written = {k for k in keys if k in data.get(section, {})}
        if not written:
            continue
        current = getattr(s, section)
        values = {k: (tuple(absolute(v) for v in getattr(current, k)) if isinstance(getattr(current, k), tuple)
                      else absolute(getattr(current, k))) for k in written}
        if section == "warehouse" and "export_dir" not in written:
            values["export_dir"] = ""  # derived again, beside the resolved warehouse
        s = dataclasses.replace(s, **{section: dataclasses.replace(current, **values)})
    return s
