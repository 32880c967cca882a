"""Dependency groups and framework names, read strictly as nuget.org does for a .snupkg
(NuGet.Client NuspecReader.GetDependencyGroups(useStrictVersionCheck: true), NuGetFramework.Parse;
NuGetGallery ManifestValidator and PackageHelper)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats.nuget_framework import Framework, FrameworkParseError, parse_framework
from snupkg_lint.formats.nuget_version import parse_version_range
from snupkg_lint.formats.nuspec import Nuspec
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
COPY_FROM_NUPKG = ("A .snupkg normally inherits its dependencies from the .nupkg when both come from one "
                   "`dotnet pack`; fix the project's PackageReference/nuspec and pack again.")


def _identity_label(a: Artifacts) -> str:
    identity = a.snupkg.identity
    if identity is None or identity.id is None or identity.version is None:
        return "?"
    return f"{identity.id}.{identity.version.normalized}"


@rule("P207", "dependency-version-invalid", ERROR, push(400))
def dependency_version_invalid(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for group in a.snupkg.nuspec.dependency_groups():
        for dep in group.dependencies:
            if not dep.version or parse_version_range(dep.version) is None:
                shown = msg("no version") if dep.version is None else msg("version '{version}'", version=dep.version)
                yield Hit(msg("dependency '{id}' has {shown}", id=dep.id, shown=shown), entry=a.snupkg.nuspec_name,
                          server_message=m.INVALID_DEPENDENCY_VERSION.format(dep.id, _identity_label(a), dep.version or ""))


def framework_strings(nuspec: Nuspec) -> Iterator[tuple[str, str]]:
    """(where, framework text) for every targetFramework nuget.org parses."""
    for group in nuspec.dependency_groups():
        if group.target_framework:
            yield "dependency group", group.target_framework
    for assembly in nuspec.framework_assemblies():
        for piece in assembly.attributes.get("targetFramework", "").split(","):
            if piece:
                yield "frameworkAssembly", piece


@rule("P211", "target-framework-unparseable", ERROR, push(400, m.FAILED_TO_READ))
def target_framework_unparseable(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for where, text in framework_strings(a.snupkg.nuspec):
        try:
            parse_framework(text)
        except FrameworkParseError as exc:
            # frameworkAssemblies are read before the metadata dictionary, dependency groups after it (order.py)
            yield Hit(msg("{where} targetFramework '{text}' cannot be parsed: {error}",
                          where=where, text=text, error=str(exc)), entry=a.snupkg.nuspec_name,
                      step="P211-assemblies" if where == "frameworkAssembly" else None)


def parsed_framework(text: str | None) -> Framework | None:
    try:
        return parse_framework(text)
    except FrameworkParseError:
        return None


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
