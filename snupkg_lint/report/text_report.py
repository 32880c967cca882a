"""The text report, for people: one block per package, one grep-able line per finding (`package:entry: RULE …`),
the nuget.org answer and the fix once per rule, the predicted nuget.org answer, and a summary line. Colour only
when asked for (the CLI asks on a terminal)."""

from __future__ import annotations

import textwrap
from typing import Callable, Iterable

from snupkg_lint.model import Finding, PackageReport, Severity, Stage
from snupkg_lint.report.statistics import rule_counts

Style = Callable[[str, str], str]
COLOURS = {"error": "\x1b[31m", "warning": "\x1b[33m", "info": "\x1b[36m", "pass": "\x1b[32m",
           "bold": "\x1b[1m", "dim": "\x1b[2m"}


def _plain(text: str, _: str) -> str:
    return text


def _ansi(text: str, key: str) -> str:
    return f"{COLOURS[key]}{text}\x1b[0m"


def _finding_lines(report: PackageReport, f: Finding, style: Style, explained: set[str], width: int,
                   terminal: bool) -> list[str]:
    """`package:entry: RULE severity name: message`, one line whatever its length when the output goes to a file or a
    pipe, so it can be grepped (wrapped to the width on a terminal); then the nuget.org answer and the fix, once
    per rule per package."""
    where = report.path + (f":{f.entry}" if f.entry else "") + (f" ({f.part})" if f.part else "")
    message = f.text.render() if f.text is not None else f.message  # rendered here: rules give key and arguments
    head = f"{where}: {f.rule} {f.severity.value} {f.name}: {message}"
    if terminal and len(head) > width:
        wrapped = textwrap.wrap(head, width, subsequent_indent="  ", break_on_hyphens=False)
    else:
        wrapped = [head]
    rule_at = wrapped[0].find(f" {f.rule} ")
    if rule_at != -1:  # colour the rule id where it stands
        start = rule_at + 1
        wrapped[0] = wrapped[0][:start] + style(f.rule, f.severity.value) + wrapped[0][start + len(f.rule):]
    lines = wrapped
    if f.rule in explained:
        return lines
    explained.add(f.rule)
    outcome = f.outcome
    if outcome.stage is not None:
        answer = f' "{outcome.server_message}"' if outcome.server_message else ""
        lines.extend(style(line, "dim") for line in textwrap.wrap(f"nuget.org: {outcome.describe()}{answer}", width,
                                                                   initial_indent="    ", subsequent_indent="      "))
    lines.extend(style(line, "dim") for line in textwrap.wrap(f"fix: {f.fix}", width, initial_indent="    ",
                                                              subsequent_indent="      "))
    return lines


# Why nothing was predicted, for each rule whose findings leave part of the package unchecked.
_NOT_PREDICTED = {
    "V301": "symbol validation not predicted without the .nupkg",
    "X002": "symbol validation not predicted: the .nupkg cannot be read",
    "X003": "part of the package was too large to check (X003)",
    "X001": "a rule of snupkg-lint failed, so its checks are missing (X001)",
}


def _verdict_line(report: PackageReport, style: Style) -> str:
    counts = ", ".join(f"{report.count(s)} {s.value}{'s' if report.count(s) != 1 else ''}" for s in Severity)
    predicted = report.predicted
    if report.verdict == "no-symbol-package":
        answer = "there is no symbol package to push"
    elif predicted is None and report.unchecked:
        answer = "push accepted; " + "; ".join(dict.fromkeys(_NOT_PREDICTED.get(f.rule, f"{f.name} ({f.rule})")
                                                             for f in report.unchecked))
    elif predicted is None:
        answer = "nuget.org would accept the push and publish the symbols"
    elif predicted.outcome.stage is Stage.PUSH:
        answer = f"nuget.org would answer the push with HTTP {predicted.outcome.status} ({predicted.rule})"
    else:
        answer = (f"nuget.org would accept the push, then fail symbol validation with issue "
                  f"{predicted.outcome.code} ({predicted.rule})")
    key = {"pass": "pass", "incomplete": "warning", "no-symbol-package": "info"}.get(report.verdict, "error")
    return f"  {style(report.verdict, key)}: {answer}; {counts}"


def render(reports: Iterable[PackageReport], *, colour: bool = False, statistics: bool = False,
           quiet: bool = False, width: int = 100, terminal: bool = False) -> str:
    """quiet: the reports hold only the findings that fail the run; packages without one are not shown.
    width: where the nuget.org and fix lines wrap (the terminal's width when there is one)."""
    style: Style = _ansi if colour else _plain
    out: list[str] = []
    reports = list(reports)
    for report in reports:
        if quiet and not report.findings:
            continue
        if report.kind == "nupkg":
            pair = " (a .nupkg alone: no .snupkg beside it)"
        else:
            pair = f" (with {report.nupkg})" if report.nupkg else " (no .nupkg)"
        out.append(style(report.path, "bold") + pair)
        explained: set[str] = set()
        for f in report.findings:
            out.extend(_finding_lines(report, f, style, explained, width, terminal))
        out.append(_verdict_line(report, style))
        out.append("")
    if statistics:
        rows = rule_counts(reports)
        out.extend(f"{count:>6}  {rule}  {name}" for rule, name, count in rows)
        out.append("")
    out.append(summary(reports))
    return "\n".join(out) + "\n"


def summary(reports: list[PackageReport]) -> str:
    """The last line of every text report: how many packages, and their verdicts."""
    verdicts = [r.verdict for r in reports]
    tally = ", ".join(f"{verdicts.count(v)} {v}" for v in ("pass", "incomplete", "no-symbol-package", "push-rejected",
                                                           "validation-failed") if v in verdicts)
    return f"{len(reports)} package{'s' if len(reports) != 1 else ''} checked: {tally or 'none'}"

