"""The debuggable rules on the real packages and PDBs of ../shared/fixtures (SNUPKG_LINT_CORPUS): what the fixtures'
README says of each, and no false alarm on the good ones (Source Link, embedded sources, /_/ paths, MD5/SHA1/SHA256
document hashes, F# and C++/CLI producers)."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from snupkg_lint.engine import check_nupkg, check_package
from snupkg_lint.formats.debug_info import embedded_source_digests, read_debug_info
from snupkg_lint.formats.pdb import PortablePdb
from snupkg_lint.formats.pe import inflate_embedded_pdb, read_pe
from snupkg_lint.formats.source import BytesSource, FormatError
from tests.conftest import NOW
from tests.factory import package as pkg

MEZ = "meziantou.Meziantou.Framework"


def d_findings(report) -> Counter:
    return Counter(f.rule for f in report.findings if f.rule.startswith("D") or f.rule == "N002")


def check(corpus: Path, name: str) -> Counter:
    path = corpus / name
    snupkg = path.with_suffix(".snupkg")
    if path.suffix == ".nupkg" and snupkg.exists():
        return d_findings(check_package(str(snupkg), str(path), now=NOW))
    return d_findings(check_nupkg(str(path), now=NOW))


@pytest.mark.parametrize("name, expected", [
    # good: Source Link to the nuspec's commit, untracked sources embedded, /_/ paths, compiler flags v2, Release
    ("kekyo.nuget-server/FlashCap.1.11.0.nupkg", {}),
    (f"{MEZ}/meziantou.framework.win32.credentialmanager.1.4.2.nupkg", {}),
    # good: every source embedded (no Source Link needed), /_1/ paths, in the .snupkg or embedded
    (f"{MEZ}/Release_Deterministic_Snupkg.1.0.0.nupkg", {}),
    (f"{MEZ}/Release_Deterministic_Embedded.1.0.0.nupkg", {}),
    # the example: nothing says so today
    ("loic-sharma.BaGet/TestData.1.2.3.nupkg", {"D002": 1, "D007": 1, "D013": 1}),
    (f"{MEZ}/Release_Deterministic_Embedded_SourcesNotEmbedded.1.0.0.nupkg", {"D002": 1}),
    (f"{MEZ}/Release_Deterministic_Pdb.1.0.0.nupkg", {"D014": 1}),
    (f"{MEZ}/Release_NonDeterministic_Pdb.1.0.0.nupkg", {"D007": 1, "D008": 1, "D014": 1}),
    (f"{MEZ}/Release_Deterministic_Pdb_Full.1.0.0.nupkg", {"D014": 1, "D002": 1}),  # Windows PDB, no Source Link
    ("fsprojects.Paket/dapper.1.42.0.nupkg", {"D014": 3, "D002": 3}),  # Windows PDBs without sourcelink/srcsrv
    # 2018: Source Link to the nuspec's commit and every document mapped, but local paths and no compiler flags
    (f"{MEZ}/meziantou.framework.2.6.0.nupkg", {"D007": 2, "D008": 2, "D011": 2, "D014": 2}),
    (f"{MEZ}/Release.1.0.0.nupkg", {"N002": 1}),
    (f"{MEZ}/Debug.1.0.0.nupkg", {"N002": 1, "D013": 1}),  # no PDB: its DebuggableAttribute says Debug
    ("NuGet.NuGet.Client/nuget.versioning.5.0.0.nupkg", {"N002": 2}),
])
def test_packages(corpus, name, expected):
    assert check(corpus, name) == Counter(expected)


def _pdbs(corpus: Path):
    """Every portable PDB of the fixtures: loose, inside packages, and embedded in assemblies."""
    for path in sorted(corpus.rglob("*")):
        suffix = path.suffix.lower()
        if suffix in (".pdb", ".pdbx"):
            yield str(path.relative_to(corpus)), path.read_bytes()
        elif suffix in (".dll", ".exe"):
            yield from _embedded(str(path.relative_to(corpus)), path.read_bytes())
        elif suffix in (".nupkg", ".snupkg"):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    inner = f"{path.relative_to(corpus)}:{info.filename}"
                    if info.filename.lower().endswith(".pdb"):
                        yield inner, zf.read(info)
                    elif info.filename.lower().endswith(".dll"):
                        yield from _embedded(inner, zf.read(info))


def _embedded(name: str, data: bytes):
    try:
        image = read_pe(BytesSource(data))
        if image.embedded_pdb() is not None:
            yield name + " (embedded)", inflate_embedded_pdb(BytesSource(data), image.embedded_pdb(), 1 << 28)
    except FormatError:
        return


def test_every_fixture_pdb_reads_and_its_embedded_sources_match_their_hashes(corpus):
    hashed = Counter()
    for name, data in _pdbs(corpus):
        if not data.startswith(b"BSJB"):
            continue
        pdb = PortablePdb.open(BytesSource(data))
        info = read_debug_info(pdb)
        assert info.errors == (), name
        assert info.source_mismatches == (), name  # hashed while it was open: every one matches
        for found in embedded_source_digests(pdb, info):
            assert found.error is None and found.digest == found.document.hash, (name, found.document.name)
            hashed[len(found.digest)] += 1
    assert hashed[20] and hashed[32]  # SHA-1 and SHA-256 documents with embedded sources were hashed


def _snupkg_alone(tmp_path: Path, data: bytes, stem: str) -> Counter:
    path = pkg.write(tmp_path, f"{stem}.1.0.0.snupkg", pkg.package({f"lib/net8.0/{stem}.pdb": data}))
    return d_findings(check_package(path, None, now=NOW))


@pytest.mark.parametrize("name", [
    "getsentry.symbolic/Microsoft.Extensions.Logging.EventLog-sourcelink.pdb",  # /_/, Source Link, SHA1 + SHA256
    "jbevain.cecil/MixedNativeCLI.pdb",  # C++/CLI: a Windows PDB, not read for debuggability
    "jbevain.cecil/EmptyPdb.pdb",  # no documents
    "jbevain.cecil/TargetLib.pdb",  # Source Link, no documents
])
def test_good_or_unreadable_pdbs_give_no_debuggable_finding(corpus, tmp_path, name):
    assert _snupkg_alone(tmp_path, (corpus / name).read_bytes(), Path(name).stem) == Counter()


def test_fsharp_pdb_is_not_asked_for_roslyn_records(corpus, tmp_path):
    found = _snupkg_alone(tmp_path, (corpus / "jbevain.cecil/mylib.pdb").read_bytes(), "mylib")  # MD5 hashes
    assert found == Counter({"D002": 1, "D007": 1, "D008": 1})  # no Source Link, /Users/… paths; no D011/D012


def test_no_source_link_fixture_gives_an_invalid_map_or_an_unmapped_document(corpus, tmp_path):
    for name in ("getsentry.symbolic/ppdb-sourcelink-sample.pdb", "getsentry.symbolic/source-links-only.pdb",
                 "jbevain.cecil/NullConst.pdb"):
        found = _snupkg_alone(tmp_path, (corpus / name).read_bytes(), Path(name).stem)
        assert not {"D001", "D003", "D004", "D005", "D010"} & set(found), (name, found)


def test_the_edge_case_map_of_sourcelink_pdbx(corpus, tmp_path):
    found = _snupkg_alone(tmp_path, (corpus / "dotnet.symreader-converter/SourceLink.pdbx").read_bytes(), "SourceLink")
    assert found["D004"] == 1  # C:\*\5.cs: a path with '*' never maps; ':6.cs' maps by ':*'
    assert found["D005"] == 4 and "D003" not in found  # four http://server URLs


def test_a_fixture_repacked_with_another_commit_in_its_nuspec_gives_d006(corpus, tmp_path):
    source = corpus / "kekyo.nuget-server/FlashCap.1.11.0.nupkg"
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith(".nuspec"):
                data = data.replace(b"9b46e79aa867c24fbe8ed1d8f540053924e16b28", b"0" * 40)
            if not info.filename.endswith(".p7s"):
                zout.writestr(info, data)
    path = pkg.write(tmp_path, "FlashCap.1.11.0.nupkg", out.getvalue())
    assert d_findings(check_nupkg(path, now=NOW)) == Counter({"D006": 18})


def test_every_listed_pair_reads_whole(corpus, tmp_path):
    """The pairs of expected.json packed as the fixtures README says: no part of any PDB or assembly is unreadable,
    and no Source Link map or embedded source is called invalid."""
    import json

    from tests.test_corpus_packages import _pack_pair

    pairs = json.loads((corpus / "expected.json").read_text())["pairs"]
    for n, case in enumerate(pairs):
        snupkg, nupkg = _pack_pair(corpus, case, tmp_path / str(n))
        report = check_package(snupkg, nupkg, now=NOW)
        found = {f.rule for f in report.findings}
        assert not {"X001", "D001", "D003", "D010"} & found, (case["dll"], case["pdb"], found)


def test_a_cpp_cli_windows_pdb_with_source_link_beside_its_exe(corpus, tmp_path):
    files = {"lib/net48/MixedNativeCLI.exe": (corpus / "jbevain.cecil/MixedNativeCLI.exe").read_bytes(),
             "lib/net48/MixedNativeCLI.pdb": (corpus / "jbevain.cecil/MixedNativeCLI.pdb").read_bytes()}
    path = pkg.write(tmp_path, "Mixed.1.0.0.nupkg", pkg.package(files, symbols=False))
    assert d_findings(check_nupkg(path, now=NOW)) == Counter({"D014": 1})  # its sourcelink$1 stream counts
