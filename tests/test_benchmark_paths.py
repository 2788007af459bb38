"""The benchmarks find the shared material folder the same way, from the main checkout or a git worktree."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import shared_folder  # noqa: E402


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin:/usr/local/bin"})


def test_a_worktree_finds_the_shared_folder_beside_the_main_checkout(tmp_path, monkeypatch):
    monkeypatch.setattr(shared_folder, "FALLBACK", tmp_path / "no-such-folder")
    main, worktree, shared = tmp_path / "main", tmp_path / "wt" / "helper", tmp_path / "shared"
    main.mkdir()
    git("init", "-q", cwd=main)
    (main / "README.md").write_text("x\n")
    git("add", "README.md", cwd=main)
    git("commit", "-qm", "x", cwd=main)
    git("worktree", "add", "-q", "-b", "h-helper", str(worktree), cwd=main)
    assert shared_folder.shared_dir(worktree, env={}) == tmp_path / "wt" / "shared", "nothing exists: beside the checkout"
    shared.mkdir()
    assert shared_folder.shared_dir(worktree, env={}) == shared  # ../shared from the worktree is wrong
    assert shared_folder.shared_dir(main, env={}) == shared
    (tmp_path / "wt" / "shared").mkdir()
    assert shared_folder.shared_dir(worktree, env={}) == tmp_path / "wt" / "shared", "beside the checkout comes first"
    assert shared_folder.shared_dir(worktree, env={"WINNOW_SHARED": str(tmp_path / "mine")}) == tmp_path / "mine"


def test_the_fallback_is_used_only_when_it_exists(tmp_path, monkeypatch):
    root = tmp_path / "repo"  # not a git checkout
    root.mkdir()
    monkeypatch.setattr(shared_folder, "FALLBACK", tmp_path / "fallback")
    assert shared_folder.shared_dir(root, env={}) == tmp_path / "shared"
    (tmp_path / "fallback").mkdir()
    assert shared_folder.shared_dir(root, env={}) == tmp_path / "fallback"


def test_no_benchmark_names_the_shared_folder_itself():
    """Every script's default comes from shared_folder (a path written into one script was wrong from a worktree)."""
    pattern = re.compile(r"""/work/shared|parents?(\[\d\])?(\.parent)* / "shared"|\.\./shared""")
    offenders = [p.name for p in (ROOT / "benchmarks").glob("*.py")
                 if p.name != "shared_folder.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
