"""The `winnow` command behaves like a Unix tool: pipes, one-line errors, formats, help, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SEEDS, one_line_error, subprocess_env, winnow_cli

WINNOW = str(Path(sys.executable).parent / "winnow")
COMMANDS = ["ingest", "clean", "sql", "export", "stats", "report", "serve"]


def closed_pipe(*args) -> subprocess.CompletedProcess:
    """Run winnow with its stdout a pipe whose reader has gone (`winnow ... | head` once head exits)."""
    proc = subprocess.Popen([WINNOW, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(args, proc.returncode, "", err)


def test_a_closed_pipe_ends_quietly(warehouse, tmp_path):
    db = warehouse.warehouse.db
    for args in (["sql", "--db", db, "SELECT * FROM range(100000)", "--format", "csv"],
                 ["sql", "--db", db, "SELECT title, text FROM corpus"],
                 ["clean", SEEDS],
                 ["clean", SEEDS, "--format", "jsonl"]):
        proc = closed_pipe(*args)
        assert proc.stderr == "", (args, proc.stderr)
        assert proc.returncode == 141, (args, proc.returncode)  # 128 + SIGPIPE, as a shell shows it
    # through a real shell pipe too
    sh = subprocess.run(["bash", "-c", f"'{WINNOW}' sql --db '{db}' 'SELECT * FROM range(100000)' -f csv | head -2"],
                        capture_output=True, text=True, cwd=ROOT)
    assert sh.stdout.splitlines() == ["range", "0"] and sh.stderr == ""


def test_sql_empty_comment_and_several_statements(warehouse):
    db = warehouse.warehouse.db
    assert "empty or only comments" in one_line_error(winnow_cli("sql", "--db", db, ""))
    assert "empty or only comments" in one_line_error(winnow_cli("sql", "--db", db, "-- comment"))
    assert "empty or only comments" in one_line_error(winnow_cli("sql", "--db", db, "  ;  "))
    line = one_line_error(winnow_cli("sql", "--db", db, "SELECT 1; SELECT 2"))
    assert "one statement at a time" in line and "2" in line
    # a comment in front of a real statement is fine
    ok = winnow_cli("sql", "--db", db, "-- how many\nSELECT 7 AS n", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == [{"n": 7}]


def test_sql_formats_give_data_not_python_reprs(warehouse):
    db = warehouse.warehouse.db
    q = "SELECT doc_id, source_paths, ['a,b', 'c\"d'] AS xs, {'k': 1} AS st FROM corpus ORDER BY doc_id LIMIT 2"
    jsonl = winnow_cli("sql", "--db", db, q, "--format", "jsonl")
    assert jsonl.returncode == 0, jsonl.stderr
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(rows) == 2 and rows[0]["xs"] == ["a,b", 'c"d'] and rows[0]["st"] == {"k": 1}
    assert isinstance(rows[0]["source_paths"], list) and rows[0]["source_paths"][0].endswith(".txt")
    import csv
    import io

    out = winnow_cli("sql", "--db", db, q, "--format", "csv").stdout
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert json.loads(parsed[0]["xs"]) == ["a,b", 'c"d']  # JSON text, not "['a,b', ...]"
    assert json.loads(parsed[0]["source_paths"]) == rows[0]["source_paths"]
    assert json.loads(parsed[0]["st"]) == {"k": 1}
    # a JSON column comes out as JSON data, not as a string holding JSON
    summ = json.loads(winnow_cli("sql", "--db", db, "SELECT summary FROM runs", "--format", "json").stdout)
    assert isinstance(summ[0]["summary"], dict) and summ[0]["summary"]["files"]["seen"] == 5
    csv_summary = list(csv.DictReader(io.StringIO(winnow_cli("sql", "--db", db, "SELECT summary FROM runs", "-f", "csv").stdout)))
    assert json.loads(csv_summary[0]["summary"])["files"]["seen"] == 5


def test_stats_json_keys_are_identifiers(warehouse):
    stats = json.loads(winnow_cli("stats", "--db", warehouse.warehouse.db, "--json").stdout)

    def keys(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield k
                yield from keys(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from keys(v)

    assert all(k.isidentifier() for k in keys(stats)), sorted(set(keys(stats)))
    assert stats["corpus_by_language"][0]["documents"] == 5


def test_version_help_quiet_verbose_on_every_command(warehouse):
    from winnow import __version__

    v = winnow_cli("--version")
    assert v.returncode == 0 and v.stdout.strip() == f"winnow {__version__}"
    for cmd in COMMANDS:
        h = winnow_cli(cmd, "-h")
        assert h.returncode == 0, (cmd, h.stderr)
        assert "-q, --quiet" in h.stdout and "-v, --verbose" in h.stdout, cmd
    db = warehouse.warehouse.db
    loud = winnow_cli("sql", "--db", db, "SELECT 1 AS x", "-v")
    assert "settings from" in loud.stderr and str(Path(db).absolute()) in loud.stderr
    quiet = winnow_cli("sql", "--db", db, "SELECT 1 AS x", "-q")
    assert quiet.returncode == 0 and "(1 row)" not in quiet.stdout and quiet.stderr == ""
    assert "(1 row)" in winnow_cli("sql", "--db", db, "SELECT 1 AS x").stdout
    assert "contradict" in one_line_error(winnow_cli("stats", "--db", db, "-q", "-v"))
    # usage errors are one line too
    assert "No such command" in one_line_error(winnow_cli("bogus"))
    assert "--format" in one_line_error(winnow_cli("sql", "--db", db, "SELECT 1", "--format", "xml"))


def test_shell_completion():
    """`winnow --show-completion` prints the completion script of the shell it is typed in, which Typer finds
    with shellingham: the nearest shell among the command's parent processes (a shell name after the
    option is not read). Run straight from the test, that was whatever had started pytest: bash in CI, but
    `sh -c` (dash) under a job runner or `make`, "Shell sh not supported", or none within ten parents. So
    the command is typed in bash here, as a bash user types it."""
    script = subprocess.run(["bash", "-c", '"$0" --show-completion; exit $?', WINNOW], capture_output=True,
                            text=True, env=subprocess_env(), cwd=ROOT, timeout=300)
    assert script.returncode == 0, script.stderr
    assert "_winnow_completion" in script.stdout and "complete -o default -F _winnow_completion winnow" \
        in script.stdout  # bash's script (zsh's says compdef, fish's complete --command)
    env = {"_WINNOW_COMPLETE": "complete_bash", "COMP_WORDS": "winnow s", "COMP_CWORD": "1"}
    words = winnow_cli(env=env).stdout.split()
    assert set(words) == {"sql", "stats", "serve"}


def test_clean_refuses_db():
    line = one_line_error(winnow_cli("clean", SEEDS / "000_6854359e01b304fc.txt", "--db", "x.duckdb"))
    assert "never reads a warehouse" in line
    # WINNOW_DB in the environment is not an error for clean
    ok = winnow_cli("clean", SEEDS / "000_6854359e01b304fc.txt", env={"WINNOW_DB": "x.duckdb"})
    assert ok.returncode == 0, ok.stderr


def test_clean_reads_a_page_from_stdin():
    page = (SEEDS / "001_a7bb1ff81f784584.txt").read_bytes()
    proc = subprocess.run([WINNOW, "clean", "-", "--format", "jsonl"], input=page, capture_output=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    (rec,) = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    from_file = json.loads(winnow_cli("clean", SEEDS / "001_a7bb1ff81f784584.txt", "--format", "json").stdout)[0]
    assert rec["path"] == "-"
    assert rec["text"] == from_file["text"] and rec["title"] == from_file["title"]
    # a page on stdin beside files: the page first, then the files
    both = subprocess.run([WINNOW, "clean", "-", str(SEEDS / "000_6854359e01b304fc.txt"), "-f", "jsonl"],
                          input=page, capture_output=True, cwd=ROOT)
    assert [json.loads(x)["path"] for x in both.stdout.decode().splitlines()][0] == "-"


def test_nothing_is_hard_wrapped_into_a_pipe(warehouse):
    db = warehouse.warehouse.db
    proc = winnow_cli("sql", "--db", db, "SELECT repeat('x', 200) AS long, 'y' AS short")
    assert proc.returncode == 0, proc.stderr
    assert any("x" * 200 in line for line in proc.stdout.splitlines()), proc.stdout
    stats = winnow_cli("stats", "--db", db).stdout
    for out in (proc.stdout, stats):
        assert all(line == line.rstrip() for line in out.splitlines()), out


def test_dask_runner_without_the_extra_says_how_to_install_it(tmp_path):
    # Python's documented way to make a package absent: None in sys.modules
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['prefect_dask'] = None\n")
    t = time.monotonic()
    proc = winnow_cli("ingest", SEEDS, "--runner", "dask", "--db", tmp_path / "d.duckdb",
                      env={"PYTHONPATH": str(tmp_path)})
    took = time.monotonic() - t
    line = one_line_error(proc)
    assert "pip install -e '.[dask]'" in line and "prefect_dask" in line
    assert took < 8, f"{took:.1f} s: checked before Prefect starts"
    assert not (tmp_path / "d.duckdb").exists()
