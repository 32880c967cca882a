"""nuget.org's ManifestValidator (NuGetGallery src/NuGetGallery.Core/Packaging/ManifestValidator.cs):
id, URLs, version, frameworks and dependencies. It collects every error, in this order, into one
answer — "The error encountered was: '…'" for one, "The errors encountered were: '…'" for several —
so each finding quotes the answer the whole nuspec gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.dependencies import (COPY_FROM_NUPKG, distinct_dependencies, folder_name, framework_strings,
                                             parse_piece, parsed_framework)
from snupkg_lint.checks.fields import absolute_url
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.formats.nuget_framework import FrameworkParseError
from snupkg_lint.formats.nuget_version import is_valid_package_id, legacy_version_ok, parse_version_range
from snupkg_lint.formats.nuspec import dotnet_length
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
MAX_ID = 100
URL_ELEMENTS = ("iconurl", "projecturl", "licenseurl")


@dataclass(frozen=True)
class ManifestError:
    rule: str
    message: str  # what snupkg-lint says
    error: str  # what ManifestValidator says


def _id_errors(a: Artifacts) -> Iterator[ManifestError]:
    pkg_id = a.snupkg.nuspec.value("id")  # PackageMetadata.Id: the leaf <id>; one with child elements is none
    if not pkg_id:
        yield ManifestError("P217", "<metadata> has no <id> nuget.org's PackageMetadata reads (it skips an element "
                            "with child elements)", m.MANIFEST_MISSING_ID)
        return
    if dotnet_length(pkg_id) > MAX_ID:
        yield ManifestError("P217", f"id is {dotnet_length(pkg_id)} characters long; the limit is {MAX_ID}", m.MANIFEST_ID_TOO_LONG)
    elif pkg_id.lower() == "$id$" or not is_valid_package_id(pkg_id):
        yield ManifestError("P217", f"id '{pkg_id}' is not a valid package id", m.MANIFEST_INVALID_ID.format(pkg_id))


def _url_errors(a: Artifacts) -> Iterator[ManifestError]:
    for name, value in a.snupkg.nuspec.leaf_values():
        if name.lower() in URL_ELEMENTS and not absolute_url(value):
            yield ManifestError("P219", f"<{name}> '{value}' is not an absolute http or https URL", m.MANIFEST_INVALID_URL)


def _version_errors(a: Artifacts) -> Iterator[ManifestError]:
    identity = a.snupkg.identity
    if identity is not None and identity.version is not None and not legacy_version_ok(identity.version):
        text = identity.version.to_string().strip()
        yield ManifestError("P218", f"version '{text}' is refused by nuget.org's legacy-client check",
                            m.MANIFEST_INVALID_VERSION.format(text))


def _framework_errors(a: Artifacts) -> Iterator[ManifestError]:
    """The frameworkAssembly groups: one per distinct framework (a dictionary), so Unsupported is reported once."""
    for where, text, _ in framework_strings(a.snupkg.nuspec):
        if where == "frameworkAssembly" and text is not None:
            try:
                framework = parse_piece(where, text)
            except FrameworkParseError:
                return  # nuget.org fails earlier (P211)
            if framework.is_unsupported:
                yield ManifestError("P220", f"frameworkAssembly targetFramework '{text}' is not a framework NuGet "
                                    "knows", m.MANIFEST_FRAMEWORK_NOT_SUPPORTED.format(framework))
                return


def _dependency_errors(a: Artifacts) -> Iterator[ManifestError]:
    for group in a.snupkg.nuspec.dependency_groups():
        framework = parsed_framework(group.target_framework)
        if framework is None:
            return  # nuget.org fails earlier (P211)
        if framework.is_unsupported:
            yield ManifestError("P220", f"dependency group targetFramework '{group.target_framework}' is not a "
                                "framework NuGet knows", m.MANIFEST_FRAMEWORK_NOT_SUPPORTED.format(framework))
        seen: set[str] = set()
        for dep in distinct_dependencies(group):  # a HashSet: exact and case-variant repeats already collapsed
            rng = parse_version_range(dep.version)
            where = f"dependency '{dep.id} {dep.version}'"
            key = netpath.upper_invariant(dep.id)
            if key in seen:
                yield ManifestError("P221", f"{where} is listed twice in its group with different versions or flags",
                                    m.MANIFEST_DUPLICATE_DEPENDENCY.format(folder_name(framework), dep.id))
            seen.add(key)
            if not is_valid_package_id(dep.id):
                yield ManifestError("P221", f"{where} has an invalid id", m.MANIFEST_INVALID_DEPENDENCY.format(dep.id, dep.version))
            if rng.is_floating:
                yield ManifestError("P221", f"{where} floats", m.MANIFEST_INVALID_RANGE.format(dep.version))
            bounds = [rng.min_version] if rng.max_version == rng.min_version else [rng.min_version, rng.max_version]
            for bound in (b for b in bounds if b is not None):
                if bound.metadata:
                    yield ManifestError("P221", f"{where} has build metadata in a bound",
                                        m.MANIFEST_INVALID_DEPENDENCY_VERSION.format(bound.full))
                elif not legacy_version_ok(bound):
                    yield ManifestError("P221", f"{where} has a bound old clients cannot read",
                                        m.MANIFEST_INVALID_VERSION.format(bound.to_string()))


def manifest_errors(a: Artifacts) -> list[ManifestError]:
    if a.snupkg.nuspec is None or not a.snupkg.nuspec.leaf_values():
        return []  # ManifestValidator runs only when GetMetadata() has a non-empty leaf
    if "manifest" not in a.memo:
        a.memo["manifest"] = [*_id_errors(a), *_url_errors(a), *_version_errors(a), *_framework_errors(a),
                              *_dependency_errors(a)]
    return a.memo["manifest"]  # type: ignore[return-value]


def _answer(errors: list[ManifestError]) -> str:
    if len(errors) == 1:
        return m.INVALID_NUSPEC.format(errors[0].error)
    return m.INVALID_NUSPEC_MULTIPLE.format("', '".join(e.error for e in errors))  # ManifestValidator's joint


def _hits(a: Artifacts, rule_id: str) -> Iterator[Hit]:
    errors = manifest_errors(a)
    for e in errors:
        if e.rule == rule_id:
            yield Hit(msg("{message}: {error}", message=e.message, error=e.error),
                      entry=a.snupkg.nuspec_name, server_message=_answer(errors))


@rule("P217", "invalid-id", ERROR, push(400))
def invalid_id(a: Artifacts) -> Iterator[Hit]:
    yield from _hits(a, "P217")


@rule("P218", "legacy-version-invalid", ERROR, push(400))
def legacy_version_invalid(a: Artifacts) -> Iterator[Hit]:
    yield from _hits(a, "P218")


@rule("P219", "invalid-url", ERROR, push(400))
def invalid_url(a: Artifacts) -> Iterator[Hit]:
    yield from _hits(a, "P219")


@rule("P220", "unsupported-target-framework", ERROR, push(400))
def unsupported_target_framework(a: Artifacts) -> Iterator[Hit]:
    yield from _hits(a, "P220")


@rule("P221", "invalid-dependency", ERROR, push(400))
def invalid_dependency(a: Artifacts) -> Iterator[Hit]:
    yield from _hits(a, "P221")
