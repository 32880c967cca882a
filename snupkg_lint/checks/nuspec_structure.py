"""Reading the nuspec, id and version: failures nuget.org does not catch, so the push gets HTTP 500
(NuGet.Client PackageReaderBase / NuspecCoreReaderBase; NuGetGallery SymbolPackageUploadService)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats.nuget_version import version_error
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
REPACK = "Let `dotnet pack` (or `nuget pack`) write the nuspec instead of assembling the .snupkg by hand."


@rule("P105", "nuspec-missing", ERROR, push(500, m.MISSING_NUSPEC))
def nuspec_missing(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.archive is not None and not a.snupkg.nuspec_read.entries:
        yield Hit(msg('no root-level .nuspec entry: nuget.org cannot read the package id and version'))


@rule("P106", "multiple-nuspecs", ERROR, push(500, m.MULTIPLE_NUSPECS))
def multiple_nuspecs(a: Artifacts) -> Iterator[Hit]:
    found = a.snupkg.nuspec_read.entries
    if len(found) > 1:
        for entry in found[1:]:
            yield Hit(msg("a second root-level nuspec besides '{first}'", first=found[0].name), entry=entry.name)


@rule("P107", "nuspec-malformed", ERROR, push(500))
def nuspec_malformed(a: Artifacts) -> Iterator[Hit]:
    read = a.snupkg.nuspec_read
    if read.xml_error is not None:
        yield Hit(msg("the nuspec is not well-formed XML: {xml_error}", xml_error=read.xml_error),
                  entry=read.entry.name,
                  server_message=read.xml_error)
    elif read.data_error is not None:
        yield Hit(msg("the nuspec entry cannot be inflated: {data_error}", data_error=read.data_error),
                  entry=read.entry.name, status=400,
                  server_message=m.INVALID_PACKAGE.format(read.server_error))


@rule("P108", "metadata-missing", ERROR, push(500, m.MISSING_METADATA_NODE.format("metadata")))
def metadata_missing(a: Artifacts) -> Iterator[Hit]:
    parsed = a.snupkg.nuspec_read.nuspec
    if parsed is not None and parsed.metadata is None:
        yield Hit(msg("the root element <{root_name}> has no <metadata> child", root_name=parsed.root_name),
                  entry=a.snupkg.nuspec_read.entry.name)


@rule("P110", "id-missing", ERROR, push(500, m.ID_NULL))
def id_missing(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    if identity is not None and identity.id is None:
        yield Hit(msg('no non-blank <id> element in the metadata namespace'), entry=a.snupkg.nuspec_read.entry.name)


@rule("P109", "version-invalid", ERROR, push(500))
def version_invalid(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    if identity is None or identity.version is not None:
        return
    entry = a.snupkg.nuspec_read.entry.name
    if identity.version_text is None:  # no element: the lookup of the parent package refuses the empty version
        yield Hit(msg("no <version> element"), entry=entry, server_message=m.VERSION_ARGUMENT, step="P109-missing")
        return
    problem = version_error(identity.version_text)  # NuGetVersion.Parse's ArgumentException, with its parameter
    yield Hit(msg("<version> '{version}' is not a valid NuGet version", version=identity.version_text), entry=entry,
              server_message=f"{problem}{m.PARAMETER_VALUE}")