"""What snupkg-lint did not check because the input passed one of its own safety bounds.

These are not nuget.org outcomes: the bounds keep a hostile package from costing unbounded time or
memory, and the finding says which part went unchecked so that a clean report is never a false promise.
"""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks.registry import rule
from snupkg_lint.checks.symbol_flow import validated
from snupkg_lint.formats.pdb_checksum import is_known_algorithm
from snupkg_lint.model import Hit, Outcome, Severity, msg


@rule("X001", "internal-error", Severity.ERROR, Outcome(), incomplete=True)
def internal_error(a: Artifacts) -> Iterator[Hit]:
    """Reported by the engine for a rule that raised, never by a check of its own."""
    return iter(())


@rule("X003", "check-limit-exceeded", Severity.WARNING, Outcome(), incomplete=True)
def check_limit_exceeded(a: Artifacts) -> Iterator[Hit]:
    read = a.snupkg.nuspec_read
    if read.limit_error is not None:
        yield Hit(msg('{limit_error}; the nuspec was not checked', limit_error=read.limit_error), entry=read.entry.name)
    for v in validated(a):
        if v.outcome == "unchecked":
            yield Hit(msg("{assembly} was not matched with its PDB: {reason}",
                          assembly=v.assembly.entry.name, reason=v.reason), entry=v.pdb.entry.name)
        elif v.outcome == "matched":
            limited = [e for e in v.assembly.image.data_errors if e.entry.type == 19 and e.exceeded_limit]
            for problem in limited:
                yield Hit(msg("{assembly}: {message}; its PdbChecksum was not checked",
                              assembly=v.assembly.entry.name, message=problem.message),
                          entry=v.pdb.entry.name)
            for record in v.assembly.image.pdb_checksums():
                digest = a.pdb_digest(v.found, record.algorithm) if is_known_algorithm(record.algorithm) else None
                if digest is not None and digest.limited:
                    yield Hit(msg("{error}; its PdbChecksum was not checked", error=digest.error),
                              entry=v.found.entry.name)
                    break
