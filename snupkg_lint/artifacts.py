"""The package, opened once and parsed lazily into the artifacts rules look at.

An `Artifacts` object is what every rule receives. Each property parses on first use and caches the
result; a part that cannot be parsed is represented by its error (a string), never by an exception,
so one broken part does not stop the rules that look at the others.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from functools import cached_property

from snupkg_lint.formats import netpath
from snupkg_lint.formats.archive import ArchiveError, ZipArchive, ZipEntry
from snupkg_lint.formats.nuget_version import NuGetVersion, parse_nuget_version
from snupkg_lint.formats.nuspec import MAX_NUSPEC_BYTES, Nuspec, NuspecError, parse_nuspec
from snupkg_lint.formats.source import FormatError


@dataclass(frozen=True)
class NuspecRead:
    """The outcome of looking for and parsing the root nuspec."""

    entries: tuple[ZipEntry, ...]  # every root-level *.nuspec entry
    nuspec: Nuspec | None = None
    xml_error: str | None = None  # not well-formed XML (nuget.org: XmlException, 500)
    data_error: str | None = None  # the entry's data cannot be inflated (nuget.org: 400)

    @property
    def entry(self) -> ZipEntry | None:
        return self.entries[0] if len(self.entries) == 1 else None


@dataclass(frozen=True)
class Identity:
    """What nuget.org reads first from the nuspec: the id and the parsed version."""

    id: str | None  # None when missing or blank
    version_text: str | None  # raw <version>, None when the element is missing
    version: NuGetVersion | None


class PackageFile:
    """One zip package (.snupkg or .nupkg): its entries and its nuspec, parsed on demand."""

    def __init__(self, path: str):
        self.path = path

    @cached_property
    def _opened(self) -> tuple[ZipArchive | None, str | None]:
        try:
            return ZipArchive.open(self.path), None
        except ArchiveError as exc:
            return None, str(exc)

    @property
    def archive(self) -> ZipArchive | None:
        return self._opened[0]

    @property
    def error(self) -> str | None:
        """Why the file is not a readable zip, or None."""
        return self._opened[1]

    @cached_property
    def file_size(self) -> int:
        import os

        return os.path.getsize(self.path)

    @cached_property
    def entries(self) -> tuple[ZipEntry, ...]:
        return self.archive.entries if self.archive else ()

    @cached_property
    def files(self) -> tuple[tuple[ZipEntry, str], ...]:
        """PackageArchiveReader.GetFiles(): every entry with its %-unescaped name."""
        return tuple((e, netpath.unescape(e.name)) for e in self.entries)

    @cached_property
    def nuspec_read(self) -> NuspecRead:
        found = tuple(
            e for e in self.entries
            if "/" not in e.name and "\\" not in e.name and e.name.lower().endswith(".nuspec")
        )
        if len(found) != 1 or self.archive is None:
            return NuspecRead(found)
        try:
            data = self.archive.read(found[0], MAX_NUSPEC_BYTES)
        except ArchiveError as exc:
            return NuspecRead(found, data_error=str(exc))
        try:
            return NuspecRead(found, nuspec=parse_nuspec(data))
        except NuspecError as exc:
            return NuspecRead(found, xml_error=str(exc))

    @property
    def nuspec(self) -> Nuspec | None:
        """The parsed nuspec when there is exactly one, well-formed, with a <metadata> element."""
        parsed = self.nuspec_read.nuspec
        return parsed if parsed is not None and parsed.metadata is not None else None

    @property
    def nuspec_name(self) -> str | None:
        """The zip entry name of the nuspec, when there is exactly one."""
        entry = self.nuspec_read.entry
        return entry.name if entry is not None else None

    @cached_property
    def identity(self) -> Identity | None:
        nuspec = self.nuspec
        if nuspec is None:
            return None
        id_el, version_el = nuspec.first("id"), nuspec.first("version")
        pkg_id = id_el.value.strip() if id_el is not None and id_el.value.strip() else None
        version_text = version_el.value if version_el is not None else None
        version = parse_nuget_version(version_text) if version_text is not None else None
        return Identity(pkg_id, version_text, version)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


class Artifacts:
    """Everything the rules may look at for one symbol package (and its .nupkg, when known)."""

    def __init__(self, snupkg_path: str, nupkg_path: str | None = None, *, now: _dt.datetime | None = None):
        self.snupkg = PackageFile(snupkg_path)
        self.nupkg = PackageFile(nupkg_path) if nupkg_path else None
        self.now = now or _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)

    def close(self) -> None:
        self.snupkg.close()
        if self.nupkg is not None:
            self.nupkg.close()

    def __enter__(self) -> "Artifacts":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Artifacts", "FormatError", "Identity", "NuspecRead", "PackageFile"]
