"""The real packages in ../shared/fixtures (through SNUPKG_LINT_CORPUS) give nuget.org's outcomes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from snupkg_lint.engine import check_package
from snupkg_lint.model import Stage


def _packages() -> list[dict]:
    root = os.environ.get("SNUPKG_LINT_CORPUS")
    if not root or not (Path(root) / "expected.json").is_file():
        return []
    return json.loads((Path(root) / "expected.json").read_text())["packages"]


@pytest.mark.parametrize("case", _packages() or [None], ids=lambda c: c["snupkg"] if c else "no-corpus")
def test_package_push_outcome(corpus, case):
    if case is None:
        pytest.skip("no packages listed")
    report = check_package(str(corpus / case["snupkg"]), str(corpus / case["nupkg"]) if case["nupkg"] else None)
    expect = case["expect"]
    assert "X001" not in {f.rule for f in report.findings}
    push = [f for f in report.findings if f.outcome.stage is Stage.PUSH]
    if expect["verdict"] == "push-rejected":
        assert report.verdict == "push-rejected"
        assert report.predicted.outcome.status == expect["status"]
    else:
        assert push == [], [f"{f.rule} {f.message}" for f in push]


def _pairs() -> list[dict]:
    root = os.environ.get("SNUPKG_LINT_CORPUS")
    if not root or not (Path(root) / "expected.json").is_file():
        return []
    return json.loads((Path(root) / "expected.json").read_text())["pairs"]


def _pack_pair(corpus: Path, case: dict, folder: Path) -> tuple[str, str]:
    """Pack the pair as the fixtures README says: lib/<tfm>/<dll_name> and lib/<tfm>/<pdb_name>."""
    from tests.factory import package as pkg

    dll_name = case.get("dll_name") or Path(case["dll"]).name
    pdb_name = case.get("pdb_name") or Path(dll_name).stem + ".pdb"
    tfm = case["tfm"]
    nupkg = pkg.package({f"lib/{tfm}/{dll_name}": (corpus / case["dll"]).read_bytes()}, symbols=False)
    snupkg = pkg.package({f"lib/{tfm}/{pdb_name}": (corpus / case["pdb"]).read_bytes()})
    return pkg.write(folder, "Contoso.Lib.1.2.3.snupkg", snupkg), pkg.write(folder, "Contoso.Lib.1.2.3.nupkg", nupkg)


@pytest.mark.parametrize("case", _pairs() or [None],
                         ids=lambda c: f"{c['dll']}+{c['pdb']}+{c.get('dll_name', '')}{c.get('pdb_name', '')}" if c else "no-corpus")
def test_pair_validation_outcome(corpus, case, tmp_path):
    if case is None:
        pytest.skip("no pairs listed")
    snupkg, nupkg = _pack_pair(corpus, case, tmp_path)
    report = check_package(snupkg, nupkg)
    shown = [f"{f.rule} {f.entry}: {f.message}" for f in report.findings]
    assert "X001" not in {f.rule for f in report.findings}, shown
    assert report.verdict == case["expect"]["verdict"], shown
    predicted = report.predicted
    assert (predicted.outcome.code if predicted else None) == case["expect"]["code"], shown


def test_nuget_gallery_mismatched_pair_shows_both_ids(corpus, tmp_path):
    """nuget.org's own test MismatchedDllAndPortablePdbFailValidation: 251, and here both ids are named."""
    case = {"dll": "NuGet.NuGetGallery/0-baseline/testlib.dll", "pdb": "NuGet.NuGetGallery/1-add-class/testlib.pdb",
            "tfm": "netstandard2.0"}
    report = check_package(*_pack_pair(corpus, case, tmp_path / "mismatch"))
    assert report.verdict == "validation-failed" and report.predicted.outcome.code == 251
    message = report.predicted.message
    assert "b3163b54-3daa-46c6-88b8-61aa17a3cb49 / stamp 0xDE34494E" in message  # what the DLL expects
    assert "e072877d-45e8-44dc-8e9b-10d34b7e5794 / stamp 0x8689BCD4" in message  # what the PDB has
    case["pdb"] = "NuGet.NuGetGallery/0-baseline/testlib.pdb"
    assert check_package(*_pack_pair(corpus, case, tmp_path / "match")).verdict == "pass"


def test_full_debug_package_names_the_windows_pdb(corpus, capsys):
    from snupkg_lint.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(corpus / "bagetter.BaGetter/TestDataFullDebug.1.2.3.snupkg"), "--format", "json"])
    package = json.loads(capsys.readouterr().out)["packages"][0]
    assert exit_info.value.code == 1
    assert package["verdict"] == "validation-failed"
    failing = [f for f in package["findings"] if f["nuget"]["code"] == 252]
    assert [f["entry"] for f in failing] == ["lib/net8.0/TestDataFullDebug.pdb"]


def test_baget_package_passes_cli(corpus, capsys):
    from snupkg_lint.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(corpus / "loic-sharma.BaGet/TestData.1.2.3.snupkg"), "--format", "json"])
    assert exit_info.value.code == 0
    assert json.loads(capsys.readouterr().out)["packages"][0]["verdict"] == "pass"
