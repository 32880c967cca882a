"""Read-only access to a zip archive (.snupkg / .nupkg), bounded and without extraction.

Everything about the zip container lives here: the entry list as the central directory states it
(duplicates included, in order), DOS timestamps, and bounded or streamed access to an entry's data.
Nothing is ever written to disk; inflation is bounded by the caller's limit and by the sizes the
central directory declares.
"""

from __future__ import annotations

import datetime as _dt
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from snupkg_lint.formats.source import FormatError, check_range

CHUNK = 1 << 20  # bytes per read when streaming an entry
DOTNET_METHODS = (0, 8, 9)  # Stored, Deflate, Deflate64: all .NET's ZipArchive can inflate
DOTNET_UNSUPPORTED_METHOD = "The archive entry was compressed using an unsupported compression method."
DOTNET_INVALID_DATA = "Found invalid data while decoding."
_HEAD_CACHE = 64 * 1024


class ArchiveError(FormatError):
    """The archive, or one entry of it, cannot be read."""


@dataclass(frozen=True)
class ZipEntry:
    """One central-directory record, as .NET's ZipArchiveEntry would see it."""

    index: int
    name: str  # FullName, decoded as the zip says (UTF-8 flag, else CP437)
    date_time: tuple[int, int, int, int, int, int]
    compress_type: int
    compressed_size: int
    size: int
    flag_bits: int
    external_attr: int
    _info: zipfile.ZipInfo

    @property
    def is_directory(self) -> bool:
        """A name ending in a separator: .NET gives it an empty Name."""
        return self.name.endswith(("/", "\\"))

    @property
    def dotnet_problem(self) -> str | None:
        """Why .NET's ZipArchive cannot inflate this entry (its InvalidDataException text), or None."""
        if self.compress_type not in DOTNET_METHODS or self.flag_bits & 0x1:
            return DOTNET_UNSUPPORTED_METHOD
        return None

    @property
    def last_write_time(self) -> _dt.datetime | None:
        """The DOS timestamp as a naive datetime; None when the DOS fields are not a real date."""
        try:
            return _dt.datetime(*self.date_time)
        except ValueError:
            return None


def _error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[0].upper() + text[1:] if text else text


class ZipArchive:
    """An open zip archive. Use as a context manager, or call close()."""

    def __init__(self, fileobj: BinaryIO, size: int, *, owns: bool = False):
        self._fileobj = fileobj
        self._owns = owns
        self.file_size = size
        try:
            self._zip = zipfile.ZipFile(fileobj)
            infos = self._zip.infolist()
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:  # zipfile raises many types on hostile input
            self.close()
            raise ArchiveError(_error(exc)) from None
        self.entries: tuple[ZipEntry, ...] = tuple(
            ZipEntry(i, _full_name(info), info.date_time,
                     info.compress_type, info.compress_size, info.file_size, info.flag_bits,
                     info.external_attr, info)
            for i, info in enumerate(infos)
        )

    @classmethod
    def open(cls, path: str) -> "ZipArchive":
        """Open the file at ``path``. OSError is left to the caller (it is a usage problem, not a finding)."""
        handle = open(path, "rb")  # noqa: SIM115 - owned by the archive
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(0)
        return cls(handle, size, owns=True)

    def close(self) -> None:
        zf = getattr(self, "_zip", None)
        if zf is not None:
            zf.close()
        if self._owns:
            self._fileobj.close()

    def __enter__(self) -> "ZipArchive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- entry data -------------------------------------------------------------------------
    def read(self, entry: ZipEntry, limit: int) -> bytes:
        """The whole entry, inflated; ArchiveError if it is corrupt or larger than ``limit``."""
        if entry.size > limit:
            raise ArchiveError(f"'{entry.name}' inflates to {entry.size:,} bytes, more than the {limit:,} read")
        return b"".join(self.chunks(entry))

    def chunks(self, entry: ZipEntry, size: int = CHUNK) -> Iterator[bytes]:
        """Stream the entry's data in chunks; memory stays at one chunk whatever the entry's size."""
        try:
            with self._zip.open(entry._info) as stream:
                while True:
                    block = stream.read(size)
                    if not block:
                        return
                    yield block
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise ArchiveError(f"'{entry.name}' cannot be inflated: {_error(exc)}") from None

    def source(self, entry: ZipEntry) -> "EntrySource":
        """Random access to the entry's data (a ByteSource), inflating only what is asked for."""
        return EntrySource(self, entry)


def _full_name(info: zipfile.ZipInfo) -> str:
    """The name as stored. zipfile turns '\\' into '/' on Windows only; we want the raw name everywhere."""
    return info.orig_filename


class EntrySource:
    """A ByteSource over one zip entry. Forward reads are cheap; a backward seek re-inflates."""

    def __init__(self, archive: ZipArchive, entry: ZipEntry):
        self._archive = archive
        self.entry = entry
        self._stream = None
        self._head: bytes | None = None

    @property
    def size(self) -> int:
        return self.entry.size

    def head(self, length: int) -> bytes:
        length = min(length, self.size)
        if self._head is None or len(self._head) < length:
            self._head = self._raw_read(0, max(length, min(_HEAD_CACHE, self.size)))
        return self._head[:length]

    def read(self, offset: int, length: int) -> bytes:
        check_range(self.size, offset, length, f"data in '{self.entry.name}'")
        if offset + length <= _HEAD_CACHE:
            return self.head(offset + length)[offset:]
        return self._raw_read(offset, length)

    def _raw_read(self, offset: int, length: int) -> bytes:
        try:
            if self._stream is None:
                self._stream = self._archive._zip.open(self.entry._info)
            self._stream.seek(offset)
            data = self._stream.read(length)
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise ArchiveError(f"'{self.entry.name}' cannot be inflated: {_error(exc)}") from None
        if len(data) != length:
            raise ArchiveError(f"'{self.entry.name}' ends before its declared size of {self.size:,} bytes")
        return data

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
