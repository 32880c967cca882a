"""Read-only access to a zip archive (.snupkg / .nupkg), bounded and without extraction.

Everything about the zip container lives here: the entry list as the central directory states it
(duplicates included, in order), DOS timestamps, and bounded or streamed access to an entry's data.
Nothing is ever written to disk; inflation is bounded by the caller's limit and by the sizes the
central directory declares.
"""

from __future__ import annotations

import datetime as _dt
import os
import struct
import zipfile
import zlib
from collections import OrderedDict
from typing import BinaryIO, Iterator

from snupkg_lint.formats.source import BytesSource, FormatError, check_range

CHUNK = 1 << 20  # bytes per read when streaming an entry
# Stored and Deflate: all .NET Framework's ZipArchive inflates. Deflate64 (9) is .NET Core's only (corefx tests skip
# it on .NET Framework: "Deflate64 zip support is a netcore feature not available on full framework."); other methods
# get UnsupportedCompression there (corefx names BZip2 and LZMA since 2016, with the Deflate64 work: rules/P107.md)
DOTNET_METHODS = (0, 8)
DOTNET_UNSUPPORTED_METHOD = "The archive entry was compressed using an unsupported compression method."
DOTNET_INVALID_DATA = "Found invalid data while decoding."
DOTNET_ENTRY_COUNT = ("Number of entries expected in End Of Central Directory does not correspond to number of entries "
                      "in Central Directory.")  # System.IO.Compression SR.NumEntriesWrong
DOTNET_SPLIT_SPANNED = "Split or spanned archives are not supported."  # System.IO.Compression SR.SplitSpanned
_HEAD_CACHE = 64 * 1024
LIVE_ENTRIES = 8  # entries whose stream and head are kept between reads
_LOCAL_HEADER_SIZE = 30
_UTF8_FLAG = 0x800
_UNUSUAL_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, compressed patched data, strong encryption


def _data_in(entry: "ZipEntry") -> str:
    """How a read outside an entry's data names what it read."""
    return f"data in '{entry.name}'"


def held_source(entry: "ZipEntry", data: bytes) -> BytesSource:
    """A ByteSource over `entry`'s whole data, already inflated (ZipArchive.small): its reads answer and fail as
    the entry's own source (ZipArchive.source) does."""
    return BytesSource(data, _data_in(entry))


class ArchiveError(FormatError):
    """The archive, or one entry of it, cannot be read."""


class ZipEntry:
    """One central-directory record, as .NET's ZipArchiveEntry would see it.

    A thin view over zipfile's own record (which the open ZipFile keeps anyway): a package of 50,000 entries
    holds one small object per entry, not a second copy of each field.
    """

    __slots__ = ("index", "_info", "name")

    def __init__(self, index: int, info: zipfile.ZipInfo):
        self.index = index
        self._info = info
        # FullName, decoded as the zip says (UTF-8 flag, else CP437), '\\' kept as stored (zipfile's own string,
        # not a copy: read by every rule, so an attribute rather than a property)
        self.name: str = info.orig_filename

    @property
    def date_time(self) -> tuple[int, int, int, int, int, int]:
        return self._info.date_time

    @property
    def compress_type(self) -> int:
        return self._info.compress_type

    @property
    def compressed_size(self) -> int:
        return self._info.compress_size

    @property
    def size(self) -> int:
        return self._info.file_size

    @property
    def flag_bits(self) -> int:
        return self._info.flag_bits

    @property
    def external_attr(self) -> int:
        return self._info.external_attr

    def __repr__(self) -> str:
        return f"ZipEntry({self.index}, {self.name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ZipEntry) and (self.index, self._info) == (other.index, other._info)

    def __hash__(self) -> int:
        return hash((self.index, id(self._info)))

    @property
    def dotnet_name(self) -> str:
        """ZipArchiveEntry.Name: the file name after the last '/' for an entry made on Unix (version made by 3),
        after the last '/', '\\' or ':' otherwise, as .NET Framework on Windows splits it."""
        name = self._info.orig_filename
        if self._info.create_system == 3:
            return name[name.rfind("/") + 1 :]
        return name[max(name.rfind("/"), name.rfind("\\"), name.rfind(":")) + 1 :]

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


def _declared_entry_count(fileobj: BinaryIO, size: int) -> int | None:
    """The total number of entries the end-of-central-directory record declares (its Zip64 record's when it says
    0xFFFF), or None when it cannot be found (zipfile has already refused such a file)."""
    tail_size = min(size, 22 + 0xFFFF + 20)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    total = struct.unpack_from("<H", tail, at + 10)[0]
    if total == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        zip64_at = struct.unpack_from("<Q", tail, at - 20 + 8)[0]
        fileobj.seek(zip64_at)
        record = fileobj.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            return struct.unpack_from("<Q", record, 32)[0]
    return total


def _split_or_spanned(fileobj: BinaryIO, size: int) -> bool:
    """ZipArchive.ReadEndOfCentralDirectory's first checks: the end record must name one disk for itself and for the
    central directory, and count as many entries on this disk as in all (zipfile reads on regardless)."""
    tail_size = min(size, 22 + 0xFFFF)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return False
    this_disk, directory_disk, on_this_disk, total = struct.unpack_from("<HHHH", tail, at + 4)
    return this_disk != directory_disk or on_this_disk != total


def _keep_less(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """What zipfile holds per entry, less: every entry is opened through its record, never by name, so the name
    index goes; entries written together share their timestamp, attributes and extra field, so equal values are
    one object."""
    zf.NameToInfo = {}
    held: dict[object, object] = {}
    for info in infos:
        if len(held) > 4096:
            held.clear()
        info.date_time = held.setdefault(info.date_time, info.date_time)
        info._raw_time = held.setdefault(("time", info._raw_time), info._raw_time)
        info.external_attr = held.setdefault(("attr", info.external_attr), info.external_attr)
        info.extra = held.setdefault(info.extra, info.extra)


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
        if _split_or_spanned(fileobj, size):
            self.close()
            raise ArchiveError(DOTNET_SPLIT_SPANNED)
        expected = _declared_entry_count(fileobj, size)
        if expected is not None and expected != len(infos):  # .NET's ZipArchive refuses what zipfile lets pass
            self.close()
            raise ArchiveError(DOTNET_ENTRY_COUNT)
        _keep_less(self._zip, infos)
        self.entries: tuple[ZipEntry, ...] = tuple(ZipEntry(i, info) for i, info in enumerate(infos))
        self._live: OrderedDict[int, _Inflation] = OrderedDict()  # entries being read, most recent last

    @classmethod
    def open(cls, path: str) -> "ZipArchive":
        """Open the file at ``path``. OSError is left to the caller (it is a usage problem, not a finding)."""
        handle = open(path, "rb")  # noqa: SIM115 - owned by the archive
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(0)
        archive = cls(handle, size, owns=True)
        archive._path, archive._pid = path, os.getpid()
        return archive

    def own_handle(self) -> None:
        """In a process forked from the one that opened the archive: read through a file handle of this process.

        A forked child shares the parent's file offset, so reading through the inherited handle would move the
        parent's position under it. The parsed central directory is kept; streams opened before the fork are
        dropped (not closed: they belong to the parent)."""
        if getattr(self, "_pid", None) in (None, os.getpid()):
            return
        handle = open(self._path, "rb")  # noqa: SIM115 - owned by the archive
        self._fileobj = self._zip.fp = handle  # zipfile opens every entry stream on ZipFile.fp
        self._live = OrderedDict()
        self._pid = os.getpid()

    def close(self) -> None:
        for state in getattr(self, "_live", {}).values():
            state.close()
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
        """Stream the entry's data in chunks; memory stays at one chunk whatever the entry's size.

        An entry a reader has just inflated whole (a small PDB, say) is served from that copy, not inflated again:
        reading all of it passed zipfile's CRC check, so the bytes are the ones a new stream would give."""
        state = self._live.get(entry.index)
        data = state.head if state is not None and state.head is not None and len(state.head) == entry.size else None
        if data is None and entry.size <= _HEAD_CACHE:
            data = self._whole(entry)
        if data is not None:
            yield from (data[pos : pos + size] for pos in range(0, len(data), size))
            return
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

    def _whole(self, entry: ZipEntry, limit: int = _HEAD_CACHE) -> bytes | None:
        """A small entry's data in one read and one inflate, when nothing about it is unusual; None otherwise, and
        zipfile's own reader (which words every error) is used instead.

        zipfile.open() costs more in Python than inflating a 10 KB DLL; for a package of thousands of small
        entries this is the difference. The checks are zipfile's: the local header's signature and name, the sizes
        of the central directory, the end of the deflate stream and the CRC-32.
        """
        info = entry._info
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & _UNUSUAL_FLAGS:
            return None
        if info.compress_size > min(2 * min(limit, info.file_size) + 1024, self.file_size):  # deflate never needs that
            return None
        fp = self._fileobj
        try:
            fp.seek(info.header_offset)
            header = fp.read(_LOCAL_HEADER_SIZE)
            if len(header) != _LOCAL_HEADER_SIZE or header[:4] != b"PK\x03\x04":
                return None
            flags, = struct.unpack_from("<H", header, 6)
            name_length, extra_length = struct.unpack_from("<HH", header, 26)
            if fp.read(name_length).decode("utf-8" if flags & _UTF8_FLAG else "cp437") != info.orig_filename:
                return None
            fp.seek(extra_length, 1)
            raw = fp.read(info.compress_size)
        except (OSError, ValueError, OverflowError):  # a hostile offset; UnicodeDecodeError is a ValueError
            return None
        if len(raw) != info.compress_size:
            return None
        if info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-15)
            try:
                data = inflater.decompress(raw, info.file_size + 1)
            except zlib.error:
                return None
            if not inflater.eof:
                return None
        else:
            data = raw
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            return None
        return data

    def small(self, entry: ZipEntry, limit: int = _HEAD_CACHE) -> bytes | None:
        """The whole data of an entry of up to `limit` bytes (64 KiB unless told), read and inflated at once with
        zipfile's checks; None for a larger entry or anything unusual or wrong about it: read that one through
        source(), which words every error. The bytes are not kept here (a reader that wants them wraps them in a
        BytesSource)."""
        return self._whole(entry, limit) if entry.size <= limit else None

    def source(self, entry: ZipEntry) -> "EntrySource":
        """Random access to the entry's data (a ByteSource), inflating only what is asked for."""
        return EntrySource(self, entry)

    def _inflation(self, entry: ZipEntry) -> "_Inflation":
        """The read state of `entry`, made most recent; the oldest beyond LIVE_ENTRIES is let go, so memory stays
        flat however many entries readers visit (a released entry is simply inflated again if read again)."""
        state = self._live.get(entry.index)
        if state is None:
            state = self._live[entry.index] = _Inflation()
            if len(self._live) > LIVE_ENTRIES:
                self._live.popitem(last=False)[1].close()
        else:
            self._live.move_to_end(entry.index)
        return state


class _Inflation:
    """What reading one entry holds: an open inflating stream and the first bytes (up to 64 KiB) it gave."""

    __slots__ = ("stream", "head")

    def __init__(self) -> None:
        self.stream = None
        self.head: bytes | None = None

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self.stream = None
        self.head = None


class EntrySource:
    """A ByteSource over one zip entry. Forward reads are cheap; a backward seek re-inflates.

    The stream and the cached head belong to the archive's bounded pool (see ZipArchive._inflation), so a source
    can be kept (a PDB reader keeps its own) without keeping an inflater and 64 KiB per entry alive."""

    __slots__ = ("_archive", "entry", "size")

    def __init__(self, archive: ZipArchive, entry: ZipEntry):
        self._archive = archive
        self.entry = entry
        self.size = entry.size

    def head(self, length: int) -> bytes:
        length = min(length, self.size)
        state = self._archive._inflation(self.entry)
        if state.head is None or len(state.head) < length:
            whole = self._archive._whole(self.entry) if self.size <= _HEAD_CACHE and state.stream is None else None
            state.head = whole if whole is not None else self._raw_read(state, 0, max(length, min(_HEAD_CACHE, self.size)))
        return state.head[:length]

    def read(self, offset: int, length: int) -> bytes:
        end = offset + length
        if offset < 0 or length < 0 or end > self.size:
            check_range(self.size, offset, length, _data_in(self.entry))
        if end <= _HEAD_CACHE:
            state = self._archive._live.get(self.entry.index)
            if state is not None and state.head is not None and len(state.head) >= end:
                return state.head[offset:end]  # the hot path: readers ask for many small ranges of the head
            return self.head(end)[offset:]
        return self._raw_read(self._archive._inflation(self.entry), offset, length)

    def _raw_read(self, state: _Inflation, offset: int, length: int) -> bytes:
        try:
            if state.stream is None:
                state.stream = self._archive._zip.open(self.entry._info)
            state.stream.seek(offset)
            data = state.stream.read(length)
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise ArchiveError(f"'{self.entry.name}' cannot be inflated: {_error(exc)}") from None
        if len(data) != length:
            raise ArchiveError(f"'{self.entry.name}' ends before its declared size of {self.size:,} bytes")
        return data

    def close(self) -> None:
        """Let go of the entry's stream and cached head now (the pool would in time)."""
        state = self._archive._live.pop(self.entry.index, None)
        if state is not None:
            state.close()

    def held(self) -> "EntrySource | BytesSource":
        """This source, or one answering from the entry's whole data when a read has just inflated all of it (a
        small entry): the same answers and errors, with no look into the pool per read. It keeps those bytes."""
        state = self._archive._live.get(self.entry.index)
        if state is not None and state.head is not None and len(state.head) == self.size:
            return held_source(self.entry, state.head)
        return self
