"""The assembly's own metadata (ECMA-335 II.22–II.24), as far as one fact needs it: the ``DebuggableAttribute`` on
the Assembly, which says whether the JIT optimiser is disabled (a Debug build) when a PDB's compilation options do
not say (older compilers, no PDB shipped).

Only the tables up to CustomAttribute (0x0C) are sized; the attribute is found as SRM exposes it: a CustomAttribute
row whose Parent is Assembly row 1 and whose constructor is a MemberRef of the TypeRef
``System.Diagnostics.DebuggableAttribute``. Its value is decoded from the constructor's signature:
``(bool isJITTrackingEnabled, bool isJITOptimizerDisabled)`` or ``(DebuggingModes modes)``, where
``DisableOptimizations = 0x100``. FormatError for corrupt metadata; reads are bounded by the metadata's size.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass

from .pdb import _read_root, _set_bits, read_compressed_uint
from .pe import metadata_range
from .source import ByteSource, FormatError

MAX_TABLE_STREAM_BYTES = 64 * 1024 * 1024
DISABLE_OPTIMIZATIONS = 0x100  # System.Diagnostics.DebuggableAttribute.DebuggingModes

_S, _G, _B = "s", "g", "b"  # heap indexes: #Strings, #GUID, #Blob
_U2, _U4 = "u2", "u4"  # fixed-width columns (an int in a schema is a table number)
# coded indexes (II.24.2.6): tag bits and the tables they can point at
_CODED = {
    "ResolutionScope": (2, (0x00, 0x1A, 0x23, 0x01)),
    "TypeDefOrRef": (2, (0x02, 0x01, 0x1B)),
    "MemberRefParent": (3, (0x02, 0x01, 0x1A, 0x06, 0x1B)),
    "HasConstant": (2, (0x04, 0x08, 0x17)),
    "HasCustomAttribute": (5, (0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00, 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B,
                               0x20, 0x23, 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B)),
    "CustomAttributeType": (3, (-1, -1, 0x06, 0x0A, -1)),
}
# columns of the tables before and including CustomAttribute: 2/4 fixed widths, heaps, table numbers, coded names
_SCHEMA: dict[int, tuple[object, ...]] = {
    0x00: (_U2, _S, _G, _G, _G),  # Module
    0x01: ("ResolutionScope", _S, _S),  # TypeRef
    0x02: (_U4, _S, _S, "TypeDefOrRef", 0x04, 0x06),  # TypeDef
    0x03: (0x04,),  # FieldPtr
    0x04: (_U2, _S, _B),  # Field
    0x05: (0x06,),  # MethodPtr
    0x06: (_U4, _U2, _U2, _S, _B, 0x08),  # MethodDef
    0x07: (0x08,),  # ParamPtr
    0x08: (_U2, _U2, _S),  # Param
    0x09: (0x02, "TypeDefOrRef"),  # InterfaceImpl
    0x0A: ("MemberRefParent", _S, _B),  # MemberRef
    0x0B: (_U2, "HasConstant", _B),  # Constant (type byte + padding)
    0x0C: ("HasCustomAttribute", "CustomAttributeType", _B),  # CustomAttribute
}
_ASSEMBLY_TAG, _MEMBER_REF_TAG, _TYPE_REF_TAG = 14, 3, 1


@dataclass(frozen=True)
class Debuggable:
    """The assembly's DebuggableAttribute: whether the JIT optimiser is disabled (Debug) and the raw modes."""

    optimizations_disabled: bool
    modes: int


_WHOLE_METADATA = 1024 * 1024  # metadata up to this size is read in one piece (most assemblies' is far smaller)


class _Slice:
    """A ByteSource over a range of another (held in memory when small)."""

    def __init__(self, src: ByteSource, offset: int, size: int):
        self._src, self._offset, self.size = src, offset, min(size, max(src.size - offset, 0))
        self._data = src.read(offset, self.size) if 0 < self.size <= _WHOLE_METADATA else None

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or offset + length > self.size:
            raise FormatError(f"metadata read at {offset} (length {length}) passes the {self.size}-byte metadata")
        if self._data is not None:
            return self._data[offset : offset + length]
        return self._src.read(self._offset + offset, length)


def read_debuggable(src: ByteSource, located: tuple[int, int] | None | object = ...) -> Debuggable | None:
    """The Assembly's DebuggableAttribute, or None (no metadata, no such attribute, or a form not decoded).
    `located`: the metadata's (file offset, size) when the caller read the headers already (``PEImage.metadata``)."""
    if located is ...:
        located = metadata_range(src)
    if located is None:
        return None
    try:
        return _Tables(_Slice(src, *located)).debuggable()  # type: ignore[misc]
    except (struct.error, IndexError, KeyError, UnicodeDecodeError, ValueError, OverflowError) as exc:
        raise FormatError(f"corrupt assembly metadata: {exc}") from exc


def _size_class(rows: int) -> int:
    """Which column widths a table of `rows` rows makes large: 0 none; 1, 2, 3 the coded indexes of 5, 3, 2 tag
    bits; 4 its simple indexes too."""
    return 0 if rows < 1 << 11 else 1 if rows < 1 << 13 else 2 if rows < 1 << 14 else 3 if rows < 1 << 16 else 4


_SMALL_CLASSES = (0,) * 64


@functools.lru_cache(maxsize=64)
def _layout(heap_sizes: int, classes: tuple[tuple[int, int], ...]) -> tuple[tuple[int, struct.Struct], ...]:
    """(table, row struct) of each table up to CustomAttribute, from the heap sizes and each present table's size
    class: assemblies of one package share them, so they are worked out once."""
    rows = {table: (0, 1 << 11, 1 << 13, 1 << 14, 1 << 16)[size] for table, size in classes}

    def code(column: object) -> str:
        if column in (_U2, _U4):
            return "H" if column == _U2 else "I"
        if column in (_S, _G, _B):
            return "I" if heap_sizes & {_S: 1, _G: 2, _B: 4}[column] else "H"  # type: ignore[index]
        if isinstance(column, int):
            return "I" if rows.get(column, 0) >= 0x10000 else "H"
        bits, targets = _CODED[column]  # type: ignore[index]
        limit = 1 << (16 - bits)
        return "I" if any(rows.get(t, 0) >= limit for t in targets if t >= 0) else "H"

    layout = []
    for table, _ in classes:
        if table not in _SCHEMA:
            break  # tables after CustomAttribute are not needed, so neither are their sizes
        layout.append((table, struct.Struct("<" + "".join(code(column) for column in _SCHEMA[table]))))
    return tuple(layout)


class _Tables:
    def __init__(self, md: _Slice):
        _, streams = _read_root(md)
        by_name = {s.name: s for s in streams}
        tables = by_name.get("#~") or by_name.get("#-")
        self._md, self._streams, self._rows = md, by_name, {}
        if tables is None or tables.size > MAX_TABLE_STREAM_BYTES:
            return  # nothing to read (not an assembly's metadata), or more than is read for this one fact
        data = md.read(tables.offset, tables.size)
        self._heap_sizes = data[6]
        valid = int.from_bytes(data[8:16], "little")
        self._sorted = int.from_bytes(data[16:24], "little")
        present = _set_bits(valid)
        self._rows = dict(zip(present, struct.unpack_from(f"<{len(present)}I", data, 24)))
        pos = 24 + 4 * len(present) + (4 if self._heap_sizes & 0x40 else 0)
        self._data, self._offsets, self._formats = data, {}, {}
        if max(self._rows.values(), default=0) < 1 << 11:  # most assemblies: no index is wide
            classes = tuple(zip(present, _SMALL_CLASSES[: len(present)]))
        else:
            classes = tuple((table, _size_class(self._rows[table])) for table in present)
        for table, row in _layout(self._heap_sizes, classes):
            self._formats[table] = row
            self._offsets[table] = pos
            pos += self._rows[table] * row.size

    def _row(self, table: int, row: int) -> tuple[int, ...]:
        if not 1 <= row <= self._rows.get(table, 0) or table not in self._formats:
            raise FormatError(f"table 0x{table:02X} has no row {row}")
        fmt = self._formats[table]
        return fmt.unpack_from(self._data, self._offsets[table] + (row - 1) * fmt.size)

    def _heap(self, name: str, index: int, length: int | None = None) -> bytes:
        stream = self._streams.get(name)
        if stream is None or index >= stream.size:
            raise FormatError(f"{name} index 0x{index:X} is past the heap")
        return self._md.read(stream.offset + index, min(length or stream.size - index, stream.size - index))

    def _is_string(self, index: int, expected: bytes) -> bool:
        """Whether the #Strings entry at `index` is `expected` (ASCII): its bytes up to the NUL within the 1 KiB
        read, or to the end of the heap. FormatError for an index past the heap, or a read past the metadata."""
        if not index:
            return not expected
        return self._heap("#Strings", index, 1024).split(b"\0", 1)[0] == expected

    def _blob(self, index: int) -> bytes:
        head = self._heap("#Blob", index, 4)
        length, start = read_compressed_uint(head, 0)
        if index + start + length > self._streams["#Blob"].size:  # _heap checked that the stream exists
            raise FormatError(f"the blob at #Blob offset 0x{index:X} runs past the end of the heap")
        return self._heap("#Blob", index + start, length) if length else b""

    def _assembly_attribute_rows(self) -> list[int] | range:
        """The CustomAttribute rows SRM's ``GetCustomAttributes(Assembly)`` yields. A table whose Sorted bit is set is
        trusted: SRM binary-searches its Parent column as it is (``BinarySearchReferenceRange``), so rows of an
        unsorted table can be missed. One without the bit that is unsorted is indexed through a pointer table sorted
        by Parent first, which finds every row; a sorted one is searched directly, with the same result."""
        count, tag = self._rows.get(0x0C, 0), 1 << 5 | _ASSEMBLY_TAG  # HasCustomAttribute of Assembly row 1

        if count and 0x0C in self._formats:
            fmt, data, base = self._formats[0x0C], self._data, self._offsets[0x0C]

            def parent(n: int) -> int:  # 0-based row number, as SRM counts them
                return fmt.unpack_from(data, base + n * fmt.size)[0]
        else:
            def parent(n: int) -> int:
                return self._row(0x0C, n + 1)[0]  # raises: the table is not there

        if not self._sorted >> 0x0C & 1:
            return [n + 1 for n in range(count) if parent(n) == tag]
        low, high, found = 0, count - 1, -1
        while low <= high:
            middle = (low + high) // 2
            value = parent(middle)
            if tag > value:
                low = middle + 1
            elif tag < value:
                high = middle - 1
            else:
                found = middle
                break
        if found < 0:
            return []
        start = end = found
        while start > 0 and parent(start - 1) == tag:
            start -= 1
        while end + 1 < count and parent(end + 1) == tag:
            end += 1
        return range(start + 1, end + 2)

    def debuggable(self) -> Debuggable | None:
        if not self._rows.get(0x20):
            return None  # no Assembly row: a module, whose attributes are not the assembly's
        for number in self._assembly_attribute_rows():
            parent, constructor, value = self._row(0x0C, number)
            if constructor & 0x7 != _MEMBER_REF_TAG:
                continue
            owner, _, signature = self._row(0x0A, constructor >> 3)
            if owner & 0x7 != _TYPE_REF_TAG:
                continue
            _, name, namespace = self._row(0x01, owner >> 3)
            in_namespace = self._is_string(namespace, b"System.Diagnostics")  # both read, as both may be corrupt
            if self._is_string(name, b"DebuggableAttribute") and in_namespace:
                return _decode(self._blob(signature), self._blob(value))
        return None


def _decode(signature: bytes, value: bytes) -> Debuggable | None:
    """The constructor's arguments: (bool, bool) or (DebuggingModes); None for another form."""
    if len(signature) < 3 or value[:2] != b"\x01\x00":
        return None
    count = signature[1]
    if count == 2 and len(value) >= 4:
        tracking, disabled = value[2], value[3]
        return Debuggable(bool(disabled), (0x1 if tracking else 0) | (DISABLE_OPTIMIZATIONS if disabled else 0))
    if count == 1 and len(value) >= 6:
        (modes,) = struct.unpack_from("<i", value, 2)
        return Debuggable(bool(modes & DISABLE_OPTIMIZATIONS), modes)
    return None
