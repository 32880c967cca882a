"""Rule code. Each module holds a few related rules; importing this package registers them all."""

from __future__ import annotations

from snupkg_lint.checks import (  # noqa: F401 - imported for registration
    archive,
    build_facts,
    debuggable,
    dependencies,
    fields,
    files,
    limits,
    manifest,
    metadata,
    nupkg_alone,
    nuspec_structure,
    package_type,
    parent,
    source_origin,
    validation_matching,
    validation_pairing,
    validation_quirks,
)
from snupkg_lint.checks.registry import registered
from snupkg_lint.model import Rule


def all_rules() -> list[Rule]:
    """Every rule, ordered by id (push rules are numbered in nuget.org's evaluation order)."""
    return registered()
