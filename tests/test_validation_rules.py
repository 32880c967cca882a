"""Every symbol-validation rule: a pair (or package) that makes it fire and one that does not.

DLLs and PDBs are built in code (tests/factory/pe.py, pdb.py, pair.py) and packed as `dotnet pack` does.
"""

from __future__ import annotations

import tracemalloc
import uuid
import zipfile

import pytest

from snupkg_lint.engine import check_package
from snupkg_lint.model import Stage
from tests.factory import package as pkg
from tests.factory.pair import Pair, matched_pair, pdb_checksum, portable_pdb
from tests.factory.pdb import build_windows_pdb
from tests.factory.pe import CodeViewSpec, RawEntry, build_pe

NAME = "Contoso.Lib"
DIR = "lib/net8.0"
GOOD = matched_pair(NAME)
OTHER_BUILD = matched_pair(NAME + ".Other")


def packages(dlls: dict[str, bytes], pdbs: dict[str, bytes]) -> tuple[bytes, bytes]:
    return pkg.package(pdbs), pkg.package(dlls, symbols=False)


def pair_packages(pair: Pair, dll_name: str = f"{NAME}.dll", pdb_name: str = f"{NAME}.pdb") -> tuple[bytes, bytes]:
    return packages({f"{DIR}/{dll_name}": pair.dll}, {f"{DIR}/{pdb_name}": pair.pdb})


def rules_of(report) -> set[str]:
    return {f.rule for f in report.findings}


windows_guid = uuid.UUID("f3ce69e1-21e7-479f-aa1b-2e82e56251aa")
WINDOWS = Pair(build_pe(codeview=[CodeViewSpec(windows_guid, portable=False, path="C:\\obj\\Contoso.Lib.pdb")]),
               build_windows_pdb(windows_guid, 1))
NO_CHECKSUM = matched_pair(NAME, checksums=[])
WRONG_CHECKSUM = matched_pair(NAME, checksums=[("SHA256", bytes(32))])
LOWER_ALGORITHM = matched_pair(NAME, checksums=[("sha256", pdb_checksum(GOOD.pdb))])
SECOND_CHECKSUM_MATCHES = matched_pair(NAME, checksums=[("SHA384", bytes(48)), ("SHA256", pdb_checksum(GOOD.pdb))])
OTHER_CODEVIEW_NAME = matched_pair(NAME, codeview_name="Renamed")
EMBEDDED_AND_SHIPPED = matched_pair(NAME, embedded_pdb=GOOD.pdb)
BAD_DEBUG_DIRECTORY = matched_pair(NAME, extra_entries=[RawEntry(type=16, characteristics=1)])
CORRUPT_PDB = Pair(GOOD.dll, GOOD.pdb[:40])

# rule id -> (failing (snupkg, nupkg|None), passing (snupkg, nupkg|None))
CASES = {
    "V101": ((pkg.package({f"{DIR}/{NAME}%2Epdb": GOOD.pdb}), None), (pkg.package({f"{DIR}/{NAME}.pdb": GOOD.pdb}), None)),
    "V102": (packages({f"lib/net6.0/{NAME}.dll": GOOD.dll}, {f"{DIR}/{NAME}.pdb": GOOD.pdb}), pair_packages(GOOD)),
    "V103": (pair_packages(WINDOWS), pair_packages(GOOD)),
    "V104": (pair_packages(Pair(GOOD.dll, OTHER_BUILD.pdb)), pair_packages(GOOD)),
    "V105": (pair_packages(BAD_DEBUG_DIRECTORY), pair_packages(GOOD)),
    "V106": (pair_packages(NO_CHECKSUM), pair_packages(GOOD)),
    "V107": (pair_packages(WRONG_CHECKSUM), pair_packages(SECOND_CHECKSUM_MATCHES)),
    "V108": (pair_packages(LOWER_ALGORITHM), pair_packages(GOOD)),
    "V109": (pair_packages(matched_pair(NAME, codeview_name="Contoso|Lib")), pair_packages(OTHER_CODEVIEW_NAME)),
    "V201": (packages({f"{DIR}/{NAME}.DLL": GOOD.dll}, {f"{DIR}/{NAME}.pdb": GOOD.pdb}), pair_packages(GOOD)),
    "V202": (pair_packages(OTHER_CODEVIEW_NAME), pair_packages(GOOD)),
    "V203": (pair_packages(EMBEDDED_AND_SHIPPED), pair_packages(GOOD)),
    "V301": ((pkg.package({f"{DIR}/{NAME}.pdb": GOOD.pdb}), None), pair_packages(GOOD)),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(checker, rule_id):
    report = checker.run(*CASES[rule_id][0])
    assert rule_id in rules_of(report), [f"{f.rule} {f.message}" for f in report.findings]
    assert "X001" not in rules_of(report)
    assert not any(f.outcome.stage is Stage.PUSH for f in report.findings)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_passes(checker, rule_id):
    report = checker.run(*CASES[rule_id][1])
    assert rule_id not in rules_of(report), [f"{f.rule} {f.message}" for f in report.findings]
    assert "X001" not in rules_of(report)


def test_matched_pair_passes_clean(checker):
    report = checker.run(*pair_packages(GOOD))
    assert report.findings == () and report.verdict == "pass"


def only(report, rule_id):
    found = [f for f in report.findings if f.rule == rule_id]
    assert len(found) == 1, [f"{f.rule} {f.message}" for f in report.findings]
    return found[0]


def test_id_mismatch_shows_both_ids(checker):
    report = checker.run(*pair_packages(Pair(GOOD.dll, OTHER_BUILD.pdb)))
    finding = only(report, "V104")
    expected = uuid.UUID(bytes_le=matched_id(GOOD.pdb)[:16])
    found = uuid.UUID(bytes_le=matched_id(OTHER_BUILD.pdb)[:16])
    assert str(expected) in finding.message and str(found) in finding.message
    assert finding.entry == f"{DIR}/{NAME}.pdb" and f"{DIR}/{NAME}.dll" in finding.message
    assert finding.outcome.code == 251 and report.verdict == "validation-failed"


def matched_id(pdb: bytes) -> bytes:
    from snupkg_lint.formats.pdb import PortablePdb
    from snupkg_lint.formats.source import BytesSource

    return PortablePdb.open(BytesSource(pdb)).id


@pytest.mark.parametrize("pair, words", [
    (Pair(build_pe(codeview=[]), GOOD.pdb), "no portable CodeView"),
    (Pair(WINDOWS.dll, GOOD.pdb), "only a Windows one"),
    (OTHER_CODEVIEW_NAME, "names 'Renamed.pdb'"),
    (Pair(build_pe(codeview=[], embedded_pdb=GOOD.pdb), GOOD.pdb), "embedded PDB"),
])
def test_id_mismatch_explains_the_cause(checker, pair, words):
    finding = only(checker.run(*pair_packages(pair)), "V104")
    assert words in finding.message


def test_checksum_mismatch_shows_algorithm_and_hashes(checker):
    finding = only(checker.run(*pair_packages(WRONG_CHECKSUM)), "V107")
    assert "SHA256 expected " + "00" * 32 in finding.message
    assert pdb_checksum(GOOD.pdb).hex() in finding.message


@pytest.mark.parametrize("algorithm", ["MD5", "SHA1", "SHA256", "SHA384", "SHA512"])
def test_every_dotnet_algorithm_matches(checker, algorithm):
    report = checker.run(*pair_packages(matched_pair(NAME, algorithm=algorithm)))
    assert report.verdict == "pass", [f.message for f in report.findings]


def test_corrupt_pdb_is_issue_0(checker):
    report = checker.run(*pair_packages(CORRUPT_PDB))
    assert only(report, "V105").outcome.code == 0


def test_corrupt_pdb_reported_without_nupkg(checker):
    report = checker.run(pkg.package({f"{DIR}/{NAME}.pdb": CORRUPT_PDB.pdb}))
    assert "V105" in rules_of(report) and "V301" in rules_of(report)


def test_windows_pdb_reported_without_nupkg(checker):
    report = checker.run(pkg.package({f"{DIR}/{NAME}.pdb": WINDOWS.pdb}))
    assert report.verdict == "validation-failed" and only(report, "V103").outcome.code == 252


def test_upper_case_dll_pair_is_not_validated(checker):
    snupkg, nupkg = packages({f"{DIR}/{NAME}.DLL": GOOD.dll}, {f"{DIR}/{NAME}.pdb": WINDOWS.pdb})
    report = checker.run(snupkg, nupkg)
    assert "V103" not in rules_of(report) and "V201" in rules_of(report)
    assert report.verdict == "pass"


def test_first_failing_assembly_decides_the_code(checker):
    """nuget.org reports one issue: dlls in path order, each through portability, id, checksum."""
    snupkg, nupkg = packages({f"{DIR}/A.dll": GOOD.dll, f"{DIR}/B.dll": WINDOWS.dll},
                             {f"{DIR}/A.pdb": OTHER_BUILD.pdb, f"{DIR}/B.pdb": WINDOWS.pdb})
    report = checker.run(snupkg, nupkg)
    assert {"V103", "V104"} <= rules_of(report)
    assert report.predicted.outcome.code == 251


def test_every_failing_file_is_reported(checker):
    snupkg, nupkg = packages({f"{DIR}/A.dll": GOOD.dll, "lib/net6.0/A.dll": GOOD.dll},
                             {f"{DIR}/A.pdb": OTHER_BUILD.pdb, "lib/net6.0/A.pdb": OTHER_BUILD.pdb})
    report = checker.run(snupkg, nupkg)
    assert sorted(f.entry for f in report.findings if f.rule == "V104") == ["lib/net6.0/A.pdb", f"{DIR}/A.pdb"]


def test_fifty_megabyte_pdb_is_hashed_in_bounded_memory(checker, tmp_path):
    big = portable_pdb(padding=50_000_000)
    pair = matched_pair(NAME, pdb=big)
    snupkg = tmp_path / "big.snupkg"
    with zipfile.ZipFile(snupkg, "w") as zf:  # stored: the test measures the reader, not deflate's speed
        zf.writestr(f"{NAME}.nuspec", pkg.nuspec_xml(NAME))
        zf.writestr(zipfile.ZipInfo(f"{DIR}/{NAME}.pdb"), big)
    nupkg = tmp_path / "big.nupkg"
    nupkg.write_bytes(pkg.package({f"{DIR}/{NAME}.dll": pair.dll}, symbols=False))
    del big
    pair = None  # noqa: F841 - release the 50 MB before measuring
    tracemalloc.start()
    try:
        report = check_package(str(snupkg), str(nupkg))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.verdict == "pass", [f.message for f in report.findings]
    assert peak < 8 * 1024 * 1024, f"peak {peak:,} bytes while checking a 50 MB PDB"


@pytest.mark.parametrize("pe_kwargs, words", [
    ({"extra_entries": [RawEntry(type=16, characteristics=1)]}, "Characteristics"),
    ({"debug_size": 30}, "28"),
    ({"debug_rva": 0x9000}, "section"),
    ({"codeview": [CodeViewSpec(uuid.UUID(int=1), signature=b"NB10")]}, "RSDS"),
])
def test_malformed_debug_directory_is_issue_0(checker, pe_kwargs, words):
    pair = matched_pair(NAME, **pe_kwargs)
    finding = only(checker.run(*pair_packages(pair)), "V105")
    assert finding.outcome.code == 0 and words.lower() in finding.message.lower(), finding.message


def test_prediction_follows_the_evaluation_order_data_not_rule_ids(checker, monkeypatch):
    import snupkg_lint.engine as engine

    pair = matched_pair("Contoso.Lib")
    bad = pkg.package({"lib/net8.0/Contoso.Lib.pdb": pair.pdb, "lib/net8.0/x.dll": b"MZ"},
                      nuspec=pkg.nuspec_xml(authors="Contoso"))  # P222 and P223 both fail at push
    report = checker.run(bad, pkg.package({"lib/net8.0/Contoso.Lib.dll": pair.dll}, symbols=False))
    assert report.predicted.rule == "P222"
    monkeypatch.setattr(engine, "_PUSH_RANK", {"P223": 0, "P222": 1})  # a server that checks files first
    assert engine.assess(report.findings)[1].rule == "P223"
