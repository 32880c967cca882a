"""JUnit XML (Azure Pipelines PublishTestResults, GitLab, Jenkins): one test case per package, one failure per
error finding, the other findings as the test case's output."""

from __future__ import annotations

from typing import Iterable
from xml.etree import ElementTree as ET

from snupkg_lint.model import PackageReport, Severity


def render(reports: Iterable[PackageReport]) -> str:
    reports = list(reports)
    errors = [sum(1 for f in r.findings if f.severity is Severity.ERROR) for r in reports]
    suites = ET.Element("testsuites", name="snupkg-lint", tests=str(len(reports)),
                        failures=str(sum(1 for e in errors if e)))
    suite = ET.SubElement(suites, "testsuite", name="snupkg-lint", tests=str(len(reports)),
                          failures=str(sum(1 for e in errors if e)), errors="0", skipped="0")
    for report in reports:
        case = ET.SubElement(suite, "testcase", classname="snupkg-lint", name=report.path)
        others = []
        for f in report.findings:
            where = f"{f.entry}: " if f.entry else ""
            line = f"{f.rule} {f.name}: {where}{f.text.render() if f.text else f.message}"
            if f.severity is Severity.ERROR:
                failure = ET.SubElement(case, "failure", type=f.rule, message=line)
                failure.text = "\n".join(x for x in (line, f"nuget.org: {f.outcome.describe()}", f"fix: {f.fix}") if x)
            else:
                others.append(f"{f.severity.value}: {line}")
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join([f"verdict: {report.verdict}"] + others)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
