"""`snupkg-lint keys`: SSQP keys (dotnet/symstore docs/specs/SSQP_Key_Conventions.md) and the SymbolChecksum header,
for a .snupkg, a .nupkg and a pair, in text and JSON."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path

import pytest

from snupkg_lint.cli import main
from snupkg_lint.formats import ssqp
from tests.factory import package as pkg
from tests.factory.pair import matched_pair, pdb_checksum
from tests.factory.pdb import build_windows_pdb

SPEC_GUID = uuid.UUID("497b72f6-390a-44fc-878e-5a2d63b6cc4b")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_the_spec_examples():
    assert ssqp.pe_key("Foo.exe", 0x542D5742, 0x32000) == "foo.exe/542D574232000/foo.exe"
    assert ssqp.pe_key("a.dll", 0x1, 0x2000) == "a.dll/000000012000/a.dll"  # eight digits; size as few as needed
    assert ssqp.windows_pdb_key("Foo.pdb", SPEC_GUID, 1) == "foo.pdb/497b72f6390a44fc878e5a2d63b6cc4b1/foo.pdb"
    assert ssqp.portable_pdb_key("Foo.pdb", SPEC_GUID) == "foo.pdb/497b72f6390a44fc878e5a2d63b6cc4bFFFFFFFF/foo.pdb"
    assert ssqp.symbol_checksum([("SHA256", b"\xab\x01")]) == "SHA256:ab01" and ssqp.symbol_checksum([]) is None


def _pair(tmp_path: Path):
    pair = matched_pair("Contoso.Lib")
    snupkg = pkg.write(tmp_path, "Contoso.Lib.1.2.3.snupkg", pkg.package({"lib/net8.0/Contoso.Lib.pdb": pair.pdb}))
    pkg.write(tmp_path, "Contoso.Lib.1.2.3.nupkg", pkg.package({"lib/net8.0/Contoso.Lib.dll": pair.dll}, symbols=False))
    return pair, snupkg


def test_a_pair_in_json_the_pdb_key_and_checksum_are_what_the_pe_asks_for(tmp_path, capsys):
    pair, snupkg = _pair(tmp_path)
    code, out, _ = run(capsys, "keys", snupkg, "--format", "json")
    (package,) = json.loads(out)["packages"]
    pdb, pe = package["files"]
    assert code == 0 and (pdb["package"], pe["package"]) == ("snupkg", "nupkg")
    assert pdb["kind"] == "portable-pdb" and pdb["key"].startswith("contoso.lib.pdb/") and pdb["key"].endswith(
        "FFFFFFFF/contoso.lib.pdb")
    assert pdb["symbol_checksum"] == "SHA256:" + pdb_checksum(pair.pdb).hex()
    assert pe["pdbs"] == [{"key": pdb["key"], "kind": "portable-pdb", "symbol_checksum": pdb["symbol_checksum"]}]
    assert pe["key"].startswith("contoso.lib.dll/") and pdb["urls"][0] == \
        "https://symbols.nuget.org/download/symbols/" + pdb["key"]


def test_text_output(tmp_path, capsys):
    _, snupkg = _pair(tmp_path)
    code, out, _ = run(capsys, "keys", snupkg)
    lines = out.splitlines()
    assert code == 0 and lines[0].endswith("FFFFFFFF/contoso.lib.pdb") and lines[1].startswith("    SymbolChecksum: SHA256:")


def test_a_windows_pdb_and_an_unreadable_entry_in_a_nupkg_alone(tmp_path, capsys):
    guid = uuid.UUID("f3ce69e1-21e7-479f-aa1b-2e82e56251aa")
    nupkg = pkg.write(tmp_path, "Lib.1.0.0.nupkg", pkg.package(
        {"lib/net8.0/Lib.pdb": build_windows_pdb(guid=guid, age=2), "lib/net8.0/Bad.dll": b"MZ not a PE"}, symbols=False))
    code, out, _ = run(capsys, "keys", nupkg, "--format", "json")
    files = {f["entry"]: f for f in json.loads(out)["packages"][0]["files"]}
    assert files["lib/net8.0/Lib.pdb"]["key"] == f"lib.pdb/{guid.hex}2/lib.pdb"
    assert "error" in files["lib/net8.0/Bad.dll"] and code == 1


def test_keys_of_the_fixtures_pdbs_are_the_ones_their_assemblies_ask_for(corpus, capsys):
    for name in ("loic-sharma.BaGet/TestData.1.2.3.snupkg",
                 "meziantou.Meziantou.Framework/Release_Deterministic_Snupkg.1.0.0.snupkg"):
        code, out, _ = run(capsys, "keys", str(corpus / name), "--format", "json")
        files = json.loads(out)["packages"][0]["files"]
        pdbs = {f["key"]: f["symbol_checksum"] for f in files if f["kind"] == "portable-pdb"}
        asked = {p["key"]: p["symbol_checksum"] for f in files if f["kind"] == "pe" for p in f["pdbs"]}
        assert code == 0 and pdbs and pdbs == asked
    code, out, _ = run(capsys, "keys", str(corpus / "meziantou.Meziantou.Framework/Release_Deterministic_Snupkg.1.0.0.snupkg"))
    assert "samplelib.pdb/15fba281e1c64e59bb3e8415dc8d5e09FFFFFFFF/samplelib.pdb" in out


def test_a_legacy_or_corrupt_zip_is_reported_not_raised(tmp_path, capsys):
    bad = tmp_path / "Bad.1.0.0.snupkg"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    code, out, _ = run(capsys, "keys", str(bad))
    assert code == 1 and "cannot be read" in out
    assert not zipfile.is_zipfile(bad)


def test_a_package_without_pdbs_or_assemblies_says_so(tmp_path, capsys):
    path = pkg.write(tmp_path, "Empty.1.0.0.snupkg", pkg.package({"readme.txt": b"x"}))
    code, out, _ = run(capsys, "keys", path)
    assert code == 0 and out == f"{path}: no PDB, .dll or .exe to look up\n"
