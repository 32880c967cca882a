"""The pre-commit hooks, run by the real pre-commit (`pre-commit try-repo`) in a scratch repository: the hook
for committed packages and the pre-push hook for build output, each with a good and a bad package.

pre-commit installs the hook into its own environment with pip; the test lets pip read only the wheelhouse
that .ci/run builds (SNUPKG_LINT_WHEELHOUSE), so nothing is downloaded while the tests run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require
from tests.factory import package as pkg
from tests.factory.pair import matched_pair

ROOT = Path(__file__).resolve().parent.parent
PAIR = matched_pair("Contoso.Lib")


def good(folder: Path, name: str = "Contoso.Lib") -> None:
    pair = matched_pair(name)
    pkg.write(folder, f"{name}.1.2.3.snupkg", pkg.package({f"lib/net8.0/{name}.pdb": pair.pdb}, id=name))
    pkg.write(folder, f"{name}.1.2.3.nupkg", pkg.package({f"lib/net8.0/{name}.dll": pair.dll}, id=name, symbols=False))


def bad(folder: Path) -> None:
    pkg.write(folder, "Broken.1.0.0.snupkg", pkg.package({"lib/net8.0/Broken.pdb": PAIR.pdb}, id="Broken",
                                                          version="1.0.0", nuspec=pkg.nuspec_xml("Broken", "1.0.0",
                                                                                                  authors="x")))


@pytest.fixture(scope="module")
def pre_commit() -> list[str]:
    executable = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    require(executable, "pre-commit is not installed (pip install '.[test]')")
    require(os.environ.get("SNUPKG_LINT_WHEELHOUSE"), "SNUPKG_LINT_WHEELHOUSE is not set (.ci/run builds it)")
    require((ROOT / ".git").exists(), "the checkout is not a git repository")
    return [executable]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"})


def try_repo(pre_commit: list[str], repo: Path, cache: Path, hook: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache), "PIP_NO_INDEX": "1",
           "PIP_FIND_LINKS": os.environ["SNUPKG_LINT_WHEELHOUSE"], "PRE_COMMIT_COLOR": "never"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([*pre_commit, "try-repo", str(ROOT), hook, "--all-files", *extra], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> tuple[Path, Path]:
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q")
    (repo / ".gitignore").write_text("bin/\n")
    good(repo / "packages")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "good packages")
    return repo, tmp_path_factory.mktemp("pre-commit-home")


def test_hook_for_committed_packages(pre_commit, scratch):
    repo, cache = scratch
    result = try_repo(pre_commit, repo, cache, "snupkg-lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "snupkg-lint (committed packages)" in result.stdout and "Passed" in result.stdout
    bad(repo / "packages")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a bad package")
    result = try_repo(pre_commit, repo, cache, "snupkg-lint")
    assert result.returncode == 1 and "Failed" in result.stdout
    assert "packages/Broken.1.0.0.snupkg:Broken.nuspec: P222 error authors-or-owners-present" in result.stdout
    git(repo, "rm", "-q", "packages/Broken.1.0.0.snupkg")
    git(repo, "commit", "-q", "-m", "without it")


def test_pre_push_hook_checks_the_build_output(pre_commit, scratch):
    repo, cache = scratch
    good(repo / "bin" / "Release", "Contoso.Other")  # build output: ignored by git, present in the tree
    result = try_repo(pre_commit, repo, cache, "snupkg-lint-build-output", "--hook-stage", "pre-push")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "snupkg-lint (build output, before push)" in result.stdout and "Passed" in result.stdout
    bad(repo / "bin" / "Release")
    result = try_repo(pre_commit, repo, cache, "snupkg-lint-build-output", "--hook-stage", "pre-push")
    assert result.returncode == 1 and "bin/Release/Broken.1.0.0.snupkg" in result.stdout
    result = try_repo(pre_commit, repo, cache, "snupkg-lint-build-output")  # a pre-push hook only
    assert "No hook with id `snupkg-lint-build-output` in stage `pre-commit`" in result.stdout
