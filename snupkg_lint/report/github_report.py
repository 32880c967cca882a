"""GitHub Actions workflow commands: one `::error file=…,title=…::message` line per finding, which the runner
shows as an annotation on the job and, for files in the repository, on the file."""

from __future__ import annotations

import os
from typing import Iterable

from snupkg_lint.model import PackageReport

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(reports: Iterable[PackageReport]) -> str:
    lines = []
    for report in reports:
        for f in report.findings:
            where = f"{f.entry}: " if f.entry else ""
            message = f.text.render() if f.text else f.message
            answer = f" (nuget.org: {f.outcome.describe()})" if f.outcome.stage else ""
            lines.append(f"::{COMMANDS[f.severity.value]} file={_property(os.path.normpath(report.path))},"
                         f"title={_property(f'{f.rule} {f.name}')}::{_data(where + message + answer)}")
    return "".join(line + "\n" for line in lines)
