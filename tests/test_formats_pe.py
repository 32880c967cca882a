"""Tests for snupkg_lint.formats.pe: built images, corruptions, fuzzing, and the real-world corpus.

Every field is cross-checked against pefile's own view of the same bytes. Corpus tests read
``$SNUPKG_LINT_CORPUS`` (see /work/shared/fixtures/README.md) and are skipped when it is unset.
"""

from __future__ import annotations

import hashlib
import os
import random
import struct
import uuid
import zipfile
from pathlib import Path

import pefile
import pytest

from snupkg_lint.formats.pe import (
    DEBUG_CODEVIEW,
    DEBUG_EMBEDDED_PORTABLE_PDB,
    DEBUG_PDB_CHECKSUM,
    DEBUG_REPRODUCIBLE,
    MAX_DEBUG_ENTRIES,
    MAX_HEADER_BYTES,
    PORTABLE_CODEVIEW_MINOR,
    CodeView,
    DebugEntry,
    EmbeddedPdb,
    PEImage,
    ReaderLimitError,
    inflate_embedded_pdb,
    read_pe,
)
from snupkg_lint.formats.source import BytesSource, FormatError, UncaughtError
from tests.factory.pe import (
    E_LFANEW,
    TEXT_FILE_OFFSET,
    CodeViewSpec,
    RawEntry,
    build_pe,
    build_pe_from_entries,
    embedded_pdb_entry,
    portable_codeview_for,
    relocate_headers,
)

GUID_A = uuid.UUID("b3163b54-3daa-46c6-88b8-61aa17a3cb49")
GUID_B = uuid.UUID("e072877d-45e8-44dc-8e9b-10d34b7e5794")
FAKE_PDB = b"BSJB" + bytes(range(256)) * 8
SHA256 = bytes(range(32))
CLI_DIRECTORY_OFFSET = E_LFANEW + 4 + 20 + 96 + 8 * 14  # PE32 data directory 14
COR_HEADER_OFFSET = TEXT_FILE_OFFSET

CORPUS = os.environ.get("SNUPKG_LINT_CORPUS")


# ------------------------------------------------------------------------------------------------ helpers


def read(data: bytes) -> PEImage:
    return read_pe(BytesSource(data))


def pefile_debug(data: bytes) -> pefile.PE:
    pe = pefile.PE(data=data, fast_load=True)
    pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DEBUG"]])
    return pe


def assert_matches_pefile(data: bytes, image: PEImage) -> None:
    """Every field read_pe exposes equals pefile's view of the same bytes."""
    pe = pefile_debug(data)
    assert image.machine == pe.FILE_HEADER.Machine
    assert image.timestamp == pe.FILE_HEADER.TimeDateStamp
    assert image.characteristics == pe.FILE_HEADER.Characteristics
    assert image.is_pe32_plus == (pe.PE_TYPE == pefile.OPTIONAL_HEADER_MAGIC_PE_PLUS)
    cli = pe.OPTIONAL_HEADER.DATA_DIRECTORY[14]
    assert image.is_dotnet == (cli.VirtualAddress != 0 and cli.Size != 0)
    pe_sections = sorted(pe.sections, key=lambda s: s.get_file_offset())
    assert [(s.name, s.virtual_address, s.virtual_size, s.pointer_to_raw_data, s.size_of_raw_data, s.characteristics)
            for s in image.sections] == [
        (s.Name.rstrip(b"\0").decode(), s.VirtualAddress, s.Misc_VirtualSize, s.PointerToRawData, s.SizeOfRawData,
         s.Characteristics)
        for s in pe_sections
    ]
    pe_entries = getattr(pe, "DIRECTORY_ENTRY_DEBUG", [])
    assert len(image.debug_entries) == len(pe_entries)
    for entry, pe_entry in zip(image.debug_entries, pe_entries):
        s = pe_entry.struct
        assert (entry.characteristics, entry.stamp, entry.major, entry.minor, entry.type, entry.size, entry.rva,
                entry.pointer) == (s.Characteristics, s.TimeDateStamp, s.MajorVersion, s.MinorVersion, s.Type,
                                   s.SizeOfData, s.AddressOfRawData, s.PointerToRawData)
    for cv in image.codeview_entries():
        pe_cv = pe_entries[cv.entry.index].entry
        assert pe_cv.CvSignature == b"RSDS"
        assert pe_cv.Signature_String == cv.guid.hex.upper() + f"{cv.age:X}"
        assert pe_cv.Age == cv.age
        raw_path, _, padding = getattr(pe_cv, "PdbFileName", b"").partition(b"\0")
        assert raw_path.decode("utf-8", errors="replace") == cv.path
        assert cv.path_padding_ok == (padding.strip(b"\0") == b"")
    for checksum in image.pdb_checksums():
        e = checksum.entry
        assert pe.__data__[e.pointer : e.pointer + e.size] == checksum.algorithm.encode() + b"\0" + checksum.checksum
    embedded = image.embedded_pdb()
    if embedded is not None:
        e = embedded.entry
        header = pe.__data__[e.pointer : e.pointer + 8]
        assert header[:4] == b"MPDB"
        assert struct.unpack("<I", header[4:])[0] == embedded.uncompressed_size
        assert embedded.compressed_size == e.size - 8


def set_u32(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + struct.pack("<I", value) + data[offset + 4 :]


class CountingSource(BytesSource):
    """A BytesSource that records how many bytes were read."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, offset: int, length: int) -> bytes:
        self.bytes_read += length
        return super().read(offset, length)


# ------------------------------------------------------------------------------------------- valid images


@pytest.mark.parametrize("pe32_plus", [False, True])
@pytest.mark.parametrize("dll", [True, False])
def test_built_image_matches_pefile(pe32_plus: bool, dll: bool) -> None:
    data = build_pe(
        codeview=[CodeViewSpec(GUID_A, stamp=0xDE34494E, path="D:\\x\\obj\\testlib.pdb")],
        checksums=[("SHA256", SHA256)],
        embedded_pdb=FAKE_PDB,
        dll=dll,
        pe32_plus=pe32_plus,
        timestamp=0x11223344,
    )
    assert pefile_debug(data).get_warnings() == []
    image = read(data)
    assert_matches_pefile(data, image)
    assert image.is_pe32_plus == pe32_plus
    assert image.machine == (0x8664 if pe32_plus else 0x14C)
    assert bool(image.characteristics & 0x2000) == dll
    assert image.timestamp == 0x11223344
    assert image.is_dotnet and image.is_reproducible
    assert (image.header_error, image.debug_error, image.data_errors) == (None, None, ())
    assert [e.type for e in image.debug_entries] == [
        DEBUG_CODEVIEW, DEBUG_PDB_CHECKSUM, DEBUG_REPRODUCIBLE, DEBUG_EMBEDDED_PORTABLE_PDB
    ]
    assert [e.index for e in image.debug_entries] == [0, 1, 2, 3]
    cv = image.first_portable_codeview()
    assert cv is not None and cv.entry.is_portable_codeview
    assert (cv.guid, cv.age, cv.path, cv.file_name) == (GUID_A, 1, "D:\\x\\obj\\testlib.pdb", "testlib.pdb")
    assert cv.pdb_id == GUID_A.bytes_le + bytes.fromhex("4e4934de")
    assert (cv.entry.major, cv.entry.minor) == (0x0100, PORTABLE_CODEVIEW_MINOR)
    assert [(c.algorithm, c.checksum) for c in image.pdb_checksums()] == [("SHA256", SHA256)]
    embedded = image.embedded_pdb()
    assert embedded is not None and embedded.uncompressed_size == len(FAKE_PDB)
    assert inflate_embedded_pdb(BytesSource(data), embedded, len(FAKE_PDB)) == FAKE_PDB


def test_entry_data_is_read_by_file_pointer_in_the_section() -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A)])
    image = read(data)
    for entry in image.debug_entries:
        if entry.size:
            section = image.sections[0]
            assert entry.pointer - section.pointer_to_raw_data == entry.rva - section.virtual_address


def test_windows_codeview_is_not_portable() -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A, age=7, portable=False)], reproducible=False)
    image = read(data)
    assert_matches_pefile(data, image)
    [cv] = image.codeview_entries()
    assert (cv.entry.major, cv.entry.minor, cv.age) == (0, 0, 7)
    assert not cv.entry.is_portable_codeview
    assert image.first_portable_codeview() is None and image.portable_codeview_entry() is None
    assert not image.is_reproducible


def test_portable_codeview_for_round_trips_a_pdb_id() -> None:
    pdb_id = bytes(range(100, 120))
    spec = portable_codeview_for(pdb_id, "/_/obj/Foo.pdb")
    cv = read(build_pe(codeview=[spec])).first_portable_codeview()
    assert cv is not None and cv.pdb_id == pdb_id and cv.file_name == "Foo.pdb"
    with pytest.raises(ValueError):
        portable_codeview_for(b"short")


@pytest.mark.parametrize(
    ("path", "name"),
    [("C:\\a\\b.pdb", "b.pdb"), ("/_/obj/x.pdb", "x.pdb"), ("a/b\\c:d.pdb", "d.pdb"), ("plain.pdb", "plain.pdb"),
     ("C:", ""), ("", "")],
)
def test_codeview_file_name_splits_like_srm(path: str, name: str) -> None:
    entry = DebugEntry(0, 0, 0, 0x100, PORTABLE_CODEVIEW_MINOR, DEBUG_CODEVIEW, 24, 0, 0)
    assert CodeView(GUID_A, GUID_A.bytes_le, 1, path, True, entry).file_name == name


def test_utf8_path_is_decoded() -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A, path="C:\\Ünïcødé\\Lib.pdb")])
    image = read(data)
    assert_matches_pefile(data, image)
    assert image.codeview_entries()[0].path == "C:\\Ünïcødé\\Lib.pdb"


def test_reading_is_bounded_for_a_large_file() -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A)], checksums=[("SHA256", SHA256)]) + bytes(4 * 1024 * 1024)
    src = CountingSource(data)
    image = read_pe(src)
    assert image.first_portable_codeview() is not None
    assert src.bytes_read < MAX_HEADER_BYTES + 4096


# ----------------------------------------------------------------------------------------------- not a PE


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"MZ",
        b"hello world" * 10,
        b"BSJB" + bytes(200),
        b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0" + bytes(200),
        b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40) + b"XX\0\0" + bytes(300),
        b"MZ" + bytes(0x3A) + struct.pack("<I", 0x7FFFFFF0) + bytes(300),
    ],
    ids=["empty", "mz-only", "text", "portable-pdb", "windows-pdb", "bad-pe-signature", "e_lfanew-outside"],
)
def test_not_a_pe_raises_format_error(data: bytes) -> None:
    with pytest.raises(FormatError) as info:
        read(data)
    assert not isinstance(info.value, ReaderLimitError)


def test_a_file_without_mz_is_a_coff_object_to_srm() -> None:
    """SRM PEHeaders: no 'MZ' (and not 00 00 FF FF) → a COFF header and section table at offset 0 and no PE
    header; if they fit, ReadDebugDirectory throws NullReferenceException, which is not a bad-image error."""
    with pytest.raises(UncaughtError, match="NullReferenceException"):
        read(bytes(64))  # 0 sections
    for data in (b"\0\0\xff\xff" + bytes(60), b"\0\0\xff\x7f" + bytes(60), b"\0\0\0\x80" + bytes(60), bytes(19)):
        with pytest.raises(FormatError) as info:
            read(data)
        assert not isinstance(info.value, UncaughtError)
    cormeta = b".cormeta" + struct.pack("<IIII", 0, 0, 16, 1 << 20) + bytes(16)  # raw data past the end
    with pytest.raises(FormatError, match="cormeta") as info:
        read(b"\x4c\x01\x01\x00" + bytes(16) + cormeta)
    assert not isinstance(info.value, UncaughtError)


def test_unknown_optional_header_magic() -> None:
    data = build_pe()
    data = data[: E_LFANEW + 24] + b"\x07\x01" + data[E_LFANEW + 26 :]
    with pytest.raises(FormatError, match="magic"):
        read(data)


@pytest.mark.parametrize("at", [MAX_HEADER_BYTES - 100, MAX_HEADER_BYTES + 16, 3 * MAX_HEADER_BYTES])
def test_headers_beyond_the_first_64_kib_are_read_where_e_lfanew_points(at) -> None:
    """SRM 1.7 (nuget.org's job) seeks to e_lfanew wherever it is in the file: so does the reader."""
    data = build_pe(codeview=[CodeViewSpec(GUID_A)], checksums=[("SHA256", SHA256)])
    image = read(relocate_headers(data, at))
    assert image.first_portable_codeview().guid == GUID_A and image.pdb_checksums()[0].checksum == SHA256
    assert image.timestamp == read(data).timestamp


def test_e_lfanew_past_the_end_of_a_large_file_is_not_a_pe() -> None:
    data = b"MZ" + bytes(0x3A) + struct.pack("<I", MAX_HEADER_BYTES + 2048) + bytes(MAX_HEADER_BYTES + 1024)
    with pytest.raises(FormatError, match="past the end") as info:
        read(data)
    assert not isinstance(info.value, ReaderLimitError)
    data = b"MZ" + bytes(0x3A) + struct.pack("<I", MAX_HEADER_BYTES + 16) + bytes(MAX_HEADER_BYTES + 1024)
    with pytest.raises(FormatError, match="PE"):  # zeros where 'PE\0\0' should be
        read(data)


def test_every_truncation_raises_format_error_or_reads() -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A)], checksums=[("SHA256", SHA256)], embedded_pdb=FAKE_PDB)
    headers_end = E_LFANEW + 4 + 20 + 224 + 40
    for length in range(len(data)):
        try:
            image = read(data[:length])
        except FormatError:
            continue
        assert length >= headers_end
        assert image.debug_error is not None or image.data_errors or image.debug_entries


def test_truncated_inside_the_section_reports_srm_errors() -> None:
    image = read(build_pe(codeview=[CodeViewSpec(GUID_A)])[: TEXT_FILE_OFFSET + 16])
    assert image.header_error is not None and "CLI header" in image.header_error
    assert image.debug_error is not None and "outside the file" in image.debug_error


def test_negative_number_of_sections_is_rejected() -> None:
    data = build_pe()
    data = data[: E_LFANEW + 6] + struct.pack("<H", 0x8001) + data[E_LFANEW + 8 :]
    with pytest.raises(FormatError, match="sections"):
        read(data)


def test_section_table_past_the_end_of_the_file() -> None:
    data = build_pe()
    data = data[: E_LFANEW + 6] + struct.pack("<H", 300) + data[E_LFANEW + 8 :]
    with pytest.raises(FormatError, match="300 sections"):
        read(data)


# ---------------------------------------------------------------------------------------- CLI header checks


def test_cli_header_absent_means_not_dotnet() -> None:
    data = set_u32(set_u32(build_pe(), CLI_DIRECTORY_OFFSET, 0), CLI_DIRECTORY_OFFSET + 4, 0)
    image = read(data)
    assert not image.is_dotnet and image.header_error is None
    assert_matches_pefile(data, image)


def test_cli_header_too_small() -> None:
    image = read(set_u32(build_pe(), CLI_DIRECTORY_OFFSET + 4, 64))
    assert image.header_error is not None and "CLI header size" in image.header_error


def test_cli_header_larger_than_its_section() -> None:
    image = read(set_u32(build_pe(), CLI_DIRECTORY_OFFSET + 4, 0x10000))
    assert image.header_error is not None and "does not fit" in image.header_error


def test_cli_header_outside_sections_is_ignored_like_srm() -> None:
    image = read(set_u32(build_pe(), CLI_DIRECTORY_OFFSET, 0x9000))
    assert image.is_dotnet and image.header_error is None


def test_metadata_outside_sections() -> None:
    image = read(set_u32(build_pe(), COR_HEADER_OFFSET + 8, 0x9000))
    assert image.header_error is not None and "not inside any section" in image.header_error


def test_metadata_larger_than_its_section() -> None:
    image = read(set_u32(build_pe(), COR_HEADER_OFFSET + 12, 0x10000))
    assert image.header_error is not None and "does not fit" in image.header_error


def test_metadata_size_zero() -> None:
    image = read(set_u32(build_pe(), COR_HEADER_OFFSET + 12, 0))
    assert image.header_error is not None and "outside the file" in image.header_error


# ----------------------------------------------------------------------------------------- debug directory


def test_no_debug_directory() -> None:
    data = build_pe(reproducible=False)
    assert data == build_pe_from_entries([])
    image = read(data)
    assert_matches_pefile(data, image)
    assert image.debug_entries == () and image.debug_error is None
    assert image.codeview_entries() == [] and image.pdb_checksums() == []
    assert image.first_portable_codeview() is None and image.embedded_pdb() is None
    assert not image.is_reproducible


def test_debug_size_zero_means_no_entries_whatever_the_rva() -> None:
    image = read(build_pe(codeview=[CodeViewSpec(GUID_A)], debug_rva=0xFFFFFFF0, debug_size=0))
    assert image.debug_entries == () and image.debug_error is None


@pytest.mark.parametrize("rva", [0x1000, 0x9000, 0x80002000, 0xFFFFFFFF], ids=hex)
def test_debug_rva_outside_sections(rva: int) -> None:
    image = read(build_pe(codeview=[CodeViewSpec(GUID_A)], debug_rva=rva))
    assert image.debug_entries == () and image.codeview_entries() == []
    assert image.debug_error is not None and "not inside any section" in image.debug_error


def test_debug_rva_at_the_section_end_is_outside() -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A)])
    section = read(data).sections[0]
    image = read(build_pe(codeview=[CodeViewSpec(GUID_A)], debug_rva=section.virtual_address + section.virtual_size))
    assert image.debug_error is not None and "not inside any section" in image.debug_error


def test_debug_directory_may_run_past_the_virtual_size() -> None:
    """SRM tests only the directory's start RVA against the section (canCrossSectionBoundary: true)."""
    data = build_pe()  # .text ends with the Reproducible entry; raw padding (zeros) follows
    image = read(data)
    directory_rva = image.sections[0].virtual_address + image.sections[0].virtual_size - 28
    data = build_pe(debug_rva=directory_rva, debug_size=56)
    image = read(data)
    assert image.debug_error is None
    assert [e.type for e in image.debug_entries] == [DEBUG_REPRODUCIBLE, 0]
    assert_matches_pefile(data, image)


@pytest.mark.parametrize("size", [1, 27, 29, 3 * 28 + 1, 0x80000001])
def test_debug_size_not_multiple_of_28(size: int) -> None:
    image = read(build_pe(codeview=[CodeViewSpec(GUID_A)], debug_size=size))
    assert image.debug_entries == ()
    assert image.debug_error is not None and "multiple of 28" in image.debug_error


def test_debug_directory_past_the_end_of_the_file() -> None:
    image = read(build_pe(codeview=[CodeViewSpec(GUID_A)], debug_size=28 * 100))
    assert image.debug_entries == ()
    assert image.debug_error is not None and "outside the file" in image.debug_error


def test_non_zero_characteristics_rejects_the_whole_directory() -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A)], extra_entries=[RawEntry(DEBUG_REPRODUCIBLE, characteristics=4)])
    image = read(data)
    assert image.debug_entries == () and image.first_portable_codeview() is None
    assert image.debug_error is not None and "#2" in image.debug_error and "Characteristics" in image.debug_error
    assert pefile_debug(data).DIRECTORY_ENTRY_DEBUG[2].struct.Characteristics == 4


def test_too_many_entries_is_a_limit_error() -> None:
    data = build_pe() + bytes(28 * (MAX_DEBUG_ENTRIES + 8))
    with pytest.raises(ReaderLimitError):
        read(set_u32(data, E_LFANEW + 4 + 20 + 96 + 8 * 6 + 4, 28 * (MAX_DEBUG_ENTRIES + 1)))


def test_unknown_entry_types_are_listed() -> None:
    data = build_pe(extra_entries=[RawEntry(21, b"perfmap", major=1), RawEntry(12, b"\1" * 20), RawEntry(14)])
    image = read(data)
    assert_matches_pefile(data, image)
    assert [e.type for e in image.debug_entries] == [DEBUG_REPRODUCIBLE, 21, 12, 14]
    assert image.data_errors == ()


# ------------------------------------------------------------------------------------------------ CodeView


def test_bad_rsds_signature_is_a_data_error() -> None:
    image = read(build_pe(codeview=[CodeViewSpec(GUID_A, signature=b"NB10")]))
    entry = image.portable_codeview_entry()
    assert entry is not None and image.first_portable_codeview() is None and image.codeview_entries() == []
    error = image.error_for(entry)
    assert error is not None and "RSDS" in error.message and not error.exceeded_limit


@pytest.mark.parametrize("length", [0, 3, 4, 20, 23])
def test_truncated_codeview_data(length: int) -> None:
    full = b"RSDS" + GUID_A.bytes_le + struct.pack("<I", 1)
    entry = RawEntry(DEBUG_CODEVIEW, full[:length] or b"RS", 1, 0x100, PORTABLE_CODEVIEW_MINOR, size=length)
    image = read(build_pe(extra_entries=[entry]))
    [cv_entry] = [e for e in image.debug_entries if e.type == DEBUG_CODEVIEW]
    if length == 0:  # SRM skips a portable CodeView entry with DataSize 0
        assert image.portable_codeview_entry() is None and image.error_for(cv_entry) is None
    else:
        error = image.error_for(cv_entry)
        assert error is not None and ("RSDS" in error.message or "shorter" in error.message)


def test_minimal_codeview_without_path_terminator() -> None:
    data = build_pe(extra_entries=[
        RawEntry(DEBUG_CODEVIEW, b"RSDS" + GUID_A.bytes_le + struct.pack("<I", 3) + b"abc", 5, 0x100, 0x504D)
    ])
    image = read(data)
    cv = image.first_portable_codeview()
    assert cv is not None and (cv.path, cv.age, cv.path_padding_ok) == ("abc", 3, True)
    assert_matches_pefile(data, image)


def test_codeview_data_past_the_end_of_the_file() -> None:
    image = read(build_pe(extra_entries=[RawEntry(DEBUG_CODEVIEW, b"RSDS", minor=0x504D, size=0x100000)]))
    error = image.error_for(image.debug_entries[1])
    assert error is not None and "outside" in error.message


def test_codeview_is_read_by_pointer_not_rva() -> None:
    good = RawEntry(DEBUG_CODEVIEW, b"RSDS" + GUID_A.bytes_le + b"\1\0\0\0x.pdb\0", 1, 0x100, 0x504D, rva=0xDEAD0)
    assert read(build_pe(extra_entries=[good])).first_portable_codeview() is not None
    at_zero = RawEntry(DEBUG_CODEVIEW, b"RSDS" + GUID_A.bytes_le + b"\1\0\0\0x.pdb\0", 1, 0x100, 0x504D, pointer=0)
    image = read(build_pe(extra_entries=[at_zero]))
    assert image.first_portable_codeview() is None
    error = image.error_for(image.debug_entries[1])
    assert error is not None and "RSDS" in error.message  # reads 'MZ' at offset 0


def test_huge_codeview_path_is_a_limit_error() -> None:
    data = build_pe(extra_entries=[
        RawEntry(DEBUG_CODEVIEW, b"RSDS" + GUID_A.bytes_le + b"\1\0\0\0" + b"a" * 70000, 1, 0x100, 0x504D)
    ])
    image = read(data)
    error = image.error_for(image.debug_entries[1])
    assert error is not None and error.exceeded_limit


@pytest.mark.parametrize(
    ("padding", "ok"), [(b"", True), (b"\0" * 235, True), (b"\0junk", False), (b"x", False), (b"\0\0\0\1", False)]
)
def test_path_padding(padding: bytes, ok: bool) -> None:
    data = build_pe(codeview=[CodeViewSpec(GUID_A, path="Lib.pdb", padding=padding)])
    image = read(data)
    assert_matches_pefile(data, image)
    cv = image.first_portable_codeview()
    assert cv is not None and cv.path == "Lib.pdb" and cv.path_padding_ok == ok


def test_several_codeview_entries_first_portable_wins() -> None:
    data = build_pe(codeview=[
        CodeViewSpec(GUID_A, path="Lib.ni.pdb", portable=False),
        CodeViewSpec(GUID_B, path="Lib.pdb", stamp=1),
        CodeViewSpec(GUID_A, path="Other.pdb", stamp=2),
    ])
    image = read(data)
    assert_matches_pefile(data, image)
    assert [cv.file_name for cv in image.codeview_entries()] == ["Lib.ni.pdb", "Lib.pdb", "Other.pdb"]
    first = image.first_portable_codeview()
    assert first is not None and (first.entry.index, first.guid, first.entry.stamp) == (1, GUID_B, 1)


def test_first_portable_entry_with_size_zero_hides_later_ones() -> None:
    """SRM: ``FirstOrDefault(IsPortableCodeView)`` then ``DataSize != 0``; a later portable entry is not tried."""
    data = build_pe(
        extra_entries=[RawEntry(DEBUG_CODEVIEW, major=0x100, minor=0x504D)],
        codeview=[CodeViewSpec(GUID_B, portable=False)],
    )
    data_with_portable = build_pe(
        codeview=[CodeViewSpec(GUID_B)],
        extra_entries=[RawEntry(DEBUG_CODEVIEW, major=0x100, minor=0x504D), RawEntry(DEBUG_CODEVIEW, major=0x100)],
    )
    assert read(data).portable_codeview_entry() is None
    image = read(data_with_portable)
    assert image.first_portable_codeview() is not None  # the real one comes first here
    hidden = build_pe(
        extra_entries=[
            RawEntry(DEBUG_CODEVIEW, major=0x100, minor=0x504D),
            RawEntry(DEBUG_CODEVIEW, b"RSDS" + GUID_A.bytes_le + b"\1\0\0\0a.pdb\0", 1, 0x100, 0x504D),
        ]
    )
    image = read(hidden)
    assert image.portable_codeview_entry() is None and image.first_portable_codeview() is None
    assert len(image.codeview_entries()) == 1 and image.data_errors == ()


def test_portable_marker_on_another_type_is_a_data_error() -> None:
    image = read(build_pe(extra_entries=[RawEntry(21, b"data", minor=0x504D)]))
    entry = image.portable_codeview_entry()
    assert entry is not None and entry.type == 21
    assert image.first_portable_codeview() is None
    error = image.error_for(entry)
    assert error is not None and "ArgumentException" in error.message


# ----------------------------------------------------------------------------------------------- PdbChecksum


def test_pdb_checksums_keep_names_verbatim_and_in_order() -> None:
    checksums = [("SHA256", SHA256), ("SHA384", bytes(48)), ("SHA512", b"\xff" * 64), ("sha256", b"\1"), ("MD5", b"x")]
    data = build_pe(checksums=checksums)
    image = read(data)
    assert_matches_pefile(data, image)
    assert [(c.algorithm, c.checksum) for c in image.pdb_checksums()] == checksums
    assert [c.entry.major for c in image.pdb_checksums()] == [1] * 5


@pytest.mark.parametrize(
    "payload",
    [b"\0" + SHA256, b"SHA256\0", b"SHA256", b"", b"\0"],
    ids=["no-name", "no-checksum", "no-nul", "empty", "nul"],
)
def test_bad_pdb_checksum(payload: bytes) -> None:
    data = build_pe(extra_entries=[RawEntry(DEBUG_PDB_CHECKSUM, payload, major=1)], checksums=[("SHA256", SHA256)])
    image = read(data)
    bad = image.debug_entries[-1]
    assert bad.type == DEBUG_PDB_CHECKSUM and bad.size == len(payload)
    error = image.error_for(bad)
    assert error is not None and "empty" in error.message
    assert [c.algorithm for c in image.pdb_checksums()] == ["SHA256"]


def test_oversized_pdb_checksum_is_a_limit_error() -> None:
    image = read(build_pe(extra_entries=[RawEntry(DEBUG_PDB_CHECKSUM, b"SHA256\0" + bytes(70000), major=1)]))
    error = image.error_for(image.debug_entries[-1])
    assert error is not None and error.exceeded_limit and image.pdb_checksums() == []


# ------------------------------------------------------------------------------------------------- embedded


def embedded_image(entry: RawEntry) -> tuple[bytes, PEImage]:
    data = build_pe(codeview=[CodeViewSpec(GUID_A)], extra_entries=[entry])
    return data, read(data)


def test_embedded_pdb_round_trip() -> None:
    data, image = embedded_image(embedded_pdb_entry(FAKE_PDB))
    embedded = image.embedded_pdb()
    assert embedded is not None and embedded.entry == image.embedded_pdb_entry()
    assert (embedded.uncompressed_size, embedded.entry.major, embedded.entry.minor) == (len(FAKE_PDB), 0x100, 0x100)
    assert inflate_embedded_pdb(BytesSource(data), embedded, 1 << 20) == FAKE_PDB
    assert_matches_pefile(data, image)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (embedded_pdb_entry(FAKE_PDB, signature=b"MPDX"), "MPDB"),
        (embedded_pdb_entry(FAKE_PDB, major=0x00FF), "portable PDB version"),
        (embedded_pdb_entry(FAKE_PDB, minor=0x0101), "blob version"),
        (embedded_pdb_entry(FAKE_PDB, declared_size=0x80000000), "too big"),
        (RawEntry(DEBUG_EMBEDDED_PORTABLE_PDB, b"MPD", major=0x100, minor=0x100), "MPDB"),
        (RawEntry(DEBUG_EMBEDDED_PORTABLE_PDB, b"MPDB\1\0", major=0x100, minor=0x100), "too short"),
    ],
    ids=["signature", "major", "minor", "high-bit-size", "3-bytes", "6-bytes"],
)
def test_bad_embedded_header_is_a_data_error(entry: RawEntry, message: str) -> None:
    data, image = embedded_image(entry)
    assert image.embedded_pdb() is None
    chosen = image.embedded_pdb_entry()
    assert chosen is not None
    error = image.error_for(chosen)
    assert error is not None and message in error.message
    forged = EmbeddedPdb(len(FAKE_PDB), chosen.size - 8, chosen)
    with pytest.raises(FormatError, match=message):
        inflate_embedded_pdb(BytesSource(data), forged, 1 << 20)


@pytest.mark.parametrize(
    ("declared", "message"),
    [(len(FAKE_PDB) - 1, "more than"), (len(FAKE_PDB) + 1, "not"), (0, "more than")],
    ids=["smaller", "larger", "zero"],
)
def test_embedded_size_mismatch(declared: int, message: str) -> None:
    data, image = embedded_image(embedded_pdb_entry(FAKE_PDB, declared_size=declared))
    embedded = image.embedded_pdb()
    assert embedded is not None
    with pytest.raises(FormatError, match=message):
        inflate_embedded_pdb(BytesSource(data), embedded, 1 << 20)


def test_large_embedded_pdb_inflates_in_chunks() -> None:
    pdb = b"BSJB" + random.Random(7).randbytes(300_000)
    data, image = embedded_image(embedded_pdb_entry(pdb))
    embedded = image.embedded_pdb()
    assert embedded is not None and embedded.compressed_size > 200_000
    src = CountingSource(data)
    assert inflate_embedded_pdb(src, embedded, len(pdb)) == pdb
    assert src.bytes_read == embedded.entry.size  # the 8-byte header, then the compressed data once


def test_embedded_empty_pdb_inflates_to_nothing() -> None:
    data, image = embedded_image(embedded_pdb_entry(b""))
    embedded = image.embedded_pdb()
    assert embedded is not None and inflate_embedded_pdb(BytesSource(data), embedded, 0) == b""


def test_embedded_over_the_limit() -> None:
    data, image = embedded_image(embedded_pdb_entry(FAKE_PDB))
    embedded = image.embedded_pdb()
    assert embedded is not None
    with pytest.raises(ReaderLimitError):
        inflate_embedded_pdb(BytesSource(data), embedded, len(FAKE_PDB) - 1)


def test_bytes_after_the_deflate_stream_are_ignored_like_srm() -> None:
    data, image = embedded_image(embedded_pdb_entry(FAKE_PDB, trailing=b"garbage after the final block"))
    embedded = image.embedded_pdb()
    assert embedded is not None and inflate_embedded_pdb(BytesSource(data), embedded, 1 << 20) == FAKE_PDB


def test_embedded_invalid_and_truncated_deflate() -> None:
    bad = RawEntry(DEBUG_EMBEDDED_PORTABLE_PDB, b"MPDB" + struct.pack("<I", 10) + b"\xff" * 8, major=0x100, minor=0x100)
    data, image = embedded_image(bad)
    embedded = image.embedded_pdb()
    assert embedded is not None
    with pytest.raises(FormatError, match="deflate"):
        inflate_embedded_pdb(BytesSource(data), embedded, 1 << 20)
    whole = embedded_pdb_entry(FAKE_PDB)
    cut = RawEntry(DEBUG_EMBEDDED_PORTABLE_PDB, whole.data[:20], major=0x100, minor=0x100)
    data, image = embedded_image(cut)
    embedded = image.embedded_pdb()
    assert embedded is not None
    with pytest.raises(FormatError, match="not"):
        inflate_embedded_pdb(BytesSource(data), embedded, 1 << 20)


def test_only_the_first_embedded_entry_counts() -> None:
    data = build_pe(extra_entries=[
        RawEntry(DEBUG_EMBEDDED_PORTABLE_PDB, major=0x100, minor=0x100),
        embedded_pdb_entry(FAKE_PDB),
    ])
    image = read(data)
    assert image.embedded_pdb_entry() is None and image.embedded_pdb() is None and image.data_errors == ()
    data = build_pe(extra_entries=[embedded_pdb_entry(b"first"), embedded_pdb_entry(FAKE_PDB)])
    image = read(data)
    embedded = image.embedded_pdb()
    assert embedded is not None and inflate_embedded_pdb(BytesSource(data), embedded, 100) == b"first"


# --------------------------------------------------------------------------------------------------- fuzzing


def exercise(data: bytes) -> None:
    """Everything a caller may do with an image; only FormatError may escape."""
    src = BytesSource(data)
    image = read_pe(src)
    image.codeview_entries()
    image.pdb_checksums()
    image.is_reproducible
    for cv in image.codeview_entries():
        cv.pdb_id, cv.file_name
    first = image.first_portable_codeview()
    if first is not None:
        first.file_name
    embedded = image.embedded_pdb()
    if embedded is not None:
        inflate_embedded_pdb(src, embedded, 1 << 16)


def test_single_byte_mutation_fuzz() -> None:
    base = build_pe(
        codeview=[CodeViewSpec(GUID_A, portable=False), CodeViewSpec(GUID_B, padding=b"\0" * 8)],
        checksums=[("SHA256", SHA256)],
        embedded_pdb=FAKE_PDB[:300],
    )
    exercise(base)
    rng = random.Random(20240611)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(3000):
        mutated = bytearray(base)
        mutated[rng.randrange(len(base))] = rng.randrange(256)
        try:
            exercise(bytes(mutated))
            outcomes["ok"] += 1
        except FormatError:
            outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0


# ----------------------------------------------------------------------------------------------------- corpus


def corpus_pes() -> list[tuple[str, bytes]]:
    """Every DLL/EXE of the corpus: loose files and entries of the .nupkg files."""
    root = Path(CORPUS or "")
    found: list[tuple[str, bytes]] = []
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.suffix.lower() in (".dll", ".exe"):
            found.append((name, path.read_bytes()))
        elif path.suffix.lower() == ".nupkg":
            with zipfile.ZipFile(path) as archive:
                found += [
                    (f"{name}!{info.filename}", archive.read(info))
                    for info in archive.infolist()
                    if info.filename.lower().endswith((".dll", ".exe"))
                ]
    return found


CORPUS_PES = dict(corpus_pes()) if CORPUS else {}
needs_corpus = pytest.mark.skipif(not CORPUS, reason="SNUPKG_LINT_CORPUS is not set")


def corpus_file(relative: str) -> bytes:
    return (Path(CORPUS or "") / relative).read_bytes()


@pytest.mark.parametrize(
    "name", sorted(CORPUS_PES) or [pytest.param("", marks=pytest.mark.skip(reason="SNUPKG_LINT_CORPUS is not set"))]
)
def test_corpus_pe_matches_pefile(name: str) -> None:
    data = CORPUS_PES[name]
    image = read(data)
    assert (image.header_error, image.debug_error, image.data_errors) == (None, None, ())
    assert image.is_dotnet
    assert_matches_pefile(data, image)
    embedded = image.embedded_pdb()
    if embedded is not None:
        pdb = inflate_embedded_pdb(BytesSource(data), embedded, 16 << 20)
        assert pdb[:4] == b"BSJB" and len(pdb) == embedded.uncompressed_size


@needs_corpus
def test_corpus_has_many_pes() -> None:
    assert len(CORPUS_PES) > 60


@needs_corpus
def test_corpus_nugetgallery_baseline() -> None:
    image = read(corpus_file("NuGet.NuGetGallery/0-baseline/testlib.dll"))
    cv = image.first_portable_codeview()
    assert cv is not None
    assert cv.guid == uuid.UUID("b3163b54-3daa-46c6-88b8-61aa17a3cb49") and cv.entry.stamp == 0xDE34494E
    assert (cv.entry.major, cv.entry.minor, cv.age) == (0x0100, 0x504D, 1)
    assert cv.path == "D:\\trash\\2020-02-12\\pdb\\testlib\\obj\\Debug\\netstandard2.0\\testlib.pdb"
    assert cv.file_name == "testlib.pdb"
    pdb = corpus_file("NuGet.NuGetGallery/0-baseline/testlib.pdb")
    assert cv.pdb_id in pdb
    [checksum] = image.pdb_checksums()
    assert checksum.algorithm == "SHA256"
    assert hashlib.sha256(pdb.replace(cv.pdb_id, bytes(20), 1)).digest() == checksum.checksum
    assert image.is_reproducible and image.embedded_pdb() is None


@needs_corpus
def test_corpus_nugetgallery_windows() -> None:
    image = read(corpus_file("NuGet.NuGetGallery/2-windows/testlib.dll"))
    [cv] = image.codeview_entries()
    assert cv.guid == uuid.UUID("f3ce69e1-21e7-479f-aa1b-2e82e56251aa") and cv.age == 1
    assert (cv.entry.major, cv.entry.minor) == (0, 0)
    assert image.first_portable_codeview() is None and image.pdb_checksums() == [] and image.is_reproducible


@needs_corpus
def test_corpus_deterministic_without_codeview() -> None:
    image = read(corpus_file("jbevain.cecil/Deterministic.dll"))
    assert [e.type for e in image.debug_entries] == [DEBUG_REPRODUCIBLE]
    assert image.codeview_entries() == [] and image.first_portable_codeview() is None


@needs_corpus
@pytest.mark.parametrize("folder", ["dir1", "dir2"])
def test_corpus_thread_dll_second_entry_is_portable(folder: str) -> None:
    image = read(corpus_file(f"dotnet.symstore/{folder}/System.Threading.Thread.dll"))
    first, second = image.codeview_entries()
    assert (first.entry.major, first.entry.minor, first.file_name) == (0x100, 0, "System.Threading.Thread.ni.pdb")
    cv = image.first_portable_codeview()
    assert cv == second and cv.file_name == "System.Threading.Thread.pdb"
    assert cv.pdb_id in corpus_file(f"dotnet.symstore/{folder}/System.Threading.Thread.pdb")
    assert not image.is_reproducible and image.pdb_checksums() == [] and image.is_pe32_plus


@needs_corpus
def test_corpus_stacktrace_first_portable_is_the_ni_pdb() -> None:
    image = read(corpus_file("dotnet.symstore/System.Diagnostics.StackTrace.dll"))
    assert image.machine == 0xFD1D and all(cv.entry.is_portable_codeview for cv in image.codeview_entries())
    cv = image.first_portable_codeview()
    assert cv is not None and cv.entry.index == 0 and cv.file_name == "System.Diagnostics.StackTrace.ni.pdb"


@needs_corpus
def test_corpus_crossgen_two_windows_entries() -> None:
    image = read(corpus_file("dotnet.symreader-converter/CrossGen.ni.dll"))
    assert [cv.file_name for cv in image.codeview_entries()] == ["CrossGen.ni.pdb", "CrossGen.pdb"]
    assert image.first_portable_codeview() is None and image.machine == 0x8664 and image.is_reproducible


@needs_corpus
def test_corpus_perfmap_and_mixed_mode_types() -> None:
    perfmap = read(corpus_file("dotnet.symstore/System.ComponentModel.EventBasedAsync.dll"))
    assert [e.type for e in perfmap.debug_entries] == [21, DEBUG_CODEVIEW, DEBUG_REPRODUCIBLE]
    cv = perfmap.first_portable_codeview()
    assert cv is not None and cv.entry.index == 1
    mixed = read(corpus_file("jbevain.cecil/MixedNativeCLI.exe"))
    assert [e.type for e in mixed.debug_entries] == [DEBUG_CODEVIEW, 12, 13, 14] and mixed.is_pe32_plus
    assert not mixed.characteristics & 0x2000


@needs_corpus
def test_corpus_padded_codeview_paths() -> None:
    image = read(corpus_file("dotnet.symstore/HelloWorld.exe"))
    [cv] = image.codeview_entries()
    assert cv.entry.size == 284 and cv.path_padding_ok and cv.file_name == "HelloWorld.pdb"


@needs_corpus
@pytest.mark.parametrize(
    "relative",
    [
        "jbevain.cecil/EmbeddedPdbChecksumLib.dll",
        "jbevain.cecil/EmbeddedPdbDeterministic.dll",
        "jbevain.cecil/EmbeddedCompressedPdbTarget.exe",
        "dotnet.symreader-converter/SourceLink.Embedded.dll",
        "getsentry.symbolic/Sentry.Samples.Console.Basic-embedded-ppdb.dll",
        "getsentry.symbolic/Sentry.Samples.Console.Basic-embedded-ppdb-with-sources.dll",
    ],
)
def test_corpus_embedded_pdbs_inflate_and_match(relative: str) -> None:
    data = corpus_file(relative)
    image = read(data)
    embedded = image.embedded_pdb()
    assert embedded is not None
    pdb = inflate_embedded_pdb(BytesSource(data), embedded, 16 << 20)
    assert pdb[:4] == b"BSJB"
    cv = image.first_portable_codeview()
    assert cv is not None and cv.pdb_id in pdb
    for checksum in image.pdb_checksums():
        assert hashlib.sha256(pdb.replace(cv.pdb_id, bytes(20), 1)).digest() == checksum.checksum
    with pytest.raises(ReaderLimitError):
        inflate_embedded_pdb(BytesSource(data), embedded, embedded.uncompressed_size - 1)


@needs_corpus
def test_corpus_sourcelink_embedded_is_the_pdbx() -> None:
    data = corpus_file("dotnet.symreader-converter/SourceLink.Embedded.dll")
    image = read(data)
    embedded = image.embedded_pdb()
    assert embedded is not None
    pdbx = corpus_file("dotnet.symreader-converter/SourceLink.pdbx")
    assert inflate_embedded_pdb(BytesSource(data), embedded, 1 << 20) == pdbx


@needs_corpus
@pytest.mark.parametrize(
    "relative", ["NuGet.NuGetGallery/0-baseline/testlib.pdb", "NuGet.NuGetGallery/2-windows/testlib.pdb"]
)
def test_corpus_pdbs_are_not_pes(relative: str) -> None:
    with pytest.raises(FormatError):
        read(corpus_file(relative))
