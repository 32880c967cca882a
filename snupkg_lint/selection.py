"""What is reported: the rules selected and the severities set by the configuration, applied to a report
after nuget.org's answer was worked out from every finding (so `ignore = ["P222"]` hides the finding, never
the prediction)."""

from __future__ import annotations

from dataclasses import replace

from snupkg_lint.checks.registry import declared
from snupkg_lint.config import Settings
from snupkg_lint.model import PackageReport


def apply(report: PackageReport, settings: Settings) -> PackageReport:
    shown = []
    for finding in report.findings:
        rule = declared(finding.rule)
        if settings.enabled(rule):
            level = settings.severity_of(rule, finding.severity)
            shown.append(finding if level is finding.severity else replace(finding, severity=level))
    return replace(report, findings=tuple(shown))


def fails(report: PackageReport, settings: Settings) -> bool:
    """Whether the report makes the run exit 1: a reported finding at or above `fail-on`."""
    return any(settings.fails(f.severity) for f in report.findings)


def failing_only(report: PackageReport, settings: Settings) -> PackageReport:
    """The report with only the findings that fail the run (for --quiet)."""
    return replace(report, findings=tuple(f for f in report.findings if settings.fails(f.severity)))

