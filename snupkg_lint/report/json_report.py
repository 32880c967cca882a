"""The JSON report: a stable, documented shape for CI scripts (keys may be added, never renamed).

The report is ``json.dumps(document, indent=2, ensure_ascii=False)`` plus a newline, where each finding is
``finding_dict``; it is written by report/json_writer.py, each package's findings from templates (their shape is
fixed, and what one finding shares with the next, its rule's part and often its message, is escaped once), and
``write`` hands it to a stream in pieces rather than as one string.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from snupkg_lint import __version__
from snupkg_lint.model import Finding, Message, PackageReport
from snupkg_lint.report.json_writer import Fragment, Pieces, encode, encode_dict, escape, newline
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
    return _package(report, [finding_dict(f) for f in report.findings])


def _package(report: PackageReport, findings: Any) -> dict[str, Any]:
    return {
        "path": report.path,
        "kind": report.kind,
        "nupkg": report.nupkg,
        "verdict": report.verdict,
        "nuget": _predicted(report),
        "findings": findings,
    }


def _document(reports: list[PackageReport], statistics: bool) -> dict[str, Any]:
    """The report's document, each package's findings standing in for their finding_dicts."""
    document: dict[str, Any] = {
        "tool": {"name": "snupkg-lint", "version": __version__},
        "packages": [_package(r, _Findings(r.findings)) for r in reports],
    }
    if statistics:
        document["statistics"] = [{"rule": r, "name": n, "count": c} for r, n, c in rule_counts(reports)]
    return document


def write(reports: Iterable[PackageReport], write: Callable[[str], Any], *, statistics: bool = False) -> None:
    """The report, given to `write` (a stream's) a few hundred kilobytes at a time: what ``render`` returns."""
    out = Pieces(write)
    encode(out, _document(list(reports), statistics))
    out.parts.append("\n")
    out.flush()


def render(reports: Iterable[PackageReport], *, statistics: bool = False) -> str:
    out = Pieces()
    encode(out, _document(list(reports), statistics))
    out.parts.append("\n")
    return out.text()


class _Findings(Fragment):
    """A package's findings: written as json writes the list of their finding_dicts."""

    __slots__ = ("findings",)

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = findings

    def write(self, out: Pieces, level: int) -> None:
        _write_findings(out, self.findings, level)


REMEMBERED = 256  # rules and messages whose text one report keeps while it writes
_NOTHING = object()


def _encoded(value: Any, level: int) -> str:
    out = Pieces()
    encode(out, value, level)
    return out.text()


def _rule_part(f: Finding, level: int) -> tuple:
    """What findings of one rule share: the text before the message, and the nuget outcome and fix after it,
    with the objects they were written from (a finding may share them only if it holds the very same)."""
    inner = "," + newline(level + 1)
    outcome = f.outcome
    head = "".join(("{", newline(level + 1), '"rule": ', _encoded(f.rule, level + 1), inner, '"name": ',
                    _encoded(f.name, level + 1), inner, '"severity": ', _encoded(f.severity.value, level + 1),
                    inner, '"message": '))
    nuget = {"stage": outcome.stage.value if outcome.stage else None, "status": outcome.status,
             "code": outcome.code, "server_message": outcome.server_message}
    tail = "".join((inner, '"nuget": ', _encoded(nuget, level + 1), inner, '"fix": ', _encoded(f.fix, level + 1)))
    return f.rule, f.name, f.severity, outcome, f.fix, head, tail


def _message_part(text: Message, level: int) -> str:
    """The message rendered in English, its key and its arguments, from the value after '"message": ' on."""
    inner = "," + newline(level + 1)
    out = Pieces()
    encode(out, text.render(), level + 1)
    out.parts += (inner, '"message_id": ')
    encode(out, text.template, level + 1)
    out.parts += (inner, '"arguments": ')
    args = {k: v if type(v) is str or type(v) is int else _json_value(v) for k, v in text.args.items()}
    encode_dict(out, args, level + 1)
    return out.text()


def _write_findings(out: Pieces, findings: Sequence[Finding], level: int) -> None:
    if not findings:
        out.parts.append("[]")
        return
    parts = out.parts  # out.spill() empties this very list
    append = parts.append
    level += 1  # each finding's
    inner = "," + newline(level + 1)
    entry_key, part_key, details_key = inner + '"entry": ', inner + '"part": ', inner + '"details": '
    end = newline(level) + "}"
    rules: dict[tuple, tuple] = {}
    texts: dict[int, tuple[Message, str]] = {}
    shared: tuple = (_NOTHING,) * 7
    separator = "[" + newline(level)
    for f in findings:
        append(separator)
        separator = "," + newline(level)
        if not (f.rule is shared[0] and f.name is shared[1] and f.severity is shared[2] and f.outcome is shared[3]
                and f.fix is shared[4]):
            key = (id(f.rule), id(f.name), id(f.severity), id(f.outcome), id(f.fix))
            shared = rules.get(key) or shared
            if not (f.rule is shared[0] and f.name is shared[1] and f.severity is shared[2]
                    and f.outcome is shared[3] and f.fix is shared[4]):
                if len(rules) >= REMEMBERED:
                    rules.clear()
                shared = rules[key] = _rule_part(f, level)
        append(shared[5])
        text = f.text or Message(f.message)
        said = texts.get(id(text))
        if said is None or said[0] is not text:
            if len(texts) >= REMEMBERED:
                texts.clear()
            said = texts[id(text)] = (text, _message_part(text, level))
        append(said[1])
        entry, part = f.entry, f.part
        append(entry_key)
        append(escape(entry) if type(entry) is str else "null" if entry is None else _encoded(entry, level + 1))
        append(part_key)
        append(escape(part) if type(part) is str else "null" if part is None else _encoded(part, level + 1))
        append(shared[6])
        details = f.details
        if details:
            append(details_key)
            encode(out, details, level + 1)
        append(end)
        out.spill()
    append(newline(level - 1) + "]")
