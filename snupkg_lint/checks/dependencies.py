"""Dependency groups and framework names, read strictly as nuget.org does for a .snupkg
(NuGet.Client NuspecReader.GetDependencyGroups(useStrictVersionCheck: true), NuGetFramework.Parse;
NuGetGallery ManifestValidator and PackageHelper)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.formats.nuget_framework import Framework, FrameworkParseError, parse_framework
from snupkg_lint.formats.nuget_version import is_valid_package_id, legacy_version_ok, parse_version_range
from snupkg_lint.formats.nuspec import Nuspec
from snupkg_lint.model import Hit, Severity, push

ERROR = Severity.ERROR
COPY_FROM_NUPKG = ("A .snupkg normally inherits its dependencies from the .nupkg when both come from one "
                   "`dotnet pack`; fix the project's PackageReference/nuspec and pack again.")


def _identity_label(a: Artifacts) -> str:
    identity = a.snupkg.identity
    if identity is None or identity.id is None or identity.version is None:
        return "?"
    return f"{identity.id}.{identity.version.normalized}"


@rule("P207", "dependency-version-invalid", ERROR, push(400),
      summary="A <dependency> has a missing, empty or unparseable version range.",
      fix="Give every <dependency> a version range such as 1.2.3 or [1.2.3,2.0.0). " + COPY_FROM_NUPKG)
def dependency_version_invalid(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for group in a.snupkg.nuspec.dependency_groups():
        for dep in group.dependencies:
            if not dep.version or parse_version_range(dep.version) is None:
                shown = "no version" if dep.version is None else f"version '{dep.version}'"
                yield Hit(f"dependency '{dep.id}' has {shown}", entry=a.snupkg.nuspec_name,
                          server_message=m.INVALID_DEPENDENCY_VERSION.format(dep.id, _identity_label(a), dep.version or ""))


def _framework_strings(nuspec: Nuspec) -> Iterator[tuple[str, str]]:
    """(where, framework text) for every targetFramework nuget.org parses."""
    for group in nuspec.dependency_groups():
        if group.target_framework:
            yield "dependency group", group.target_framework
    for assembly in nuspec.framework_assemblies():
        for piece in assembly.attributes.get("targetFramework", "").split(","):
            if piece:
                yield "frameworkAssembly", piece


@rule("P211", "target-framework-unparseable", ERROR, push(400, m.FAILED_TO_READ),
      summary="A targetFramework cannot be parsed at all (NuGetFramework.Parse throws).",
      fix="Use a short framework name such as net8.0 or netstandard2.0, or the long form "
          "'.NETFramework,Version=v4.7.2'.")
def target_framework_unparseable(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for where, text in _framework_strings(a.snupkg.nuspec):
        try:
            parse_framework(text)
        except FrameworkParseError as exc:
            yield Hit(f"{where} targetFramework '{text}' cannot be parsed: {exc}", entry=a.snupkg.nuspec_name)


def _parsed(text: str | None) -> Framework | None:
    try:
        return parse_framework(text)
    except FrameworkParseError:
        return None


@rule("P216", "duplicate-dependency-group", ERROR, push(400, m.DUPLICATE_DEPENDENCY_GROUP),
      summary="Two dependency groups name the same target framework.",
      fix="Merge the two <group> elements for that framework into one.")
def duplicate_dependency_group(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    seen: dict[tuple, str] = {}
    for group in a.snupkg.nuspec.dependency_groups():
        framework = _parsed(group.target_framework)
        if framework is None:
            continue
        shown = group.target_framework or "(any)"
        if framework.key in seen:
            yield Hit(f"dependency group '{shown}' repeats '{seen[framework.key]}'", entry=a.snupkg.nuspec_name)
        else:
            seen[framework.key] = shown


@rule("P220", "unsupported-target-framework", ERROR, push(400),
      summary="A dependency group or frameworkAssembly names a framework NuGet does not know.",
      fix="Use a known target framework moniker (net8.0, netstandard2.0, net472, ...); check for typos.")
def unsupported_target_framework(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for where, text in _framework_strings(a.snupkg.nuspec):
        framework = _parsed(text)
        if framework is not None and framework.is_unsupported:
            problem = m.MANIFEST_FRAMEWORK_NOT_SUPPORTED.format("Unsupported,Version=v0.0")
            yield Hit(f"{where} targetFramework '{text}' is not a framework NuGet knows", entry=a.snupkg.nuspec_name,
                      server_message=m.INVALID_NUSPEC.format(problem))


def _dependency_problems(framework: str, dep_id: str, version: str, seen: set[str]) -> Iterator[str]:
    key = netpath.upper_invariant(dep_id)
    if key in seen:
        yield m.MANIFEST_DUPLICATE_DEPENDENCY.format(framework, dep_id)
    seen.add(key)
    if not is_valid_package_id(dep_id):
        yield m.MANIFEST_INVALID_DEPENDENCY.format(dep_id, version)
    rng = parse_version_range(version)
    if rng is None:
        return
    if rng.is_floating:
        yield m.MANIFEST_INVALID_RANGE.format(version)
    bounds = [rng.min_version] if rng.max_version == rng.min_version else [rng.min_version, rng.max_version]
    for bound in (b for b in bounds if b is not None):
        if bound.metadata:
            yield m.MANIFEST_INVALID_DEPENDENCY_VERSION.format(bound.full)
        elif not legacy_version_ok(bound):
            yield m.MANIFEST_INVALID_VERSION.format(bound.full)


@rule("P221", "invalid-dependency", ERROR, push(400),
      summary="A dependency is repeated in a group, has an invalid id, a floating range, or a bound with "
              "build metadata or a SemVer1 label starting with a digit.",
      fix="List each dependency once per group with a fixed range (no '*'), no '+metadata' in the bounds. "
          + COPY_FROM_NUPKG)
def invalid_dependency(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for group in a.snupkg.nuspec.dependency_groups():
        seen: set[str] = set()
        for dep in group.dependencies:
            if not dep.version or parse_version_range(dep.version) is None:
                continue  # P207
            framework = group.target_framework or "any"
            for problem in _dependency_problems(framework, dep.id, dep.version, seen):
                yield Hit(f"dependency '{dep.id} {dep.version}': {problem}", entry=a.snupkg.nuspec_name,
                          server_message=m.INVALID_NUSPEC.format(problem))
