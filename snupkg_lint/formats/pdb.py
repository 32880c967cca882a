"""Portable PDB reader (binary-formats.md §3–§5; dotnet/runtime PortablePdb-Metadata.md; ECMA-335 II.24).

:meth:`PortablePdb.open` reads only the metadata root, the stream headers, the ``#Pdb`` stream and the table-stream
header, and validates them the way SRM's ``MetadataReader`` does. Heaps and table rows are read later, on demand, by
the accessors. Every reader raises :class:`FormatError` (and nothing else) for structurally corrupt input; none of them
judges whether a well-formed PDB is *acceptable* — that is the checks' job.
"""

from __future__ import annotations

import functools
import re
import struct
import uuid
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator, TypeVar

from .msf import MSF7_MAGIC as MSF7_MAGIC  # re-exported: sniff() and callers use both readers from here
from .msf import WindowsPdb as WindowsPdb
from .records import quick_init
from .shared import Shared
from .source import ByteSource, FormatError, UncaughtError

PDB_SIGNATURE = b"BSJB"
MSF2_MAGIC = b"Microsoft C/C++ program database 2.00\r\n\x1aJG"


def format_pdb_id(raw: bytes) -> str:
    """A 20-byte portable PDB id as people read it: the GUID, then the stamp in hex."""
    return f"{uuid.UUID(bytes_le=bytes(raw[:16]))} / stamp 0x{struct.unpack('<I', bytes(raw[16:20]))[0]:08X}"


def sniff(head: bytes) -> str:
    """Classify a PDB by its first bytes: ``portable``, ``windows`` (MSF 7.00), ``msf2`` (VC6-era) or ``unknown``."""
    if head.startswith(PDB_SIGNATURE):
        return "portable"
    if head.startswith(MSF7_MAGIC):
        return "windows"
    if head.startswith(MSF2_MAGIC):
        return "msf2"
    return "unknown"


# §5.1 Document.HashAlgorithm
HASH_SHA1 = uuid.UUID("ff1816ec-aa5e-4d10-87f7-6f4963833460")
HASH_SHA256 = uuid.UUID("8829d00f-11b8-4213-878b-770e8597ac16")
HASH_MD5 = uuid.UUID("406ea660-64cf-4c82-b6f0-42d48172a799")
# §5.2 Document.Language
LANGUAGE_CSHARP = uuid.UUID("3f5162f8-07c6-11d3-9053-00c04fa302a1")
LANGUAGE_VB = uuid.UUID("3a12d0b8-c26c-11d0-b442-00a0244a1dd2")
LANGUAGE_FSHARP = uuid.UUID("ab4f38c9-b6e6-43ba-be3b-58080b2ccce3")
# §5.3 CustomDebugInformation.Kind
CDI_STATE_MACHINE_HOISTED_LOCAL_SCOPES = uuid.UUID("6da9a61e-f8c7-4874-be62-68bc5630df71")
CDI_DYNAMIC_LOCAL_VARIABLES = uuid.UUID("83c563c4-b4f3-47d5-b824-ba5441477ea8")
CDI_TUPLE_ELEMENT_NAMES = uuid.UUID("ed9fdf71-8879-4747-8ed3-fe5ede3ce710")
CDI_DEFAULT_NAMESPACE = uuid.UUID("58b2eab6-209f-4e4e-a22c-b2d0f910c782")
CDI_ENC_LOCAL_SLOT_MAP = uuid.UUID("755f52a8-91c5-45be-b4b8-209571e552bd")
CDI_ENC_LAMBDA_AND_CLOSURE_MAP = uuid.UUID("a643004c-0240-496f-a783-30d64f4979de")
CDI_ENC_STATE_MACHINE_STATE_MAP = uuid.UUID("8b78cd68-2ede-420b-980b-e15884b8aaa3")
CDI_EMBEDDED_SOURCE = uuid.UUID("0e8a571b-6926-466e-b4ad-8ab04611f5fe")
CDI_SOURCE_LINK = uuid.UUID("cc110556-a091-4d38-9fec-25ab9a351a6a")
CDI_COMPILATION_METADATA_REFERENCES = uuid.UUID("7e4d4708-096e-4c5c-aeda-cb10ba6a740d")
CDI_COMPILATION_OPTIONS = uuid.UUID("b5feec05-8cd0-4a83-96da-466284bb4bd8")
CDI_TYPE_DEFINITION_DOCUMENTS = uuid.UUID("932e74bc-dba9-4478-8d46-0f32a7bab3d3")
CDI_ASYNC_METHOD_STEPPING_INFORMATION = uuid.UUID("54fd2ac5-e925-401a-9c2a-f94f171072f8")
CDI_PRIMARY_CONSTRUCTOR_INFORMATION = uuid.UUID("9d40ace1-c703-4d0e-bf41-7243060a8fb5")

# ECMA-335 table numbers used here (§4).
MODULE, METHOD_DEF = 0x00, 0x06
DOCUMENT, METHOD_DEBUG_INFORMATION, LOCAL_SCOPE, LOCAL_VARIABLE = 0x30, 0x31, 0x32, 0x33
LOCAL_CONSTANT, IMPORT_SCOPE, STATE_MACHINE_METHOD, CUSTOM_DEBUG_INFORMATION = 0x34, 0x35, 0x36, 0x37

#: HasCustomDebugInformation coded index: tag (low 5 bits) → ECMA table number (§4).
HAS_CUSTOM_DEBUG_INFORMATION_TABLES = (
    0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00, 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B,
    0x20, 0x23, 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B, 0x30, 0x32, 0x33, 0x34, 0x35,
)  # fmt: skip
_HCDI_TAG_BITS = 5

# SRM TableMask.TypeSystemTables: Module (0x00) … GenericParamConstraint (0x2C), without the four tables SRM does
# not know (AssemblyProcessor 0x21, AssemblyOS 0x22, AssemblyRefProcessor 0x24, AssemblyRefOS 0x25).
_TYPE_SYSTEM_TABLES = ((1 << 0x2D) - 1) & ~sum(1 << t for t in (0x21, 0x22, 0x24, 0x25))
_PTR_AND_ENC_TABLES = sum(1 << t for t in (0x03, 0x05, 0x07, 0x13, 0x16, 0x1E, 0x1F))
_NOT_IN_COMPRESSED = sum(1 << t for t in (0x03, 0x05, 0x07, 0x13, 0x16, 0x1F))  # Ptr tables and EnCMap
_DEBUG_TABLES = 0xFF << DOCUMENT
_MAX_ROW_COUNT = 0x00FFFFFF  # a row id must fit in a token (SRM InvalidRowCount)

# Debug-table columns (§4): a heap name, a fixed width, a simple index (ECMA table number) or the coded index.
_BLOB, _GUID, _STRING, _U16, _U32, _HCDI = "blob", "guid", "string", "u16", "u32", "hcdi"
_COLUMNS: dict[int, tuple[str | int, ...]] = {
    DOCUMENT: (_BLOB, _GUID, _BLOB, _GUID),  # Name, HashAlgorithm, Hash, Language
    METHOD_DEBUG_INFORMATION: (DOCUMENT, _BLOB),  # Document, SequencePoints
    LOCAL_SCOPE: (METHOD_DEF, IMPORT_SCOPE, LOCAL_VARIABLE, LOCAL_CONSTANT, _U32, _U32),
    LOCAL_VARIABLE: (_U16, _U16, _STRING),  # Attributes, Index, Name
    LOCAL_CONSTANT: (_STRING, _BLOB),  # Name, Signature
    IMPORT_SCOPE: (IMPORT_SCOPE, _BLOB),  # Parent, Imports
    STATE_MACHINE_METHOD: (METHOD_DEF, METHOD_DEF),  # MoveNextMethod, KickoffMethod
    CUSTOM_DEBUG_INFORMATION: (_HCDI, _GUID, _BLOB),  # Parent, Kind, Value
}
# Debug tables SRM refuses unless the #~ Sorted mask flags them (it does not check the rows themselves).
_MUST_BE_SORTED = {LOCAL_SCOPE: "LocalScope", STATE_MACHINE_METHOD: "StateMachineMethod",
                   CUSTOM_DEBUG_INFORMATION: "CustomDebugInformation"}
_HEAP_SIZE_BITS = {_STRING: 0x01, _GUID: 0x02, _BLOB: 0x04}  # #~ HeapSizes (§3.4)
_HEAP_EXTRA_DATA = 0x40

_KNOWN_STREAMS = frozenset({"#Pdb", "#~", "#-", "#Strings", "#US", "#GUID", "#Blob", "#JTD"})
_MAX_STREAM_NAME = 32  # ECMA-335 II.24.2.2 (a first guess of the header area's size; SRM has no bound)
_MAX_VERSION_READ = 256  # the version string is informational; never read more of it than this
_MAX_EXPANSION = 64 * 1024 * 1024  # decoded output allowed beyond 4× the #Blob heap (see _Budget)
DEFAULT_EMBEDDED_SOURCE_LIMIT = 64 * 1024 * 1024

_T = TypeVar("_T")


def _format_errors(func: Callable[..., _T]) -> Callable[..., _T]:
    """Turn the low-level exceptions of slicing and decoding bad input into FormatError."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> _T:
        try:
            return func(*args, **kwargs)
        except (struct.error, UnicodeDecodeError, zlib.error, IndexError, ValueError, OverflowError) as exc:
            raise FormatError(f"corrupt portable PDB: {exc}") from exc

    return wrapper


def read_compressed_uint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    """ECMA-335 II.23.2 compressed unsigned integer at ``pos``: ``(value, position after it)``.

    ``0xxxxxxx`` → 7 bits; ``10xxxxxx`` + 1 byte → 14 bits; ``110xxxxx`` + 3 bytes → 29 bits; other lead bytes are
    invalid (§3.6)."""
    if pos < 0 or pos >= len(buf):
        raise FormatError(f"compressed integer at offset {pos} lies outside the {len(buf)}-byte buffer")
    lead = buf[pos]
    if lead & 0x80 == 0:
        return lead, pos + 1
    width = 2 if lead & 0xC0 == 0x80 else 4 if lead & 0xE0 == 0xC0 else 0
    if width == 0:
        raise FormatError(f"invalid compressed integer lead byte 0x{lead:02X} at offset {pos}")
    if pos + width > len(buf):
        raise FormatError(f"compressed integer at offset {pos} is truncated")
    if width == 2:
        return (lead & 0x3F) << 8 | buf[pos + 1], pos + 2
    return (lead & 0x1F) << 24 | buf[pos + 1] << 16 | buf[pos + 2] << 8 | buf[pos + 3], pos + 4


def read_compressed_int(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    """Compressed signed integer (SRM ``BlobReader.TryReadCompressedSignedInteger``, §3.6): the unsigned form with
    the sign in bit 0, sign-extended from 6, 13 or 28 bits."""
    value, end = read_compressed_uint(buf, pos)
    negative, value = value & 1, value >> 1
    if negative:
        value |= {1: 0xFFFFFFC0, 2: 0xFFFFE000, 4: 0xF0000000}[end - pos]
        value -= 1 << 32
    return value, end


_GUIDS: Shared[bytes, uuid.UUID] = Shared()  # hash algorithms, languages, CDI kinds: a few, in every PDB
_TEXTS: Shared[str, str] = Shared()  # document names and compilation options, in every PDB of one source tree
_SHARED_TEXT = 1024  # longer texts are not looked up
_NIL_GUID = uuid.UUID(int=0)
_EMBEDDED_SOURCE_KIND = CDI_EMBEDDED_SOURCE.int


def _seed_guids() -> None:
    """The GUIDs named in this module are the objects the reader gives for them (compared by identity first)."""
    for name, value in list(globals().items()):
        if isinstance(value, uuid.UUID) and name.startswith(("HASH_", "LANGUAGE_", "CDI_")):
            _GUIDS.get(value.bytes_le, lambda _, v=value: v)


def known_guid(raw: bytes) -> uuid.UUID:
    """``uuid.UUID(bytes_le=raw)``, the same object for the same 16 bytes (UUIDs are immutable)."""
    return _GUIDS.get(raw, _guid_le)


def _guid_le(raw: bytes) -> uuid.UUID:
    return uuid.UUID(bytes_le=raw)


def shared_text(text: str) -> str:
    """`text`, as the one object already held for an equal string when there is one."""
    return _TEXTS.same(text) if len(text) <= _SHARED_TEXT else text


_seed_guids()


@quick_init
@dataclass(frozen=True)
class StreamHeader:
    """A metadata stream header (II.24.2.2); offset is from the metadata root, which is file offset 0."""

    name: str
    offset: int
    size: int


@quick_init
@dataclass(frozen=True)
class Document:
    """A Document table row (§4, 0x30). ``row`` is 1-based; nil GUIDs are ``None``."""

    row: int
    name: str
    hash_algorithm: uuid.UUID | None
    hash: bytes
    language: uuid.UUID | None


@dataclass(frozen=True)
class CustomDebugInfo:
    """A CustomDebugInformation row (§4, 0x37); the parent is decoded to an ECMA table number and row."""

    parent_table: int
    parent_row: int
    kind: uuid.UUID
    value: bytes


@dataclass(frozen=True)
class EmbeddedSource:
    """Header of an EmbeddedSource CDI blob (§5.3): ``format`` 0 = stored, > 0 = raw Deflate whose value is the
    uncompressed size, < 0 = reserved. ``size`` is the uncompressed size (the stored size unless compressed)."""

    format: int
    size: int
    compressed: bool


@dataclass(frozen=True)
class MetadataReference:
    """One record of the CompilationMetadataReferences CDI (§5.3). flags: 0x1 embed interop types, 0x2 assembly."""

    file_name: str
    aliases: list[str]
    flags: int
    timestamp: int
    image_size: int
    mvid: uuid.UUID


class _Budget:
    """Caps the bytes one accessor may materialise. Rows and name parts may share blobs, and crafted blob indexes
    may overlap, so without a cap a small file could expand to rows × blob size. Blobs are materialised once per
    index (``blob``), so real PDBs stay far below 4× their #Blob heap plus 64 MiB."""

    def __init__(self, heap: bytes, what: str, span: Callable[[int], tuple[int, int]]):
        self._heap = heap
        self._span = span
        self._left = 4 * len(heap) + _MAX_EXPANSION
        self._what = what
        self._blobs: dict[int, bytes] = {}

    @property
    def left(self) -> int:
        return self._left

    def spend(self, n: int) -> None:
        self._left -= n
        if self._left < 0:
            raise FormatError(f"{self._what} decode to far more bytes than the #Blob heap holds; the PDB is corrupt")

    def blob(self, index: int) -> bytes:
        """The blob at ``index``, copied out of the heap once per index."""
        if index not in self._blobs:
            start, length = self._span(index)
            self.spend(length)
            self._blobs[index] = self._heap[start : start + length]
        return self._blobs[index]


@quick_init
@dataclass(frozen=True)
class _Header:
    """What :meth:`PortablePdb.open` learns from the root, ``#Pdb`` and the table-stream header."""

    version_string: str
    streams: tuple[StreamHeader, ...]
    pdb_id: bytes
    id_offset: int
    entry_point: int
    referenced_tables: int
    type_system_rows: dict[int, int]
    table_rows: dict[int, int]
    heap_sizes: int
    tables_offset: int  # file offset of the first table row


class PortablePdb:
    """A standalone portable PDB. Construct with :meth:`open`."""

    def __init__(self, src: ByteSource, header: _Header, by_name: dict[str, StreamHeader] | None = None):
        self._src = src
        self._h = header
        # SRM: a later header of the same name wins
        self._by_name = by_name if by_name is not None else {s.name: s for s in header.streams}
        self._heaps: dict[str, bytes] = {}
        self._tables: dict[int, list[tuple[int, ...]]] = {}
        self._layout = _TableLayout(header, "#JTD" in self._by_name)

    @classmethod
    @_format_errors
    def open(cls, src: ByteSource) -> PortablePdb:
        """Read and validate the metadata root, stream headers, ``#Pdb`` and the ``#~`` header; nothing else."""
        version_string, streams = _read_root(src)
        by_name = {s.name: s for s in streams}
        size = src.size
        for stream in streams:  # SRM checks every header of a known name, in order (a later one still wins)
            if stream.offset + stream.size > size and stream.name in _KNOWN_STREAMS:
                raise FormatError(
                    f"the {stream.name} stream header points past the end of the file "
                    f"(offset 0x{stream.offset:X}, size {stream.size}, file size {src.size})"
                )
        if "#Pdb" not in by_name:
            raise FormatError("the metadata has no #Pdb stream, so it is not a standalone portable PDB")
        table_streams = [s for s in streams if s.name in ("#~", "#-")]
        if not table_streams:
            raise FormatError("the metadata has no #~ (table) stream")
        table_stream = table_streams[-1]  # SRM: the last of #~ / #- wins
        if "#JTD" in by_name and table_stream.name != "#-":
            raise FormatError("the metadata has a #JTD (minimal delta) stream but its table stream is not #-")
        pdb = _read_pdb_stream(src, by_name["#Pdb"])
        heap_sizes, table_rows, tables_offset = _read_table_header(src, table_stream)
        header = _Header(version_string, streams, *pdb, table_rows, heap_sizes, tables_offset)
        reader = cls(src, header, by_name)
        reader._layout.check_fits(table_stream)
        return reader

    # -- identity and header facts ------------------------------------------------------------------------------
    @property
    def id(self) -> bytes:
        """The 20-byte PDB id (§3.3): GUID + stamp, compared raw against the PE's CodeView entry."""
        return self._h.pdb_id

    @property
    def guid(self) -> uuid.UUID:
        return uuid.UUID(bytes_le=self._h.pdb_id[:16])

    @property
    def stamp(self) -> int:
        return int.from_bytes(self._h.pdb_id[16:20], "little")

    @property
    def id_offset(self) -> int:
        """File offset of the ``#Pdb`` stream = start of the 20 bytes zeroed for the PdbChecksum (§2.5)."""
        return self._h.id_offset

    @property
    def entry_point(self) -> int:
        return self._h.entry_point

    @property
    def referenced_tables(self) -> int:
        return self._h.referenced_tables

    @property
    def type_system_rows(self) -> dict[int, int]:
        return dict(self._h.type_system_rows)

    @property
    def version_string(self) -> str:
        return self._h.version_string

    @property
    def streams(self) -> tuple[StreamHeader, ...]:
        """All stream headers in file order. Like SRM, only known stream names are bounds-checked."""
        return self._h.streams

    @property
    def table_rows(self) -> dict[int, int]:
        return dict(self._h.table_rows)

    @property
    def heap_sizes(self) -> int:
        return self._h.heap_sizes

    # -- heaps (§3.6) -------------------------------------------------------------------------------------------
    def _heap(self, name: str) -> bytes:
        """The whole heap, read once; a missing heap is empty (SRM)."""
        if name not in self._heaps:
            stream = self._by_name.get(name)
            self._heaps[name] = self._src.read(stream.offset, stream.size) if stream else b""
        return self._heaps[name]

    def _blob_span(self, index: int) -> tuple[int, int]:
        """``(start, length)`` of the blob at ``index`` in the #Blob heap. As SRM's ``PeekHeapValueOffsetAndSize``
        reads it, a length prefix that is not a valid compressed integer (or an index at the very end of the heap)
        is an empty blob, not an error; an index past the end is one. Index 0 (a nil handle) is read like any
        other, as SRM's ``BlobHeap.GetBytes`` does: it is the empty blob only when the heap starts with 0, as it
        must."""
        heap = self._heap("#Blob")
        if index > len(heap):
            raise FormatError(f"#Blob index 0x{index:X} is past the end of the {len(heap)}-byte #Blob heap")
        try:
            length, start = read_compressed_uint(heap, index)
        except FormatError:
            return index, 0
        if start + length > len(heap):
            raise FormatError(f"the blob at #Blob offset 0x{index:X} ({length} bytes) runs past the end of the heap")
        return start, length

    @_format_errors
    def blob_at(self, index: int) -> bytes:
        """The #Blob entry at ``index`` (compressed length prefix, then the bytes); 0 = empty."""
        start, length = self._blob_span(index)
        return self._heap("#Blob")[start : start + length]

    @_format_errors
    def guid_at(self, index: int) -> uuid.UUID | None:
        """The 1-based #GUID entry; 0 = ``None``."""
        return self._guid_at(index)

    def _guid_at(self, index: int) -> uuid.UUID | None:
        if index == 0:
            return None
        heap = self._heap("#GUID")
        if index * 16 > len(heap):
            raise FormatError(f"#GUID index {index} is past the end of the {len(heap)}-byte #GUID heap")
        return known_guid(heap[(index - 1) * 16 : index * 16])

    @_format_errors
    def string_at(self, index: int) -> str:
        """The NUL-terminated UTF-8 #Strings entry at ``index``; 0 = ""."""
        heap = self._heap("#Strings")
        if index == 0:
            return ""
        end = heap.find(b"\0", index)
        if index >= len(heap) or end < 0:
            raise FormatError(f"#Strings index 0x{index:X} does not point at a NUL-terminated string in the heap")
        return heap[index:end].decode("utf-8", "replace")

    # -- tables (§4) --------------------------------------------------------------------------------------------
    def _rows(self, table: int) -> list[tuple[int, ...]]:
        """The rows of a debug table, read once (the range was checked against the #~ stream at open)."""
        if table not in self._tables:
            count = self._h.table_rows.get(table, 0)
            rows: list[tuple[int, ...]] = []
            if count:
                fmt, size = self._layout.row_format(table)
                rows = list(struct.iter_unpack(fmt, self._src.read(self._layout.offset(table), count * size)))
            self._tables[table] = rows
        return self._tables[table]

    @_format_errors
    def documents(self) -> list[Document]:
        budget = _Budget(self._heap("#Blob"), "the document names and hashes", self._blob_span)
        parts: dict[int, tuple[str, int]] = {}  # part index → (text, bytes): documents share their leading parts
        guids: dict[int, uuid.UUID | None] = {}  # #GUID index → GUID: the documents name one or two of each
        documents = []
        for row, (name, algorithm, hash_, language) in enumerate(self._rows(DOCUMENT), start=1):
            text = self._document_name(row, name, budget, parts)
            algorithm_guid = guids[algorithm] if algorithm in guids else guids.setdefault(algorithm,
                                                                                           self._guid_at(algorithm))
            digest = budget.blob(hash_)
            language_guid = guids[language] if language in guids else guids.setdefault(language, self._guid_at(language))
            documents.append(Document(row, text, algorithm_guid, digest, language_guid))
        return documents

    def _document_name(self, row: int, index: int, budget: _Budget, parts: dict[int, tuple[str, int]]) -> str:
        """§4.1: ``separator part+``; each part is a compressed #Blob index of UTF-8 text, joined by the separator.
        ``parts`` remembers the text of each part index already read (the budget is charged for every use)."""
        start, length = self._blob_span(index)
        if length == 0:
            raise FormatError(f"document {row}: the name blob is empty (it must start with a separator byte)")
        heap = self._heap("#Blob")
        separator = heap[start]
        if separator > 0x7F:
            raise FormatError(f"document {row}: the name separator 0x{separator:02X} is not ASCII")
        texts, pos, end, size = [], start + 1, start + length, len(heap)
        spent, left = 0, budget.left
        while pos < end:
            lead = heap[pos]
            if lead < 0x80:  # one-, two- and four-byte indexes inline; every error the general way
                part, pos = lead, pos + 1
            elif lead & 0xC0 == 0x80 and pos + 2 <= end:
                part, pos = (lead & 0x3F) << 8 | heap[pos + 1], pos + 2
            elif lead & 0xE0 == 0xC0 and pos + 4 <= end:  # a part past 16 KiB of the heap: any PDB of some size
                part, pos = (lead & 0x1F) << 24 | heap[pos + 1] << 16 | heap[pos + 2] << 8 | heap[pos + 3], pos + 4
            else:
                part, pos = read_compressed_uint(memoryview(heap)[start:end], pos - start)
                pos += start
            known = parts.get(part)
            if known is None:
                head = heap[part] if part < size else 0x100  # the part's length prefix, one or two bytes inline
                if head < 0x80 and part + 1 + head <= size:
                    part_start, part_length = part + 1, head
                elif head & 0xC0 == 0x80 and part + 2 <= size and \
                        part + 2 + ((head & 0x3F) << 8 | heap[part + 1]) <= size:
                    part_start, part_length = part + 2, (head & 0x3F) << 8 | heap[part + 1]
                else:
                    part_start, part_length = self._blob_span(part)  # the rest, and every error, as SRM reads them
                known = parts[part] = heap[part_start : part_start + part_length].decode("utf-8", "replace"), part_length
            spent += known[1] + 1  # the joined name is new output even when parts are shared
            if spent > left:
                budget.spend(spent)  # raises, at the part that goes over, as spending part by part would
            texts.append(known[0])
        budget.spend(spent)
        return shared_text((chr(separator) if separator else "").join(texts))

    @functools.cached_property
    def _cdi_index(self) -> tuple[list[tuple[int, int, uuid.UUID, int]], dict[int, int], dict[int, int]]:
        """The CustomDebugInformation rows, values unread (see _cdi_rows), with what the readers look up in them
        (_module_cdis, _embedded_source_blobs), all in one pass over the rows."""
        rows, kinds = [], {}  # kinds: #GUID index → its GUID (thousands of rows name a handful of kinds)
        module: dict[int, int] = {}
        embedded: dict[int, int] = {}
        for number, (parent, kind, value) in enumerate(self._rows(CUSTOM_DEBUG_INFORMATION), start=1):
            tag = parent & ((1 << _HCDI_TAG_BITS) - 1)
            if tag >= len(HAS_CUSTOM_DEBUG_INFORMATION_TABLES):
                raise FormatError(f"CustomDebugInformation row {number}: invalid HasCustomDebugInformation tag {tag}")
            table, row = HAS_CUSTOM_DEBUG_INFORMATION_TABLES[tag], parent >> _HCDI_TAG_BITS
            guid = kinds.get(kind)
            if guid is None:
                guid = kinds[kind] = self._guid_at(kind) or _NIL_GUID
            rows.append((table, row, guid, value))
            if table == MODULE:
                if row == 1:
                    module.setdefault(guid.int, value)
            elif table == DOCUMENT and guid.int == _EMBEDDED_SOURCE_KIND:
                embedded.setdefault(row, value)
        return rows, module, embedded

    @property
    def _cdi_rows(self) -> list[tuple[int, int, uuid.UUID, int]]:
        """CustomDebugInformation rows as (parent table, parent row, kind, value blob index), values unread."""
        return self._cdi_index[0]

    @property
    def _module_cdis(self) -> dict[int, int]:
        """Kind (its GUID's number) → value blob index of the first CDI of that kind attached to the Module (row 1)."""
        return self._cdi_index[1]

    @_format_errors
    def custom_debug_information(self) -> list[CustomDebugInfo]:
        budget = _Budget(self._heap("#Blob"), "the CustomDebugInformation values", self._blob_span)
        return [CustomDebugInfo(table, row, kind, budget.blob(value)) for table, row, kind, value in self._cdi_rows]

    def _module_cdi(self, kind: uuid.UUID) -> bytes | None:
        """Value of the first CDI of ``kind`` whose parent is the Module (row 1), where debuggers look."""
        value = self._module_cdis.get(kind.int)
        return None if value is None else self.blob_at(value)

    @_format_errors
    def source_link(self) -> str | None:
        """The Source Link JSON text (§5.3–5.4) attached to the Module, or ``None``."""
        value = self._module_cdi(CDI_SOURCE_LINK)
        return None if value is None else value.decode("utf-8", "replace")

    @property
    def _embedded_source_blobs(self) -> dict[int, int]:
        """Document row → value blob index of its first EmbeddedSource CDI."""
        return self._cdi_index[2]

    def _embedded_source_header(self, row: int, index: int) -> tuple[int, int, int]:
        """``(format, payload start, payload length)`` of an EmbeddedSource blob: ``int32 format`` + content."""
        start, length = self._blob_span(index)
        if length < 4:
            raise FormatError(f"document {row}: the EmbeddedSource blob is {length} bytes, shorter than its header")
        (fmt,) = struct.unpack_from("<i", self._heap("#Blob"), start)
        return fmt, start + 4, length - 4

    @_format_errors
    def embedded_sources(self) -> dict[int, EmbeddedSource]:
        """Document row → EmbeddedSource header. Nothing is inflated here."""
        result = {}
        for row, index in self._embedded_source_blobs.items():
            fmt, _, stored = self._embedded_source_header(row, index)
            result[row] = EmbeddedSource(format=fmt, size=fmt if fmt > 0 else stored, compressed=fmt > 0)
        return result

    @_format_errors
    def embedded_source_text(self, doc_row: int, limit: int = DEFAULT_EMBEDDED_SOURCE_LIMIT) -> bytes:
        """The embedded source bytes of document ``doc_row`` (as stored by the compiler, usually UTF-8 with BOM).

        Format > 0 is raw Deflate (``zlib.decompressobj(-15)``) inflated to at most ``limit`` bytes; output over the
        limit, a size different from the declared one, a truncated stream or a reserved (< 0) format raise
        FormatError. Raises KeyError if the document has no embedded source."""
        fmt, start, stored = self._embedded_source_header(doc_row, self._embedded_source_blobs[doc_row])
        payload = memoryview(self._heap("#Blob"))[start : start + stored]
        if fmt < 0:
            raise FormatError(f"document {doc_row}: EmbeddedSource format {fmt} is reserved")
        size = fmt if fmt > 0 else stored
        if size > limit:
            raise FormatError(f"document {doc_row}: the embedded source is {size} bytes, over the {limit}-byte limit")
        if fmt == 0:
            return bytes(payload)
        inflater = zlib.decompressobj(-15)
        try:
            text = inflater.decompress(payload, fmt + 1)
        except zlib.error as exc:
            raise FormatError(f"document {doc_row}: the embedded source's deflate data is corrupt ({exc})") from exc
        if len(text) > fmt:
            raise FormatError(f"document {doc_row}: the embedded source inflates to more than the declared {fmt} bytes")
        if not inflater.eof or len(text) != fmt:
            raise FormatError(
                f"document {doc_row}: the embedded source inflates to {len(text)} bytes, not the declared {fmt}"
                + ("" if inflater.eof else " (the deflate stream is truncated)")
            )
        return text

    @_format_errors
    def compilation_options(self) -> dict[str, str]:
        """The CompilationOptions CDI (§5.3, §5.5): ``(name\\0 value\\0)*``; empty if absent."""
        return dict(self.held_compilation_options())

    @_format_errors
    def held_compilation_options(self) -> dict[str, str]:
        """:meth:`compilation_options` as the one dict held for equal records (the PDBs of one build share
        theirs): read-only."""
        value = self._module_cdi(CDI_COMPILATION_OPTIONS)
        return _OPTIONS.get(value, _compilation_options) if value else {}

    @_format_errors
    def compilation_metadata_references(self) -> list[MetadataReference]:
        """The CompilationMetadataReferences CDI (§5.3): ``(file-name\\0 aliases\\0 u8 flags u32 timestamp
        u32 imageSize 16-byte MVID)+``; aliases are comma-separated. Empty if absent."""
        value = self._module_cdi(CDI_COMPILATION_METADATA_REFERENCES) or b""
        references = []
        for file_name, aliases, pos in _metadata_reference_records(value):
            flags, timestamp, image_size = struct.unpack_from("<BII", value, pos)
            mvid = uuid.UUID(bytes_le=value[pos + 9 : pos + 25])
            references.append(
                MetadataReference(file_name, aliases.split(",") if aliases else [], flags, timestamp, image_size, mvid)
            )
        return references

    @_format_errors
    def check_compilation_metadata_references(self) -> bool:
        """True, or the FormatError :meth:`compilation_metadata_references` would raise; no record is built."""
        value = self._module_cdi(CDI_COMPILATION_METADATA_REFERENCES) or b""
        if not _METADATA_REFERENCES.fullmatch(value):  # well formed is matched in C; otherwise the walk words why
            for _ in _metadata_reference_records(value, names=False):
                pass
        return True

    # -- debug information for the "debuggable" checks (issue #9) ------------------------------------------------
    @_format_errors
    def module_cdi_kinds(self) -> frozenset[uuid.UUID]:
        """The kinds of the CustomDebugInformation rows attached to the Module (row 1); no value is read."""
        return frozenset(kind for table, row, kind, _ in self._cdi_rows if table == MODULE and row == 1)

    @_format_errors
    def module_cdi_kind_numbers(self) -> frozenset[int]:
        """:meth:`module_cdi_kinds` as the GUIDs' 128-bit numbers (``UUID.int``), cheaper to look in."""
        return frozenset(self._module_cdis)


# records of file name, aliases and the 25 fixed bytes, end to end (possessive: nothing is tried twice)
_METADATA_REFERENCES = re.compile(rb"(?:[^\0]*+\0[^\0]*+\0.{25})*+", re.DOTALL)


def _compilation_options(value: bytes) -> dict[str, str]:
    if not value.endswith(b"\0"):
        raise FormatError("the CompilationOptions blob does not end with a NUL terminator")
    strings = [shared_text(s.decode("utf-8", "replace")) for s in value[:-1].split(b"\0")]
    if len(strings) % 2:
        raise FormatError("the CompilationOptions blob holds a name without a value")
    options: dict[str, str] = {}
    for name, option in zip(strings[::2], strings[1::2]):
        options.setdefault(name, option)
    return options


_OPTIONS: Shared[bytes, dict[str, str]] = Shared(256)  # CompilationOptions records → their (read-only) dict


def _metadata_reference_records(value: bytes, names: bool = True) -> Iterator[tuple[str, str, int]]:
    """Each CompilationMetadataReferences record's file name, aliases and the position of its 25 fixed bytes;
    without `names`, the texts are decoded only for an error's message."""
    pos, end = 0, len(value)
    while pos < end:
        name_end = value.find(b"\0", pos)
        if name_end < 0:
            raise FormatError("the CompilationMetadataReferences file name is not NUL-terminated")
        aliases_end = value.find(b"\0", name_end + 1)
        if aliases_end < 0:
            raise FormatError("the CompilationMetadataReferences aliases is not NUL-terminated")
        fixed = aliases_end + 1
        if fixed + 25 > end:
            file_name = value[pos:name_end].decode("utf-8", "replace")
            raise FormatError(f"the CompilationMetadataReferences record for {file_name!r} is truncated")
        if names:
            yield (value[pos:name_end].decode("utf-8", "replace"),
                   value[name_end + 1 : aliases_end].decode("utf-8", "replace"), fixed)
        else:
            yield "", "", fixed
        pos = fixed + 25


# -- open-time parsing -----------------------------------------------------------------------------------------


_ROOT_BLOCK = 512  # the root and stream headers of a usual PDB or assembly fit in this, so they are read at once


def _read_root(src: ByteSource) -> tuple[str, tuple[StreamHeader, ...]]:
    """Metadata root (II.24.2.1, §3.1) and stream headers (II.24.2.2, §3.2)."""
    if src.size >= 16:
        found = _root_in_block(src.read(0, min(src.size, _ROOT_BLOCK)), src.size)
        if found is not None:
            return found
    return _read_root_carefully(src)


def _root_in_block(block: bytes, file_size: int) -> tuple[str, tuple[StreamHeader, ...]] | None:
    """What _read_root_carefully gives, from the file's first bytes; None when any of it lies beyond them or is
    unusual in any way (then the careful reader words the error, or reads on)."""
    if block[:4] != PDB_SIGNATURE:
        return None
    (length,) = struct.unpack_from("<I", block, 12)
    pos = 16 + length
    if pos + 4 > len(block) or pos + 4 > file_size:
        return None
    version = block[16 : 16 + min(length, _MAX_VERSION_READ)].split(b"\0", 1)[0].decode("utf-8", "replace")
    _flags, count = struct.unpack_from("<Hh", block, pos)
    if count < 0:
        return None
    pos += 4
    streams = []
    for _ in range(count):
        if pos + 8 > len(block):
            return None
        offset, size = struct.unpack_from("<II", block, pos)
        end = block.find(b"\0", pos + 8)
        if end < 0:
            return None
        name = block[pos + 8 : end]
        pos = (end + 1 + 3) & ~3
        if pos >= file_size:
            return None
        streams.append(StreamHeader(name.decode("utf-8", "replace"), offset, size))
    return version, tuple(streams)


def _read_root_carefully(src: ByteSource) -> tuple[str, tuple[StreamHeader, ...]]:
    if src.size < 16:
        raise FormatError(f"the file is {src.size} bytes long, too short for a metadata root (16 bytes)")
    head = src.read(0, 16)
    if head[:4] != PDB_SIGNATURE:
        raise FormatError(f"not a portable PDB: the file starts with {head[:4]!r}, not the metadata signature b'BSJB'")
    (length,) = struct.unpack_from("<I", head, 12)
    if 16 + length + 4 > src.size:
        raise FormatError(f"the metadata version string length {length} runs past the end of the {src.size}-byte file")
    version = src.read(16, min(length, _MAX_VERSION_READ)).split(b"\0", 1)[0].decode("utf-8", "replace")
    pos = 16 + length
    _flags, count = struct.unpack("<Hh", src.read(pos, 4))  # SRM ReadInt16: 0x8000 and more are negative
    if count < 0:
        raise UncaughtError(f"the metadata root declares {count} streams (0x{count & 0xFFFF:04X} read as a signed "
                            "16-bit number): .NET's reader throws OverflowException")
    names = _NameReader(src, pos + 4, count * (8 + _MAX_STREAM_NAME + 4))
    pos += 4
    streams = []
    for number in range(count):
        if src.size - pos < 8:
            raise FormatError(f"stream header {number + 1} of {count} lies past the end of the file")
        offset, size = struct.unpack("<II", names.read(pos, 8))
        raw, pos = names.c_string(pos + 8)
        pos = (pos + 3) & ~3  # the name is NUL-padded to a 4-byte boundary of the file (SRM TryAlign)
        if pos >= src.size:
            raise FormatError(f"the name of stream header {number + 1} runs to the end of the file")
        # SRM decodes the name as UTF-8 and skips streams it does not know (non-ASCII, over 32 bytes, ...)
        streams.append(StreamHeader(raw.decode("utf-8", "replace"), offset, size))
    return version, tuple(streams)


class _NameReader:
    """The stream-header area, read in growing windows: names are NUL-terminated and SRM bounds them only by
    the end of the file, so a window is extended (doubling) until the terminator or the end is reached."""

    def __init__(self, src: ByteSource, start: int, guess: int):
        self._src, self._start = src, start
        self._buf = src.read(start, min(max(guess, 64), src.size - start))

    def _cover(self, end: int) -> None:
        while self._start + len(self._buf) < min(end, self._src.size):
            more = min(max(len(self._buf), 64), self._src.size - self._start - len(self._buf))
            self._buf += self._src.read(self._start + len(self._buf), more)

    def read(self, pos: int, length: int) -> bytes:
        self._cover(pos + length)
        return self._buf[pos - self._start : pos - self._start + length]

    def c_string(self, pos: int) -> tuple[bytes, int]:
        """The bytes from ``pos`` to the next NUL (or the end of the file), and the position after the NUL."""
        at = pos - self._start
        while True:
            end = self._buf.find(b"\0", at)
            if end >= 0:
                return self._buf[at:end], self._start + end + 1
            if self._start + len(self._buf) >= self._src.size:
                return self._buf[at:], self._src.size
            self._cover(self._start + 2 * len(self._buf))


def _read_pdb_stream(src: ByteSource, stream: StreamHeader) -> tuple[bytes, int, int, int, dict[int, int]]:
    """``#Pdb`` (§3.3): id, EntryPoint, ReferencedTypeSystemTables, TypeSystemTableRows — SRM's checks."""
    if stream.size < 32:
        raise FormatError(f"the #Pdb stream is {stream.size} bytes long, shorter than its 32-byte header")
    head = src.read(stream.offset, 32)
    pdb_id = head[:20]
    entry_point, referenced = struct.unpack_from("<IQ", head, 20)
    if entry_point and (entry_point >> 24 != METHOD_DEF or entry_point & 0xFFFFFF == 0):
        raise FormatError(f"the #Pdb EntryPoint token 0x{entry_point:08X} is not a MethodDef token with a row ≥ 1")
    if referenced & ~(_TYPE_SYSTEM_TABLES & ~_PTR_AND_ENC_TABLES):
        raise FormatError(
            f"the #Pdb ReferencedTypeSystemTables mask 0x{referenced:016X} has bits outside the type-system tables "
            "(or names Ptr/EnC tables)"
        )
    count = referenced.bit_count()
    if stream.size < 32 + 4 * count:
        raise FormatError(
            f"the #Pdb stream is {stream.size} bytes long, too short for the {count} TypeSystemTableRows "
            f"its mask announces ({32 + 4 * count} bytes needed)"
        )
    rows = _row_counts(referenced, src.read(stream.offset + 32, 4 * count), "#Pdb TypeSystemTableRows")
    return pdb_id, stream.offset, entry_point, referenced, rows


def _row_counts(mask: int, data: bytes, what: str) -> dict[int, int]:
    tables = _set_bits(mask)
    counts = dict(zip(tables, _UINT32S[len(tables)].unpack(data)))
    if counts and max(counts.values()) > _MAX_ROW_COUNT:
        for table, count in counts.items():
            if count > _MAX_ROW_COUNT:
                raise FormatError(f"{what}: table 0x{table:02X} declares {count} rows, more than a token can address")
    return counts


@functools.lru_cache(maxsize=256)
def _set_bits(mask: int) -> tuple[int, ...]:
    """The numbers of the bits set in `mask`, lowest first (PDBs of one package share their table masks)."""
    tables, rest = [], mask
    while rest:
        low = rest & -rest
        tables.append(low.bit_length() - 1)
        rest ^= low
    return tuple(tables)


def _read_table_header(src: ByteSource, stream: StreamHeader) -> tuple[int, dict[int, int], int]:
    """``#~`` header (II.24.2.6, §3.4): ``(HeapSizes, row counts, file offset of the first row)``."""
    if stream.size < 24:
        raise FormatError(f"the {stream.name} stream is {stream.size} bytes long, shorter than its 24-byte header")
    head = src.read(stream.offset, 24)
    heap_sizes = head[6]
    valid = int.from_bytes(head[8:16], "little")
    if valid & ~(_TYPE_SYSTEM_TABLES | _DEBUG_TABLES):
        raise FormatError(f"the {stream.name} Valid mask 0x{valid:016X} names unknown tables")
    if stream.name == "#~" and valid & _NOT_IN_COMPRESSED:
        raise FormatError(f"the #~ Valid mask 0x{valid:016X} names Ptr or EnCMap tables, illegal in a compressed "
                          "metadata stream")
    count = valid.bit_count()
    header_size = 24 + 4 * count + (4 if heap_sizes & _HEAP_EXTRA_DATA else 0)
    if stream.size < header_size:
        raise FormatError(
            f"the {stream.name} stream is {stream.size} bytes long, too short for the row counts of its {count} tables"
        )
    rows = _row_counts(valid, src.read(stream.offset + 24, 4 * count), f"{stream.name} row counts")
    if valid & _BELOW_DEBUG_TABLES:  # type-system tables listed (a standalone PDB's are usually not)
        local = sorted(t for t, n in rows.items() if t < DOCUMENT and n)
        if local:  # SRM would read them (and size nothing of the debug tables by them); snupkg-lint has no layouts
            raise FormatError(
                f"the {stream.name} stream has rows in type-system tables ({', '.join(f'0x{t:02X}' for t in local)}); "
                "a standalone PDB holds only the debug tables 0x30-0x37"
            )
        rows = {t: n for t, n in rows.items() if t >= DOCUMENT}  # empty type-system tables: SRM reads no rows
    declared_sorted = int.from_bytes(head[16:24], "little")
    for table, name in _MUST_BE_SORTED.items():  # SRM's table readers: rows, and no Sorted bit → throw
        if rows.get(table) and not declared_sorted >> table & 1:
            raise FormatError(f"Metadata table {name} not sorted: it has rows and the {stream.name} Sorted mask "
                              f"0x{declared_sorted:016X} does not flag it")
    return heap_sizes, rows, stream.offset + header_size


_BELOW_DEBUG_TABLES = (1 << DOCUMENT) - 1
_HCDI_TABLE_SET = frozenset(HAS_CUSTOM_DEBUG_INFORMATION_TABLES)
_UINT32S = [struct.Struct(f"<{n}I") for n in range(65)]  # row counts of n tables


@functools.lru_cache(maxsize=256)
def _row_formats(tables: tuple[int, ...], heap_sizes: int, all_large: bool, large: tuple[int, ...],
                 hcdi_small: bool) -> dict[int, tuple[str, int]]:
    """struct format and size of a row of each table (§3.5). Column widths depend only on these arguments, and
    PDBs of one package share them, so they are worked out once, not once per PDB."""

    def width(column: str | int) -> int:
        if column == _U16:
            return 2
        if column == _U32 or all_large:
            return 4
        if column == _HCDI:
            return 2 if hcdi_small else 4
        if isinstance(column, int):
            return 4 if column in large else 2
        return 4 if heap_sizes & _HEAP_SIZE_BITS[column] else 2

    formats = {}
    for table in tables:
        fmt = "<" + "".join("H" if width(c) == 2 else "I" for c in _COLUMNS[table])
        formats[table] = fmt, struct.calcsize(fmt)
    return formats


class _TableLayout:
    """Column widths, row sizes and offsets of the debug tables (§3.5, SRM ``InitializeTableReaders``)."""

    def __init__(self, header: _Header, minimal_delta: bool):
        table_rows = header.table_rows  # the debug tables; the type-system tables (below them) are the #Pdb's
        most = max(max(header.type_system_rows.values(), default=0), max(table_rows.values(), default=0))
        hcdi_small, large = True, ()  # most tables are small: then no table needs looking at
        if most >= 1 << (16 - _HCDI_TAG_BITS):
            rows = {**header.type_system_rows, **table_rows}  # SRM CombineRowCounts
            hcdi_small = all(n < 1 << (16 - _HCDI_TAG_BITS) for t, n in rows.items() if t in _HCDI_TABLE_SET)
            large = tuple(t for t, n in rows.items() if n >= 0x10000) if most >= 0x10000 else ()
        # #JTD (minimal_delta) forces 4-byte indexes
        self._formats = _row_formats(tuple(sorted(table_rows)), header.heap_sizes, minimal_delta, large, hcdi_small)
        self._offsets: dict[int, int] = {}
        offset = header.tables_offset
        for table, (_, size) in self._formats.items():
            self._offsets[table] = offset
            offset += table_rows[table] * size
        self._end = offset


    def check_fits(self, stream: StreamHeader) -> None:
        if self._end > stream.offset + stream.size:
            raise FormatError(
                f"the debug tables need {self._end - stream.offset} bytes but the {stream.name} stream is only "
                f"{stream.size} bytes long"
            )

    def row_format(self, table: int) -> tuple[str, int]:
        return self._formats[table]

    def offset(self, table: int) -> int:
        return self._offsets[table]
