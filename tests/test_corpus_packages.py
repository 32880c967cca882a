"""The real packages in ../shared/fixtures (through SNUPKG_LINT_CORPUS) give nuget.org's outcomes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from snupkg_lint.engine import check_package
from snupkg_lint.model import Stage


def _packages() -> list[dict]:
    root = os.environ.get("SNUPKG_LINT_CORPUS")
    if not root or not (Path(root) / "expected.json").is_file():
        return []
    return json.loads((Path(root) / "expected.json").read_text())["packages"]


@pytest.mark.parametrize("case", _packages() or [None], ids=lambda c: c["snupkg"] if c else "no-corpus")
def test_package_push_outcome(corpus, case):
    if case is None:
        pytest.skip("no packages listed")
    report = check_package(str(corpus / case["snupkg"]), str(corpus / case["nupkg"]) if case["nupkg"] else None)
    expect = case["expect"]
    assert "X001" not in {f.rule for f in report.findings}
    push = [f for f in report.findings if f.outcome.stage is Stage.PUSH]
    if expect["verdict"] == "push-rejected":
        assert report.verdict == "push-rejected"
        assert report.predicted.outcome.status == expect["status"]
    else:
        assert push == [], [f"{f.rule} {f.message}" for f in push]
