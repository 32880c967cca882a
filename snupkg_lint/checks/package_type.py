"""<packageTypes>: a symbols package declares exactly one, SymbolsPackage, with no version or 0.0
(NuGet.Client NuspecUtility.GetPackageTypes; NuGetGallery PackageMetadataExtensions.IsSymbolsPackage)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats.nuget_version import is_valid_package_id, parse_system_version
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
SYMBOLS = "SymbolsPackage"
WRITE_IT = 'Write <packageTypes><packageType name="SymbolsPackage" /></packageTypes> inside <metadata>.'


@rule("P204", "package-type-name-missing", ERROR, push(400, m.MISSING_PACKAGE_TYPE_NAME))
def package_type_name_missing(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for pt in a.snupkg.nuspec.package_types():
        if not pt.attributes.get("name", "").strip():
            yield Hit(msg('<packageType> on line {line} has no name', line=pt.line), entry=a.snupkg.nuspec_name)


@rule("P205", "package-type-version-invalid", ERROR, push(400))
def package_type_version_invalid(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for pt in a.snupkg.nuspec.package_types():
        version = pt.attributes.get("version")
        if version is not None and parse_system_version(version) is None:
            yield Hit(msg("package type version '{version}' is not two to four dot-separated numbers", version=version),
                      entry=a.snupkg.nuspec_name, server_message=m.INVALID_PACKAGE_TYPE_VERSION.format(version))


@rule("P206", "package-type-name-invalid", ERROR, push(400))
def package_type_name_invalid(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for pt in a.snupkg.nuspec.package_types():
        name = pt.attributes.get("name", "").strip()
        if name and not is_valid_package_id(name):
            yield Hit(msg("package type name '{name}' is not a valid identifier", name=name),
                      entry=a.snupkg.nuspec_name,
                      server_message=m.INVALID_PACKAGE_TYPE_NAME.format(name))


def _is_symbols_type(name: str, version: str | None) -> bool:
    if name.lower() != SYMBOLS.lower():
        return False
    return version is None or parse_system_version(version) == (0, 0)


@rule("P212", "not-a-symbols-package", ERROR, push(400, m.NOT_SYMBOLS_PACKAGE))
def not_a_symbols_package(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    types = a.snupkg.nuspec.package_types()
    declared = [(pt.attributes.get("name", "").strip(), pt.attributes.get("version")) for pt in types]
    if any(not n or (v is not None and parse_system_version(v) is None) for n, v in declared):
        return  # P204/P205 report these; nuget.org stops there
    if len(declared) == 1 and _is_symbols_type(*declared[0]):
        return
    if not declared:
        found = msg("no <packageTypes> in the metadata namespace")
    else:
        found = msg("package types {types}",
                    types=", ".join(f"{n}" + (f" {v}" if v is not None else "") for n, v in declared))
    yield Hit(msg("{found}; a symbols package must declare exactly one: SymbolsPackage", found=found),
              entry=a.snupkg.nuspec_name)
