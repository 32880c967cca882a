"""PE/COFF debug directory reader (bytes in, objects out; no verdicts).

Reads what nuget.org's symbol validator reads through System.Reflection.Metadata (SRM): the PE headers, the
debug directory (binary-formats.md §2), and the data of the CodeView (§2.3), PdbChecksum (§2.5) and
EmbeddedPortablePdb (§2.6) entries. The input is a :class:`ByteSource`; only a bounded header prefix (and the NT
headers where ``e_lfanew`` points, if that is past it) and the individual debug ranges are read, never the whole
file.

Header layout follows SRM ``PEHeaders``/``PEHeader`` rather than pefile where they differ, because nuget.org runs
SRM: all 16 data directories are read at their fixed offsets (``NumberOfRvaAndSizes`` is ignored), the section
table starts right after them (``SizeOfOptionalHeader`` is ignored), and RVAs/sizes are compared as signed 32-bit
integers. pefile parses the DOS, COFF and optional headers.

Error model
-----------
* :func:`read_pe` raises :class:`FormatError` when the input is not a PE image SRM could open at all (no ``MZ``,
  no ``PE\\0\\0``, unknown optional-header magic, truncated headers or section table). Nothing else escapes.
  :class:`ReaderLimitError` (a FormatError) means a snupkg-lint safety bound was hit, not an SRM rule.
* ``PEImage.header_error``: the headers parsed, but SRM's ``PEHeaders`` would still throw BadImageFormat (CLI
  header or metadata directory invalid). Every SRM call, including ``ReadDebugDirectory``, would then fail.
* ``PEImage.debug_error``: SRM ``ReadDebugDirectory`` throws BadImageFormat (directory RVA outside every section,
  size not a multiple of 28, directory outside the file, an entry with non-zero Characteristics).
  ``debug_entries`` is then empty.
* ``PEImage.data_errors``: one :class:`DebugDataError` per entry whose data SRM would fail to decode (CodeView,
  PdbChecksum, the header of the EmbeddedPortablePdb entry SRM picks). The failed entry is absent from
  ``codeview_entries()`` / ``pdb_checksums()`` / ``embedded_pdb()``. The ``decode_*`` functions raise FormatError
  for callers that decode data themselves.
* :func:`inflate_embedded_pdb` raises FormatError for every check SRM makes on the embedded blob, and
  ReaderLimitError past the caller's limit.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Callable
from typing import TypeVar
from dataclasses import dataclass

import pefile

from snupkg_lint.formats.records import quick_init
from snupkg_lint.formats.source import ByteSource, FormatError, UncaughtError, check_range

DEBUG_CODEVIEW = 2
DEBUG_REPRODUCIBLE = 16
DEBUG_EMBEDDED_PORTABLE_PDB = 17
DEBUG_PDB_CHECKSUM = 19

PORTABLE_CODEVIEW_MINOR = 0x504D
PORTABLE_PDB_MIN_VERSION = 0x0100  # SRM PortablePdbVersions.MinFormatVersion
EMBEDDED_BLOB_VERSION = 0x0100  # SRM PortablePdbVersions.DefaultEmbeddedVersion

DEBUG_ENTRY_SIZE = 28
SECTION_HEADER_SIZE = 40
COR_HEADER_SIZE = 72
CODEVIEW_SIGNATURE = b"RSDS"
CODEVIEW_FIXED_SIZE = 24  # signature + GUID + age
EMBEDDED_SIGNATURE = b"MPDB"
EMBEDDED_HEADER_SIZE = 8

MAX_HEADER_BYTES = 64 * 1024
MAX_DEBUG_ENTRIES = 1024
MAX_CODEVIEW_BYTES = 64 * 1024
MAX_PDB_CHECKSUM_BYTES = 64 * 1024

_DEBUG_DIRECTORY_INDEX = 6
_CLI_DIRECTORY_INDEX = 14
_DATA_DIRECTORIES_OFFSET = {False: 96, True: 112}  # within the optional header, PE32 / PE32+
_DATA_DIRECTORY_COUNT = 16
_LARGEST_NT_HEADERS = 4 + 20 + 240  # signature, COFF header, PE32+ optional header
_PE32_MAGIC = 0x10B
_PE32_PLUS_MAGIC = 0x20B
_INFLATE_CHUNK = 64 * 1024


class ReaderLimitError(FormatError):
    """The input exceeds a snupkg-lint safety bound; SRM itself might accept it."""


def _i32(value: int) -> int:
    """``value`` (unsigned 32-bit) as the signed ``int`` SRM reads it into."""
    return value - 0x1_0000_0000 if value & 0x8000_0000 else value


@quick_init
@dataclass(frozen=True)
class Section:
    """One IMAGE_SECTION_HEADER, in section-table order."""

    name: str
    virtual_address: int
    virtual_size: int
    pointer_to_raw_data: int
    size_of_raw_data: int
    characteristics: int

    def contains_rva(self, rva: int) -> bool:
        """SRM ``GetContainingSectionIndex``: ``VirtualAddress <= rva < VirtualAddress + VirtualSize`` (int32)."""
        start, end = self.virtual_address, (self.virtual_address + self.virtual_size) & 0xFFFF_FFFF
        start, end = (start - (1 << 32) if start >> 31 else start), (end - (1 << 32) if end >> 31 else end)
        return start <= (rva - (1 << 32) if rva >> 31 else rva) < end


@quick_init
@dataclass(frozen=True)
class DebugEntry:
    """One 28-byte IMAGE_DEBUG_DIRECTORY record (binary-formats.md §2.1); ``index`` = position in the directory."""

    index: int
    characteristics: int
    stamp: int
    major: int
    minor: int
    type: int
    size: int
    rva: int
    pointer: int

    @property
    def is_portable_codeview(self) -> bool:
        """SRM ``IsPortableCodeView``: MinorVersion == 0x504D, whatever the type."""
        return self.minor == PORTABLE_CODEVIEW_MINOR


@quick_init
@dataclass(frozen=True)
class DebugDataError:
    """The data of ``entry`` cannot be decoded the way SRM decodes it.

    ``exceeded_limit`` is True when only a snupkg-lint bound was exceeded (SRM might succeed); ``uncaught`` when
    SRM throws something other than BadImageFormatException there (see :class:`UncaughtError`).
    """

    entry: DebugEntry
    message: str
    exceeded_limit: bool = False
    uncaught: bool = False


@quick_init
@dataclass(frozen=True)
class CodeView:
    """A decoded RSDS record (binary-formats.md §2.3).

    ``path_padding_ok`` is False when a non-NUL byte follows the path terminator (older SRM: InvalidPathPadding).
    """

    guid: uuid.UUID
    guid_bytes: bytes
    age: int
    path: str
    path_padding_ok: bool
    entry: DebugEntry

    @property
    def pdb_id(self) -> bytes:
        """The 20-byte portable PDB id this entry expects: GUID + the debug entry's TimeDateStamp (§2.3)."""
        return self.guid_bytes + struct.pack("<I", self.entry.stamp)

    @property
    def file_name(self) -> str:
        """SRM ``PathUtilities.GetFileName``: the part after the last ``\\``, ``/`` or ``:``."""
        path = self.path
        return path[max(path.rfind("\\"), path.rfind("/"), path.rfind(":")) + 1 :]


@quick_init
@dataclass(frozen=True)
class PdbChecksum:
    """A decoded PdbChecksum record (binary-formats.md §2.5). ``algorithm`` is case-sensitive, as in .NET."""

    algorithm: str
    checksum: bytes
    entry: DebugEntry


@quick_init
@dataclass(frozen=True)
class EmbeddedPdb:
    """The header of an EmbeddedPortablePdb blob (binary-formats.md §2.6); see :func:`inflate_embedded_pdb`."""

    uncompressed_size: int
    compressed_size: int
    entry: DebugEntry

    @property
    def compressed_offset(self) -> int:
        """File offset of the raw-deflate data."""
        return self.entry.pointer + EMBEDDED_HEADER_SIZE


@quick_init
@dataclass(frozen=True)
class PEImage:
    """What SRM sees of a PE image's headers and debug directory. See the module docstring for the error model."""

    machine: int
    is_pe32_plus: bool
    timestamp: int
    characteristics: int
    is_dotnet: bool
    sections: tuple[Section, ...]
    header_error: str | None
    debug_error: str | None
    debug_entries: tuple[DebugEntry, ...]
    codeviews: tuple[CodeView, ...]
    checksums: tuple[PdbChecksum, ...]
    embedded: EmbeddedPdb | None
    data_errors: tuple[DebugDataError, ...]
    size_of_image: int = 0  # optional header SizeOfImage: half of the PE's symbol-server key
    metadata: tuple[int, int] | None = None  # (file offset, size) of the metadata, as metadata_range() gives it

    def codeview_entries(self) -> list[CodeView]:
        """Every decodable CodeView (type 2, non-empty) entry in directory order; failures are in ``data_errors``."""
        return list(self.codeviews)

    def portable_codeview_entry(self) -> DebugEntry | None:
        """The entry SRM ``TryOpenAssociatedPortablePdb`` uses: the first with MinorVersion 0x504D, if its size != 0."""
        found = self.__dict__.get("_remembered_portable", _UNKNOWN)
        return found if found is not _UNKNOWN else _remembered(
            self, "_remembered_portable", lambda: _srm_first(self.debug_entries, lambda e: e.is_portable_codeview))

    def first_portable_codeview(self) -> CodeView | None:
        """The decoded :meth:`portable_codeview_entry`, or None (no such entry, or see :meth:`error_for`)."""
        found = self.__dict__.get("_remembered_first_portable", _UNKNOWN)
        if found is not _UNKNOWN:
            return found
        entry = self.portable_codeview_entry()
        return _remembered(self, "_remembered_first_portable", lambda: next(
            (cv for cv in self.codeviews if cv.entry == entry), None) if entry is not None else None)

    def pdb_checksums(self) -> list[PdbChecksum]:
        """Every decodable PdbChecksum (type 19) entry in directory order; failures are in ``data_errors``."""
        return list(self.checksums)

    def embedded_pdb_entry(self) -> DebugEntry | None:
        """The entry SRM uses for the embedded PDB: the first of type 17, if its size != 0."""
        found = self.__dict__.get("_remembered_embedded", _UNKNOWN)
        return found if found is not _UNKNOWN else _remembered(
            self, "_remembered_embedded",
            lambda: _srm_first(self.debug_entries, lambda e: e.type == DEBUG_EMBEDDED_PORTABLE_PDB))

    def embedded_pdb(self) -> EmbeddedPdb | None:
        """The decoded header of :meth:`embedded_pdb_entry`, or None (no such entry, or see :meth:`error_for`)."""
        return self.embedded

    def error_for(self, entry: DebugEntry) -> DebugDataError | None:
        """The decode error recorded for ``entry``, if any."""
        return next((err for err in self.data_errors if err.entry == entry), None) if self.data_errors else None

    @property
    def is_reproducible(self) -> bool:
        """A Reproducible (type 16) entry is present (binary-formats.md §2.4)."""
        return any(e.type == DEBUG_REPRODUCIBLE for e in self.debug_entries)


_T = TypeVar("_T")


def _remembered(record: object, key: str, compute: Callable[[], _T]) -> _T:
    """What `compute` gives for this (immutable) record, worked out on the first call: rules ask each assembly the
    same questions several times. Kept beside the fields (`key` starts with '_remembered'), so equality, repr and
    pickling do not see it."""
    memo = record.__dict__
    if key not in memo:
        memo[key] = compute()
    return memo[key]


_UNKNOWN = object()  # not worked out yet


def _srm_first(entries: tuple[DebugEntry, ...], wanted: Callable[[DebugEntry], bool]) -> DebugEntry | None:
    """SRM ``entries.FirstOrDefault(wanted)`` followed by its ``DataSize != 0`` test."""
    entry = next((e for e in entries if wanted(e)), None)
    return entry if entry is not None and entry.size != 0 else None


# --------------------------------------------------------------------------------------------- headers


@quick_init
@dataclass(frozen=True)
class _Headers:
    machine: int
    is_pe32_plus: bool
    timestamp: int
    characteristics: int
    section_count: int
    directories_offset: int
    size_of_image: int = 0


class _PEHeaders(pefile.PE):
    """pefile's DOS, COFF and optional header parsing, without its section table: SRM reads that table at another
    position (after the 16 data directories), so :func:`_read_sections` reads it, and pefile's copy would be waste."""

    def parse_sections(self, offset: int) -> int:
        self.sections = []
        return offset


_OPTIONAL_HEADER_SIZE = {False: 96, True: 112}  # pefile's structures: PE32, PE32+ (without data directories)


_FILE_HEADER = struct.Struct("<HHIIIHH")  # IMAGE_FILE_HEADER, as pefile's __IMAGE_FILE_HEADER_format__ unpacks it


def _well_formed_headers(prefix: bytes) -> tuple[int, int, int, int, int, int] | None:
    """(Machine, NumberOfSections, TimeDateStamp, Characteristics, optional header Magic, its file offset) when
    every check pefile.PE makes on the way to them passes (MZ, e_lfanew, 'PE\\0\\0', whole headers, a PE32 or PE32+
    magic); None otherwise.

    These are the fields pefile.PE unpacks from the COFF and optional headers, read with struct alone, without
    what pefile computes beyond (flag names, data directories, section objects, warnings), which nothing here
    reads. Anything unusual goes to pefile.PE itself, so its diagnostics stay the reported ones.
    """
    if len(prefix) < 64 or prefix[:2] != b"MZ":
        return None
    e_lfanew = struct.unpack_from("<I", prefix, 0x3C)[0]
    optional = e_lfanew + 4 + 20
    if optional + 2 > len(prefix) or prefix[e_lfanew : e_lfanew + 4] != b"PE\0\0":
        return None
    magic = struct.unpack_from("<H", prefix, optional)[0]
    if magic not in (_PE32_MAGIC, _PE32_PLUS_MAGIC) or optional + _OPTIONAL_HEADER_SIZE[True] > len(prefix):
        return None
    machine, sections, stamp, _, _, _, characteristics = _FILE_HEADER.unpack_from(prefix, e_lfanew + 4)
    return machine, sections, stamp, characteristics, magic, optional


def _coff_only(src: ByteSource, prefix: bytes) -> None:
    """SRM ``PEHeaders`` takes a file without 'MZ' for a COFF object file (unless it starts 00 00 FF FF): it reads
    a COFF header and section table at offset 0 and no PE header, and then ``ReadDebugDirectory`` dereferences
    the missing PE header: a NullReferenceException, not a BadImageFormatException. Raises the error SRM gives."""
    if prefix[:4] == b"\0\0\xff\xff" or len(prefix) < 20:
        raise FormatError("not a PE image: no 'MZ' DOS header")
    (count,) = struct.unpack_from("<h", prefix, 2)
    if count < 0 or 20 + 40 * count > src.size:
        raise FormatError(f"not a PE image: no 'MZ' DOS header, and no COFF section table ({count} sections)")
    table = src.read(20, 40 * count)
    for pos in range(0, len(table), 40):
        if table[pos : pos + 8].rstrip(b"\0") == b".cormeta":  # SRM: the metadata span must lie in the file
            size, start = struct.unpack_from("<ii", table, pos + 16)
            if start < 0 or start >= src.size or size <= 0 or start > src.size - size:
                raise FormatError("not a PE image: a COFF object whose .cormeta section lies outside the file")
            break
    raise UncaughtError("not a PE image: no 'MZ' DOS header; .NET reads it as a COFF object file and "
                        "ReadDebugDirectory throws NullReferenceException")


def _relocated_headers(src: ByteSource, prefix: bytes, e_lfanew: int) -> tuple[bytes, int]:
    """NT headers past the prefix: SRM seeks wherever e_lfanew points (PEBinaryReader.Seek checks only the file's
    size; SRM 1.7, the job's version, has no other bound). Returns the DOS header followed by the bytes at
    e_lfanew, as if e_lfanew were 64, and the distance to add to the offsets parsed from them."""
    if e_lfanew + 4 > src.size:
        raise FormatError(f"not a PE image: e_lfanew 0x{e_lfanew:X} points past the end of the {src.size}-byte file")
    dos = prefix[:0x3C] + struct.pack("<I", 64) + prefix[0x40:64]
    return dos + src.read(e_lfanew, min(_LARGEST_NT_HEADERS, src.size - e_lfanew)), e_lfanew - 64


def _size_of_image(prefix: bytes, optional_offset: int) -> int:
    """The optional header's SizeOfImage (at offset 56 in PE32 and PE32+ alike), 0 when the header is cut short."""
    at = optional_offset + 56
    return struct.unpack_from("<I", prefix, at)[0] if 0 <= at and at + 4 <= len(prefix) else 0


def _parse_headers(src: ByteSource) -> _Headers:
    """DOS, COFF and optional headers via pefile over a bounded prefix (SRM ``PEHeaders`` constructor checks)."""
    prefix = src.read(0, min(src.size, MAX_HEADER_BYTES))
    if prefix[:2] != b"MZ":
        _coff_only(src, prefix)
    if len(prefix) < 64:
        raise FormatError("not a PE image: no 'MZ' DOS header")
    e_lfanew = struct.unpack_from("<I", prefix, 0x3C)[0]
    shift = 0
    if e_lfanew + _LARGEST_NT_HEADERS > len(prefix) and src.size > len(prefix):
        prefix, shift = _relocated_headers(src, prefix, e_lfanew)
    parsed = _well_formed_headers(prefix)
    if parsed is None:
        try:  # pefile over in-memory data holds no file handle: no close() (it would run gc.collect())
            pe = _PEHeaders(data=prefix, fast_load=True)
        except Exception as exc:  # pefile raises PEFormatError and, on hostile input, assorted built-in errors
            raise FormatError(f"not a PE image: {exc}") from exc
        file_header, optional_header = pe.FILE_HEADER, pe.OPTIONAL_HEADER
        parsed = (file_header.Machine, file_header.NumberOfSections, file_header.TimeDateStamp,
                  file_header.Characteristics, optional_header.Magic, optional_header.get_file_offset())
    machine, section_count, timestamp, characteristics, magic, optional_offset = parsed
    headers = _Headers(
        machine=machine,
        is_pe32_plus=magic == _PE32_PLUS_MAGIC,
        timestamp=timestamp,
        characteristics=characteristics,
        section_count=section_count,
        directories_offset=optional_offset + shift + _DATA_DIRECTORIES_OFFSET[magic == _PE32_PLUS_MAGIC],
        size_of_image=_size_of_image(prefix, optional_offset),
    )
    if magic not in (_PE32_MAGIC, _PE32_PLUS_MAGIC):
        raise FormatError(f"not a PE image: unknown optional header magic 0x{magic:04X}")
    if headers.section_count >= 0x8000:  # SRM reads NumberOfSections as Int16
        raise FormatError(f"invalid number of sections: {headers.section_count}")
    end = headers.directories_offset + 8 * _DATA_DIRECTORY_COUNT
    if end > src.size:
        raise FormatError(f"truncated PE: the optional header ends at {end}, past the {src.size}-byte file")
    return headers


def _data_directory(src: ByteSource, headers: _Headers, index: int) -> tuple[int, int]:
    """(RVA, Size) of data directory ``index``, read at SRM's fixed position."""
    rva, size = struct.unpack("<II", src.read(headers.directories_offset + 8 * index, 8))
    return rva, size


def _read_sections(src: ByteSource, headers: _Headers) -> tuple[Section, ...]:
    """The section table, which SRM reads right after the 16 data directories."""
    offset = headers.directories_offset + 8 * _DATA_DIRECTORY_COUNT
    length = headers.section_count * SECTION_HEADER_SIZE
    if offset + length > src.size:
        raise FormatError(f"truncated PE: the table of {headers.section_count} sections passes the end of the file")
    sections = []
    for raw_name, vsize, va, raw_size, raw_ptr, _, _, _, _, chars in _SECTION.iter_unpack(src.read(offset, length)):
        name = _SECTION_NAMES.get(raw_name)
        if name is None:
            name = raw_name.split(b"\0", 1)[0].decode("utf-8", errors="replace")
            if len(_SECTION_NAMES) < 256:  # the few names compilers write, decoded once
                _SECTION_NAMES[raw_name] = name
        sections.append(Section(name, va, vsize, raw_ptr, raw_size, chars))
    return tuple(sections)


_SECTION_NAMES: dict[bytes, str] = {}
_SECTION = struct.Struct("<8sIIIIIIHHI")  # IMAGE_SECTION_HEADER
_DEBUG_ENTRY = struct.Struct("<IIHHIIII")  # IMAGE_DEBUG_DIRECTORY


def _rva_to_offset(sections: tuple[Section, ...], rva: int) -> tuple[Section, int] | None:
    """SRM ``TryGetDirectoryOffset``: the first section containing ``rva`` and the file offset it maps to."""
    for section in sections:
        if section.contains_rva(rva):
            return section, (section.pointer_to_raw_data + rva - section.virtual_address) & 0xFFFF_FFFF
    return None


def _in_file(src: ByteSource, offset: int, length: int) -> bool:
    return offset + length <= src.size


def _fits_section(section: Section, rva: int, size: int) -> bool:
    """SRM ``TryGetDirectoryOffset(canCrossSectionBoundary: false)``: size <= VirtualSize - (rva - VirtualAddress)."""
    return _i32(size) <= _i32(section.virtual_size) - (_i32(rva) - _i32(section.virtual_address))


def _cli_metadata(src: ByteSource, sections: tuple[Section, ...],
                  cli: tuple[int, int]) -> tuple[str | None, tuple[int, int] | None]:
    """SRM ``PEHeaders`` CLI-header checks (``TryCalculateCorHeaderOffset``, ``CalculateMetadataLocation``): (the
    header error SRM throws for, or None; the metadata's (file offset, size) when the CLI header leads to it without
    error, else None)."""
    located = _rva_to_offset(sections, cli[0])
    if located is None:
        return None, None  # SRM: no CLI header, hence no metadata; not an error
    cor_section, cor_offset = located
    if not _fits_section(cor_section, cli[0], cli[1]):
        return f"CLI header (size {cli[1]}) does not fit in section {cor_section.name!r}", None
    if _i32(cli[1]) < COR_HEADER_SIZE:
        return f"CLI header size {cli[1]} is smaller than {COR_HEADER_SIZE} bytes", None
    if not _in_file(src, cor_offset, COR_HEADER_SIZE):
        return f"CLI header at offset {cor_offset} lies outside the file", None
    md_rva, md_size = struct.unpack("<II", src.read(cor_offset + 8, 8))
    md_located = _rva_to_offset(sections, md_rva)
    if md_located is None:
        return f"metadata RVA 0x{md_rva:X} is not inside any section", None
    md_section, md_offset = md_located
    if not _fits_section(md_section, md_rva, md_size):
        return f"metadata (size {md_size}) does not fit in section {md_section.name!r}", None
    if _i32(md_size) <= 0 or not _in_file(src, md_offset, md_size):
        return f"metadata at offset {md_offset} (size {md_size}) lies outside the file", None
    return None, (md_offset, md_size)


# ---------------------------------------------------------------------------------------- debug directory


def _read_debug_directory(
    src: ByteSource, sections: tuple[Section, ...], directory: tuple[int, int]
) -> tuple[tuple[DebugEntry, ...], str | None]:
    """SRM ``PEReader.ReadDebugDirectory``: (entries, None) or ((), the reason SRM throws BadImageFormat)."""
    rva, size = directory
    if size == 0:
        return (), None
    located = _rva_to_offset(sections, rva)
    if located is None:
        return (), f"debug directory RVA 0x{rva:X} is not inside any section"
    if _i32(size) % DEBUG_ENTRY_SIZE != 0:
        return (), f"debug directory size {size} is not a multiple of {DEBUG_ENTRY_SIZE}"
    _, offset = located
    if not _in_file(src, offset, size):
        return (), f"debug directory at offset {offset} (size {size}) lies outside the file"
    count = size // DEBUG_ENTRY_SIZE
    if count > MAX_DEBUG_ENTRIES:
        raise ReaderLimitError(f"debug directory has {count} entries; at most {MAX_DEBUG_ENTRIES} are read")
    table = src.read(offset, size)
    entries = tuple(DebugEntry(index, *fields) for index, fields in enumerate(_DEBUG_ENTRY.iter_unpack(table)))
    bad = next((e for e in entries if e.characteristics != 0), None)
    if bad is not None:
        return (), f"debug directory entry #{bad.index} has non-zero Characteristics 0x{bad.characteristics:X}"
    return entries, None


def _entry_data(src: ByteSource, entry: DebugEntry, cap: int) -> bytes:
    """Up to ``cap`` bytes of the entry's data at PointerToRawData (SRM reads a file image by pointer, not RVA)."""
    check_range(src.size, entry.pointer, entry.size, f"debug entry #{entry.index} data")
    return src.read(entry.pointer, min(entry.size, cap))


def decode_codeview(entry: DebugEntry, data: bytes) -> CodeView:
    """SRM ``DecodeCodeViewDebugDirectoryData`` over ``data`` (the entry's data, possibly capped)."""
    if len(data) < len(CODEVIEW_SIGNATURE) or data[:4] != CODEVIEW_SIGNATURE:
        raise FormatError(f"CodeView entry #{entry.index} does not start with 'RSDS'")
    if len(data) < CODEVIEW_FIXED_SIZE:
        raise FormatError(f"CodeView entry #{entry.index} data is shorter than {CODEVIEW_FIXED_SIZE} bytes")
    guid_bytes = data[4:20]
    age = struct.unpack_from("<I", data, 20)[0]
    raw_path, terminator, padding = data[CODEVIEW_FIXED_SIZE:].partition(b"\0")
    if not terminator and len(data) < entry.size:
        raise ReaderLimitError(f"CodeView entry #{entry.index} path is longer than {MAX_CODEVIEW_BYTES} bytes")
    return CodeView(
        guid=uuid.UUID(bytes_le=guid_bytes),
        guid_bytes=guid_bytes,
        age=age,
        path=raw_path.decode("utf-8", errors="replace"),
        path_padding_ok=not padding.strip(b"\0"),
        entry=entry,
    )


def decode_pdb_checksum(entry: DebugEntry, data: bytes) -> PdbChecksum:
    """SRM ``DecodePdbChecksumDebugDirectoryData``: NUL-terminated UTF-8 name, then the checksum; neither empty."""
    raw_name, _, checksum = data.partition(b"\0")
    if not raw_name or not checksum:
        raise FormatError(f"PdbChecksum entry #{entry.index} has an empty algorithm name or checksum")
    return PdbChecksum(raw_name.decode("utf-8", errors="replace"), checksum, entry)


def decode_embedded_header(entry: DebugEntry, header: bytes) -> EmbeddedPdb:
    """SRM ``ValidateEmbeddedPortablePdbVersion`` and the blob header part of ``DecodeEmbeddedPortablePdb...``."""
    if entry.major < PORTABLE_PDB_MIN_VERSION:
        raise FormatError(f"embedded PDB entry #{entry.index}: unsupported portable PDB version 0x{entry.major:04X}")
    if entry.minor != EMBEDDED_BLOB_VERSION:
        raise FormatError(f"embedded PDB entry #{entry.index}: unsupported embedded blob version 0x{entry.minor:04X}")
    if len(header) < len(EMBEDDED_SIGNATURE) or header[:4] != EMBEDDED_SIGNATURE:
        raise FormatError(f"embedded PDB entry #{entry.index} does not start with 'MPDB'")
    if len(header) < EMBEDDED_HEADER_SIZE:
        raise FormatError(f"embedded PDB entry #{entry.index} is too short for its header")
    size = struct.unpack_from("<I", header, 4)[0]
    if _i32(size) < 0:
        raise FormatError(f"embedded PDB entry #{entry.index}: uncompressed size 0x{size:X} is too big")
    return EmbeddedPdb(size, entry.size - EMBEDDED_HEADER_SIZE, entry)


def inflate_embedded_pdb(src: ByteSource, embedded: EmbeddedPdb, limit: int) -> bytes:
    """Inflate the raw-deflate embedded PDB with SRM's checks (binary-formats.md §2.6).

    The result must be exactly ``uncompressed_size`` bytes with no further output; bytes after the end of the
    deflate stream are ignored, as .NET's DeflateStream ignores them. ReaderLimitError if the declared size is
    above ``limit``.
    """
    entry = embedded.entry
    header = _entry_data(src, entry, EMBEDDED_HEADER_SIZE)
    expected = decode_embedded_header(entry, header).uncompressed_size
    if expected > limit:
        raise ReaderLimitError(f"embedded PDB entry #{entry.index} declares {expected} bytes, over the limit {limit}")
    inflater = zlib.decompressobj(-15)
    out = bytearray()
    pos, end = embedded.compressed_offset, entry.pointer + entry.size
    try:
        while pos < end and not inflater.eof:
            chunk = src.read(pos, min(_INFLATE_CHUNK, end - pos))
            pos += len(chunk)
            out += inflater.decompress(chunk, expected + 1 - len(out))
            if len(out) > expected:
                raise FormatError(f"embedded PDB entry #{entry.index} inflates to more than {expected} bytes")
    except zlib.error as exc:
        raise FormatError(f"embedded PDB entry #{entry.index}: invalid deflate data ({exc})") from exc
    if len(out) != expected:
        raise FormatError(f"embedded PDB entry #{entry.index} inflates to {len(out)} bytes, not {expected}")
    return bytes(out)


def _decode_entries(
    src: ByteSource, entries: tuple[DebugEntry, ...], portable: DebugEntry | None, embedded: DebugEntry | None
) -> tuple[tuple[CodeView, ...], tuple[PdbChecksum, ...], EmbeddedPdb | None, tuple[DebugDataError, ...]]:
    """Decode the data SRM may read: CodeView and PdbChecksum entries, and the embedded PDB entry SRM picks
    (`portable` and `embedded` are members of `entries`, so they are found by identity)."""
    codeviews: list[CodeView] = []
    checksums: list[PdbChecksum] = []
    header: EmbeddedPdb | None = None
    errors: list[DebugDataError] = []
    for entry in entries:
        try:
            if entry is portable and entry.type != DEBUG_CODEVIEW:
                raise UncaughtError(
                    f"entry #{entry.index} is marked portable CodeView but has type {entry.type}"
                    " (SRM throws ArgumentException)"
                )
            if entry.type == DEBUG_CODEVIEW and entry.size != 0:
                codeviews.append(decode_codeview(entry, _entry_data(src, entry, MAX_CODEVIEW_BYTES)))
            elif entry.type == DEBUG_PDB_CHECKSUM:
                data = _entry_data(src, entry, MAX_PDB_CHECKSUM_BYTES)
                if entry.size > MAX_PDB_CHECKSUM_BYTES:
                    raise ReaderLimitError(f"PdbChecksum entry #{entry.index} exceeds {MAX_PDB_CHECKSUM_BYTES} bytes")
                checksums.append(decode_pdb_checksum(entry, data))
            elif entry is embedded:
                header = decode_embedded_header(entry, _entry_data(src, entry, EMBEDDED_HEADER_SIZE))
        except FormatError as exc:
            errors.append(DebugDataError(entry, str(exc), isinstance(exc, ReaderLimitError),
                                         isinstance(exc, UncaughtError)))
    return tuple(codeviews), tuple(checksums), header, tuple(errors)


class _HeadFirst:
    """A ByteSource that reads the header prefix once and answers every read inside it from memory (a small
    assembly is all prefix): the readers above ask for a dozen small ranges, each a call into the zip otherwise."""

    __slots__ = ("_src", "_head", "size")

    def __init__(self, src: ByteSource):
        self._src = src
        self.size = src.size
        self._head = src.read(0, min(src.size, MAX_HEADER_BYTES))

    def read(self, offset: int, length: int) -> bytes:
        end = offset + length
        if offset >= 0 and length >= 0 and end <= len(self._head):
            return self._head[offset:end]
        return self._src.read(offset, length)


def read_pe(src: ByteSource) -> PEImage:
    """Read the headers and debug directory of a PE image. FormatError if it is not a readable PE at all."""
    src = _HeadFirst(src)
    headers = _parse_headers(src)
    sections = _read_sections(src, headers)
    cli = _data_directory(src, headers, _CLI_DIRECTORY_INDEX)
    entries, debug_error = _read_debug_directory(src, sections, _data_directory(src, headers, _DEBUG_DIRECTORY_INDEX))
    header_error, metadata = _cli_metadata(src, sections, cli)
    codeviews, checksums, embedded, errors = _decode_entries(
        src,
        entries,
        _srm_first(entries, lambda e: e.is_portable_codeview),
        _srm_first(entries, lambda e: e.type == DEBUG_EMBEDDED_PORTABLE_PDB),
    )
    return PEImage(
        machine=headers.machine,
        is_pe32_plus=headers.is_pe32_plus,
        timestamp=headers.timestamp,
        characteristics=headers.characteristics,
        is_dotnet=cli[0] != 0 and cli[1] != 0,
        sections=sections,
        header_error=header_error,
        debug_error=debug_error,
        debug_entries=entries,
        codeviews=codeviews,
        checksums=checksums,
        embedded=embedded,
        data_errors=errors,
        size_of_image=headers.size_of_image,
        metadata=metadata,
    )


# ------------------------------------------------------------------------------ metadata (for formats/pe_metadata)


def metadata_range(src: ByteSource) -> tuple[int, int] | None:
    """(file offset, size) of the ECMA-335 metadata the CLI header points at, or None when the image has none or
    SRM would refuse its headers (``PEImage.header_error``)."""
    try:
        headers = _parse_headers(src)
        sections = _read_sections(src, headers)
        return _cli_metadata(src, sections, _data_directory(src, headers, _CLI_DIRECTORY_INDEX))[1]
    except FormatError:
        return None
