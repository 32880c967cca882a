"""Output formats (issue #7 §4): SARIF 2.1.0 valid against the official schema and stable, GitHub workflow
commands escaped as GitHub requires, JUnit XML, --output, annotations under GitHub Actions, and the text
report's grep-able lines."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from snupkg_lint.cli import main
from snupkg_lint.report import github_report
from tests.factory import package as pkg
from tests.factory.pair import matched_pair

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
PAIR = matched_pair("Contoso.Lib")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args) + ["--isolated"])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    bad = pkg.package({"lib/net8.0/Contoso.Lib.pdb": PAIR.pdb, "lib/net8.0/a.dll": b"MZ", "lib/net8.0/b.dll": b"MZ"},
                      nuspec=pkg.nuspec_xml(authors="Contoso"))
    pkg.write(tmp_path / "artifacts", "Contoso.Lib.1.2.3.snupkg", bad)
    pkg.write(tmp_path / "artifacts", "Contoso.Lib.1.2.3.nupkg",
              pkg.package({"lib/net8.0/Contoso.Lib.dll": PAIR.dll}, symbols=False))
    pkg.write(tmp_path / "artifacts", "Good.1.0.0.snupkg",
              pkg.package({"lib/net8.0/Good.pdb": PAIR.pdb}, id="Good", version="1.0.0"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def validate_sarif(text: str) -> dict:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test dependency ('.[test]')")
    document = json.loads(text)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(document)
    return document


def test_sarif_is_valid_complete_and_stable(repo, capsys):
    code, first, _ = run(capsys, "check", "artifacts", "--format", "sarif")
    _, second, _ = run(capsys, "check", "artifacts", "--format", "sarif")
    assert code == 1 and first == second
    sarif = validate_sarif(first)
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["P222", "P223", "V301"]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert "## How to fix" in rule["help"]["markdown"] and rule["properties"]["tags"]
    results = run_["results"]
    assert {r["ruleId"] for r in results} == {"P222", "P223", "V301"}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"].startswith("artifacts/")
        assert len(result["partialFingerprints"]["primaryLocationLineHash"]) == 64
    entries = [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results if r["ruleId"] == "P223"]
    assert entries == ["lib/net8.0/a.dll", "lib/net8.0/b.dll"]
    assert {p["verdict"] for p in run_["properties"]["packages"]} == {"push-rejected", "incomplete"}


def test_sarif_fingerprints_do_not_depend_on_where_the_checkout_is(repo, capsys, tmp_path_factory, monkeypatch):
    _, here, _ = run(capsys, "check", "artifacts", "--format", "sarif")
    elsewhere = tmp_path_factory.mktemp("clone")
    shutil.copytree(repo / "artifacts", elsewhere / "artifacts")
    monkeypatch.chdir(elsewhere)
    _, there, _ = run(capsys, "check", "artifacts", "--format", "sarif")
    assert here == there
    monkeypatch.chdir(elsewhere.parent)
    _, rooted, _ = run(capsys, "check", str(elsewhere / "artifacts"), "--format", "sarif", "--sarif-root", str(elsewhere))
    fingerprints = lambda text: [r["partialFingerprints"] for r in json.loads(text)["runs"][0]["results"]]  # noqa: E731
    assert fingerprints(rooted) == fingerprints(here)


def test_sarif_of_the_real_corpus_validates_and_is_byte_identical(corpus, capsys, monkeypatch):
    monkeypatch.chdir(corpus.parent)
    _, first, _ = run(capsys, "check", "fixtures", "--format", "sarif")
    _, second, _ = run(capsys, "check", "fixtures", "--format", "sarif")
    assert first == second and validate_sarif(first)["runs"][0]["results"]


def test_github_commands_escape_what_github_requires():
    assert github_report._data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github_report._property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_format_has_one_command_per_finding(repo, capsys):
    code, out, _ = run(capsys, "check", "artifacts", "--format", "github")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 4  # P222, P223 twice, V301
    assert lines[0].startswith("::error file=artifacts/Contoso.Lib.1.2.3.snupkg,title=P222 authors-or-owners-present::")
    assert any(line.startswith("::notice file=artifacts/Good.1.0.0.snupkg,title=V301") for line in lines)


def test_annotations_come_with_text_under_github_actions(repo, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, _ = run(capsys, "check", "artifacts", "--color", "never")
    assert "packages checked" in out and "::error file=artifacts/Contoso.Lib.1.2.3.snupkg" in out
    _, out, _ = run(capsys, "check", "artifacts", "--format", "json")
    assert "::error" not in out and json.loads(out)


def test_junit_has_a_test_case_per_package_and_a_failure_per_error(repo, capsys):
    _, out, _ = run(capsys, "check", "artifacts", "--format", "junit")
    suites = ET.fromstring(out)
    cases = suites.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["artifacts/Contoso.Lib.1.2.3.snupkg", "artifacts/Good.1.0.0.snupkg"]
    assert [f.get("type") for f in cases[0].findall("failure")] == ["P222", "P223", "P223"]
    assert cases[1].find("failure") is None and "V301" in cases[1].find("system-out").text
    assert suites.get("tests") == "2" and suites.get("failures") == "1"


def test_output_writes_the_report_and_prints_the_summary(repo, capsys):
    code, out, _ = run(capsys, "check", "artifacts", "--format", "sarif", "--output", "report.sarif")
    assert code == 1 and out == "2 packages checked: 1 incomplete, 1 push-rejected\n"
    validate_sarif((repo / "report.sarif").read_text())
    code, _, err = run(capsys, "check", "artifacts", "--output", str(repo / "missing" / "dir" / "r.txt"))
    assert code == 2 and "cannot be written" in err


def test_text_lines_name_package_and_entry_and_explain_each_rule_once(repo, capsys):
    _, out, _ = run(capsys, "check", "artifacts/Contoso.Lib.1.2.3.snupkg", "--color", "never")
    lines = out.splitlines()
    assert "artifacts/Contoso.Lib.1.2.3.snupkg:lib/net8.0/a.dll: P223 error disallowed-file-extension: " \
           "extension '.dll' is not allowed in a symbols package" in lines
    assert "artifacts/Contoso.Lib.1.2.3.snupkg:lib/net8.0/b.dll: P223 error disallowed-file-extension: " \
           "extension '.dll' is not allowed in a symbols package" in lines
    assert out.count("fix: Ship only .pdb files") == 1
    assert [line.split('"')[0] for line in lines if line.startswith("    nuget.org:")] == \
        ["    nuget.org: push rejected with HTTP 400 "] * 2  # P222 once, P223 once for both entries


def test_rules_json_lists_every_rule(capsys):
    from snupkg_lint.checks import all_rules

    with pytest.raises(SystemExit):
        main(["rules", "--format", "json"])
    listed = json.loads(capsys.readouterr().out)["rules"]
    assert [r["id"] for r in listed] == [r.id for r in all_rules()]
    assert all(r["summary"] and r["fix"] and r["severity"] in ("error", "warning", "info") for r in listed)


def test_finding_lines_wrap_only_on_a_terminal():
    from snupkg_lint.model import Finding, Message, Outcome, PackageReport, Severity
    from snupkg_lint.report import text_report

    finding = Finding("P223", "disallowed-file-extension", Severity.ERROR, "x", "lib/net8.0/" + "A" * 80 + ".dll",
                      Outcome(), "Fix it.", text=Message("extension '{ext}' is not allowed", {"ext": ".dll"}))
    report = PackageReport("out/Contoso.Lib.1.2.3.snupkg", None, (finding,), "push-rejected", finding)
    piped = text_report.render([report], width=60).splitlines()
    shown = text_report.render([report], width=60, terminal=True).splitlines()
    assert any(line.startswith("out/Contoso.Lib.1.2.3.snupkg:lib/net8.0/AAAA") and line.endswith("is not allowed")
               for line in piped)  # whole, for grep
    assert all(len(line) <= 60 for line in shown if not line.startswith("  push-rejected"))


def test_flashcap_nupkg_given_by_mistake_has_nothing_to_push(corpus, capsys):
    code, out, _ = run(capsys, "check", str(corpus / "kekyo.nuget-server" / "FlashCap.1.11.0.nupkg"), "--format", "json")
    package = json.loads(out)["packages"][0]
    assert code == 0 and package["verdict"] == "no-symbol-package" and package["kind"] == "nupkg"
    assert {f["rule"] for f in package["findings"]} == {"N001"}
