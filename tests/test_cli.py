"""The command-line contract CI scripts rely on: exit codes, one-line errors, JSON shape, golden output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from snupkg_lint.cli import main
from tests.factory import package as pkg
from tests.factory.pair import portable_pdb as build_portable_pdb

GOLDEN = Path(__file__).parent / "golden"
PDB = build_portable_pdb()


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def good() -> bytes:
    return pkg.package({"lib/net8.0/Contoso.Lib.pdb": PDB})


def bad() -> bytes:
    return pkg.package(
        {"lib/net8.0/Contoso.Lib.pdb": PDB, "lib/net8.0/Contoso.Lib.dll": b"MZ", "lib/net8.0/Other.PDB": PDB},
        nuspec=pkg.nuspec_xml(authors="Contoso"),
    )


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_good_package_exits_0(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", good())
    code, out, err = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg")
    assert code == 0, out
    assert "pass" in out and err == ""


def test_bad_package_exits_1(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", bad())
    code, out, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg")
    assert code == 1
    assert "P223" in out and "lib/net8.0/Contoso.Lib.dll" in out
    assert "push-rejected" in out and "HTTP 400" in out


@pytest.mark.parametrize("args, message", [
    (("check", "missing.snupkg"), "missing.snupkg: no such file or directory"),
    (("check", "--format", "yaml", "x.snupkg"), "--format"),
    (("check",), "Missing argument"),
    (("frobnicate",), "No such command"),
    (("rule", "Z999"), "unknown rule"),
])
def test_usage_errors_exit_2_with_one_line(workdir, capsys, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("snupkg-lint: error: ") and message in err


def test_nupkg_needs_single_package(workdir, capsys):
    pkg.write(workdir, "a/A.1.0.0.snupkg", good())
    pkg.write(workdir, "a/B.1.0.0.snupkg", good())
    pkg.write(workdir, "p.nupkg", pkg.package({}, symbols=False))
    code, _, err = run_cli(capsys, "check", "a", "--nupkg", "p.nupkg")
    assert code == 2 and "exactly one" in err


def test_directory_is_searched_sorted(workdir, capsys):
    pkg.write(workdir, "out/z/Z.1.0.0.snupkg", good())
    pkg.write(workdir, "out/A.1.0.0.snupkg", good())
    pkg.write(workdir, "out/readme.txt", b"not a package")
    code, out, _ = run_cli(capsys, "check", "out", "--format", "json")
    assert code == 0
    assert [p["path"] for p in json.loads(out)["packages"]] == ["out/A.1.0.0.snupkg", "out/z/Z.1.0.0.snupkg"]


def test_sibling_nupkg_is_used(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", good())
    pkg.write(workdir, "Contoso.Lib.1.2.3.nupkg", pkg.package({}, version="9.9.9", symbols=False))
    code, out, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg", "--format", "json")
    data = json.loads(out)["packages"][0]
    assert data["nupkg"] == "Contoso.Lib.1.2.3.nupkg"
    assert [f["rule"] for f in data["findings"] if f["nuget"]["status"] == 404] == ["P111"]
    assert code == 1


def test_garbage_file_is_a_finding_not_a_traceback(workdir, capsys):
    (workdir / "x.snupkg").write_bytes(os.urandom(64) + b"PK\x05\x06" + os.urandom(30))
    code, out, err = run_cli(capsys, "check", "x.snupkg", "--format", "json")
    assert code == 1 and err == ""
    data = json.loads(out)["packages"][0]
    assert data["verdict"] == "push-rejected"
    assert data["findings"][0]["rule"] == "P101"


def test_json_shape(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", bad())
    _, out, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg", "--format", "json")
    data = json.loads(out)
    assert data["tool"]["name"] == "snupkg-lint" and data["tool"]["version"]
    package = data["packages"][0]
    assert set(package) >= {"path", "nupkg", "verdict", "findings"}
    for finding in package["findings"]:
        assert set(finding) >= {"rule", "name", "severity", "message", "entry", "nuget", "fix"}
        assert set(finding["nuget"]) == {"stage", "status", "code", "server_message"}
        assert finding["severity"] in ("error", "warning", "info")


def validation_failures() -> tuple[bytes, bytes]:
    from tests.factory.pair import matched_pair

    good, other = matched_pair("Contoso.Lib"), matched_pair("Contoso.Lib.Other")
    unchecked = matched_pair("Contoso.Lib.Helpers", checksums=[("SHA256", bytes(32))])
    dlls = {"lib/net8.0/Contoso.Lib.dll": good.dll, "lib/net8.0/Contoso.Lib.Helpers.dll": unchecked.dll}
    pdbs = {"lib/net8.0/Contoso.Lib.pdb": other.pdb, "lib/net8.0/Contoso.Lib.Helpers.pdb": unchecked.pdb,
            "lib/net6.0/Contoso.Lib.pdb": good.pdb}
    return pkg.package(pdbs), pkg.package(dlls, symbols=False)


@pytest.mark.parametrize("golden_name", ["bad-package.json", "validation-failed.json"])
def test_golden_json(workdir, capsys, golden_name):
    """Byte-identical output for the same input. Set SNUPKG_LINT_UPDATE_GOLDEN=1 to rewrite the files."""
    if golden_name == "bad-package.json":
        pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", bad())
    else:
        snupkg, nupkg = validation_failures()
        pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", snupkg)
        pkg.write(workdir, "Contoso.Lib.1.2.3.nupkg", nupkg)
    _, first, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg", "--format", "json")
    _, second, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg", "--format", "json")
    assert first == second
    from snupkg_lint import __version__

    normalised = first.replace(json.dumps(__version__), '"<version>"')
    golden = GOLDEN / golden_name
    if os.environ.get("SNUPKG_LINT_UPDATE_GOLDEN"):
        golden.write_text(normalised, encoding="utf-8")
    assert normalised == golden.read_text(encoding="utf-8")


def test_rules_command_lists_catalog(capsys):
    code, out, _ = run_cli(capsys, "rules")
    assert code == 0
    assert "P223" in out and "disallowed-file-extension" in out and "push 400" in out


def test_rule_command_shows_document(capsys):
    code, out, _ = run_cli(capsys, "rule", "P101")
    assert code == 0 and "## How to fix" in out
    code, out, _ = run_cli(capsys, "rule", "zip-unreadable")
    assert code == 0 and out.startswith("# P101 zip-unreadable\n\n- **severity**: error\n")
    assert "---" not in out.split("## What it checks")[0]  # no raw front matter: the facts are rendered


def test_python_dash_m_entry_point(tmp_path):
    path = pkg.write(tmp_path, "Contoso.Lib.1.2.3.snupkg", good())
    result = subprocess.run([sys.executable, "-m", "snupkg_lint", "check", path], capture_output=True, text=True,
                            cwd=Path(__file__).parent.parent)
    assert result.returncode == 0, result.stderr
    assert "incomplete: push accepted; symbol validation not predicted without the .nupkg" in result.stdout
    assert "1 package checked: 1 incomplete" in result.stdout


def test_text_colour_only_when_asked(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", bad())
    _, plain, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg")
    _, coloured, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg", "--color", "always")
    assert "\x1b[" not in plain and "\x1b[" in coloured


def test_special_file_is_a_usage_error(workdir, capsys):
    os.mkfifo(workdir / "pipe.snupkg")
    code, out, err = run_cli(capsys, "check", "pipe.snupkg")
    assert code == 2 and out == "" and err == "snupkg-lint: error: pipe.snupkg: is not a regular file\n"


def _deny(denied: str):
    real_open = open

    def fake_open(path, *args, **kwargs):
        if os.path.basename(str(path)) == denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    return fake_open


@pytest.mark.parametrize("args, denied", [
    (("check", "locked.snupkg"), "locked.snupkg"),
    (("check", "dir"), "B.1.0.0.snupkg"),  # found by the directory search
    (("check", "dir/A.1.0.0.snupkg"), "A.1.0.0.nupkg"),  # the sibling .nupkg
])
def test_unreadable_file_is_a_usage_error(workdir, capsys, monkeypatch, args, denied):
    pkg.write(workdir, "locked.snupkg", good())
    pkg.write(workdir, "dir/A.1.0.0.snupkg", good())
    pkg.write(workdir, "dir/A.1.0.0.nupkg", pkg.package({}, symbols=False))
    pkg.write(workdir, "dir/B.1.0.0.snupkg", good())
    monkeypatch.setattr("snupkg_lint.inputs.open", _deny(denied), raising=False)
    code, out, err = run_cli(capsys, *args, "--color", "never")
    assert code == 2
    assert err.startswith("snupkg-lint: error: ") and denied in err and "cannot be read" in err and err.count("\n") == 1
    if args[1] == "dir":  # the others found in the directory are still checked
        assert "dir/A.1.0.0.snupkg" in out and "B.1.0.0" not in out
    else:
        assert out == ""


def test_unreadable_subdirectory_is_a_usage_error(workdir, capsys, monkeypatch):
    pkg.write(workdir, "dir/A.1.0.0.snupkg", good())
    real_walk = os.walk

    def walk(top, onerror=None, **kwargs):
        onerror(PermissionError(13, "Permission denied", os.path.join(top, "sub")))
        yield from real_walk(top, onerror=onerror, **kwargs)

    monkeypatch.setattr("snupkg_lint.inputs.os.walk", walk)
    code, _, err = run_cli(capsys, "check", "dir")
    assert code == 2 and "dir/sub: directory cannot be read" in err


def test_check_never_writes_into_the_tree(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", bad())
    pkg.write(workdir, "Contoso.Lib.1.2.3.nupkg", pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, symbols=False))
    before = sorted((p, p.stat().st_mtime_ns) for p in workdir.rglob("*"))
    run_cli(capsys, "check", ".", "--format", "json")
    assert sorted((p, p.stat().st_mtime_ns) for p in workdir.rglob("*")) == before


def test_unreadable_nupkg_is_incomplete_in_text_and_json(workdir, capsys):
    pkg.write(workdir, "Contoso.Lib.1.2.3.snupkg", good())
    (workdir / "Contoso.Lib.1.2.3.nupkg").write_bytes(b"not a zip")
    code, out, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg", "--format", "json")
    package = json.loads(out)["packages"][0]
    assert code == 1 and package["verdict"] == "incomplete" and package["nuget"]["rule"] is None
    assert "X002" in [f["rule"] for f in package["findings"]]
    code, out, _ = run_cli(capsys, "check", "Contoso.Lib.1.2.3.snupkg", "--color", "never")
    assert code == 1 and "incomplete: push accepted; symbol validation not predicted: the .nupkg cannot be read" in out
    assert "pass" not in out.splitlines()[-1]
