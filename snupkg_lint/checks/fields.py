"""Field values: the required description and length limits
(NuGetGallery PackageHelper.ValidateNuGetPackageMetadata)."""

from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.dependencies import distinct_dependencies, folder_name, parsed_framework
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats.nuget_version import parse_version_range
from snupkg_lint.formats.nuspec import Nuspec, dotnet_length
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
MAX_ID_AND_VERSION = 160
MAX_FLATTENED = 32767  # Int16.MaxValue
# PackageHelper limits, in its order: (property name in the server message, metadata element, limit). Description
# missing (P213) is checked between Copyright and Description's length; Version and Language after Title.
TEXT_LIMITS = (("Authors", "authors", 4000), ("Copyright", "copyright", 4000), ("Description", "description", 4000),
               ("IconUrl", "iconUrl", 4000), ("LicenseUrl", "licenseUrl", 4000), ("ProjectUrl", "projectUrl", 4000),
               ("Summary", "summary", 4000), ("ReleaseNotes", "releaseNotes", 35000), ("Tags", "tags", 4000),
               ("Title", "title", 256), ("Version", None, 64), ("Language", "language", 20))
# Where a length is checked in nuget.org's order (checks/order.py): before the description, or after P215 (each
# dependency; the flattened dependencies after Flatten's own P211; the repository after P216)
STEPS = {"ID": "P214-early", "Authors": "P214-early", "Copyright": "P214-early",
         "Dependency.Id": "P214-dependencies", "Dependency.VersionSpec": "P214-dependencies",
         "Dependencies": "P214-flattened",
         "RepositoryType": "P214-repository", "RepositoryUrl": "P214-repository"}


_BAD_HOST_CHARACTERS = frozenset(' \t\r\n<>"{}|\\^`')


def absolute_url(text: str) -> bool:
    """What nuget.org accepts: `Uri.TryCreate(text, UriKind.Absolute)` with an http or https scheme. .NET refuses a
    host with a space or other character no host name has, and a port beyond 65535 (a space in the path it
    escapes, so that passes)."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of 0-65535, as Uri refuses it
    except ValueError:
        return False
    host = parts.hostname or ""
    return (parts.scheme.lower() in ("http", "https") and bool(host)
            and not any(c in _BAD_HOST_CHARACTERS for c in host))


@rule("P213", "description-missing", ERROR, push(400, m.PROPERTY_MISSING.format("Description")))
def description_missing(a: Artifacts) -> Iterator[Hit]:
    nuspec = a.snupkg.nuspec
    # PackageMetadata.Description is null only without a non-empty leaf <description>: white space that NuGet's
    # reader keeps (xml:space="preserve", CDATA, a no-break space) is a description
    if nuspec is not None and nuspec.value("description") is None:
        yield Hit(msg('no non-empty <description> in <metadata>'), entry=a.snupkg.nuspec_name)


def _flattened(nuspec: Nuspec) -> str | None:
    """PackageExtensions.Flatten: 'id:range:framework' per dependency ('::framework' for an empty group), joined
    with '|'; 'any' prints as ''. None where a short framework name cannot be made (P211 answers first)."""
    items = []
    for group in nuspec.dependency_groups():
        framework = parsed_framework(group.target_framework)
        short = folder_name(framework) if framework is not None else None
        if short is None:
            return None
        short = "" if short == "any" else short
        deps = distinct_dependencies(group)
        items.extend(f"{d.id}:{parse_version_range(d.version).to_string()}:{short}" for d in deps)
        if not group.dependencies:
            items.append(f"::{short}")
    return "|".join(items)


def _lengths(a: Artifacts, nuspec: Nuspec) -> Iterator[tuple[str, int, int]]:
    identity = a.snupkg.identity
    yield "ID", dotnet_length(nuspec.value("id") or ""), 128  # PackageMetadata.Id: the leaf <id>, any case
    for prop, element, limit in TEXT_LIMITS:
        if element is None:
            if identity is not None and identity.version is not None:
                yield prop, dotnet_length(identity.version.full), limit
            continue
        value = nuspec.value(element)
        if value is not None:
            yield prop, dotnet_length(value), limit
    for group in nuspec.dependency_groups():
        for dep in distinct_dependencies(group):
            yield "Dependency.Id", dotnet_length(dep.id), 128
            yield "Dependency.VersionSpec", dotnet_length(parse_version_range(dep.version).to_string()), 256
    flat = _flattened(nuspec)
    if flat is not None:
        yield "Dependencies", dotnet_length(flat), MAX_FLATTENED
    repo = nuspec.first("repository")
    if repo is not None:
        yield "RepositoryType", dotnet_length(repo.attributes.get("type", "")), 100
        url = repo.attributes.get("url", "")
        if absolute_url(url):
            yield "RepositoryUrl", dotnet_length(url), 4000


@rule("P214", "field-too-long", ERROR, push(400))
def field_too_long(a: Artifacts) -> Iterator[Hit]:
    nuspec = a.snupkg.nuspec
    if nuspec is None:
        return
    for prop, length, limit in _lengths(a, nuspec):
        if length > limit:
            yield Hit(msg("{prop} is {length:,} characters long; nuget.org allows {limit:,}",
                          prop=prop, length=length, limit=limit), entry=a.snupkg.nuspec_name,
                      server_message=m.PROPERTY_TOO_LONG.format(prop, limit), step=STEPS.get(prop))


@rule("P215", "id-version-too-long", ERROR, push(400, m.ID_VERSION_TOO_LONG.format(MAX_ID_AND_VERSION)))
def id_version_too_long(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    if identity is None or not identity.id or identity.version is None:
        return
    total = dotnet_length(identity.id) + dotnet_length(identity.version.full)
    if total > MAX_ID_AND_VERSION:
        yield Hit(msg("id ({id_length}) + version '{version}' ({version_length}) = {total} characters, over {limit}",
                      id_length=dotnet_length(identity.id), version=identity.version.full,
                      version_length=dotnet_length(identity.version.full), total=total, limit=MAX_ID_AND_VERSION),
                  entry=a.snupkg.nuspec_name)
