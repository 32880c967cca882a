"""The parent .nupkg: nuget.org accepts symbols only for a package id and version it already has."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.model import Hit, NO_OUTCOME, Severity, msg, push


@rule("P111", "parent-package-mismatch", Severity.ERROR, push(404))
def parent_package_mismatch(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg is None:
        return
    mine, parent = a.snupkg.identity, a.nupkg.identity
    if mine is None or parent is None or None in (mine.id, mine.version, parent.id, parent.version):
        return
    # nuget.org finds the parent in SQL: case-insensitive, and trailing spaces (only spaces) do not count
    same_id = netpath.upper_invariant(mine.id.rstrip(" ")) == netpath.upper_invariant(parent.id.rstrip(" "))
    same_version = mine.version.normalized.upper() == parent.version.normalized.upper()
    if same_id and same_version:
        return
    differs = []
    if not same_id:
        differs.append(f"id '{mine.id}' vs '{parent.id}'")
    if not same_version:
        differs.append(f"version {mine.version.normalized} vs {parent.version.normalized}")
    yield Hit(msg("the symbols package is {id} {version} but the .nupkg is {parent_id} {parent_version} "
                  "({differences})",
                  id=mine.id, version=mine.version.normalized, parent_id=parent.id,
                  parent_version=parent.version.normalized, differences='; '.join(differs)),
              entry=a.snupkg.nuspec_read.entry.name,
              server_message=m.PARENT_NOT_FOUND.format(mine.id, mine.version.normalized))


@rule("X002", "nupkg-unreadable", Severity.ERROR, NO_OUTCOME, incomplete=True)
def nupkg_unreadable(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg is None:
        return
    if a.nupkg.error is not None:
        yield Hit(msg("the .nupkg '{path}' is not a readable zip: {error}", path=a.nupkg.path, error=a.nupkg.error))
    elif a.nupkg.identity is None or a.nupkg.identity.id is None or a.nupkg.identity.version is None:
        yield Hit(msg("the .nupkg '{path}' has no readable nuspec id and version", path=a.nupkg.path))
