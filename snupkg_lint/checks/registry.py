"""The rule registry: `@rule(...)` declares a rule's facts (id, name, severity, nuget.org outcome) next to its
code; its prose (summary, fix, documentation) is read from its document in the catalog, rules/ID.md."""

from __future__ import annotations

from typing import Callable, Iterable

from snupkg_lint.catalog import load_catalog
from snupkg_lint.model import Hit, Outcome, Rule, Severity

_RULES: dict[str, Rule] = {}


def rule(id: str, name: str, severity: Severity, outcome: Outcome, *, incomplete: bool = False,
         target: str = "snupkg"):
    """Register the decorated function `check(artifacts) -> Iterable[Hit]` as a rule. `incomplete`: its findings
    say that part of the package could not be checked, so the verdict cannot be `pass`."""

    def register(check: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if id in _RULES:
            raise ValueError(f"rule id {id} is declared twice")
        doc = load_catalog().get(id)
        if doc is None:
            raise ValueError(f"rule {id} has no document rules/{id}.md")
        _RULES[id] = Rule(id, name, severity, outcome, doc.summary, doc.fix, check, incomplete, target)
        return check

    return register


def declared(id: str) -> Rule:
    return _RULES[id]


def registered() -> list[Rule]:
    return sorted(_RULES.values(), key=lambda r: r.id)
