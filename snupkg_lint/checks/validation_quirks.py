"""nuget.org symbol-validation quirks that make a correct-looking package fail, or pass unchecked."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks.registry import rule
from snupkg_lint.checks.symbol_flow import extracted_pairs
from snupkg_lint.formats import netpath
from snupkg_lint.model import Hit, Outcome, Severity


@rule("V202", "codeview-name-differs", Severity.WARNING, Outcome())
def codeview_name_differs(a: Artifacts) -> Iterator[Hit]:
    for pe, _ in extracted_pairs(a):
        image = a.assembly(pe).image
        codeview = image.first_portable_codeview() if image is not None else None
        if codeview is None:
            continue
        expected = netpath.stem(pe.name)
        named = netpath.stem(codeview.file_name)
        if netpath.upper_invariant(named) != netpath.upper_invariant(expected):
            yield Hit(f"CodeView entry names '{codeview.file_name}' (path {codeview.path}), not '{expected}.pdb'",
                      entry=pe.name)


@rule("V203", "embedded-pdb-also-shipped", Severity.WARNING, Outcome())
def embedded_pdb_also_shipped(a: Artifacts) -> Iterator[Hit]:
    for pe, pdb in extracted_pairs(a):
        image = a.assembly(pe).image
        if image is not None and image.embedded_pdb_entry() is not None:
            yield Hit(f"has an embedded PDB, and the .snupkg ships {pdb.name} as well", entry=pe.name)
