"""Writes minimal PE images with a chosen debug directory (binary-formats.md §2), for tests.

The image has one ``.text`` section (RVA 0x2000, file offset 0x200) holding a CLI header (data directory 14, so
the image counts as .NET), a metadata stub, the debug directory and each entry's data, with AddressOfRawData and
PointerToRawData both set. It parses in pefile without warnings; it is not a runnable assembly.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from snupkg_lint.formats.pe import (
    DEBUG_CODEVIEW,
    DEBUG_EMBEDDED_PORTABLE_PDB,
    DEBUG_PDB_CHECKSUM,
    DEBUG_REPRODUCIBLE,
    PORTABLE_CODEVIEW_MINOR,
)

TEXT_RVA = 0x2000
TEXT_FILE_OFFSET = 0x200
FILE_ALIGNMENT = 0x200
SECTION_ALIGNMENT = 0x2000
E_LFANEW = 0x80
DEFAULT_TIMESTAMP = 0x9A41E9ED
PORTABLE_PDB_VERSION = 0x0100
METADATA_STUB = b"BSJB" + bytes(60)

_MACHINE_I386 = 0x14C
_MACHINE_AMD64 = 0x8664
_CHARACTERISTICS_EXE = 0x0022  # EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE
_IMAGE_FILE_DLL = 0x2000
_DLL_CHARACTERISTICS = 0x8560  # DYNAMIC_BASE | NX_COMPAT | NO_SEH | TERMINAL_SERVER_AWARE
_TEXT_CHARACTERISTICS = 0x60000020  # CNT_CODE | MEM_EXECUTE | MEM_READ
_COR_HEADER_SIZE = 72


@dataclass(frozen=True)
class CodeViewSpec:
    """A CodeView entry. ``portable`` → Major 0x0100 / Minor 0x504D, else Windows 0 / 0 (binary-formats.md §2.3).

    ``signature`` and ``padding`` (bytes written after the path's NUL) allow corrupt records.
    """

    guid: uuid.UUID
    age: int = 1
    path: str = "C:\\src\\obj\\Lib.pdb"
    stamp: int = 0x12345678
    portable: bool = True
    signature: bytes = b"RSDS"
    padding: bytes = b""


@dataclass(frozen=True)
class RawEntry:
    """Any debug directory entry. ``size``/``pointer``/``rva`` override the values the builder would write."""

    type: int
    data: bytes = b""
    stamp: int = 0
    major: int = 0
    minor: int = 0
    characteristics: int = 0
    size: int | None = None
    pointer: int | None = None
    rva: int | None = None


def portable_codeview_for(pdb_id: bytes, path: str = "C:\\src\\obj\\Lib.pdb") -> CodeViewSpec:
    """The portable CodeView spec whose GUID + stamp equal the 20-byte PDB id (binary-formats.md §2.3)."""
    if len(pdb_id) != 20:
        raise ValueError("a portable PDB id is 20 bytes")
    return CodeViewSpec(uuid.UUID(bytes_le=pdb_id[:16]), path=path, stamp=struct.unpack("<I", pdb_id[16:])[0])


def codeview_entry(spec: CodeViewSpec) -> RawEntry:
    """The RSDS record for ``spec`` (§2.3)."""
    data = spec.signature + spec.guid.bytes_le + struct.pack("<I", spec.age) + spec.path.encode() + b"\0" + spec.padding
    if spec.portable:
        return RawEntry(DEBUG_CODEVIEW, data, spec.stamp, PORTABLE_PDB_VERSION, PORTABLE_CODEVIEW_MINOR)
    return RawEntry(DEBUG_CODEVIEW, data, spec.stamp)


def pdb_checksum_entry(algorithm: str, digest: bytes) -> RawEntry:
    """A PdbChecksum record: Major 1, Minor 0, stamp 0 (§2.5)."""
    return RawEntry(DEBUG_PDB_CHECKSUM, algorithm.encode() + b"\0" + digest, major=1)


def embedded_pdb_entry(
    pdb: bytes,
    *,
    signature: bytes = b"MPDB",
    declared_size: int | None = None,
    major: int = PORTABLE_PDB_VERSION,
    minor: int = 0x0100,
    trailing: bytes = b"",
) -> RawEntry:
    """An EmbeddedPortablePdb record: ``MPDB``, UncompressedSize, raw deflate of ``pdb``, then ``trailing`` (§2.6)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    blob = compressor.compress(pdb) + compressor.flush()
    size = len(pdb) if declared_size is None else declared_size
    return RawEntry(
        DEBUG_EMBEDDED_PORTABLE_PDB, signature + struct.pack("<I", size) + blob + trailing, major=major, minor=minor
    )


def build_pe(
    *,
    codeview: Sequence[CodeViewSpec] | None = None,
    checksums: Sequence[tuple[str, bytes]] | None = None,
    reproducible: bool = True,
    embedded_pdb: bytes | None = None,
    extra_entries: Sequence[RawEntry] = (),
    dll: bool = True,
    pe32_plus: bool = False,
    timestamp: int = DEFAULT_TIMESTAMP,
    debug_rva: int | None = None,
    debug_size: int | None = None,
) -> bytes:
    """A PE image whose debug directory lists, in order: CodeView entries, PdbChecksum entries, Reproducible,
    EmbeddedPortablePdb, then ``extra_entries``. ``debug_rva``/``debug_size`` override data directory 6."""
    entries = [codeview_entry(spec) for spec in codeview or ()]
    entries += [pdb_checksum_entry(name, digest) for name, digest in checksums or ()]
    if reproducible:
        entries.append(RawEntry(DEBUG_REPRODUCIBLE))
    if embedded_pdb is not None:
        entries.append(embedded_pdb_entry(embedded_pdb))
    entries += extra_entries
    return build_pe_from_entries(
        entries, dll=dll, pe32_plus=pe32_plus, timestamp=timestamp, debug_rva=debug_rva, debug_size=debug_size
    )


def build_pe_from_entries(
    entries: Sequence[RawEntry],
    *,
    dll: bool = True,
    pe32_plus: bool = False,
    timestamp: int = DEFAULT_TIMESTAMP,
    debug_rva: int | None = None,
    debug_size: int | None = None,
) -> bytes:
    """A PE image whose debug directory is exactly ``entries`` (an empty list gives an empty data directory 6)."""
    text, directory_offset = _text_section(entries)
    directory = (
        TEXT_RVA + directory_offset if debug_rva is None else debug_rva,
        len(entries) * 28 if debug_size is None else debug_size,
    )
    if not entries and debug_rva is None and debug_size is None:
        directory = (0, 0)
    raw_size = _align(len(text), FILE_ALIGNMENT)
    headers = _headers(
        dll=dll,
        pe32_plus=pe32_plus,
        timestamp=timestamp,
        text_size=len(text),
        raw_size=raw_size,
        debug_directory=directory,
    )
    return headers.ljust(TEXT_FILE_OFFSET, b"\0") + text.ljust(raw_size, b"\0")


def _align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def _text_section(entries: Sequence[RawEntry]) -> tuple[bytes, int]:
    """``.text``: CLI header, metadata stub, debug directory, entry data; returns it and the directory's offset."""
    metadata_offset = _COR_HEADER_SIZE
    cor_header = struct.pack(
        "<IHHIIII", _COR_HEADER_SIZE, 2, 5, TEXT_RVA + metadata_offset, len(METADATA_STUB), 1, 0
    ).ljust(_COR_HEADER_SIZE, b"\0")
    directory_offset = metadata_offset + len(METADATA_STUB)
    data_offset = directory_offset + 28 * len(entries)
    records, blobs = [], b""
    for entry in entries:
        offset = _align(data_offset + len(blobs), 4) if entry.data else 0
        blobs = blobs.ljust(offset - data_offset, b"\0") + entry.data if entry.data else blobs
        records.append(
            struct.pack(
                "<IIHHIIII",
                entry.characteristics,
                entry.stamp,
                entry.major,
                entry.minor,
                entry.type,
                len(entry.data) if entry.size is None else entry.size,
                (TEXT_RVA + offset if entry.data else 0) if entry.rva is None else entry.rva,
                (TEXT_FILE_OFFSET + offset if entry.data else 0) if entry.pointer is None else entry.pointer,
            )
        )
    return cor_header + METADATA_STUB + b"".join(records) + blobs, directory_offset


def _headers(
    *, dll: bool, pe32_plus: bool, timestamp: int, text_size: int, raw_size: int, debug_directory: tuple[int, int]
) -> bytes:
    """DOS header, PE signature, COFF header, optional header (16 data directories) and the section table."""
    dos = (b"MZ" + bytes(0x3A) + struct.pack("<I", E_LFANEW)).ljust(E_LFANEW, b"\0")
    optional_size = 240 if pe32_plus else 224
    coff = struct.pack(
        "<HHIIIHH",
        _MACHINE_AMD64 if pe32_plus else _MACHINE_I386,
        1,
        timestamp,
        0,
        0,
        optional_size,
        _CHARACTERISTICS_EXE | (_IMAGE_FILE_DLL if dll else 0),
    )
    image_size = TEXT_RVA + _align(text_size, SECTION_ALIGNMENT)
    image_base = 0x10000000 if dll else 0x400000
    if pe32_plus:
        standard = struct.pack("<HBBIIIII", 0x20B, 8, 0, raw_size, 0, 0, TEXT_RVA, TEXT_RVA)
        image_base_field = struct.pack("<Q", image_base)
        sizes = struct.pack("<QQQQ", 0x400000, 0x4000, 0x100000, 0x2000)
    else:
        standard = struct.pack("<HBBIIIIII", 0x10B, 8, 0, raw_size, 0, 0, TEXT_RVA, TEXT_RVA, 0)
        image_base_field = struct.pack("<I", image_base)
        sizes = struct.pack("<IIII", 0x100000, 0x1000, 0x100000, 0x1000)
    windows = struct.pack(
        "<IIHHHHHHIIIIHH",
        SECTION_ALIGNMENT,
        FILE_ALIGNMENT,
        4,
        0,
        0,
        0,
        4,
        0,
        0,
        image_size,
        TEXT_FILE_OFFSET,
        0,
        3,
        _DLL_CHARACTERISTICS,
    )
    directories = [(0, 0)] * 16
    directories[6] = debug_directory
    directories[14] = (TEXT_RVA, _COR_HEADER_SIZE)
    optional = (
        standard
        + image_base_field
        + windows
        + sizes
        + struct.pack("<II", 0, 16)
        + b"".join(struct.pack("<II", rva, size) for rva, size in directories)
    )
    assert len(optional) == optional_size
    section = struct.pack(
        "<8sIIIIIIHHI", b".text", text_size, TEXT_RVA, raw_size, TEXT_FILE_OFFSET, 0, 0, 0, 0, _TEXT_CHARACTERISTICS
    )
    return dos + b"PE\0\0" + coff + optional + section


def relocate_headers(data: bytes, at: int) -> bytes:
    """The same image with its NT headers and section table copied to file offset `at` (the file padded with
    zeros up to there) and e_lfanew pointing there; section data stays where it is, so nothing else moves."""
    e_lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    sections, optional = struct.unpack_from("<H12xH", data, e_lfanew + 6)
    headers = data[e_lfanew : e_lfanew + 24 + optional + 40 * sections]
    padded = data + bytes(max(0, at - len(data)))
    return padded[:0x3C] + struct.pack("<I", at) + padded[0x40:at] + headers
