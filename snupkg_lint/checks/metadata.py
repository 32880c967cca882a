"""Metadata elements as nuget.org's PackageMetadata reads them (NuGetGallery PackageMetadata.cs,
SymbolPackageService.cs): duplicates, reserved names, booleans, case variants, authors/owners."""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.formats.nuget_version import parse_nuget_version
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
RESTRICTED = {"created", "dependencyGroups", "isPrerelease", "lastEdited", "listed", "packageEntries", "packageHash",
              "packageHashAlgorithm", "packageSize", "published", "supportedFrameworks", "verbatimVersion"}
BOOLEANS = ("developmentDependency", "requireLicenseAcceptance", "serviceable")


@rule("P201", "duplicate-metadata-elements", ERROR, push(400))
def duplicate_metadata_elements(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    counts = Counter(c.name for c in a.snupkg.nuspec.children)
    repeated = [name for name, n in counts.items() if n > 1]
    if repeated:
        names = "', '".join(repeated)
        yield Hit(msg("<metadata> repeats {names}", names=', '.join(f'<{n}>' for n in repeated)),
                  entry=a.snupkg.nuspec_name,
                  server_message=m.DUPLICATE_METADATA.format(names))


@rule("P202", "reserved-metadata-elements", ERROR, push(400))
def reserved_metadata_elements(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    names = [c.name for c in a.snupkg.nuspec.children]
    wrong = list(dict.fromkeys(n for n in names if n.lower() == "tags" and n != "tags"))  # in document order
    if wrong:  # PackageMetadata names them all in one answer
        yield Hit(msg("{names} must be spelled <tags>", names=" and ".join(f"<{n}>" for n in wrong)),
                  entry=a.snupkg.nuspec_name, server_message=m.INVALID_METADATA.format("', '".join(wrong)))
    reserved = sorted({n for n in names if n in RESTRICTED})
    if reserved:
        yield Hit(msg('reserved element(s) {names} in <metadata>', names=', '.join(f'<{n}>' for n in reserved)),
                  entry=a.snupkg.nuspec_name, server_message=m.INVALID_METADATA.format("', '".join(reserved)))


@rule("P203", "invalid-boolean", ERROR, push(400))
def invalid_boolean(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    for child in a.snupkg.nuspec.children:
        if child.name in BOOLEANS and child.value.strip().lower() not in ("true", "false"):
            yield Hit(msg("<{element}> is '{value}', not true or false", element=child.name, value=child.value),
                      entry=a.snupkg.nuspec_name,
                      server_message=m.INVALID_BOOLEAN.format(child.name))


@rule("P208", "min-client-version-invalid", ERROR, push(400, m.FAILED_TO_READ))
def min_client_version_invalid(a: Artifacts) -> Iterator[Hit]:
    nuspec = a.snupkg.nuspec
    if nuspec is not None and nuspec.min_client_version is not None:
        if parse_nuget_version(nuspec.min_client_version) is None:
            yield Hit(msg("minClientVersion '{version}' is not a valid version", version=nuspec.min_client_version),
                      entry=a.snupkg.nuspec_name)


@rule("P209", "version-without-dot", ERROR, push(400, m.FAILED_TO_READ))
def version_without_dot(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    if identity is None or identity.version is None:
        return  # nuget.org failed earlier (P109)
    text = a.snupkg.nuspec.value("version")  # PackageMetadata reads the leaf <version>: one with children is none
    if "." not in (text or ""):
        shown = msg("<version> '{version}' contains no '.'", version=text) if text is not None else \
            msg("<version> has child elements, so nuget.org's PackageMetadata reads no version (and no '.')")
        yield Hit(shown, entry=a.snupkg.nuspec_name)


@rule("P210", "case-variant-metadata", ERROR, push(400, m.FAILED_TO_READ))
def case_variant_metadata(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.nuspec is None:
        return
    seen: dict[str, str] = {}
    for name, _ in a.snupkg.nuspec.leaf_values():
        first = seen.setdefault(netpath.upper_invariant(name), name)
        if first != name:
            yield Hit(msg("<{name}> and <{first}> differ only by case", name=name, first=first),
                      entry=a.snupkg.nuspec_name)


@rule("P222", "authors-or-owners-present", ERROR, push(400))
def authors_or_owners_present(a: Artifacts) -> Iterator[Hit]:
    nuspec = a.snupkg.nuspec
    if nuspec is None:
        return
    owners = nuspec.value("owners")
    authors = nuspec.value("authors")
    listed = authors if authors is not None else owners
    items = [x.strip() for x in listed.split(",")] if listed is not None else []
    bad = []
    if len(items) > 1 or (items and items[0]):
        bad.append("Authors")
    if owners:
        bad.append("Owners")
    if bad:
        found = " and ".join(f"<{b.lower()}>" for b in bad)
        yield Hit(msg("symbols package nuspec has {found}", found=found), entry=a.snupkg.nuspec_name,
                  server_message=m.INVALID_METADATA_ITEMS.format(",".join(bad)))
