"""Tests for the portable PDB and Windows PDB (MSF 7.00) readers."""

from __future__ import annotations

import json
import os
import random
import struct
import uuid
import zipfile
from pathlib import Path

import pytest

from snupkg_lint.formats.pdb import (
    CDI_COMPILATION_METADATA_REFERENCES,
    CDI_COMPILATION_OPTIONS,
    CDI_EMBEDDED_SOURCE,
    CDI_SOURCE_LINK,
    CDI_TYPE_DEFINITION_DOCUMENTS,
    HASH_MD5,
    HASH_SHA1,
    HASH_SHA256,
    LANGUAGE_CSHARP,
    LANGUAGE_FSHARP,
    LANGUAGE_VB,
    MSF2_MAGIC,
    MSF7_MAGIC,
    MetadataReference,
    PortablePdb,
    WindowsPdb,
    read_compressed_int,
    read_compressed_uint,
    sniff,
)
from snupkg_lint.formats.source import BytesSource, FormatError, UncaughtError
from tests.factory.pdb import (
    CSHARP_GUID,
    DEFAULT_PDB_ID,
    FSHARP_GUID,
    MD5_GUID,
    SHA1_GUID,
    SHA256_GUID,
    build_portable_pdb,
    build_windows_pdb,
    compressed_uint,
    with_empty_table,
)

SOURCE_LINK = '{"documents":{"/_/*":"https://raw.githubusercontent.com/o/r/0123456789abcdef/*"}}'
BIG_SOURCE = ("// generated\n" + "class C { int M() => 42; }\n" * 40).encode()  # ≥ 200 bytes: compressed
SMALL_SOURCE = b"class Small { }\n"  # < 200 bytes: stored
REFERENCES = [
    MetadataReference("System.Runtime.dll", [], 0x2, 0x5E0B3A1C, 0x9000, uuid.UUID(int=0x1111_2222_3333_4444)),
    MetadataReference("Interop.dll", ["global", "legacy"], 0x3, 7, 8, uuid.UUID(int=0x9999_8888 << 64 | 0x5555)),
]
ROW_SIZES = {0x30: 8, 0x31: 4, 0x35: 4, 0x37: 6}  # small-index row sizes of the builder's tables (§4)


def open_pdb(data: bytes) -> PortablePdb:
    return PortablePdb.open(BytesSource(data))


def full_pdb() -> bytes:
    return build_portable_pdb(
        documents=[
            ("/_/src/A.cs", SHA256_GUID, b"\x11" * 32, CSHARP_GUID),
            ("C:\\src\\B.cs", SHA1_GUID, b"\x22" * 20, CSHARP_GUID),
        ],
        source_link=SOURCE_LINK,
        embedded_sources={1: BIG_SOURCE, 2: SMALL_SOURCE},
        compilation_options={"language": "C#", "version": "2", "compiler-version": "4.8.0"},
        metadata_references=REFERENCES,
        entry_point=0x06000001,
    )


def stream(data: bytes, name: str) -> tuple[int, int, int]:
    """(header offset, stream offset, stream size) of the named stream, found by walking the headers."""
    length = struct.unpack_from("<I", data, 12)[0]
    count = struct.unpack_from("<H", data, 18 + length)[0]
    at = 20 + length
    for _ in range(count):
        offset, size = struct.unpack_from("<II", data, at)
        end = data.index(b"\0", at + 8)
        if data[at + 8 : end].decode() == name:
            return at, offset, size
        at = (end + 4) & ~3
    raise KeyError(name)


def table_offset(data: bytes, table: int) -> int:
    """File offset of the first row of ``table`` in the #~ stream of a builder PDB with small indexes."""
    _, offset, _ = stream(data, "#~")
    valid = struct.unpack_from("<Q", data, offset + 8)[0]
    present = [t for t in range(64) if valid >> t & 1]
    rows = dict(zip(present, struct.unpack_from(f"<{len(present)}I", data, offset + 24)))
    at = offset + 24 + 4 * len(present)
    return at + sum(rows[t] * ROW_SIZES[t] for t in present if t < table)


def patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def read_everything(pdb: PortablePdb) -> None:
    pdb.documents()
    pdb.custom_debug_information()
    pdb.source_link()
    pdb.compilation_options()
    pdb.compilation_metadata_references()
    for row in pdb.embedded_sources():
        pdb.embedded_source_text(row)


class CountingSource:
    """A ByteSource that records how many bytes were read."""

    def __init__(self, data: bytes):
        self._inner = BytesSource(data)
        self.bytes_read = 0
        self.reads = 0

    @property
    def size(self) -> int:
        return self._inner.size

    def read(self, offset: int, length: int) -> bytes:
        self.reads += 1
        self.bytes_read += length
        return self._inner.read(offset, length)


# -- sniff and compressed integers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"BSJB\x01\x00", "portable"),
        (MSF7_MAGIC + b"\x00\x02", "windows"),
        (MSF2_MAGIC + b"\x00", "msf2"),
        (b"MZ\x90\x00", "unknown"),
        (b"", "unknown"),
        (MSF7_MAGIC[:20], "unknown"),
    ],
)
def test_sniff(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(
    ("encoded", "value"),
    [  # ECMA-335 II.23.2 examples
        ("03", 0x03), ("7f", 0x7F), ("8080", 0x80), ("ae57", 0x2E57), ("bfff", 0x3FFF),
        ("c0004000", 0x4000), ("dfffffff", 0x1FFFFFFF),
    ],
)  # fmt: skip
def test_read_compressed_uint(encoded: str, value: int) -> None:
    buf = b"\xaa" + bytes.fromhex(encoded)
    assert read_compressed_uint(buf, 1) == (value, len(buf))


@pytest.mark.parametrize(
    ("encoded", "value"),
    [  # ECMA-335 II.23.2 examples
        ("06", 3), ("7b", -3), ("8080", 64), ("01", -64), ("c0004000", 8192), ("8001", -8192),
        ("dffffffe", 268435455), ("c0000001", -268435456),
    ],
)  # fmt: skip
def test_read_compressed_int(encoded: str, value: int) -> None:
    assert read_compressed_int(bytes.fromhex(encoded), 0) == (value, len(encoded) // 2)


@pytest.mark.parametrize(("buf", "pos"), [(b"\xe0\x00\x00\x00", 0), (b"\xff", 0), (b"\x80", 0), (b"\xc0\x00\x01", 0),
                                          (b"", 0), (b"\x01", 1), (b"\x01", -1)])  # fmt: skip
def test_read_compressed_uint_rejects_bad_input(buf: bytes, pos: int) -> None:
    with pytest.raises(FormatError):
        read_compressed_uint(buf, pos)


# -- portable PDB round trips ----------------------------------------------------------------------------------


def test_default_pdb_round_trip() -> None:
    data = build_portable_pdb()
    pdb = open_pdb(data)
    assert pdb.id == DEFAULT_PDB_ID
    assert pdb.guid == uuid.UUID(bytes_le=DEFAULT_PDB_ID[:16])
    assert pdb.stamp == 0x80C0FFEE
    assert pdb.id_offset == stream(data, "#Pdb")[1] == 124  # Roslyn's layout puts #Pdb at 124
    assert data[pdb.id_offset : pdb.id_offset + 20] == DEFAULT_PDB_ID
    assert pdb.entry_point == 0
    assert pdb.type_system_rows == {0x00: 1, 0x02: 2, 0x06: 1}
    assert pdb.referenced_tables == (1 << 0x00) | (1 << 0x02) | (1 << 0x06)
    assert pdb.table_rows == {0x30: 1, 0x31: 1, 0x35: 1}
    assert pdb.version_string == "PDB v1.0"
    assert pdb.heap_sizes == 0
    assert [s.name for s in pdb.streams] == ["#Pdb", "#~", "#Strings", "#US", "#GUID", "#Blob"]
    [doc] = pdb.documents()
    assert (doc.row, doc.name, doc.hash_algorithm, doc.hash, doc.language) == (
        1, "/_/src/A.cs", HASH_SHA256, b"\x11" * 32, LANGUAGE_CSHARP,
    )  # fmt: skip
    assert pdb.custom_debug_information() == []
    assert pdb.source_link() is None
    assert pdb.embedded_sources() == {}
    assert pdb.compilation_options() == {}
    assert pdb.compilation_metadata_references() == []
    assert len(data) % 4 == 0


def test_custom_id_and_stream_order_move_id_offset() -> None:
    pdb_id = uuid.UUID("b3163b54-3daa-46c6-88b8-61aa17a3cb49").bytes_le + struct.pack("<I", 0xDE34494E)
    data = build_portable_pdb(pdb_id=pdb_id, stream_order=["#~", "#Strings", "#GUID", "#Blob", "#Pdb"])
    pdb = open_pdb(data)
    assert str(pdb.guid) == "b3163b54-3daa-46c6-88b8-61aa17a3cb49"
    assert pdb.stamp == 0xDE34494E
    assert pdb.id_offset == stream(data, "#Pdb")[1] > 124
    assert data[pdb.id_offset : pdb.id_offset + 20] == pdb_id
    assert [s.name for s in pdb.streams] == ["#~", "#Strings", "#GUID", "#Blob", "#Pdb"]


def test_documents_round_trip() -> None:
    documents = [
        ("/_/src/A.cs", SHA256_GUID, b"\x01" * 32, CSHARP_GUID),
        ("C:\\work\\repo\\Ünïcödé.cs", SHA1_GUID, b"\x02" * 20, CSHARP_GUID),
        ("/Users/me/Library.fs", MD5_GUID, b"\x03" * 16, FSHARP_GUID),
        ("no-separator.cs", None, b"", None),
        ("C:\\*\\5.cs", SHA1_GUID, b"\x04" * 20, CSHARP_GUID),
        (":6.cs", SHA1_GUID, b"\x05" * 20, CSHARP_GUID),
        ("/_/src/A.cs", SHA256_GUID, b"\x01" * 32, CSHARP_GUID),  # duplicate rows share blobs
    ]
    docs = open_pdb(build_portable_pdb(documents=documents)).documents()
    assert [(d.name, d.hash_algorithm, d.hash, d.language) for d in docs] == documents
    assert [d.row for d in docs] == list(range(1, 8))
    assert docs[2].hash_algorithm == HASH_MD5 and docs[2].language == LANGUAGE_FSHARP


def test_no_documents() -> None:
    pdb = open_pdb(build_portable_pdb(documents=[]))
    assert pdb.documents() == []
    assert 0x30 not in pdb.table_rows


def test_source_link_round_trip() -> None:
    pdb = open_pdb(build_portable_pdb(source_link=SOURCE_LINK))
    assert pdb.source_link() == SOURCE_LINK
    [cdi] = pdb.custom_debug_information()
    assert (cdi.parent_table, cdi.parent_row, cdi.kind, cdi.value) == (0x00, 1, CDI_SOURCE_LINK, SOURCE_LINK.encode())


def test_embedded_sources_round_trip() -> None:
    pdb = open_pdb(full_pdb())
    sources = pdb.embedded_sources()
    assert sources[1].compressed and sources[1].format == sources[1].size == len(BIG_SOURCE)
    assert not sources[2].compressed and sources[2].format == 0 and sources[2].size == len(SMALL_SOURCE)
    assert pdb.embedded_source_text(1) == BIG_SOURCE
    assert pdb.embedded_source_text(2) == SMALL_SOURCE
    with pytest.raises(KeyError):
        pdb.embedded_source_text(3)


def test_compilation_options_and_references_round_trip() -> None:
    pdb = open_pdb(full_pdb())
    assert pdb.compilation_options() == {"language": "C#", "version": "2", "compiler-version": "4.8.0"}
    assert pdb.compilation_metadata_references() == REFERENCES
    assert pdb.entry_point == 0x06000001


def test_custom_debug_information_parents_and_order() -> None:
    cdis = open_pdb(full_pdb()).custom_debug_information()
    assert [(c.parent_table, c.parent_row, c.kind) for c in cdis] == [
        (0x00, 1, CDI_SOURCE_LINK),
        (0x00, 1, CDI_COMPILATION_OPTIONS),
        (0x00, 1, CDI_COMPILATION_METADATA_REFERENCES),
        (0x30, 1, CDI_EMBEDDED_SOURCE),
        (0x30, 2, CDI_EMBEDDED_SOURCE),
    ]


def test_version_string_and_large_blob_heap() -> None:
    pdb = open_pdb(build_portable_pdb(version_string="PDB v1.0 custom", padding=70_000, source_link="{}"))
    assert pdb.version_string == "PDB v1.0 custom"
    assert pdb.heap_sizes & 0x04  # the #Blob index became 4 bytes wide
    assert pdb.documents()[0].name == "/_/src/A.cs"
    assert pdb.source_link() == "{}"


def test_large_tables_use_wide_indexes() -> None:
    # 2048 MethodDefs make the HasCustomDebugInformation coded index 4 bytes (§4: 5 tag bits).
    data = build_portable_pdb(type_system_rows={0x00: 1, 0x06: 2048}, source_link="{}", embedded_sources={1: b"x"})
    pdb = open_pdb(data)
    assert pdb.table_rows[0x31] == 2048
    assert pdb.source_link() == "{}"
    assert pdb.embedded_source_text(1) == b"x"


def test_open_reads_only_the_headers_of_a_huge_pdb() -> None:
    source = CountingSource(build_portable_pdb(padding=50_000_000, source_link=SOURCE_LINK))
    pdb = PortablePdb.open(source)
    assert source.size > 50_000_000
    assert source.bytes_read < 1024, source.bytes_read
    assert source.reads < 16
    assert pdb.id == DEFAULT_PDB_ID


# -- portable PDB corruption -----------------------------------------------------------------------------------


def assert_format_error(data: bytes, match: str | None = None, *, deep: bool = False) -> None:
    with pytest.raises(FormatError, match=match):
        pdb = open_pdb(data)
        if deep:
            read_everything(pdb)


@pytest.mark.parametrize("length", [0, 3, 10, 16, 20, 30, 60, 123, 124, 140])
def test_truncated_file(length: int) -> None:
    assert_format_error(build_portable_pdb()[:length])


def test_bad_signature() -> None:
    assert_format_error(b"BSJC" + build_portable_pdb()[4:], "BSJB")


def test_version_string_length_past_eof() -> None:
    assert_format_error(patch(build_portable_pdb(), 12, struct.pack("<I", 0x7FFFFFF0)), "version string")


def test_stream_count_past_eof() -> None:
    data = build_portable_pdb()
    assert_format_error(patch(data, 18 + 12, struct.pack("<H", 500)), "stream header")


def test_stream_header_past_eof() -> None:
    data = build_portable_pdb()
    header, _, _ = stream(data, "#Blob")
    assert_format_error(patch(data, header + 4, struct.pack("<I", len(data))), "#Blob stream header points past")


def test_stream_name_not_terminated() -> None:
    data = build_portable_pdb()
    header, _, _ = stream(data, "#Blob")
    assert_format_error(data[: header + 8] + b"#" * 40, "runs to the end of the file")


def test_stream_names_are_utf8_and_unknown_ones_are_skipped() -> None:
    """SRM reads a stream name as UTF-8 up to its NUL, with no length bound, and skips names it does not know."""
    data = build_portable_pdb()
    header, _, _ = stream(data, "#US")
    pdb = PortablePdb.open(BytesSource(patch(data, header + 8, b"#\xc3\xa9")))
    assert "#\u00e9" in {s.name for s in pdb.streams} and "#US" not in {s.name for s in pdb.streams}
    pdb = PortablePdb.open(BytesSource(patch(data, header + 8, b"#\xff\xfe")))
    assert "#\ufffd\ufffd" in {s.name for s in pdb.streams}
    assert pdb.id == PortablePdb.open(BytesSource(data)).id


def test_negative_stream_count_is_not_a_bad_image() -> None:
    """SRM reads the stream count as Int16: 0x8000 allocates a negative array, an OverflowException that
    neither SRM's fallbacks nor nuget.org's job catch."""
    data = build_portable_pdb()
    length = struct.unpack_from("<I", data, 12)[0]
    with pytest.raises(UncaughtError, match="OverflowException"):
        PortablePdb.open(BytesSource(patch(data, 16 + length + 2, struct.pack("<H", 0x8000))))


@pytest.mark.parametrize("table", [0x32, 0x36, 0x37])
def test_table_that_must_be_sorted_needs_its_sorted_bit(table) -> None:
    """SRM's LocalScope, StateMachineMethod and CustomDebugInformation readers throw "Metadata table … not
    sorted" when the table has rows and the #~ Sorted mask does not flag it; rows of other tables do not matter."""
    data = build_portable_pdb(source_link="{}")
    _, offset, _ = stream(data, "#~")
    declared = struct.unpack_from("<Q", data, offset + 16)[0]
    cleared = patch(data, offset + 16, struct.pack("<Q", declared & ~(1 << 0x37)))
    if table == 0x37:
        assert_format_error(cleared, "Metadata table CustomDebugInformation not sorted")
    else:  # the factory writes no rows in these: a missing bit is fine
        PortablePdb.open(BytesSource(patch(data, offset + 16, struct.pack("<Q", declared & ~(1 << table)))))
    PortablePdb.open(BytesSource(patch(data, offset + 16, struct.pack("<Q", declared & ~(1 << 0x33)))))


def test_missing_pdb_stream() -> None:
    assert_format_error(build_portable_pdb(stream_order=["#~", "#Strings", "#US", "#GUID", "#Blob"]), "#Pdb")


def test_missing_table_stream() -> None:
    assert_format_error(build_portable_pdb(stream_order=["#Pdb", "#Strings", "#US", "#GUID", "#Blob"]), "#~")


def test_pdb_stream_too_short() -> None:
    data = build_portable_pdb()
    header, _, _ = stream(data, "#Pdb")
    assert_format_error(patch(data, header + 4, struct.pack("<I", 28)), "32-byte header")


def test_pdb_stream_shorter_than_its_row_counts() -> None:
    data = build_portable_pdb()
    _, offset, _ = stream(data, "#Pdb")
    many_tables = sum(1 << t for t in (0, 1, 2, 4, 6, 8, 9, 10, 11, 12))
    assert_format_error(patch(data, offset + 24, struct.pack("<Q", many_tables)), "TypeSystemTableRows")


@pytest.mark.parametrize("table", [0x03, 0x05, 0x1E, 0x2D, 0x30, 0x3F])
def test_referenced_tables_outside_type_system(table: int) -> None:
    data = build_portable_pdb(type_system_rows={table: 1})
    assert_format_error(data, "ReferencedTypeSystemTables")


@pytest.mark.parametrize("token", [0x02000001, 0x06000000, 0x30000001, 0xFFFFFFFF])
def test_entry_point_must_be_a_method_def(token: int) -> None:
    assert_format_error(build_portable_pdb(entry_point=token), "EntryPoint")


def test_type_system_row_count_too_large() -> None:
    assert_format_error(build_portable_pdb(type_system_rows={0x00: 1, 0x02: 0x01000000}), "rows")


def test_table_stream_header_too_short() -> None:
    data = build_portable_pdb()
    header, _, _ = stream(data, "#~")
    assert_format_error(patch(data, header + 4, struct.pack("<I", 20)), "24-byte header")


@pytest.mark.parametrize("bit", [0x38, 0x3F])
def test_unknown_table_bit(bit: int) -> None:
    data = build_portable_pdb()
    _, offset, _ = stream(data, "#~")
    valid = struct.unpack_from("<Q", data, offset + 8)[0]
    assert_format_error(patch(data, offset + 8, struct.pack("<Q", valid | 1 << bit)), "unknown tables")


def test_type_system_table_in_table_stream() -> None:
    data = build_portable_pdb()
    _, offset, _ = stream(data, "#~")
    valid = struct.unpack_from("<Q", data, offset + 8)[0]
    assert_format_error(patch(data, offset + 8, struct.pack("<Q", valid | 1)), "type-system tables")


def test_an_empty_type_system_table_in_the_table_stream_is_read_past() -> None:
    """SRM accepts any type-system table in a PDB's #~ mask; one with no rows changes nothing of the debug tables."""
    data = build_portable_pdb(source_link="{}")
    grown = with_empty_table(data, 0x2A)  # MethodSpec, no rows
    pdb = PortablePdb.open(BytesSource(bytes(grown)))
    assert pdb.source_link() == "{}" and pdb.id == PortablePdb.open(BytesSource(data)).id


@pytest.mark.parametrize("table, match", [(0x21, "unknown tables"), (0x25, "unknown tables"),
                                          (0x03, "illegal in a compressed"), (0x1F, "illegal in a compressed")])
def test_tables_srm_does_not_know_or_allow_in_a_compressed_stream(table, match) -> None:
    """SRM's TypeSystemTables mask leaves out AssemblyProcessor/OS and AssemblyRefProcessor/OS, and a #~
    (compressed) stream may not list Ptr tables or EnCMap, even empty ones."""
    assert_format_error(with_empty_table(build_portable_pdb(), table), match)
    PortablePdb.open(BytesSource(with_empty_table(build_portable_pdb(), 0x1E)))  # EnCLog is allowed


def test_table_data_larger_than_stream() -> None:
    data = build_portable_pdb()
    _, offset, _ = stream(data, "#~")
    assert_format_error(patch(data, offset + 24, struct.pack("<I", 1000)), "debug tables need")


def test_table_row_count_too_large() -> None:
    data = build_portable_pdb()
    _, offset, _ = stream(data, "#~")
    assert_format_error(patch(data, offset + 24, struct.pack("<I", 0x01000000)), "rows")


def test_row_counts_past_table_stream() -> None:
    data = build_portable_pdb()
    header, _, _ = stream(data, "#~")
    assert_format_error(patch(data, header + 4, struct.pack("<I", 28)), "row counts")


def test_bad_compressed_integer_in_document_name() -> None:
    data = build_portable_pdb()
    name_index = struct.unpack_from("<H", data, table_offset(data, 0x30))[0]
    _, blob_heap, _ = stream(data, "#Blob")
    # blob = length prefix, separator, then the first part index: make that an invalid lead byte
    assert_format_error(patch(data, blob_heap + name_index + 2, b"\xe5"), "lead byte", deep=True)


def _names_part_by_part(pdb: PortablePdb) -> list[str]:
    """§4.1 the straightforward way: each part's index through read_compressed_uint, each part through blob_at."""
    names = []
    for name, _, digest, _ in pdb._rows(0x30):
        pdb.blob_at(digest)
        blob = pdb.blob_at(name)
        if not blob or blob[0] > 0x7F:
            raise FormatError("an empty name blob, or a separator that is not ASCII")
        pos, parts = 1, []
        while pos < len(blob):
            part, pos = read_compressed_uint(blob, pos)
            parts.append(pdb.blob_at(part).decode("utf-8", "replace"))
        names.append((chr(blob[0]) if blob[0] else "").join(parts))
    return names


def test_document_names_read_inline_as_part_by_part_past_16_kib_of_blob_heap() -> None:
    # Parts past the first 16 KiB of the #Blob heap have four-byte indexes: a PDB of a few thousand documents has
    # them, and they are read inline like the one- and two-byte ones. Names and failures match the plain reading,
    # on the PDB and on mutants of its name blobs.
    documents = [(f"/_/src/Lib/Area{n % 30}/Feature{n}/Handler{n}.cs", SHA256_GUID, bytes([n % 256]) * 32,
                  CSHARP_GUID) for n in range(1500)]
    data = build_portable_pdb(documents=documents)
    _, blob_heap, blob_size = stream(data, "#Blob")
    assert blob_size > 3 * 16 * 1024
    pdb = open_pdb(data)
    assert [d.name for d in pdb.documents()] == [d[0] for d in documents] == _names_part_by_part(pdb)
    last_name = pdb._rows(0x30)[-1][0]  # its parts lie far into the heap: four-byte indexes
    assert data[blob_heap + last_name] < 0x80  # a one-byte length prefix
    cut = patch(data, blob_heap + last_name, bytes([data[blob_heap + last_name] - 1]))  # the last index cut short
    for read in (lambda p: p.documents(), _names_part_by_part):
        with pytest.raises(FormatError):
            read(open_pdb(cut))
    rng = random.Random(11)
    wide = 0
    for _ in range(120):
        mutant = bytearray(data)
        for _ in range(rng.choice([1, 3])):
            at = blob_heap + rng.randrange(blob_size)
            mutant[at] = rng.choice([0xC0, 0xC1, 0xDF, 0xE0, 0x80, 0x00, rng.randrange(256)])
        answers = []
        for read in (lambda p: [d.name for d in p.documents()], _names_part_by_part):
            try:
                answers.append(read(open_pdb(bytes(mutant))))
            except FormatError:
                answers.append("fails")
        assert answers[0] == answers[1]
        wide += answers[0] != "fails"
    assert wide > 12  # many mutants still decode: their names are compared, not only their failures


def test_document_name_separator_not_ascii() -> None:
    data = build_portable_pdb()
    name_index = struct.unpack_from("<H", data, table_offset(data, 0x30))[0]
    _, blob_heap, _ = stream(data, "#Blob")
    assert_format_error(patch(data, blob_heap + name_index + 1, b"\x80"), "separator", deep=True)


def test_empty_document_name_blob() -> None:
    data = build_portable_pdb()
    assert_format_error(patch(data, table_offset(data, 0x30), b"\0\0"), "empty", deep=True)


@pytest.mark.parametrize(("column", "match"), [(0, "#Blob index"), (2, "#GUID index"), (4, "#Blob index")])
def test_heap_index_past_heap(column: int, match: str) -> None:
    data = build_portable_pdb()
    assert_format_error(patch(data, table_offset(data, 0x30) + column, b"\xf0\xff"), match, deep=True)


def test_blob_length_past_heap() -> None:
    data = build_portable_pdb(source_link="{}")
    value_index = struct.unpack_from("<H", data, table_offset(data, 0x37) + 4)[0]
    _, blob_heap, _ = stream(data, "#Blob")
    assert_format_error(patch(data, blob_heap + value_index, b"\x7f"), "runs past the end", deep=True)


def test_missing_blob_heap_makes_indexes_fail() -> None:
    data = build_portable_pdb(stream_order=["#Pdb", "#~", "#Strings", "#US", "#GUID"])
    assert_format_error(data, "#Blob index", deep=True)


def test_invalid_has_custom_debug_information_tag() -> None:
    data = build_portable_pdb(source_link="{}")
    assert_format_error(patch(data, table_offset(data, 0x37), struct.pack("<H", (1 << 5) | 27)), "tag 27", deep=True)


def embedded_blob_offset(data: bytes) -> int:
    """File offset of the first EmbeddedSource blob's content (after its 1-byte length prefix)."""
    value_index = struct.unpack_from("<H", data, table_offset(data, 0x37) + 4)[0]
    _, blob_heap, _ = stream(data, "#Blob")
    return blob_heap + value_index + 1


def test_embedded_source_over_the_bound() -> None:
    pdb = open_pdb(build_portable_pdb(embedded_sources={1: BIG_SOURCE}))
    with pytest.raises(FormatError, match="limit"):
        pdb.embedded_source_text(1, limit=len(BIG_SOURCE) - 1)
    assert pdb.embedded_source_text(1, limit=len(BIG_SOURCE)) == BIG_SOURCE
    stored = open_pdb(build_portable_pdb(embedded_sources={1: SMALL_SOURCE}))
    with pytest.raises(FormatError, match="limit"):
        stored.embedded_source_text(1, limit=10)


def test_embedded_source_inflating_past_declared_size() -> None:
    data = build_portable_pdb(embedded_sources={1: BIG_SOURCE})
    at = embedded_blob_offset(data)
    pdb = open_pdb(patch(data, at, struct.pack("<i", 250)))
    assert pdb.embedded_sources()[1].size == 250
    with pytest.raises(FormatError, match="more than the declared 250"):
        pdb.embedded_source_text(1)
    with pytest.raises(FormatError, match="not the declared"):
        open_pdb(patch(data, at, struct.pack("<i", len(BIG_SOURCE) + 5))).embedded_source_text(1)


def test_embedded_source_corrupt_deflate() -> None:
    data = build_portable_pdb(embedded_sources={1: BIG_SOURCE})
    at = embedded_blob_offset(data)
    with pytest.raises(FormatError):
        open_pdb(patch(data, at + 4, b"\xff\xff\xff\xff")).embedded_source_text(1)


def test_embedded_source_reserved_format() -> None:
    data = build_portable_pdb(embedded_sources={1: SMALL_SOURCE})
    pdb = open_pdb(patch(data, embedded_blob_offset(data), struct.pack("<i", -1)))
    assert not pdb.embedded_sources()[1].compressed
    with pytest.raises(FormatError, match="reserved"):
        pdb.embedded_source_text(1)


def test_embedded_source_blob_too_short() -> None:
    data = build_portable_pdb(embedded_sources={1: SMALL_SOURCE})
    at = embedded_blob_offset(data)
    pdb = open_pdb(patch(data, at - 1, b"\x02"))
    with pytest.raises(FormatError, match="shorter than its header"):
        pdb.embedded_sources()


def test_compilation_options_not_terminated() -> None:
    data = build_portable_pdb(compilation_options={"zzkey": "zzvalue"})
    at = data.index(b"zzkey\0zzvalue\0")
    with pytest.raises(FormatError, match="NUL"):
        open_pdb(patch(data, at + 13, b"!")).compilation_options()
    with pytest.raises(FormatError, match="without a value"):
        open_pdb(patch(data, at + 5, b"_")).compilation_options()


def test_metadata_references_truncated() -> None:
    data = build_portable_pdb(metadata_references=REFERENCES[:1])
    at = data.index(b"System.Runtime.dll\0")
    length = data[at - 1]
    with pytest.raises(FormatError, match="truncated"):
        open_pdb(patch(data, at - 1, bytes([length - 1]))).compilation_metadata_references()
    with pytest.raises(FormatError, match="NUL-terminated"):
        open_pdb(patch(data, at - 1, bytes([5]))).compilation_metadata_references()


def test_shared_blobs_are_materialised_once() -> None:
    content = random.Random(1).randbytes(300)
    documents = [(f"/_/src/{i}.cs", SHA256_GUID, b"\x11" * 32, CSHARP_GUID) for i in range(50)]
    pdb = open_pdb(build_portable_pdb(documents=documents, embedded_sources={i: content for i in range(1, 51)}))
    cdis = pdb.custom_debug_information()
    assert len(cdis) == 50 and all(c.value is cdis[0].value for c in cdis)
    assert {pdb.embedded_source_text(i) for i in range(1, 51)} == {content}


def test_expansion_budget_stops_document_name_amplification() -> None:
    # A 80 KB name blob whose 20,000 parts all point at one 10 KB blob would decode to a 200 MB name.
    data = build_portable_pdb(padding=200_000)
    _, heap, size = stream(data, "#Blob")
    part, name = size - 150_000, size - 100_000  # both inside the zero padding
    data = patch(data, heap + part, compressed_uint(10_000) + b"A" * 10_000)
    parts = compressed_uint(part) * 20_000
    data = patch(data, heap + name, compressed_uint(1 + len(parts)) + b"/" + parts)
    data = patch(data, table_offset(data, 0x30), struct.pack("<I", name))  # #Blob indexes are 4 bytes here
    with pytest.raises(FormatError, match="far more bytes"):
        open_pdb(data).documents()


def test_fuzz_portable_pdb_only_raises_format_error() -> None:
    base = full_pdb()
    rng = random.Random(20240607)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(3000):
        data = bytearray(base)
        for _ in range(rng.choice((1, 1, 2, 4))):
            data[rng.randrange(len(data))] = rng.choice((0x00, 0xFF, 0x80, 0x7F, rng.randrange(256)))
        try:
            read_everything(open_pdb(bytes(data)))
            outcomes["ok"] += 1
        except FormatError:
            outcomes["error"] += 1
    assert outcomes["ok"] and outcomes["error"]


def test_every_truncation_of_a_portable_pdb_only_raises_format_error() -> None:
    base = full_pdb()
    for length in range(len(base)):
        try:
            read_everything(open_pdb(base[:length]))
        except FormatError:
            pass


# -- Windows PDB -----------------------------------------------------------------------------------------------

WIN_GUID = uuid.UUID("f3ce69e1-21e7-479f-aa1b-2e82e56251aa")


@pytest.mark.parametrize("block_size", [512, 1024, 4096])
def test_windows_pdb_round_trip(block_size: int) -> None:
    data = build_windows_pdb(WIN_GUID, 7, signature=0x12345678, block_size=block_size)
    assert sniff(data[:64]) == "windows"
    pdb = WindowsPdb.open(BytesSource(data))
    assert (pdb.guid, pdb.age, pdb.signature, pdb.version) == (WIN_GUID, 7, 0x12345678, 20000404)
    assert (pdb.block_size, pdb.num_blocks * block_size) == (block_size, len(data))
    assert pdb.named_streams == set()


def test_windows_pdb_named_streams() -> None:
    data = build_windows_pdb(WIN_GUID, 2, named_streams={"srcsrv": b"SRCSRV: ini", "sourcelink$1": b"{}" * 600})
    assert WindowsPdb.open(BytesSource(data)).named_streams == {"srcsrv", "sourcelink$1"}


def superblock_field(data: bytes, index: int, value: int) -> bytes:
    """Patch a u32 of the MSF superblock: 0 BlockSize, 1 FreeBlockMapBlock, 2 NumBlocks, 3 NumDirectoryBytes,
    5 BlockMapAddr."""
    return patch(data, 32 + 4 * index, struct.pack("<I", value))


def windows_error(data: bytes, match: str | None = None) -> None:
    with pytest.raises(FormatError, match=match):
        WindowsPdb.open(BytesSource(data))


def test_windows_bad_magic() -> None:
    windows_error(b"X" + build_windows_pdb(WIN_GUID, 1)[1:], "MSF 7.00")


@pytest.mark.parametrize("block_size", [0, 256, 1000, 8192])
def test_windows_bad_block_size(block_size: int) -> None:
    windows_error(superblock_field(build_windows_pdb(WIN_GUID, 1), 0, block_size), "block size")


def test_windows_bad_free_block_map() -> None:
    windows_error(superblock_field(build_windows_pdb(WIN_GUID, 1), 1, 9), "free block map")


def test_windows_more_blocks_than_file() -> None:
    windows_error(superblock_field(build_windows_pdb(WIN_GUID, 1), 2, 10_000), "declares")


def test_windows_block_map_out_of_range() -> None:
    data = build_windows_pdb(WIN_GUID, 1)
    windows_error(superblock_field(data, 5, len(data) // 512), "block map address")


def test_windows_directory_block_out_of_range() -> None:
    data = build_windows_pdb(WIN_GUID, 1)
    map_block = struct.unpack_from("<I", data, 52)[0]
    windows_error(patch(data, map_block * 512, struct.pack("<I", 999)), "refers to block 999")


def test_windows_stream_block_out_of_range() -> None:
    data = build_windows_pdb(WIN_GUID, 1)
    map_block = struct.unpack_from("<I", data, 52)[0]
    directory = struct.unpack_from("<I", data, map_block * 512)[0] * 512
    # directory: NumStreams=2, sizes (0, info), then stream 1's only block
    windows_error(patch(data, directory + 12, struct.pack("<I", 5000)), "refers to block 5000")


def test_windows_directory_too_large() -> None:
    windows_error(superblock_field(build_windows_pdb(WIN_GUID, 1), 3, 0x7FFFFFFF), "directory size")


def test_windows_too_many_streams() -> None:
    data = build_windows_pdb(WIN_GUID, 1)
    map_block = struct.unpack_from("<I", data, 52)[0]
    directory = struct.unpack_from("<I", data, map_block * 512)[0] * 512
    windows_error(patch(data, directory, struct.pack("<I", 1000)), "streams")


def test_windows_missing_info_stream() -> None:
    data = build_windows_pdb(WIN_GUID, 1)
    map_block = struct.unpack_from("<I", data, 52)[0]
    directory = struct.unpack_from("<I", data, map_block * 512)[0] * 512
    windows_error(patch(data, directory + 8, struct.pack("<I", 0xFFFFFFFF)), "no stream 1")


def test_windows_info_stream_too_short() -> None:
    data = build_windows_pdb(WIN_GUID, 1)
    map_block = struct.unpack_from("<I", data, 52)[0]
    directory = struct.unpack_from("<I", data, map_block * 512)[0] * 512
    windows_error(patch(data, directory + 8, struct.pack("<I", 12)), "too short")


def test_windows_named_stream_map_inconsistent() -> None:
    data = build_windows_pdb(WIN_GUID, 1, named_streams={"srcsrv": b"x"})
    at = data.index(b"srcsrv\0") + 7
    windows_error(patch(data, at, struct.pack("<I", 5)), "entries")


@pytest.mark.parametrize("length", [0, 31, 40, 56, 511, 512, 1024, 1536])
def test_windows_truncated(length: int) -> None:
    windows_error(build_windows_pdb(WIN_GUID, 1)[:length])


def test_fuzz_windows_pdb_only_raises_format_error() -> None:
    base = build_windows_pdb(WIN_GUID, 3, named_streams={"srcsrv": b"abc", "sourcelink": b"{}"})
    rng = random.Random(7)
    for _ in range(1500):
        data = bytearray(base)
        for _ in range(rng.choice((1, 2, 3))):
            data[rng.randrange(4096) if rng.random() < 0.5 else rng.randrange(len(data))] = rng.randrange(256)
        try:
            WindowsPdb.open(BytesSource(bytes(data)))
        except FormatError:
            pass


# -- real-world corpus (SNUPKG_LINT_CORPUS) --------------------------------------------------------------------

CORPUS = os.environ.get("SNUPKG_LINT_CORPUS")
needs_corpus = pytest.mark.skipif(not CORPUS, reason="SNUPKG_LINT_CORPUS is not set")


def corpus_bytes(path: str) -> bytes:
    """A corpus file, or ``archive!entry`` for a file inside a zip package."""
    assert CORPUS
    archive, _, entry = path.partition("!")
    if entry:
        with zipfile.ZipFile(Path(CORPUS) / archive) as package:
            return package.read(entry)
    return (Path(CORPUS) / archive).read_bytes()


def corpus_pdb(path: str) -> PortablePdb:
    return open_pdb(corpus_bytes(path))


def corpus_pdb_files() -> list[str]:
    if not CORPUS:
        return []
    root = Path(CORPUS)
    found = [str(p.relative_to(root)) for p in sorted(root.rglob("*")) if p.suffix in (".pdb", ".pdbx")]
    for package in sorted(root.rglob("*nupkg")):
        with zipfile.ZipFile(package) as archive:
            found += [f"{package.relative_to(root)}!{n}" for n in archive.namelist() if n.lower().endswith(".pdb")]
    return found


@needs_corpus
@pytest.mark.parametrize("path", corpus_pdb_files())
def test_corpus_every_pdb_reads_cleanly(path: str) -> None:
    data = corpus_bytes(path)
    kind = sniff(data[:64])
    assert kind in ("portable", "windows")
    if kind == "windows":
        pdb = WindowsPdb.open(BytesSource(data))
        assert pdb.version == 20000404 and pdb.age >= 1
        return
    pdb = open_pdb(data)
    assert pdb.version_string == "PDB v1.0"
    assert data[pdb.id_offset : pdb.id_offset + 20] == pdb.id
    assert all(d.name for d in pdb.documents())
    for row, header in pdb.embedded_sources().items():
        assert len(pdb.embedded_source_text(row)) == header.size
    read_everything(pdb)


@needs_corpus
@pytest.mark.parametrize(
    ("path", "guid", "stamp"),
    [
        ("NuGet.NuGetGallery/0-baseline/testlib.pdb", "b3163b54-3daa-46c6-88b8-61aa17a3cb49", 0xDE34494E),
        ("NuGet.NuGetGallery/1-add-class/testlib.pdb", "e072877d-45e8-44dc-8e9b-10d34b7e5794", 0x8689BCD4),
        ("loic-sharma.BaGet/TestData.1.2.3.snupkg!lib/net5.0/TestData.pdb",
         "16f71ed8-dd57-4aa2-ad4a-22d29e9c981b", 0x9A41E9ED),
        ("meziantou.Meziantou.Framework/Release_Deterministic_Snupkg.1.0.0.snupkg!lib/net6.0/samplelib.pdb",
         "15fba281-e1c6-4e59-bb3e-8415dc8d5e09", 0x8BE8B6FF),
    ],
)  # fmt: skip
def test_corpus_pdb_ids(path: str, guid: str, stamp: int) -> None:
    pdb = corpus_pdb(path)
    assert (str(pdb.guid), pdb.stamp) == (guid, stamp)


@needs_corpus
def test_corpus_testlib_baseline() -> None:
    pdb = corpus_pdb("NuGet.NuGetGallery/0-baseline/testlib.pdb")
    assert pdb.id_offset == 124
    docs = pdb.documents()
    assert "D:\\trash\\2020-02-12\\pdb\\testlib\\Class1.cs" in [d.name for d in docs]
    assert all(d.hash_algorithm == HASH_SHA256 and len(d.hash) == 32 for d in docs)
    assert all(d.language == LANGUAGE_CSHARP for d in docs)
    assert pdb.source_link() is None and pdb.embedded_sources() == {}


@needs_corpus
@pytest.mark.parametrize(
    ("path", "prefix", "url"),
    [
        ("getsentry.symbolic/ppdb-sourcelink-sample.pdb", "C:\\dev\\symbolic\\*",
         "https://raw.githubusercontent.com/getsentry/symbolic/9f7ceefc29da4c45bc802751916dbb3ea72bf08f/*"),
        ("getsentry.symbolic/Microsoft.Extensions.Logging.EventLog-sourcelink.pdb", "/_/*",
         "https://raw.githubusercontent.com/dotnet/runtime/d099f075e45d2aa6007a22b71b45a08758559f80/*"),
        ("meziantou.Meziantou.Framework/meziantou.framework.2.6.0.nupkg!lib/netstandard2.0/Meziantou.Framework.pdb",
         "D:\\a\\1\\s\\*",
         "https://raw.githubusercontent.com/meziantou/Meziantou.Framework/afe812f410cf19b28b725ebda713af43172a3945/*"),
    ],
)  # fmt: skip
def test_corpus_source_link(path: str, prefix: str, url: str) -> None:
    assert json.loads(corpus_pdb(path).source_link() or "null") == {"documents": {prefix: url}}


@needs_corpus
def test_corpus_sourcelink_sample_cdis_and_embedded_sources() -> None:
    pdb = corpus_pdb("getsentry.symbolic/ppdb-sourcelink-sample.pdb")
    kinds = {c.kind for c in pdb.custom_debug_information()}
    assert kinds == {CDI_COMPILATION_METADATA_REFERENCES, CDI_COMPILATION_OPTIONS, CDI_EMBEDDED_SOURCE, CDI_SOURCE_LINK}
    sources = pdb.embedded_sources()
    assert sources and all(s.compressed for s in sources.values())
    assert pdb.compilation_options()["language"] == "C#"
    assert pdb.compilation_metadata_references()


@needs_corpus
def test_corpus_fsharp_md5() -> None:
    [doc] = corpus_pdb("jbevain.cecil/mylib.pdb").documents()
    assert (doc.hash_algorithm, len(doc.hash), doc.language) == (HASH_MD5, 16, LANGUAGE_FSHARP)
    assert doc.name.endswith("Library.fs")


@needs_corpus
def test_corpus_edge_case_document_names_and_vb() -> None:
    names = [d.name for d in corpus_pdb("dotnet.symreader-converter/SourceLink.pdbx").documents()]
    assert "C:\\*\\5.cs" in names and ":6.cs" in names
    vb = corpus_pdb("dotnet.symreader-converter/VB.pdbx").documents()
    assert all(d.language == LANGUAGE_VB and d.hash_algorithm is None and d.hash == b"" for d in vb)


@needs_corpus
def test_corpus_hash_mix_and_type_definition_documents() -> None:
    pdb = corpus_pdb("getsentry.symbolic/Microsoft.Extensions.Logging.EventLog-sourcelink.pdb")
    assert {d.hash_algorithm for d in pdb.documents()} == {HASH_SHA1, HASH_SHA256}
    assert CDI_TYPE_DEFINITION_DOCUMENTS in {c.kind for c in pdb.custom_debug_information()}
    assert all(d.name.startswith("/_/") for d in pdb.documents())


@needs_corpus
def test_corpus_pdb_mismatch_differs_in_one_id_byte() -> None:
    good, bad = corpus_bytes("jbevain.cecil/TargetLib.pdb"), corpus_bytes("jbevain.cecil/pdb-mismatch.pdb")
    assert [i for i in range(len(good)) if good[i] != bad[i]] == [128]
    assert str(open_pdb(bad).guid).startswith("39d8df1d-39aa-")
    assert open_pdb(good).documents() == []  # TargetLib.pdb has no Document table
    assert open_pdb(good).source_link() is not None


@needs_corpus
def test_corpus_pdb_stream_not_first() -> None:
    # The official System.Threading.Thread.pdb stores #Pdb last and has no #US stream.
    pdb = corpus_pdb("dotnet.symstore/dir2/System.Threading.Thread.pdb")
    assert str(pdb.guid) == "e616b67f-817a-4706-84db-2088cbb81596"
    assert pdb.streams[-1].name == "#Pdb" and pdb.id_offset == pdb.streams[-1].offset != 124
    assert "#US" not in {s.name for s in pdb.streams}


@needs_corpus
def test_corpus_embedded_sources_inflate() -> None:
    pdb = corpus_pdb("dotnet.symreader-converter/EmbeddedSource.pdbx")
    sources = pdb.embedded_sources()
    assert sources[2] == type(sources[2])(format=392, size=392, compressed=True)
    assert len(pdb.embedded_source_text(2)) == 392


@needs_corpus
@pytest.mark.parametrize(
    ("path", "guid", "age", "named"),
    [
        ("NuGet.NuGetGallery/2-windows/testlib.pdb", "f3ce69e1-21e7-479f-aa1b-2e82e56251aa", 1, None),
        ("bagetter.BaGetter/TestDataFullDebug.1.2.3.snupkg!lib/net8.0/TestDataFullDebug.pdb",
         "6b7f9871-8ecf-459b-9f0c-b85faf35f0c7", 1, None),
        ("dotnet.symreader-converter/SourceData.pdb", None, 2, "srcsrv"),
        ("dotnet.symreader-converter/SourceLink.pdb", None, 1, "sourcelink"),
        ("jbevain.cecil/MixedNativeCLI.pdb", None, 1, "sourcelink$1"),
    ],
)  # fmt: skip
def test_corpus_windows_pdbs(path: str, guid: str | None, age: int, named: str | None) -> None:
    data = corpus_bytes(path)
    assert sniff(data[:64]) == "windows"
    with pytest.raises(FormatError):
        open_pdb(data)
    pdb = WindowsPdb.open(BytesSource(data))
    assert pdb.age == age
    if guid:
        assert str(pdb.guid) == guid
    if named:
        assert named in pdb.named_streams
