"""The JSON report: a stable, documented shape for CI scripts (keys may be added, never renamed)."""

from __future__ import annotations

import json
from typing import Any, Iterable

from snupkg_lint import __version__
from snupkg_lint.model import Finding, Message, PackageReport
from snupkg_lint.report.statistics import rule_counts


def _json_value(value: Any) -> Any:
    if isinstance(value, Message):
        return value.render()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def finding_dict(f: Finding) -> dict[str, Any]:
    text = f.text or Message(f.message)
    out: dict[str, Any] = {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value,
        "message": text.render(),
        "message_id": text.template,
        "arguments": {k: _json_value(v) for k, v in text.args.items()},
        "entry": f.entry,
        "part": f.part,
        "nuget": {
            "stage": f.outcome.stage.value if f.outcome.stage else None,
            "status": f.outcome.status,
            "code": f.outcome.code,
            "server_message": f.outcome.server_message,
        },
        "fix": f.fix,
    }
    if f.details:
        out["details"] = f.details
    return out


def _predicted(report: PackageReport) -> dict[str, Any]:
    """The single answer nuget.org would give: the first failure in its own evaluation order."""
    f = report.predicted
    if f is None:
        return {"stage": None, "status": None, "code": None, "server_message": None, "rule": None}
    out = finding_dict(f)["nuget"]
    out["rule"] = f.rule
    return out


def package_dict(report: PackageReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "kind": report.kind,
        "nupkg": report.nupkg,
        "verdict": report.verdict,
        "nuget": _predicted(report),
        "findings": [finding_dict(f) for f in report.findings],
    }


def render(reports: Iterable[PackageReport], *, statistics: bool = False) -> str:
    reports = list(reports)
    document: dict[str, Any] = {
        "tool": {"name": "snupkg-lint", "version": __version__},
        "packages": [package_dict(r) for r in reports],
    }
    if statistics:
        document["statistics"] = [{"rule": r, "name": n, "count": c} for r, n, c in rule_counts(reports)]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
