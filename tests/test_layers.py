"""Data flows one way (archive → artifacts → rules → findings → reporter): imports only point down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "snupkg_lint"
# layer of each module prefix, lowest first; a module may import only its own layer or lower ones
LAYERS = [
    ("snupkg_lint.formats", 0),
    ("snupkg_lint.model", 0),
    ("snupkg_lint.artifacts", 1),
    ("snupkg_lint.pairing", 1),
    ("snupkg_lint.checks", 2),
    ("snupkg_lint.catalog", 2),
    ("snupkg_lint.engine", 3),
    ("snupkg_lint.config", 1),
    ("snupkg_lint.selection", 3),
    ("snupkg_lint.report", 3),
    ("snupkg_lint.cli", 4),
    ("snupkg_lint.inputs", 4),
    ("snupkg_lint.server", 4),  # `serve`: uses the engine and reports; nothing below imports it
    ("snupkg_lint.push", 4),
    ("snupkg_lint.__main__", 5),
    ("snupkg_lint", 0),  # the package itself: __version__
]


def layer(module: str) -> int:
    return next(n for prefix, n in LAYERS if module == prefix or module.startswith(prefix + "."))


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(p for p in parts if p != "__init__"), path


@pytest.mark.parametrize("module, path", list(modules()), ids=lambda x: str(x) if isinstance(x, str) else "")
def test_imports_point_down(module, path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("snupkg_lint"):
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("snupkg_lint")]
        for name in names:
            assert layer(name) <= layer(module), f"{module} imports {name}, which sits above it"


def test_formats_import_no_other_layer():
    for module, path in modules():
        if module.startswith("snupkg_lint.formats"):
            text = path.read_text()
            for other in ("snupkg_lint.checks", "snupkg_lint.artifacts", "snupkg_lint.model", "snupkg_lint.engine"):
                assert other not in text, f"{module} mentions {other}"
