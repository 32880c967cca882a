"""Bad input never produces a traceback: corrupt zips, nuspecs, PEs and PDBs become findings."""

from __future__ import annotations

import hashlib
import random
import struct
import zipfile

import pytest

from snupkg_lint.engine import check_package
from snupkg_lint.formats.pdb import PortablePdb
from snupkg_lint.formats.source import BytesSource
from tests.factory import package as pkg
from tests.factory.pair import matched_pair, portable_pdb
from tests.factory.pdb import CSHARP_GUID, SHA256_GUID

PAIR = matched_pair("Contoso.Lib")
SNUPKG = pkg.package({"lib/net8.0/Contoso.Lib.pdb": PAIR.pdb})
NUPKG = pkg.package({"lib/net8.0/Contoso.Lib.dll": PAIR.dll}, symbols=False)


def _mutations(data: bytes, count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        yield bytes(mutated)


@pytest.mark.parametrize("which", ["snupkg", "nupkg"])
def test_mutated_packages_never_crash(tmp_path, which):
    nupkg_path = pkg.write(tmp_path, "Contoso.Lib.1.2.3.nupkg", NUPKG)
    snupkg_path = pkg.write(tmp_path, "Contoso.Lib.1.2.3.snupkg", SNUPKG)
    source = SNUPKG if which == "snupkg" else NUPKG
    target = snupkg_path if which == "snupkg" else nupkg_path
    for mutated in _mutations(source, 300, seed=7):
        with open(target, "wb") as handle:
            handle.write(mutated)
        report = check_package(snupkg_path, nupkg_path)
        crashed = [f.message for f in report.findings if f.rule == "X001"]
        assert crashed == []


def test_mutated_pe_and_pdb_inside_valid_zips(tmp_path):
    rng = random.Random(11)
    for n in range(200):
        dll, pdb = bytearray(PAIR.dll), bytearray(PAIR.pdb)
        target = dll if n % 2 else pdb
        for _ in range(rng.randint(1, 3)):
            target[rng.randrange(len(target))] = rng.randrange(256)
        snupkg = pkg.write(tmp_path, "s.snupkg", pkg.package({"lib/net8.0/Contoso.Lib.pdb": bytes(pdb)}))
        nupkg = pkg.write(tmp_path, "s.nupkg", pkg.package({"lib/net8.0/Contoso.Lib.dll": bytes(dll)}, symbols=False))
        report = check_package(snupkg, nupkg)
        assert [f.message for f in report.findings if f.rule == "X001"] == []


@pytest.mark.parametrize("dll", [b"", b"MZ", b"not a PE at all" * 10, PAIR.dll[:300]])
def test_garbage_assembly_is_issue_0(checker, dll):
    report = checker.run(SNUPKG, pkg.package({"lib/net8.0/Contoso.Lib.dll": dll}, symbols=False))
    finding = next(f for f in report.findings if f.rule == "V105")
    assert finding.outcome.code == 0 and finding.entry == "lib/net8.0/Contoso.Lib.pdb"


def test_truncated_zip_is_a_finding(checker):
    report = checker.run(SNUPKG[: len(SNUPKG) // 2])
    assert [f.rule for f in report.findings] == ["P101"]


def test_corrupt_nuspec_deflate_data_is_400(checker):
    nuspec = pkg.nuspec_xml().encode()
    data = bytearray(pkg.zip_bytes([pkg.Entry("Contoso.Lib.nuspec", nuspec),
                                    pkg.Entry("lib/net8.0/Contoso.Lib.pdb", PAIR.pdb)]))
    start = data.index(b"Contoso.Lib.nuspec") + len("Contoso.Lib.nuspec")  # the local header's data follows
    data[start:start + 3] = b"\xff\xff\xff"  # an invalid deflate block type
    report = checker.run(bytes(data))
    finding = next(f for f in report.findings if f.rule == "P107")
    assert finding.outcome.status == 400
    assert finding.outcome.server_message == (
        "The NuGet package is invalid. The error encountered was:'Found invalid data while decoding.'. "
        "Correct the error and try again.")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_nuspec_compressed_with_a_method_dotnet_lacks_is_400(checker, method):
    data = pkg.zip_bytes([pkg.Entry("Contoso.Lib.nuspec", pkg.nuspec_xml().encode(), compress_type=method),
                          pkg.Entry("lib/net8.0/Contoso.Lib.pdb", PAIR.pdb)])
    finding = next(f for f in checker.run(data).findings if f.rule == "P107")
    assert finding.outcome.status == 400 and "unsupported compression method" in finding.outcome.server_message


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_pdb_compressed_with_a_method_dotnet_lacks_is_issue_0(checker, method):
    snupkg = pkg.package([pkg.Entry("lib/net8.0/Contoso.Lib.pdb", PAIR.pdb, compress_type=method)])
    report = checker.run(snupkg, NUPKG)
    rules = {f.rule: f for f in report.findings}
    assert "V103" not in rules and rules["V105"].outcome.code == 0


def test_nuspec_larger_than_bound_is_skipped_not_judged(checker, monkeypatch):
    import snupkg_lint.artifacts as artifacts

    monkeypatch.setattr(artifacts, "MAX_NUSPEC_BYTES", 100)
    report = checker.run(SNUPKG)
    rules = {f.rule: f for f in report.findings}
    assert "P107" not in rules and rules["X003"].outcome.stage is None


def test_pdb_larger_than_hash_bound_is_skipped_not_judged(checker, monkeypatch):
    import snupkg_lint.artifacts as artifacts

    monkeypatch.setattr(artifacts, "MAX_HASHED_PDB_BYTES", 100)
    report = checker.run(SNUPKG, NUPKG)
    assert [f.rule for f in report.findings] == ["X003"]
    assert report.verdict == "incomplete" and report.predicted is None  # unchecked, so never "pass"


def test_pe_reader_bound_is_skipped_not_judged(checker):
    from tests.factory.pe import RawEntry

    many = matched_pair("Contoso.Lib", extra_entries=[RawEntry(type=20)] * 1100)
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": many.pdb}),
                         pkg.package({"lib/net8.0/Contoso.Lib.dll": many.dll}, symbols=False))
    rules = {f.rule for f in report.findings}
    assert "X003" in rules and "V105" not in rules


def test_no_network_even_for_external_references(checker, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("snupkg-lint tried to open a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    xml = ('<?xml version="1.0"?><!DOCTYPE p SYSTEM "http://example.com/p.dtd">'
           '<package xmlns:x="http://example.com/x"><metadata><id>A</id><version>1.0.0</version></metadata></package>')
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": PAIR.pdb}, nuspec=xml), NUPKG)
    assert "P107" in {f.rule for f in report.findings}


def test_an_end_record_that_miscounts_the_entries_is_unreadable_as_for_dotnet(checker):
    from tests.factory import package as pkg
    from tests.factory.pdb import build_portable_pdb

    data = bytearray(pkg.package({"lib/net8.0/Contoso.Lib.pdb": build_portable_pdb()}))
    end = data.rfind(b"PK\x05\x06")
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    data[end + 8 : end + 12] = (count + 1).to_bytes(2, "little") * 2  # this disk and total: one too many
    finding = next(f for f in checker.run(bytes(data)).findings if f.rule == "P101")
    assert finding.outcome.server_message == (
        "The NuGet package is invalid. The error encountered was:'Number of entries expected in End Of Central "
        "Directory does not correspond to number of entries in Central Directory.'. Correct the error and try again.")


def _declaring(package: bytes, name: str, size: int) -> bytes:
    """`package` with the entry `name` declaring `size` bytes in its local and central headers (its CRC is of the
    bytes it really holds): an entry that ends before its declared size."""
    data, encoded = bytearray(package), name.encode()
    for signature, name_at, size_at, header in ((b"PK\x03\x04", 26, 22, 30), (b"PK\x01\x02", 28, 24, 46)):
        at = data.index(signature)
        while bytes(data[at + header : at + header + struct.unpack_from("<H", data, at + name_at)[0]]) != encoded:
            at = data.index(signature, at + 4)
        struct.pack_into("<I", data, at + size_at, size)
    return bytes(data)


def test_a_large_pdb_cut_short_opens_as_far_as_its_headers_are_there(checker):
    """The table-stream header of a PDB past the first 64 KiB is read as .NET reads it, its 24 bytes and then its row
    counts: an entry that ends just after them still opens (then fails where its data is missing), as before the
    small-entry reading (a review found a wider read turned this V107 into V105)."""
    source = "/_/src/Contoso.Lib/Class1.cs"
    pdb = portable_pdb(documents=[(source, SHA256_GUID, hashlib.sha256(source.encode()).digest(), CSHARP_GUID)],
                       padding=70_000, stream_order=("#Blob", "#Pdb", "#~", "#Strings", "#US", "#GUID"))
    reader = PortablePdb.open(BytesSource(pdb))
    tables = next(s for s in reader.streams if s.name == "#~")
    assert tables.offset > 64 * 1024
    cut = tables.offset + 24 + 4 * len(reader.table_rows) + 8
    name = "lib/net8.0/Contoso.Lib.pdb"
    snupkg = _declaring(pkg.package({name: pdb[:cut]}), name, len(pdb))
    report = checker.run(snupkg, pkg.package({"lib/net8.0/Contoso.Lib.dll": matched_pair("Contoso.Lib", pdb=pdb).dll},
                                              symbols=False))
    rules = {f.rule for f in report.findings}
    assert "V105" not in rules and "V107" in rules and "D001" in rules
