"""What is reported: the rules selected and the severities set by the configuration, applied to a report
after nuget.org's answer was worked out from every finding (so `ignore = ["P222"]` hides the finding, never
the prediction)."""

from __future__ import annotations

from dataclasses import replace

from snupkg_lint.checks.registry import declared
from snupkg_lint.config import Settings
from snupkg_lint.model import PackageReport, Rule


def apply(report: PackageReport, settings: Settings) -> PackageReport:
    shown = []
    decided: dict[str, tuple[bool, Rule]] = {}  # per rule: whether it is reported (asked once, not per finding)
    for finding in report.findings:
        known = decided.get(finding.rule)
        if known is None:
            rule = declared(finding.rule)
            known = decided[finding.rule] = (settings.enabled(rule), rule)
        if known[0]:
            level = settings.severity_of(known[1], finding.severity)
            shown.append(finding if level is finding.severity else replace(finding, severity=level))
    return replace(report, findings=tuple(shown))


def fails(report: PackageReport, settings: Settings) -> bool:
    """Whether the report makes the run exit 1: a reported finding at or above `fail-on`."""
    return any(settings.fails(f.severity) for f in report.findings)


def failing_only(report: PackageReport, settings: Settings) -> PackageReport:
    """The report with only the findings that fail the run (for --quiet)."""
    return replace(report, findings=tuple(f for f in report.findings if settings.fails(f.severity)))

