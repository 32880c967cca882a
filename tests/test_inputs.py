"""Inputs as users give them (issue #7 §3): .nupkg paths, legacy .symbols.nupkg, other files, globs, a bad path
among good ones, and a directory with nothing to check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snupkg_lint.cli import main
from tests.factory import package as pkg
from tests.factory.pair import matched_pair, portable_pdb
from tests.factory.pe import build_pe

PAIR = matched_pair("Contoso.Lib")


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args) + ["--isolated"])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def nupkg(files: dict[str, bytes]) -> bytes:
    return pkg.package(files, symbols=False)


def test_a_nupkg_path_checks_the_snupkg_beside_it_and_says_so(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.nupkg", nupkg({"lib/net8.0/Contoso.Lib.dll": PAIR.dll}))
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", pkg.package({"lib/net8.0/Contoso.Lib.pdb": PAIR.pdb}))
    code, out, err = run(capsys, "check", "Contoso.Lib.1.2.3.nupkg", "--format", "json")
    package = json.loads(out)["packages"][0]
    assert code == 0 and package["path"] == "Contoso.Lib.1.2.3.snupkg" and package["verdict"] == "pass"
    assert package["kind"] == "snupkg" and package["nupkg"] == "Contoso.Lib.1.2.3.nupkg"
    assert err == "snupkg-lint: note: Contoso.Lib.1.2.3.nupkg: checking Contoso.Lib.1.2.3.snupkg, its symbol package beside it\n"
    code, out, _ = run(capsys, "check", "Contoso.Lib.1.2.3.nupkg", "Contoso.Lib.1.2.3.snupkg", "--format", "json")
    assert len(json.loads(out)["packages"]) == 1  # the same pair, checked once


def test_a_nupkg_alone_with_embedded_pdbs_has_nothing_to_push(workdir, capsys):
    embedded = build_pe(embedded_pdb=portable_pdb())
    pkg.write(workdir, "Flash.1.0.0.nupkg", nupkg({"lib/net8.0/Flash.dll": embedded,
                                                   "lib/net8.0/fr/Flash.resources.dll": build_pe()}))
    code, out, err = run(capsys, "check", "Flash.1.0.0.nupkg", "--format", "json")
    package = json.loads(out)["packages"][0]
    assert code == 0 and err == ""
    assert package["kind"] == "nupkg" and package["verdict"] == "no-symbol-package" and package["nuget"]["rule"] is None
    assert [(f["rule"], f["entry"]) for f in package["findings"]] == [("N001", "lib/net8.0/Flash.dll")]
    code, out, _ = run(capsys, "check", "Flash.1.0.0.nupkg", "--color", "never")
    assert "(a .nupkg alone: no .snupkg beside it)" in out and "no-symbol-package: there is no symbol package" in out


def test_a_nupkg_alone_without_symbols_is_a_warning_unless_a_pdb_is_beside_it(workdir, capsys):
    pkg.write(workdir, "Bare.1.0.0.nupkg", nupkg({"lib/net8.0/Bare.dll": PAIR.dll, "lib/net8.0/Other.dll": PAIR.dll,
                                                  "lib/net8.0/other.PDB": PAIR.pdb}))
    code, out, _ = run(capsys, "check", "Bare.1.0.0.nupkg", "--format", "json")
    findings = json.loads(out)["packages"][0]["findings"]
    assert code == 0 and [(f["rule"], f["entry"]) for f in findings] == [("D014", "lib/net8.0/other.PDB"),
                                                                         ("N002", "lib/net8.0/Bare.dll")]
    code, _, _ = run(capsys, "check", "Bare.1.0.0.nupkg", "--fail-on", "warning")
    assert code == 1


def test_a_legacy_symbols_nupkg_is_found_in_a_directory_and_explained(workdir, capsys):
    legacy = pkg.package({"lib/net8.0/Contoso.Lib.pdb": PAIR.pdb, "lib/net8.0/Contoso.Lib.dll": PAIR.dll},
                         nuspec=pkg.nuspec_xml(package_types=""))
    pkg.write(workdir, "out/Contoso.Lib.1.2.3.symbols.nupkg", legacy)
    pkg.write(workdir, "out/Contoso.Lib.1.2.3.nupkg", nupkg({"lib/net8.0/Contoso.Lib.dll": PAIR.dll}))
    code, out, err = run(capsys, "check", "out", "--format", "json")
    package = json.loads(out)["packages"][0]
    assert code == 1 and err == "" and package["path"].endswith(".symbols.nupkg")
    rules = [f["rule"] for f in package["findings"]]
    assert "N003" in rules and package["verdict"] == "push-rejected"
    pkg.write(workdir, "new/Contoso.Lib.1.2.3.snupkg", pkg.package({"lib/net8.0/Contoso.Lib.pdb": PAIR.pdb}))
    _, out, _ = run(capsys, "check", "new", "--format", "json")
    assert "N003" not in [f["rule"] for f in json.loads(out)["packages"][0]["findings"]]


@pytest.mark.parametrize("name", ["Contoso.Lib.pdb", "Contoso.Lib.dll", "notes.txt"])
def test_another_file_is_one_clear_line(workdir, capsys, name):
    (workdir / name).write_bytes(b"x")
    code, out, err = run(capsys, "check", name)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"{name}: not a package" in err and "give a .snupkg, a .symbols.nupkg or a .nupkg" in err


def test_globs_are_expanded_by_the_tool(workdir, capsys):
    for n in (1, 2):
        pkg.write(workdir, f"artifacts/p{n}/Contoso.Lib.1.2.{n}.snupkg",
                  pkg.package({"lib/net8.0/Contoso.Lib.pdb": PAIR.pdb}, version=f"1.2.{n}"))
    code, out, _ = run(capsys, "check", "artifacts/**/*.snupkg", "--format", "json")
    assert code == 0 and len(json.loads(out)["packages"]) == 2
    code, out, err = run(capsys, "check", "nothing/**/*.snupkg")
    assert code == 2 and out == "" and err == "snupkg-lint: error: nothing/**/*.snupkg: no file matches this pattern\n"


def test_a_bad_path_among_several_is_reported_and_the_rest_checked(workdir, capsys):
    pkg.write(workdir, "Good.1.0.0.snupkg", pkg.package({"lib/net8.0/Good.pdb": PAIR.pdb}, id="Good", version="1.0.0"))
    code, out, err = run(capsys, "check", "missing.snupkg", "Good.1.0.0.snupkg", "--format", "json")
    assert code == 2 and err == "snupkg-lint: error: missing.snupkg: no such file or directory\n"
    assert [p["path"] for p in json.loads(out)["packages"]] == ["Good.1.0.0.snupkg"]  # complete for the rest


def test_a_directory_with_nothing_to_check_warns_and_exits_0(workdir, capsys):
    (workdir / "empty").mkdir()
    code, out, err = run(capsys, "check", "empty", "--format", "json")
    assert code == 0 and json.loads(out)["packages"] == []
    assert err == "snupkg-lint: warning: empty: nothing to check (no .snupkg or .symbols.nupkg below it)\n"


def test_assemblies_of_a_lone_nupkg_pair_with_pdbs_ignoring_case_and_separators(workdir, capsys):
    pkg.write(workdir, "Many.1.0.0.nupkg", nupkg({"lib/net8.0/A.dll": PAIR.dll, "LIB\\NET8.0\\a.pdb": PAIR.pdb,
                                                  "lib/net8.0/B.dll": PAIR.dll, "lib/net6.0/B.pdb": PAIR.pdb}))
    _, out, _ = run(capsys, "check", "Many.1.0.0.nupkg", "--format", "json")
    found = [(f["rule"], f["entry"]) for f in json.loads(out)["packages"][0]["findings"]]
    assert [f for f in found if f[0] != "D014"] == [("N002", "lib/net8.0/B.dll")]  # A's PDB is beside it; B's is
    # in another folder; D014: both PDBs ship inside the .nupkg
