"""How many findings each rule reported (--statistics), for every reporter."""

from __future__ import annotations

from typing import Iterable

from snupkg_lint.model import PackageReport


def rule_counts(reports: Iterable[PackageReport]) -> list[tuple[str, str, int]]:
    """(rule, name, number of findings) over the reports, the most frequent first, then by rule id."""
    counts: dict[tuple[str, str], int] = {}
    for report in reports:
        for f in report.findings:
            counts[(f.rule, f.name)] = counts.get((f.rule, f.name), 0) + 1
    return sorted(((rule, name, n) for (rule, name), n in counts.items()), key=lambda row: (-row[2], row[0]))
