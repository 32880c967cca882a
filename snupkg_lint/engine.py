"""Runs every rule over one package and collects the findings into a report."""

from __future__ import annotations

import datetime as _dt
import traceback

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import all_rules
from snupkg_lint.model import Finding, Outcome, PackageReport, Rule, Severity

INTERNAL_ERROR = "X001"


def _internal_error(rule: Rule, exc: BaseException) -> Finding:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    site = f" at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else ""
    return Finding(
        rule=INTERNAL_ERROR, name="internal-error", severity=Severity.ERROR,
        message=f"rule {rule.id} ({rule.name}) crashed: {type(exc).__name__}: {exc}{site}",
        entry=None, outcome=Outcome(), fix="This is a bug in snupkg-lint; please report it with the package.",
    )


def run_rules(artifacts: Artifacts, rules: list[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        try:
            findings.extend(rule.finding(hit) for hit in rule.check(artifacts))
        except (KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:  # a rule bug must not hide the other rules' findings
            findings.append(_internal_error(rule, exc))
    return findings


def check_package(
    snupkg: str,
    nupkg: str | None = None,
    *,
    rules: list[Rule] | None = None,
    now: _dt.datetime | None = None,
) -> PackageReport:
    """Open the package (and its .nupkg) once, run every rule, and return the report."""
    with Artifacts(snupkg, nupkg, now=now) as artifacts:
        findings = run_rules(artifacts, rules if rules is not None else all_rules())
    return PackageReport(snupkg, nupkg, tuple(findings))
