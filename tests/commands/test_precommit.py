"""The pre-commit hooks, driven by the real pre-commit framework in a throw-away git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import CARDS_DIR, ROOT, replace_once

pre_commit = pytest.importorskip("pre_commit")
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def test_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(MANIFEST))
    assert {hook["id"] for hook in hooks} >= {"cardkit-validate", "cardkit-render-check"}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def model_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository holding one card, with cardkit's hooks installed by `pre-commit install`."""
    repo = tmp_path / "repo"
    shutil.copytree(CARDS_DIR / "stablelm-3b-4e1t", repo / "cards" / "stablelm-3b-4e1t")
    (repo / "schemas").mkdir()
    shutil.copy(ROOT / "schemas" / "card.schema.json", repo / "schemas")
    # The manifest's hooks as local hooks: same entry, files and pass_filenames, run with the cardkit
    # installed here instead of a fresh environment that would need the network.
    hooks = [
        {
            **{k: hook[k] for k in ("id", "name", "entry", "files", "pass_filenames") if k in hook},
            "language": "system",
        }
        for hook in yaml.safe_load(MANIFEST.read_text())
        if hook["id"] in ("cardkit-validate", "cardkit-render-check")
    ]
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]})
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
    }
    for args in (["git", "init", "-q", "-b", "main"], [sys.executable, "-m", "pre_commit", "install"]):
        assert _run(args, repo, env).returncode == 0
    return repo, env


def test_good_card_commits_and_broken_card_is_blocked(model_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = model_repo
    _run(["git", "add", "-A"], repo, env)
    good = _run(["git", "commit", "-q", "-m", "good card"], repo, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout + good.stderr

    card = repo / "cards" / "stablelm-3b-4e1t" / "card.yaml"
    line = replace_once(card, "  num_layers: 32", "  num_layers: 30")
    _run(["git", "add", "-A"], repo, env)
    bad = _run(["git", "commit", "-q", "-m", "broken card"], repo, env)
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert (
        f"cards/stablelm-3b-4e1t/card.yaml:{line}:3: error [config-mismatch] architecture.num_layers"
        in output
    )
    log = _run(["git", "log", "--oneline"], repo, env).stdout.splitlines()
    assert len(log) == 1


def test_a_readme_edited_by_hand_or_left_stale_is_blocked(model_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = model_repo
    _run(["git", "add", "-A"], repo, env)
    assert _run(["git", "commit", "-q", "-m", "card and its READMEs"], repo, env).returncode == 0

    folder = repo / "cards" / "stablelm-3b-4e1t"
    replace_once(folder / "README.md", "## Uses", "## Uses (edited by hand)")
    _run(["git", "add", "-A"], repo, env)
    edited = _run(["git", "commit", "-q", "-m", "hand edit"], repo, env)
    assert edited.returncode != 0
    assert "cards/stablelm-3b-4e1t/README.md: error [render-stale]" in edited.stdout + edited.stderr
    _run(["git", "checkout", "--", "."], repo, env)
    _run(["git", "reset", "-q", "--hard"], repo, env)

    # A prose change in the card alone (still a valid card) leaves both READMEs stale.
    replace_once(folder / "card.yaml", "A base model continues text;", "A base model only continues text;")
    _run(["git", "add", "-A"], repo, env)
    stale = _run(["git", "commit", "-q", "-m", "card edit without render"], repo, env)
    output = stale.stdout + stale.stderr
    assert stale.returncode != 0
    assert "render-stale" in output
    assert "Passed" in output  # cardkit-validate passed; only the render check blocks
