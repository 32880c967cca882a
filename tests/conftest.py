from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from snupkg_lint.engine import PackageReport, check_package
from tests.factory import package as pkg

NOW = dt.datetime(2025, 1, 1, 12, 0, 0)


def require(available: object, reason: str) -> None:
    """Skip a test whose tool is missing here, with the reason; under CI (CI=true), where .ci/run installs every
    such tool, fail instead: a skipped test there would hide a missing install step."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def corpus() -> Path:
    """The shared real-world fixtures, through SNUPKG_LINT_CORPUS; tests using it skip when unset."""
    value = os.environ.get("SNUPKG_LINT_CORPUS")
    if not value:
        pytest.skip("SNUPKG_LINT_CORPUS is not set")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"SNUPKG_LINT_CORPUS={value} is not a directory")
    return path


class Checker:
    """Writes built packages into a temporary folder and checks them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def run(self, snupkg: bytes, nupkg: bytes | None = None, **kwargs) -> PackageReport:
        self.count += 1
        folder = self.folder / f"p{self.count}"
        path = pkg.write(folder, "Contoso.Lib.1.2.3.snupkg", snupkg)
        parent = pkg.write(folder, "parent.nupkg", nupkg) if nupkg is not None else None
        return check_package(path, parent, now=NOW, **kwargs)


@pytest.fixture
def checker(tmp_path: Path) -> Checker:
    return Checker(tmp_path)
