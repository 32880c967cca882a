"""The rule registry: `@rule(...)` declares a rule's identity and nuget.org outcome next to its code."""

from __future__ import annotations

from typing import Callable, Iterable

from snupkg_lint.model import Hit, Outcome, Rule, Severity

_RULES: dict[str, Rule] = {}


def rule(id: str, name: str, severity: Severity, outcome: Outcome, *, summary: str, fix: str,
         incomplete: bool = False):
    """Register the decorated function `check(artifacts) -> Iterable[Hit]` as a rule. `incomplete`: its findings
    say that part of the package could not be checked, so the verdict cannot be `pass`."""

    def register(check: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if id in _RULES:
            raise ValueError(f"rule id {id} is declared twice")
        _RULES[id] = Rule(id, name, severity, outcome, summary, fix, check, incomplete)
        return check

    return register


def declared(id: str) -> Rule:
    return _RULES[id]


def registered() -> list[Rule]:
    return sorted(_RULES.values(), key=lambda r: r.id)
