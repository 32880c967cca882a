"""Build minimal, structurally valid PDBs in code, for tests.

``build_portable_pdb`` writes a standalone portable PDB the way Roslyn lays one out
(binary-formats.md §3–§5; ECMA-335 II.24):

    metadata root "BSJB" | stream headers | #Pdb | #~ | #Strings | #US | #GUID | #Blob

- ``#Pdb`` holds the 20-byte id, the EntryPoint token, ReferencedTypeSystemTables and one row count per referenced
  type-system table (§3.3);
- ``#~`` holds the debug tables Document (0x30), MethodDebugInformation (0x31, one row per MethodDef),
  ImportScope (0x35, the global scope) and CustomDebugInformation (0x37, sorted by Parent), with 2- or 4-byte
  indexes chosen by the rules of §3.5;
- every stream is padded to a 4-byte boundary.

``build_windows_pdb`` writes an MSF 7.00 container (§2.7) whose stream 1 is a PDB info stream.

The builder deliberately re-implements the encoding instead of sharing code with the reader, so the round-trip tests
check the reader against an independent spelling of the format.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

SHA1_GUID = uuid.UUID("ff1816ec-aa5e-4d10-87f7-6f4963833460")
SHA256_GUID = uuid.UUID("8829d00f-11b8-4213-878b-770e8597ac16")
MD5_GUID = uuid.UUID("406ea660-64cf-4c82-b6f0-42d48172a799")
CSHARP_GUID = uuid.UUID("3f5162f8-07c6-11d3-9053-00c04fa302a1")
FSHARP_GUID = uuid.UUID("ab4f38c9-b6e6-43ba-be3b-58080b2ccce3")
SOURCE_LINK_KIND = uuid.UUID("cc110556-a091-4d38-9fec-25ab9a351a6a")
EMBEDDED_SOURCE_KIND = uuid.UUID("0e8a571b-6926-466e-b4ad-8ab04611f5fe")
COMPILATION_OPTIONS_KIND = uuid.UUID("b5feec05-8cd0-4a83-96da-466284bb4bd8")
COMPILATION_METADATA_REFERENCES_KIND = uuid.UUID("7e4d4708-096e-4c5c-aeda-cb10ba6a740d")

DEFAULT_PDB_ID = uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0").bytes_le + struct.pack("<I", 0x80C0FFEE)
DEFAULT_DOCUMENTS = (("/_/src/A.cs", SHA256_GUID, b"\x11" * 32, CSHARP_GUID),)
DEFAULT_TYPE_SYSTEM_ROWS = {0x00: 1, 0x02: 2, 0x06: 1}  # Module, TypeDef, MethodDef
DEFAULT_STREAM_ORDER = ("#Pdb", "#~", "#Strings", "#US", "#GUID", "#Blob")

EMBEDDED_SOURCE_COMPRESSION_THRESHOLD = 200  # Roslyn EmbeddedText.CompressionThreshold

DOCUMENT, METHOD_DEBUG_INFORMATION, IMPORT_SCOPE, CUSTOM_DEBUG_INFORMATION = 0x30, 0x31, 0x35, 0x37
METHOD_DEF = 0x06
# HasCustomDebugInformation tags (§4) for the two parents this builder uses.
_TAG_MODULE, _TAG_DOCUMENT = 7, 22
_HCDI_TABLES = (0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00, 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B,
                0x20, 0x23, 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B, 0x30, 0x32, 0x33, 0x34, 0x35)  # fmt: skip


class MetadataReferenceLike(Protocol):
    """One CompilationMetadataReferences record (the reader's ``MetadataReference`` fits)."""

    file_name: str
    aliases: list[str]
    flags: int
    timestamp: int
    image_size: int
    mvid: uuid.UUID


DocumentSpec = tuple[str, "uuid.UUID | None", bytes, "uuid.UUID | None"]  # name, hash algorithm, hash, language


def compressed_uint(value: int) -> bytes:
    """ECMA-335 II.23.2: 1, 2 or 4 big-endian bytes with the width in the top bits of the first byte."""
    if value < 0x80:
        return bytes([value])
    if value < 0x4000:
        return struct.pack(">H", 0x8000 | value)
    if value < 0x20000000:
        return struct.pack(">I", 0xC0000000 | value)
    raise ValueError(f"{value} does not fit a compressed integer")


def _align4(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


class _Heaps:
    """#Blob and #GUID heaps being built; both deduplicate like Roslyn's MetadataBuilder."""

    def __init__(self) -> None:
        self.blob = bytearray(b"\0")  # offset 0 is the empty blob
        self._blobs: dict[bytes, int] = {b"": 0}
        self.guids: list[uuid.UUID] = []

    def add_blob(self, data: bytes) -> int:
        if data not in self._blobs:
            self._blobs[data] = len(self.blob)
            self.blob += compressed_uint(len(data)) + data
        return self._blobs[data]

    def add_guid(self, value: uuid.UUID | None) -> int:
        """1-based #GUID index; 0 = nil."""
        if value is None:
            return 0
        if value not in self.guids:
            self.guids.append(value)
        return self.guids.index(value) + 1


def document_name_blob(heaps: _Heaps, name: str) -> bytes:
    """§4.1: a separator byte, then one compressed #Blob index per UTF-8 part."""
    separator = "/" if "/" in name else "\\" if "\\" in name else ""
    parts = name.split(separator) if separator else [name]
    encoded = b"".join(compressed_uint(heaps.add_blob(part.encode("utf-8"))) for part in parts)
    return separator.encode("ascii").ljust(1, b"\0") + encoded


def embedded_source_blob(content: bytes) -> bytes:
    """§5.3 EmbeddedSource: ``int32 format`` + content; format = uncompressed size when raw-Deflate compressed."""
    if len(content) < EMBEDDED_SOURCE_COMPRESSION_THRESHOLD:
        return struct.pack("<i", 0) + content
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    return struct.pack("<i", len(content)) + deflater.compress(content) + deflater.flush()


def metadata_references_blob(references: Iterable[MetadataReferenceLike]) -> bytes:
    """§5.3: ``(file-name\\0 aliases\\0 u8 flags u32 timestamp u32 imageSize MVID)+``."""
    return b"".join(
        r.file_name.encode() + b"\0" + ",".join(r.aliases).encode() + b"\0"
        + struct.pack("<BII", r.flags, r.timestamp, r.image_size) + r.mvid.bytes_le
        for r in references
    )  # fmt: skip


class _Widths:
    """Index sizes of §3.5: heap indexes by HeapSizes, table indexes by row count."""

    def __init__(self, heap_sizes: int, rows: Mapping[int, int]):
        self.heap_sizes = heap_sizes
        self.rows = rows

    def heap(self, bit: int) -> str:
        return "I" if self.heap_sizes & bit else "H"

    def table(self, table: int) -> str:
        return "H" if self.rows.get(table, 0) < 0x10000 else "I"

    def has_custom_debug_information(self) -> str:
        return "H" if all(self.rows.get(t, 0) < 1 << 11 for t in _HCDI_TABLES) else "I"


def _table_stream(tables: Mapping[int, list[tuple[int, ...]]], formats: Mapping[int, str], heap_sizes: int) -> bytes:
    """#~ (§3.4): header, row counts of the non-empty tables, then their rows in ascending table order."""
    present = sorted(t for t, rows in tables.items() if rows)
    valid = sum(1 << t for t in present)
    sorted_mask = (1 << 0x32) | (1 << 0x36) | (1 << CUSTOM_DEBUG_INFORMATION)
    header = struct.pack("<IBBBBQQ", 0, 2, 0, heap_sizes, 1, valid, sorted_mask)
    header += b"".join(struct.pack("<I", len(tables[t])) for t in present)
    rows = b"".join(struct.pack("<" + formats[t], *row) for t in present for row in tables[t])
    return _align4(header + rows)


def _pdb_stream(pdb_id: bytes, entry_point: int, type_system_rows: Mapping[int, int]) -> bytes:
    """#Pdb (§3.3): id, EntryPoint, ReferencedTypeSystemTables, then the row counts in ascending table order."""
    referenced = sum(1 << t for t in type_system_rows)
    counts = b"".join(struct.pack("<I", type_system_rows[t]) for t in sorted(type_system_rows))
    return pdb_id + struct.pack("<IQ", entry_point, referenced) + counts


def _metadata(version_string: str, streams: Sequence[tuple[str, bytes]]) -> bytes:
    """Metadata root (§3.1) + stream headers (§3.2) + stream data; offsets are from the root = file offset 0."""
    version = _align4(version_string.encode("utf-8") + b"\0")
    headers_size = sum(8 + len(_align4(name.encode("ascii") + b"\0")) for name, _ in streams)
    offset = 16 + len(version) + 4 + headers_size
    headers = b""
    for name, data in streams:
        headers += struct.pack("<II", offset, len(data)) + _align4(name.encode("ascii") + b"\0")
        offset += len(data)
    root = b"BSJB" + struct.pack("<HHII", 1, 1, 0, len(version)) + version + struct.pack("<HH", 0, len(streams))
    return b"".join([root, headers, *(data for _, data in streams)])


def build_portable_pdb(
    *,
    pdb_id: bytes = DEFAULT_PDB_ID,
    documents: Sequence[DocumentSpec] = DEFAULT_DOCUMENTS,
    source_link: str | None = None,
    embedded_sources: Mapping[int, bytes] | None = None,
    compilation_options: Mapping[str, str] | None = None,
    metadata_references: Sequence[MetadataReferenceLike] | None = None,
    type_system_rows: Mapping[int, int] = DEFAULT_TYPE_SYSTEM_ROWS,
    entry_point: int = 0,
    padding: int = 0,
    version_string: str = "PDB v1.0",
    stream_order: Sequence[str] | None = None,
) -> bytes:
    """A standalone portable PDB. ``embedded_sources`` maps a 1-based document row to its content; ``padding`` zero
    bytes are appended to the #Blob heap; ``stream_order`` lists the streams to write, in order (a name left out is
    not written, so tests can drop a stream)."""
    if len(pdb_id) != 20:
        raise ValueError("a PDB id is 20 bytes: 16-byte GUID + 4-byte stamp")
    heaps = _Heaps()
    module_cdis: list[tuple[uuid.UUID, bytes]] = []
    if source_link is not None:
        module_cdis.append((SOURCE_LINK_KIND, source_link.encode("utf-8")))
    if compilation_options is not None:
        options = b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in compilation_options.items())
        module_cdis.append((COMPILATION_OPTIONS_KIND, options))
    if metadata_references is not None:
        module_cdis.append((COMPILATION_METADATA_REFERENCES_KIND, metadata_references_blob(metadata_references)))

    document_rows = [
        (heaps.add_blob(document_name_blob(heaps, name)), heaps.add_guid(algorithm), heaps.add_blob(hash_),
         heaps.add_guid(language))
        for name, algorithm, hash_, language in documents
    ]  # fmt: skip
    # CustomDebugInformation is sorted by its Parent coded index: (row << 5) | tag.
    cdi_rows = [((1 << 5) | _TAG_MODULE, heaps.add_guid(kind), heaps.add_blob(value)) for kind, value in module_cdis]
    for row, content in sorted((embedded_sources or {}).items()):
        blob = heaps.add_blob(embedded_source_blob(content))
        cdi_rows.append(((row << 5) | _TAG_DOCUMENT, heaps.add_guid(EMBEDDED_SOURCE_KIND), blob))
    cdi_rows.sort(key=lambda r: r[0])
    methods = type_system_rows.get(METHOD_DEF, 0)
    tables = {
        DOCUMENT: document_rows,
        METHOD_DEBUG_INFORMATION: [(1 if documents else 0, 0)] * methods,  # Document, no sequence points
        IMPORT_SCOPE: [(0, 0)],  # the global import scope: no parent, no imports
        CUSTOM_DEBUG_INFORMATION: cdi_rows,
    }

    blob_heap = bytes(heaps.blob) + b"\0" * padding
    blob_heap = _align4(blob_heap)
    heap_sizes = 0x04 if len(blob_heap) > 0xFFFF else 0  # #Strings and #GUID stay small here
    w = _Widths(heap_sizes, {**type_system_rows, **{t: len(rows) for t, rows in tables.items()}})
    blob, guid = w.heap(0x04), w.heap(0x02)
    formats = {
        DOCUMENT: blob + guid + blob + guid,
        METHOD_DEBUG_INFORMATION: w.table(DOCUMENT) + blob,
        IMPORT_SCOPE: w.table(IMPORT_SCOPE) + blob,
        CUSTOM_DEBUG_INFORMATION: w.has_custom_debug_information() + guid + blob,
    }
    streams = {
        "#Pdb": _pdb_stream(pdb_id, entry_point, type_system_rows),
        "#~": _table_stream(tables, formats, heap_sizes),
        "#Strings": _align4(b"\0"),
        "#US": _align4(b"\0"),
        "#GUID": b"".join(g.bytes_le for g in heaps.guids),
        "#Blob": blob_heap,
    }
    order = DEFAULT_STREAM_ORDER if stream_order is None else stream_order
    return _metadata(version_string, [(name, streams[name]) for name in order])


# -- Windows PDB (MSF 7.00) --------------------------------------------------------------------------------------

MSF7_MAGIC = b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\x00\x00\x00"
PDB_VERSION_VC70 = 20000404
_FEATURE_VC140 = 20140508


def _info_stream(guid: uuid.UUID, age: int, signature: int, names: Sequence[str], first_index: int) -> bytes:
    """PDB info stream (PdbStream.rst): header, then the named-stream map — a string buffer and a serialized hash
    table (HashTable.rst) of present buckets (offset in the buffer → stream index). Buckets are filled in order
    rather than by the name hash, which is enough for readers that enumerate the table."""
    strings, offsets = b"", []
    for name in names:
        offsets.append(len(strings))
        strings += name.encode() + b"\0"
    capacity = max(1, 2 * len(names))
    present_words = [0] * ((capacity + 31) // 32)
    for bucket in range(len(names)):
        present_words[bucket // 32] |= 1 << (bucket % 32)
    table = struct.pack("<II", len(names), capacity)
    table += struct.pack(f"<I{len(present_words)}I", len(present_words), *present_words)
    table += struct.pack("<I", 0)  # deleted bit vector: no words
    table += b"".join(struct.pack("<II", offset, first_index + i) for i, offset in enumerate(offsets))
    header = struct.pack("<III", PDB_VERSION_VC70, signature, age) + guid.bytes_le
    return header + struct.pack("<I", len(strings)) + strings + table + struct.pack("<II", 0, _FEATURE_VC140)


def build_windows_pdb(
    guid: uuid.UUID,
    age: int,
    *,
    signature: int = 0x5F3B1C2D,
    block_size: int = 512,
    named_streams: Mapping[str, bytes] | None = None,
) -> bytes:
    """A minimal MSF 7.00 file (MsfFile.rst): superblock in block 0, free block maps in blocks 1–2, then the
    stream data, the stream directory and finally the block map listing the directory's blocks.
    Streams: 0 (old directory, empty), 1 (PDB info), then one per named stream."""
    named = dict(named_streams or {})
    contents = [b"", _info_stream(guid, age, signature, list(named), 2), *named.values()]
    next_block = 3
    stream_blocks: list[list[int]] = []
    for data in contents:
        count = -(-len(data) // block_size)
        stream_blocks.append(list(range(next_block, next_block + count)))
        next_block += count
    directory = struct.pack("<I", len(contents)) + b"".join(struct.pack("<I", len(d)) for d in contents)
    directory += b"".join(struct.pack("<I", b) for blocks in stream_blocks for b in blocks)
    dir_count = -(-len(directory) // block_size)
    dir_blocks = list(range(next_block, next_block + dir_count))
    map_block = next_block + dir_count
    num_blocks = map_block + 1

    image = bytearray(num_blocks * block_size)

    def put(block: int, data: bytes) -> None:
        image[block * block_size : block * block_size + len(data)] = data

    put(0, MSF7_MAGIC + struct.pack("<6I", block_size, 1, num_blocks, len(directory), 0, map_block))
    for data, blocks in [*zip(contents, stream_blocks), (directory, dir_blocks)]:
        for i, block in enumerate(blocks):
            put(block, data[i * block_size : (i + 1) * block_size])
    put(map_block, b"".join(struct.pack("<I", b) for b in dir_blocks))
    return bytes(image)


def with_empty_table(pdb: bytes, table: int) -> bytes:
    """The PDB with `table` added to its #~ Valid mask with a row count of 0 (inserted before the counts of
    higher tables), the #~ stream 4 bytes longer and the streams after it moved by 4. For a table below the
    debug tables only (its count precedes theirs)."""
    length = struct.unpack_from("<I", pdb, 12)[0]
    count_at = 16 + length + 2
    headers, at = [], count_at + 2
    for _ in range(struct.unpack_from("<H", pdb, count_at)[0]):
        end = pdb.index(b"\0", at + 8)
        headers.append((at, pdb[at + 8 : end]))
        at = (end + 4) & ~3
    tables = next(struct.unpack_from("<I", pdb, at)[0] for at, name in headers if name == b"#~")
    valid = struct.unpack_from("<Q", pdb, tables + 8)[0]
    below = bin(valid & ((1 << table) - 1)).count("1")
    counts = tables + 24 + 4 * below
    grown = bytearray(pdb[: tables + 8] + struct.pack("<Q", valid | 1 << table) + pdb[tables + 16 : counts]
                      + bytes(4) + pdb[counts:])
    for at, _ in headers:
        offset, size = struct.unpack_from("<II", grown, at)
        moved = offset + 4 if offset > tables else offset
        struct.pack_into("<II", grown, at, moved, size + 4 if offset == tables else size)
    return bytes(grown)
