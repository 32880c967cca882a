"""The composite GitHub Action: its check step run as the runner would (bash, RUNNER_TEMP, GITHUB_OUTPUT,
GITHUB_ACTIONS=true) against a good and a bad package; the install step is pip and is not re-run here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factory import package as pkg
from tests.factory.pair import matched_pair

ROOT = Path(__file__).resolve().parent.parent
yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit ('.[test]')")


def check_step() -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    return next(step for step in action["runs"]["steps"] if step.get("id") == "check")


def run_step(tmp_path: Path, paths: str, sarif: str, args: str = "") -> tuple[subprocess.CompletedProcess, str]:
    bin_dir = tmp_path / "runner" / "snupkg-lint" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "snupkg-lint").symlink_to(Path(sys.executable).parent / "snupkg-lint")
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_OUTPUT": str(output),
           "GITHUB_ACTIONS": "true", "SNUPKG_LINT_PATHS": paths, "SNUPKG_LINT_ARGS": args,
           "SNUPKG_LINT_SARIF": sarif}
    result = subprocess.run(["bash", "-e", "-c", check_step()["run"]], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    return result, output.read_text()


def packages(folder: Path, broken: bool) -> None:
    pair = matched_pair("Contoso.Lib")
    nuspec = pkg.nuspec_xml(authors="x") if broken else None
    pkg.write(folder, "Contoso.Lib.1.2.3.snupkg", pkg.package({"lib/net8.0/Contoso.Lib.pdb": pair.pdb}, nuspec=nuspec))
    pkg.write(folder, "Contoso.Lib.1.2.3.nupkg", pkg.package({"lib/net8.0/Contoso.Lib.dll": pair.dll}, symbols=False))


def test_check_step_passes_a_good_package_and_writes_sarif(tmp_path):
    packages(tmp_path / "artifacts", broken=False)
    result, outputs = run_step(tmp_path, "artifacts", "out.sarif")
    assert result.returncode == 0, result.stderr
    assert outputs.strip() == "sarif=out.sarif"
    assert json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"] == []


def test_check_step_fails_a_bad_package_with_annotations(tmp_path):
    packages(tmp_path / "artifacts", broken=True)
    result, outputs = run_step(tmp_path, "artifacts", "out.sarif", "--ignore V202")
    assert result.returncode == 1
    assert "::error file=artifacts/Contoso.Lib.1.2.3.snupkg,title=P222 authors-or-owners-present::" in result.stdout
    results = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["P222"] and outputs.strip() == "sarif=out.sarif"


def test_check_step_without_sarif(tmp_path):
    packages(tmp_path / "artifacts", broken=False)
    result, outputs = run_step(tmp_path, "artifacts", "")
    assert result.returncode == 0 and outputs.strip() == "sarif=" and not (tmp_path / "snupkg-lint.sarif").exists()
