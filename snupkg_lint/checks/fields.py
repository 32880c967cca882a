"""Field values: description, lengths, id and version rules, URLs
(NuGetGallery PackageHelper.ValidateNuGetPackageMetadata and ManifestValidator)."""

from __future__ import annotations

from typing import Iterator
from urllib.parse import urlsplit

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats.nuget_version import is_valid_package_id, legacy_version_ok, parse_version_range
from snupkg_lint.formats.nuspec import Nuspec
from snupkg_lint.model import Hit, Severity, push

ERROR = Severity.ERROR
MAX_ID = 100
MAX_ID_AND_VERSION = 160
# PackageHelper limits: (property name in the server message, metadata element, limit)
TEXT_LIMITS = (("Authors", "authors", 4000), ("Copyright", "copyright", 4000), ("Description", "description", 4000),
               ("IconUrl", "iconUrl", 4000), ("LicenseUrl", "licenseUrl", 4000), ("ProjectUrl", "projectUrl", 4000),
               ("Summary", "summary", 4000), ("ReleaseNotes", "releaseNotes", 35000), ("Tags", "tags", 4000),
               ("Title", "title", 256), ("Language", "language", 20))
URL_ELEMENTS = ("iconUrl", "projectUrl", "licenseUrl")


@rule("P213", "description-missing", ERROR, push(400, m.PROPERTY_MISSING.format("Description")),
      summary="The nuspec has no non-empty <description>.",
      fix="Set <Description> in the project (or <description> in the nuspec); `dotnet pack` copies it into the "
          ".snupkg. An empty or whitespace-only description counts as missing.")
def description_missing(a: Artifacts) -> Iterator[Hit]:
    nuspec = a.snupkg.nuspec
    if nuspec is not None and not (nuspec.value("description") or "").strip():
        yield Hit("no non-empty <description> in <metadata>", entry=a.snupkg.nuspec_name)


def _lengths(a: Artifacts, nuspec: Nuspec) -> Iterator[tuple[str, int, int]]:
    identity = a.snupkg.identity
    if identity is not None and identity.id:
        yield "ID", len(identity.id), 128
    if identity is not None and identity.version is not None:
        yield "Version", len(identity.version.full), 64
    for prop, element, limit in TEXT_LIMITS:
        value = nuspec.value(element)
        if value is not None:
            yield prop, len(value), limit
    for group in nuspec.dependency_groups():
        for dep in group.dependencies:
            yield "Dependency.Id", len(dep.id), 128
            rng = parse_version_range(dep.version) if dep.version else None
            if rng is not None:
                yield "Dependency.VersionSpec", len(rng.to_string()), 256
    repo = nuspec.first("repository")
    if repo is not None:
        yield "RepositoryType", len(repo.attributes.get("type", "")), 100
        url = repo.attributes.get("url", "")
        if _absolute_url(url):
            yield "RepositoryUrl", len(url), 4000


@rule("P214", "field-too-long", ERROR, push(400),
      summary="A metadata value is longer than nuget.org stores (e.g. description 4000, title 256, version 64).",
      fix="Shorten the value in the project file or nuspec; long release notes belong in a linked document.")
def field_too_long(a: Artifacts) -> Iterator[Hit]:
    nuspec = a.snupkg.nuspec
    if nuspec is None:
        return
    for prop, length, limit in _lengths(a, nuspec):
        if length > limit:
            yield Hit(f"{prop} is {length:,} characters long; nuget.org allows {limit:,}", entry=a.snupkg.nuspec_name,
                      server_message=m.PROPERTY_TOO_LONG.format(prop, limit))


@rule("P215", "id-version-too-long", ERROR, push(400, m.ID_VERSION_TOO_LONG.format(MAX_ID_AND_VERSION)),
      summary="The id and the full version (with +metadata) together exceed 160 characters.",
      fix="Shorten the build metadata (+...) of the version, or the package id.")
def id_version_too_long(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    if identity is None or not identity.id or identity.version is None:
        return
    total = len(identity.id) + len(identity.version.full)
    if total > MAX_ID_AND_VERSION:
        yield Hit(f"id ({len(identity.id)}) + version '{identity.version.full}' ({len(identity.version.full)}) = "
                  f"{total} characters, over {MAX_ID_AND_VERSION}", entry=a.snupkg.nuspec_name)


@rule("P217", "invalid-id", ERROR, push(400),
      summary="The package id is longer than 100 characters or is not letters, digits, '_' with single '.' or '-'.",
      fix="Use an id such as Contoso.Utilities: start with a letter, digit or '_', no spaces, no '..' or '--'.")
def invalid_id(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    if identity is None or not identity.id:
        return
    if len(identity.id) > MAX_ID:
        yield Hit(f"id is {len(identity.id)} characters long; the limit is {MAX_ID}", entry=a.snupkg.nuspec_name,
                  server_message=m.INVALID_NUSPEC.format(m.MANIFEST_ID_TOO_LONG))
    if identity.id.lower() == "$id$" or not is_valid_package_id(identity.id):
        yield Hit(f"id '{identity.id}' is not a valid package id", entry=a.snupkg.nuspec_name,
                  server_message=m.INVALID_NUSPEC.format(m.MANIFEST_INVALID_ID.format(identity.id)))


@rule("P218", "legacy-version-invalid", ERROR, push(400),
      summary="A SemVer 1 prerelease label starts with a digit (e.g. 1.0.0-1), which old clients cannot read.",
      fix="Start the prerelease label with a letter (1.0.0-rc1, 1.0.0-beta.1) or use a dotted SemVer 2 label "
          "(1.0.0-1.2).")
def legacy_version_invalid(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    if identity is not None and identity.version is not None and not legacy_version_ok(identity.version):
        text = (identity.version_text or "").strip()
        yield Hit(f"version '{text}' is refused by nuget.org's legacy-client check", entry=a.snupkg.nuspec_name,
                  server_message=m.INVALID_NUSPEC.format(m.MANIFEST_INVALID_VERSION.format(text)))


def _absolute_url(text: str) -> bool:
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@rule("P219", "invalid-url", ERROR, push(400, m.INVALID_NUSPEC.format(m.MANIFEST_INVALID_URL)),
      summary="iconUrl, projectUrl or licenseUrl is not an absolute http(s) URL.",
      fix="Write a full https:// URL, or remove the element.")
def invalid_url(a: Artifacts) -> Iterator[Hit]:
    nuspec = a.snupkg.nuspec
    if nuspec is None:
        return
    for name, value in nuspec.leaf_values():
        if name.lower() in (u.lower() for u in URL_ELEMENTS) and not _absolute_url(value):
            yield Hit(f"<{name}> '{value}' is not an absolute http or https URL", entry=a.snupkg.nuspec_name)
