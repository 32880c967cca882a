"""Symbol validation as nuget.org's job runs it: .NET Framework 4.7.2 on Windows opening files, and
System.Reflection.Metadata 1.7.0-preview1 reading them (issue #8, kinds A1–A9). Every package is built in code."""

from __future__ import annotations

import struct

import pytest

from snupkg_lint.formats.pdb import PortablePdb
from snupkg_lint.formats.source import BytesSource
from tests.factory import package as pkg
from tests.factory.pair import Pair, matched_pair, pdb_checksum
from tests.factory.pe import RawEntry, build_pe, portable_codeview_for, relocate_headers
from tests.test_validation_rules import DIR, GOOD, NAME, OTHER_BUILD, WINDOWS, packages, pair_packages, rules_of


def named(codeview_file_name: str, pdb: bytes = GOOD.pdb, **pe_kwargs) -> Pair:
    """A DLL whose CodeView path ends in `codeview_file_name`, with the id and PdbChecksum of `pdb`."""
    pdb_id = PortablePdb.open(BytesSource(pdb)).id
    kwargs = {"codeview": [portable_codeview_for(pdb_id, f"C:\\build\\obj\\{codeview_file_name}")],
              "checksums": [("SHA256", pdb_checksum(pdb))]}
    kwargs.update(pe_kwargs)
    return Pair(build_pe(**kwargs), pdb)


def verdict(checker, pair: Pair, **names) -> tuple[str, int | None, set[str]]:
    report = checker.run(*pair_packages(pair, **names))
    code = report.predicted.outcome.code if report.predicted else None
    return report.verdict, code, rules_of(report)


# -- A1: trailing spaces and dots are dropped by Windows; the PDB is found ----------------------------------------


@pytest.mark.parametrize("suffix", [" ", ".", " . .", "\u00a0", ".\u0085"])
def test_trailing_spaces_and_dots_of_the_codeview_name_are_dropped(checker, suffix):
    state, code, rules = verdict(checker, named(f"{NAME}.pdb{suffix}"))
    assert (state, code) == ("pass", None) and "V202" not in rules


def test_a_trailing_nbsp_then_dot_then_nbsp_is_not_dropped_entirely(checker):
    """GetFullPathName, then TrimEnd, then CreateFile: 'x.pdb<NBSP>.<NBSP>' opens 'x.pdb<NBSP>', not found."""
    state, code, rules = verdict(checker, named(f"{NAME}.pdb\u00a0.\u00a0"))
    assert (state, code) == ("validation-failed", 251) and "V104" in rules


# -- A2: characters .NET Framework refuses: ArgumentException escapes the job ---------------------------------------


@pytest.mark.parametrize("name", [f"{NAME}|.pdb", f"{NAME}?.pdb", f"{NAME}*.pdb", f"{NAME}\x01.pdb",
                                  f"{NAME}.pdb\t", f'"{NAME}.pdb', f"<{NAME}>.pdb"])
def test_refused_characters_in_the_codeview_name_crash_the_job(checker, name):
    state, code, rules = verdict(checker, named(name))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules and "V104" not in rules


def test_refused_characters_crash_even_with_an_embedded_pdb(checker):
    """The ArgumentException escapes before SRM tries the embedded PDB (which would have been 251)."""
    state, code, rules = verdict(checker, named(f"{NAME}|.pdb", embedded_pdb=GOOD.pdb))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules and "V104" not in rules


def test_near_miss_a_colon_only_cuts_the_path(checker):
    """':' separates like '\\' and '/' (PathUtilities.GetFileName): only the text after it is the file name."""
    assert verdict(checker, named(f"D:{NAME}.pdb"))[:2] == ("pass", None)


# -- A3: the CodeView name names a folder: UnauthorizedAccessException ----------------------------------------------


@pytest.mark.parametrize("name", ["", ".", "..", " . "])
def test_a_codeview_name_that_is_the_folder_crashes_the_job(checker, name):
    state, code, rules = verdict(checker, named(name))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules


def test_a_codeview_name_of_an_extracted_sub_folder_crashes_the_job(checker):
    dll = named("net8.0").dll
    snupkg, nupkg = packages({f"lib/{NAME}.dll": dll, f"lib/net8.0/{NAME}.dll": GOOD.dll},
                             {f"lib/{NAME}.pdb": GOOD.pdb, f"lib/net8.0/{NAME}.pdb": GOOD.pdb})
    report = checker.run(snupkg, nupkg)
    assert report.predicted.rule == "V109" and report.predicted.outcome.code == 0
    snupkg, nupkg = packages({f"lib/{NAME}.dll": named("net6.0").dll, f"lib/net8.0/{NAME}.dll": GOOD.dll},
                             {f"lib/{NAME}.pdb": GOOD.pdb, f"lib/net8.0/{NAME}.pdb": GOOD.pdb})
    assert checker.run(snupkg, nupkg).predicted.outcome.code == 251  # no such folder: not found


# -- A4: the CodeView names the assembly itself, extracted beside the PDB ----------------------------------------


def test_codeview_naming_the_dll_itself_is_a_bad_image(checker):
    state, code, rules = verdict(checker, named(f"{NAME}.dll"))
    assert (state, code) == ("validation-failed", 0) and "V105" in rules and "V104" not in rules


def test_codeview_naming_the_dll_with_an_embedded_pdb_is_251(checker):
    """The BadImageFormatException is remembered; the embedded PDB then opens, and nuget.org wants a file."""
    state, code, rules = verdict(checker, named(f"{NAME}.dll", embedded_pdb=GOOD.pdb))
    assert (state, code) == ("validation-failed", 251) and "V104" in rules


def test_near_miss_a_dll_that_is_not_extracted_is_not_found(checker):
    """Other.dll has no PDB in the .snupkg, so the job never extracts it: the lookup finds nothing (251)."""
    snupkg, nupkg = packages({f"{DIR}/{NAME}.dll": named("Other.dll").dll, f"{DIR}/Other.dll": GOOD.dll},
                             {f"{DIR}/{NAME}.pdb": GOOD.pdb})
    report = checker.run(snupkg, nupkg)
    assert report.predicted.outcome.code == 251 and "V105" not in rules_of(report)


# -- A5 and A6: PDB metadata as SRM reads it -------------------------------------------------------------------------


def _stream(pdb: bytes, name: str):
    return next(s for s in PortablePdb.open(BytesSource(pdb)).streams if s.name == name)


def test_pdb_stream_names_unknown_or_not_ascii_are_skipped(checker):
    header = GOOD.pdb.index(b"#US\0")
    for renamed in (b"#\xc3\xa9\0", b"#\xff\xfe\0", b"#us\0"):
        pdb = GOOD.pdb[:header] + renamed + GOOD.pdb[header + 4 :]
        assert verdict(checker, matched_pair(NAME, pdb=pdb))[:2] == ("pass", None)


def test_a_table_that_must_be_sorted_without_its_sorted_bit_is_a_bad_image(checker):
    from tests.factory.pair import portable_pdb

    pdb = portable_pdb(source_link='{"documents": {}}')  # one CustomDebugInformation row
    at = _stream(pdb, "#~").offset + 16
    declared = struct.unpack_from("<Q", pdb, at)[0]
    assert verdict(checker, matched_pair(NAME, pdb=pdb))[:2] == ("pass", None)
    unsorted = pdb[:at] + struct.pack("<Q", declared & ~(1 << 0x37)) + pdb[at + 8 :]
    state, code, rules = verdict(checker, Pair(matched_pair(NAME, pdb=pdb).dll, unsorted))  # same id
    assert (state, code) == ("validation-failed", 0) and "V105" in rules
    no_local_scope_bit = pdb[:at] + struct.pack("<Q", declared & ~(1 << 0x32)) + pdb[at + 8 :]  # no rows: fine
    assert verdict(checker, matched_pair(NAME, pdb=no_local_scope_bit))[:2] == ("pass", None)


# -- A7: other exceptions escape before the embedded PDB is tried ---------------------------------------------------


def test_a_non_codeview_entry_marked_portable_crashes_even_with_an_embedded_pdb(checker):
    marked = RawEntry(type=16, data=b"\0" * 4, major=0x0100, minor=0x504D)
    dll = build_pe(codeview=[], checksums=[], reproducible=False, embedded_pdb=GOOD.pdb, extra_entries=[marked])
    state, code, rules = verdict(checker, Pair(dll, GOOD.pdb))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules and "V104" not in rules
    plain = build_pe(codeview=[], checksums=[], reproducible=False, embedded_pdb=GOOD.pdb)
    assert verdict(checker, Pair(plain, GOOD.pdb))[:2] == ("validation-failed", 251)


def _negative_stream_count(pdb: bytes) -> bytes:
    length = struct.unpack_from("<I", pdb, 12)[0]
    return pdb[: 16 + length + 2] + struct.pack("<H", 0x8000) + pdb[16 + length + 4 :]


def test_a_pdb_whose_stream_count_overflows_crashes_even_with_an_embedded_pdb(checker):
    dll = matched_pair(NAME, embedded_pdb=GOOD.pdb).dll
    state, code, rules = verdict(checker, Pair(dll, _negative_stream_count(GOOD.pdb)))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules and "V104" not in rules
    truncated = GOOD.pdb[:40]  # a BadImageFormatException: SRM goes on to the embedded PDB (251)
    assert verdict(checker, Pair(dll, truncated))[:2] == ("validation-failed", 251)


def test_an_embedded_pdb_whose_stream_count_overflows_crashes_the_job(checker):
    dll = named("Missing.pdb", embedded_pdb=_negative_stream_count(GOOD.pdb)).dll
    state, code, rules = verdict(checker, Pair(dll, GOOD.pdb))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules


# -- A8: the order in which Directory.GetFiles(AllDirectories) lists the extracted assemblies ------------------------


@pytest.mark.parametrize("first, second", [("lib/net461/B", "lib/net461/a/A"), ("lib/a/X", "lib/a-b/X"),
                                           ("lib/B", "lib/a/A"), ("lib/Z", "lib/z/A")])
def test_a_folders_files_come_before_its_sub_folders(checker, first, second):
    """nuget.org reports the first failing assembly: here `first` (252), though `second` sorts first as text."""
    snupkg, nupkg = packages({f"{first}.dll": WINDOWS.dll, f"{second}.dll": GOOD.dll},
                             {f"{first}.pdb": WINDOWS.pdb, f"{second}.pdb": OTHER_BUILD.pdb})
    report = checker.run(snupkg, nupkg)
    assert {"V103", "V104"} <= rules_of(report) and report.predicted.outcome.code == 252


def test_every_dll_comes_before_every_exe(checker):
    snupkg, nupkg = packages({f"{DIR}/A.exe": WINDOWS.dll, f"{DIR}/sub/B.dll": GOOD.dll},
                             {f"{DIR}/A.pdb": WINDOWS.pdb, f"{DIR}/sub/B.pdb": OTHER_BUILD.pdb})
    assert checker.run(snupkg, nupkg).predicted.outcome.code == 251


# -- A9: PE headers far into the file ------------------------------------------------------------------------------


@pytest.mark.parametrize("at", [0x10000 + 512, 0x40000])
def test_pe_headers_beyond_64_kib_are_validated_as_srm_reads_them(checker, at):
    """SRM 1.7.0-preview1 (the job's) seeks to e_lfanew wherever it points: the assembly is validated."""
    assert verdict(checker, Pair(relocate_headers(GOOD.dll, at), GOOD.pdb))[:2] == ("pass", None)
    state, code, rules = verdict(checker, Pair(relocate_headers(GOOD.dll, at), OTHER_BUILD.pdb))
    assert (state, code) == ("validation-failed", 251) and "V104" in rules and "X003" not in rules


# -- found by the flow differential suite: a "DLL" without 'MZ' is a COFF object to SRM ---------------------------


def test_an_assembly_without_mz_whose_coff_header_reads_crashes_the_job(checker):
    """SRM reads it as a COFF object file with no PE header; ReadDebugDirectory then throws NullReferenceException."""
    not_mz = b"XZ" + GOOD.dll[2:]  # bytes 2-3 give a section count whose table fits in the file
    state, code, rules = verdict(checker, Pair(not_mz, GOOD.pdb))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules
    too_many_sections = b"XZ\xff\x7f" + GOOD.dll[4:]  # 32767 sections: BadImageFormatException
    state, code, rules = verdict(checker, Pair(too_many_sections, GOOD.pdb))
    assert (state, code) == ("validation-failed", 0) and "V105" in rules and "V109" not in rules


def test_a_codeview_name_over_255_characters_escapes_unless_an_embedded_pdb_opens(checker):
    """PathTooLongException is an IOException: SRM keeps it, tries the embedded PDB, then rethrows it."""
    long_name = "C" * 252 + ".pdb"
    state, code, rules = verdict(checker, named(long_name))
    assert (state, code) == ("validation-failed", 0) and "V109" in rules
    assert verdict(checker, named(long_name, embedded_pdb=GOOD.pdb))[:2] == ("validation-failed", 251)
    assert verdict(checker, named("C" * 251 + ".pdb"))[:2] == ("validation-failed", 251)  # 255: not found
