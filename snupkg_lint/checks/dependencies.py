"""Dependency groups and framework names, read strictly as nuget.org does for a .snupkg
(NuGet.Client NuspecReader.GetDependencyGroups(useStrictVersionCheck: true), NuGetFramework.Parse;
NuGetGallery ManifestValidator and PackageHelper)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.formats.nuget_framework import Framework, FrameworkParseError, parse_framework, short_folder_name
from snupkg_lint.formats.nuget_version import dotnet_trim, parse_version_range
from snupkg_lint.formats.nuspec import Dependency, DependencyGroup, Nuspec
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
COPY_FROM_NUPKG = ("A .snupkg normally inherits its dependencies from the .nupkg when both come from one "
                   "`dotnet pack`; fix the project's PackageReference/nuspec and pack again.")


def _identity_label(a: Artifacts) -> str:
    identity = a.snupkg.identity
    if identity is None or identity.id is None or identity.version is None:
        return "?"
    return f"{identity.id}.{identity.version.normalized}"


def _group_steps(nuspec: Nuspec) -> Iterator[tuple[int, DependencyGroup]]:
    """The dependency groups with their place in nuget.org's reading: group by group, a group's dependencies
    (their versions, then their ids) before its targetFramework (NuspecReader.GetDependencyGroups)."""
    for n, group in enumerate(nuspec.dependency_groups()):
        yield 2 * n, group


@rule("P207", "dependency-version-invalid", ERROR, push(400))
def dependency_version_invalid(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for order, group in _group_steps(a.snupkg.nuspec):
        for dep in group.dependencies:
            if not dep.version or parse_version_range(dep.version) is None:
                shown = msg("no version") if dep.version is None else msg("version '{version}'", version=dep.version)
                yield Hit(msg("dependency '{id}' has {shown}", id=dep.id or "", shown=shown),
                          entry=a.snupkg.nuspec_name, order=order,
                          server_message=m.INVALID_DEPENDENCY_VERSION.format(dep.id or "", _identity_label(a),
                                                                             dep.version or ""))


@rule("P227", "dependency-id-missing", ERROR, push(400, m.FAILED_TO_READ))
def dependency_id_missing(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for order, group in _group_steps(a.snupkg.nuspec):
        for dep in group.dependencies:
            if dep.version and parse_version_range(dep.version) is not None and not dep.id:
                yield Hit(msg("a dependency (version '{version}') has no id", version=dep.version),
                          entry=a.snupkg.nuspec_name, order=order, step="P207")


def framework_strings(nuspec: Nuspec) -> Iterator[tuple[str, str, int]]:
    """(where, framework text, order) for every targetFramework nuget.org parses, in the order it parses them: each
    distinct frameworkAssembly targetFramework split on ',' (pieces trimmed), then each dependency group's."""
    seen: set[str] = set()
    for assembly in nuspec.framework_assemblies():
        value = assembly.attributes.get("targetFramework") or ""
        if value in seen:
            continue
        seen.add(value)
        for piece in (p for p in value.split(",") if p):
            yield "frameworkAssembly", dotnet_trim(piece), -1
    for order, group in _group_steps(nuspec):
        if group.target_framework:
            yield "dependency group", group.target_framework, order + 1


def parse_piece(where: str, text: str) -> Framework:
    """NuGetFramework.Parse as the reader calls it: an empty frameworkAssembly piece (' ' trimmed) is parsed as a
    folder name (Unsupported); a group without targetFramework is Any."""
    return parse_framework(text) if text or where != "frameworkAssembly" else parse_framework("unsupported")


@rule("P211", "target-framework-unparseable", ERROR, push(400, m.FAILED_TO_READ))
def target_framework_unparseable(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for where, text, order in framework_strings(a.snupkg.nuspec):
        try:
            parse_piece(where, text)
        except FrameworkParseError as exc:
            # frameworkAssemblies are read before the metadata dictionary, a group's framework with its versions (P207)
            yield Hit(msg("{where} targetFramework '{text}' cannot be parsed: {error}",
                          where=where, text=text, error=str(exc)), entry=a.snupkg.nuspec_name, order=order,
                      step="P211-assemblies" if where == "frameworkAssembly" else "P207")
    for group in a.snupkg.nuspec.dependency_groups():  # PackageHelper flattens the dependencies: short names
        framework = parsed_framework(group.target_framework)
        if framework is None:
            continue
        try:
            short_folder_name(framework)
        except FrameworkParseError as exc:
            yield Hit(msg("dependency group targetFramework '{text}' parses but has no short name: {error}",
                          text=group.target_framework, error=str(exc)), entry=a.snupkg.nuspec_name)


def parsed_framework(text: str | None) -> Framework | None:
    try:
        return parse_framework(text)
    except FrameworkParseError:
        return None


def folder_name(framework: Framework) -> str | None:
    """GetShortFolderName, or None where it throws (P211)."""
    try:
        return short_folder_name(framework)
    except FrameworkParseError:
        return None


def _flags(text: str | None) -> tuple[str, ...]:
    """NuspecReader.GetFlags: split on ',', trimmed, distinct and sorted ignoring case."""
    found: dict[str, str] = {}
    for flag in (f for f in (text or "").split(",") if f):
        found.setdefault(netpath.upper_invariant(dotnet_trim(flag)), dotnet_trim(flag))
    return tuple(sorted(found))


def distinct_dependencies(group: DependencyGroup) -> list[Dependency]:
    """The group's dependencies as NuspecReader keeps them: a HashSet under PackageDependencyComparer (id ignoring
    case, equal version ranges, equal include/exclude flags), so a repeated dependency collapses into the first."""
    seen: set[tuple] = set()
    out = []
    for dep in group.dependencies:
        rng = parse_version_range(dep.version) if dep.version else None
        if rng is None or not dep.id:
            continue  # nuget.org fails before (P207, P227)
        key = (netpath.upper_invariant(dep.id), rng.is_min_inclusive, rng.is_max_inclusive, rng.min_version,
               rng.max_version, _flags(dep.include), _flags(dep.exclude))
        if key not in seen:
            seen.add(key)
            out.append(dep)
    return out


@rule("P216", "duplicate-dependency-group", ERROR, push(400, m.DUPLICATE_DEPENDENCY_GROUP))
def duplicate_dependency_group(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    seen: dict[tuple, str] = {}
    for group in a.snupkg.nuspec.dependency_groups():
        framework = parsed_framework(group.target_framework)
        if framework is None:
            continue
        shown = group.target_framework or "(any)"
        if framework.key in seen:
            yield Hit(msg("dependency group '{shown}' repeats '{first}'", shown=shown, first=seen[framework.key]),
                      entry=a.snupkg.nuspec_name)
        else:
            seen[framework.key] = shown
