"""Zip-level push checks: the request size, a readable zip, and entry names and dates
(NuGetGallery ZipArchiveHelpers, PackageValidationHelper, PackageArchiveReader)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.model import Hit, Severity, msg, push

ERROR = Severity.ERROR
MAX_REQUEST_BYTES = 262_144_000  # Web.config maxAllowedContentLength / maxRequestLength
MULTIPART_OVERHEAD = 512  # the client's multipart framing around the file, approximately
_NET_ZIP_ERRORS = {"File is not a zip file": "End of Central Directory record could not be found."}
END_RECORD_WITHOUT_SIGNATURE = 18  # ZipEndOfCentralDirectoryBlock.SizeOfBlockWithoutSignature


@rule("P100", "package-too-large", ERROR, push(413, m.FILE_TOO_LARGE))
def package_too_large(a: Artifacts) -> Iterator[Hit]:
    size = a.snupkg.file_size
    if size + MULTIPART_OVERHEAD > MAX_REQUEST_BYTES:
        yield Hit(msg("the package is {size:,} bytes; with the multipart framing of the push request it exceeds "
                      "nuget.org's limit of {limit:,} bytes", size=size, limit=MAX_REQUEST_BYTES))


@rule("P101", "zip-unreadable", ERROR, push(400))
def zip_unreadable(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.error is None:
        return
    if a.snupkg.file_size < END_RECORD_WITHOUT_SIGNATURE:
        # ZipArchive's first step is Seek(-18, SeekOrigin.End) on the request's HttpInputStream, which refuses a
        # position before 0 with an ArgumentOutOfRangeException (a MemoryStream would throw an IOException, which
        # ZipArchive turns into 'Central Directory corrupt.'): not caught on the symbol path, 500
        yield Hit(msg("the file is {size} bytes long, shorter than a zip's end record", size=a.snupkg.file_size),
                  server_message=m.SEEK_BEFORE_START, status=500)
        return
    net = _NET_ZIP_ERRORS.get(a.snupkg.error, a.snupkg.error)
    yield Hit(msg("the file is not a readable zip archive: {error}", error=a.snupkg.error),
              server_message=m.INVALID_PACKAGE.format(net))


@rule("P102", "entry-dated-in-future", ERROR, push(400))
def entry_dated_in_future(a: Artifacts) -> Iterator[Hit]:
    limit = a.now + dt.timedelta(days=1)
    for entry in a.snupkg.entries:
        when = entry.last_write_time
        if when is not None and when > limit:
            yield Hit(msg("entry is dated {when:%Y-%m-%d %H:%M:%S}, more than a day in the future", when=when),
                      entry=entry.name,
                      server_message=m.ENTRY_FROM_FUTURE.format(entry.dotnet_name))


def _collapse_slashes(name: str) -> str:
    """ZipArchiveHelpers.NormalizeForwardSlashesInPath: runs of '/' collapse (within the first 260 chars)."""
    return re.sub("/+", "/", name[:260]) + name[260:]


@rule("P103", "double-slash-collision", ERROR, push(400))
def double_slash_collision(a: Artifacts) -> Iterator[Hit]:
    first = next((e for e in a.snupkg.entries if "//" in e.name), None)
    if first is None:
        return
    key = netpath.upper_invariant(_collapse_slashes(first.name))
    twins = [e.name for e in a.snupkg.entries if netpath.upper_invariant(_collapse_slashes(e.name)) == key]
    if len(twins) > 1:
        others = ", ".join(f"'{t}'" for t in twins if t != first.name) or f"'{first.name}'"
        yield Hit(msg("after collapsing '//' this entry has the same name as {others}", others=others),
                  entry=first.name,
                  server_message=m.DOUBLE_FORWARD_SLASH.format(first.dotnet_name))


@rule("P104", "double-backslash", ERROR, push(400))
def double_backslash(a: Artifacts) -> Iterator[Hit]:
    for entry in a.snupkg.entries:
        if "\\\\" in entry.name:
            yield Hit(msg("entry name contains '\\\\'"), entry=entry.name,
                      server_message=m.DOUBLE_BACK_SLASH.format(entry.dotnet_name))


def _duplicate_key(name: str) -> str:
    """NuGetGallery FileNameHelper.GetZipEntryPath + PathUtility.StripLeadingDirectorySeparators."""
    path = netpath.unescape(name).replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return netpath.upper_invariant(path.lstrip("/"))


@rule("P112", "duplicate-entries", ERROR, push(400, m.DUPLICATED_ENTRIES))
def duplicate_entries(a: Artifacts) -> Iterator[Hit]:
    groups: dict[str, list[str]] = defaultdict(list)
    for entry in a.snupkg.entries:
        groups[_duplicate_key(entry.name)].append(entry.name)
    for names in groups.values():
        if len(names) > 1:
            shown = ", ".join(f"'{n}'" for n in names[1:])
            yield Hit(msg("entry is duplicated by {shown} (nuget.org compares paths ignoring case)", shown=shown),
                      entry=names[0])


@rule("P224", "invalid-path-characters", ERROR, push(400, m.FAILED_TO_READ))
def invalid_path_characters(a: Artifacts) -> Iterator[Hit]:
    for entry, path in a.snupkg.files:  # SymbolPackageService's FileInfo loop, entry by entry with P223
        bad = netpath.invalid_path_char(path)
        if bad is not None:
            yield Hit(msg("entry name contains {bad!r}, which .NET's FileInfo rejects", bad=bad), entry=entry.name,
                      step="P223", order=entry.index)
        elif netpath.unc_without_share(path):
            yield Hit(msg("entry name '{path}' is a UNC path without a share (\\\\server with no \\share), which "
                          ".NET's FileInfo rejects", path=path), entry=entry.name, step="P223", order=entry.index)


@rule("P226", "unsafe-entry-path", ERROR, push(400))
def unsafe_entry_path(a: Artifacts) -> Iterator[Hit]:
    identity = a.snupkg.identity
    label = "?"
    if identity is not None and identity.id and identity.version is not None:
        label = f"{identity.id}.{identity.version.normalized}"
    for entry, path in a.snupkg.files:  # the first entry that fails ends the check
        if netpath.extraction_check_fails(path):  # unescaped a second time: '%253C' is '<' now
            yield Hit(msg("entry path cannot be checked for extraction: unescaped a second time ('{native}') it is "
                          "no path .NET accepts", native=netpath.unescape(path)), entry=entry.name,
                      server_message=m.UNABLE_CHECK_ENTRIES)
        elif netpath.escapes_root(path):
            shown = netpath.unescape(path).replace("/", "\\")
            yield Hit(msg("entry path is not safe to extract: it is rooted, names a drive, is empty, or climbs out "
                          "of the package with '..'"),
                      entry=entry.name, server_message=m.UNSAFE_ENTRY.format(label, shown))
