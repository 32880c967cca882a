"""Configuration and rule selection (issue #7 §2): files found upward, flags over files, ruff-style selectors,
severity overrides and fail-on deciding the exit code, and the prediction untouched by any of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from snupkg_lint.cli import main
from tests.factory import package as pkg
from tests.factory.pair import portable_pdb as build_portable_pdb

PDB = build_portable_pdb()


def bad() -> bytes:  # P222 (error) and P223 twice (error), no .nupkg (V301 info)
    return pkg.package({"lib/net8.0/Contoso.Lib.pdb": PDB, "lib/net8.0/Contoso.Lib.dll": b"MZ",
                        "lib/net8.0/Other.xml.bak": b"x"}, nuspec=pkg.nuspec_xml(authors="Contoso"))


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A repository folder inside the test's own folder, so a configuration put above it stays in the test."""
    repo = tmp_path / "repo"
    pkg.write(repo / "out", "Contoso.Lib.1.2.3.snupkg", bad())
    monkeypatch.chdir(repo)
    return repo


def run(capsys, *args: str) -> tuple[int, dict | str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, (json.loads(out) if "--format" in args and "json" in args and out else out), err


def rules_of(document: dict) -> list[str]:
    return [f["rule"] for f in document["packages"][0]["findings"]]


def test_without_configuration_every_rule_reports(project, capsys):
    code, doc, _ = run(capsys, "check", "out", "--format", "json")
    assert code == 1 and rules_of(doc) == ["P222", "P223", "P223", "V301"]


def test_ignore_hides_the_finding_never_the_prediction(project, capsys):
    code, doc, _ = run(capsys, "check", "out", "--format", "json", "--ignore", "P222")
    package = doc["packages"][0]
    assert "P222" not in rules_of(doc)
    assert package["verdict"] == "push-rejected" and package["nuget"]["rule"] == "P222"  # nuget.org stops there
    assert code == 1  # the P223 errors are still reported


@pytest.mark.parametrize("selector", ["P2", "p2", "P22", "disallowed-file-extension,authors-or-owners-present", "ALL"])
def test_selectors_by_prefix_name_and_all(project, capsys, selector):
    _, doc, _ = run(capsys, "check", "out", "--format", "json", "--select", selector)
    assert set(rules_of(doc)) == {"P222", "P223"} | ({"V301"} if selector == "ALL" else set())


def test_extend_select_adds_and_ignore_wins(project, capsys):
    _, doc, _ = run(capsys, "check", "out", "--format", "json", "--select", "P222", "--extend-select", "V3",
                    "--ignore", "P222")
    assert rules_of(doc) == ["V301"]


def test_configuration_file_is_found_upward_and_the_nearest_wins(project, capsys, monkeypatch):
    (project / "pyproject.toml").write_text('[tool.snupkg-lint]\nignore = ["P223"]\n')
    nested = project / "src" / "deep"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    _, doc, _ = run(capsys, "check", str(project / "out"), "--format", "json")
    assert rules_of(doc) == ["P222", "V301"]
    (project / "src" / ".snupkg-lint.toml").write_text('ignore = ["V301"]\n')  # nearer: it alone counts
    _, doc, _ = run(capsys, "check", str(project / "out"), "--format", "json")
    assert rules_of(doc) == ["P222", "P223", "P223"]


def test_pyproject_without_the_table_is_passed_over(project, capsys):
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project.parent / ".snupkg-lint.toml").write_text('select = ["V3"]\n')
    _, doc, _ = run(capsys, "check", "out", "--format", "json")
    assert rules_of(doc) == ["V301"]


def test_config_flag_and_isolated(project, capsys):
    (project / ".snupkg-lint.toml").write_text('ignore = ["P2"]\n')
    (project / "other.toml").write_text('select = ["P222"]\nformat = "json"\n')
    _, doc, _ = run(capsys, "check", "out", "--format", "json")
    assert rules_of(doc) == ["V301"]
    code, out, _ = run(capsys, "check", "out", "--config", "other.toml")
    assert json.loads(out)["packages"][0]["findings"][0]["rule"] == "P222"  # format from the file
    _, doc, _ = run(capsys, "check", "out", "--format", "json", "--isolated")
    assert rules_of(doc) == ["P222", "P223", "P223", "V301"]


def test_severity_and_fail_on_decide_the_exit_code(project, capsys):
    (project / ".snupkg-lint.toml").write_text('severity = {P2 = "warning", V301 = "error"}\nignore = ["V301"]\n')
    code, doc, _ = run(capsys, "check", "out", "--format", "json")
    assert {f["severity"] for f in doc["packages"][0]["findings"]} == {"warning"} and code == 0
    code, _, _ = run(capsys, "check", "out", "--format", "json", "--fail-on", "warning")
    assert code == 1
    code, _, _ = run(capsys, "check", "out", "--format", "json", "--fail-on", "warning", "--exit-zero")
    assert code == 0
    code, doc, _ = run(capsys, "check", "out", "--format", "json", "--severity", "P222=error")
    assert code == 1 and doc["packages"][0]["findings"][0]["severity"] == "error"  # the flag comes last


def test_quiet_shows_only_what_fails_and_statistics_count_rules(project, capsys):
    pkg.write(project / "out", "Good.1.0.0.snupkg", pkg.package({"lib/net8.0/Good.pdb": PDB}, id="Good",
                                                                 version="1.0.0"))
    code, out, _ = run(capsys, "check", "out", "-q", "--color", "never")
    assert code == 1 and "V301" not in out and "Good.1.0.0" not in out and "P223" in out
    assert out.strip().endswith("2 packages checked: 1 incomplete, 1 push-rejected")
    _, out, _ = run(capsys, "check", "out", "--statistics", "--color", "never")
    assert "     2  P223  disallowed-file-extension" in out and "     2  V301  assembly-matching-skipped" in out
    _, doc, _ = run(capsys, "check", "out", "--statistics", "--format", "json")
    assert doc["statistics"][0] == {"rule": "P223", "name": "disallowed-file-extension", "count": 2}


def test_exclude_skips_folders_and_files_in_directory_discovery(project, capsys):
    pkg.write(project / "out" / "tests", "Test.1.0.0.snupkg", bad())
    _, doc, _ = run(capsys, "check", ".", "--format", "json")
    assert len(doc["packages"]) == 2
    _, doc, _ = run(capsys, "check", ".", "--format", "json", "--exclude", "tests")
    assert [p["path"] for p in doc["packages"]] == ["./out/Contoso.Lib.1.2.3.snupkg"]
    (project / ".snupkg-lint.toml").write_text('exclude = ["out/Contoso*"]\n')
    _, doc, _ = run(capsys, "check", ".", "--format", "json")
    assert [p["path"] for p in doc["packages"]] == ["./out/tests/Test.1.0.0.snupkg"]


@pytest.mark.parametrize("text, message", [
    ('colour = "x"\n', "unknown key 'colour' (allowed: select, ignore"),
    ('select = ["P9"]\n', "select: unknown rule or prefix 'P9'"),
    ('extend-select = ["V1", "nope"]\n', "extend-select: unknown rule or prefix 'nope'"),
    ('fail-on = "fatal"\n', "fail-on: 'fatal' is not a severity (allowed: error, warning, info)"),
    ('severity = {V202 = "loud"}\n', "severity.V202: 'loud' is not a severity"),
    ('severity = ["V202"]\n', "must be a table of rule = level"),
    ('format = "yaml"\n', "'yaml' is not an output format (allowed: text, json, sarif, github, junit)"),
    ('ignore = 3\n', "ignore must be a list of strings"),
    ('select = [\n', "not valid TOML"),
])
def test_a_bad_configuration_is_exit_2_naming_file_key_and_allowed(project, capsys, text, message):
    (project / ".snupkg-lint.toml").write_text(text)
    code, out, err = run(capsys, "check", "out")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert ".snupkg-lint.toml" in err and message in err


@pytest.mark.parametrize("args, message", [
    (("--severity", "V202"), "RULE=LEVEL"),
    (("--fail-on", "loud"), "'loud' is not a severity"),
    (("--ignore", "nope"), "unknown rule or prefix 'nope'"),
    (("--config", "missing.toml"), "missing.toml: no such file"),
    (("--config", "x.toml", "--isolated"), "exclude each other"),
])
def test_bad_flags_are_exit_2(project, capsys, args, message):
    code, out, err = run(capsys, "check", "out", *args)
    assert code == 2 and out == "" and message in err


def test_help_is_h_and_documents_exit_codes(capsys):
    code, out, _ = run(capsys, "check", "-h")
    assert code == 0 and "Exit codes: 0 when no reported finding" in " ".join(out.split())
