"""SARIF 2.1.0, for GitHub code scanning (upload-sarif) and other SARIF viewers.

Each rule that the run reports becomes a reporting descriptor built from its declaration and its document
(shortDescription: the summary; fullDescription: What it checks; help: the whole document); each finding a
result whose physical location is the package file, relative to the SARIF root (`--sarif-root`, default the
current directory) so that GitHub can tie it to the repository, and whose logical location is the zip entry.
A package is a binary file, so the fingerprint GitHub would compute from its text lines means nothing: every
result carries its own, a hash of the package path, the rule, the entry and the message key, stable across
runs and machines. No time or machine-specific value is written: the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Iterable

from snupkg_lint import __version__
from snupkg_lint.catalog import RuleDoc, load_catalog
from snupkg_lint.model import Finding, PackageReport, Rule
from snupkg_lint.report import json_writer

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://pypi.org/project/snupkg-lint/"


def _limit(text: str, size: int = 1024) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _plain(markdown: str) -> str:
    return " ".join(markdown.replace("`", "").split())


def _descriptor(rule: Rule, doc: RuleDoc) -> dict[str, Any]:
    tags = ["nuget", "symbols", rule.outcome.stage.value if rule.outcome.stage else "quality"]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _limit(rule.summary.replace("`", ""))},
        "fullDescription": {"text": _limit(_plain(doc.sections.get("What it checks", rule.summary)))},
        "help": {"text": _limit(_plain(doc.sections.get("How to fix", rule.fix)), 4096), "markdown": doc.body},
        "helpUri": f"{INFORMATION_URI}#rules",  # the rule table; the document itself is help.markdown
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "properties": {"tags": tags, "precision": "very-high",
                       "problem.severity": {"error": "error", "warning": "warning", "info": "recommendation"}[
                           rule.severity.value]},
    }


def _uri(path: str, root: str) -> str:
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # Windows: on another drive than the root, so no relative path exists
        relative = os.path.abspath(path)
    return relative.replace(os.sep, "/")


def fingerprint(uri: str, f: Finding) -> str:
    key = "|".join((uri, f.rule, f.entry or "", f.part or "", f.text.template if f.text else f.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _result(report: PackageReport, f: Finding, index: int, root: str) -> dict[str, Any]:
    uri = _uri(report.path, root)
    where = f"{f.entry}: " if f.entry else ""
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVELS[f.severity.value],
        "message": {"text": f"{where}{f.text.render() if f.text else f.message}"},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                 "region": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2}},
            **({"logicalLocations": [{"fullyQualifiedName": f.entry + (f" ({f.part})" if f.part else ""),
                                      "kind": "resource"}]} if f.entry else {}),
        }],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint(uri, f)},
        "properties": {"nuget": {"stage": f.outcome.stage.value if f.outcome.stage else None,
                                 "status": f.outcome.status, "code": f.outcome.code,
                                 "serverMessage": f.outcome.server_message},
                       "fix": f.fix},
    }
    return result


def render(reports: Iterable[PackageReport], rules: list[Rule], *, root: str = ".") -> str:
    reports = list(reports)
    catalog = load_catalog()
    used = sorted({f.rule for r in reports for f in r.findings})
    by_id = {r.id: r for r in rules}
    index = {rule_id: n for n, rule_id in enumerate(used)}
    results = [_result(r, f, index[f.rule], root) for r in reports for f in r.findings]
    run = {
        "tool": {"driver": {"name": "snupkg-lint", "semanticVersion": __version__, "informationUri": INFORMATION_URI,
                            "rules": [_descriptor(by_id[rule_id], catalog[rule_id]) for rule_id in used]}},
        "automationDetails": {"id": "snupkg-lint/"},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": _root_uri(root)}},
        "results": results,
        "properties": {"packages": [{"path": _uri(r.path, root), "verdict": r.verdict,
                                     "predictedRule": r.predicted.rule if r.predicted else None} for r in reports]},
    }
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_writer.dumps(document) + "\n"  # json.dumps(indent=2, ensure_ascii=False)'s bytes, faster


def _root_uri(root: str) -> str:
    # Relative, so the file does not depend on where the checkout lives: "./" is the repository root.
    return "./" if os.path.abspath(root) == os.path.abspath(".") else _uri(root, ".").rstrip("/") + "/"
