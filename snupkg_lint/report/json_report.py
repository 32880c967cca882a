"""The JSON report: a stable, documented shape for CI scripts (keys may be added, never renamed)."""

from __future__ import annotations

import json
from typing import Any, Iterable

from snupkg_lint import __version__
from snupkg_lint.model import Finding, PackageReport


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "entry": f.entry,
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
        "nupkg": report.nupkg,
        "verdict": report.verdict,
        "nuget": _predicted(report),
        "findings": [finding_dict(f) for f in report.findings],
    }


def render(reports: Iterable[PackageReport]) -> str:
    document = {
        "tool": {"name": "snupkg-lint", "version": __version__},
        "packages": [package_dict(r) for r in reports],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
