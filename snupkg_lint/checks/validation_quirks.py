"""nuget.org symbol-validation quirks that make a correct-looking package fail, or pass unchecked."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks.registry import rule
from snupkg_lint.checks.symbol_flow import extracted_pairs
from snupkg_lint.formats import netpath
from snupkg_lint.model import Hit, Outcome, Severity, msg


@rule("V202", "codeview-name-differs", Severity.WARNING, Outcome())
def codeview_name_differs(a: Artifacts) -> Iterator[Hit]:
    for pe, _ in extracted_pairs(a):
        image = a.assembly(pe).image
        codeview = image.first_portable_codeview() if image is not None else None
        if codeview is None:
            continue
        expected = netpath.stem(pe.name)
        named = netpath.stem(netpath.opened_file_name(codeview.file_name)[0])  # as Windows opens it
        if netpath.upper_invariant(named) != netpath.upper_invariant(expected):
            yield Hit(msg("CodeView entry names '{file_name}' (path {path}), not '{expected}.pdb'",
                          file_name=codeview.file_name, path=codeview.path, expected=expected),
                      entry=pe.name, part=f"debug directory entry #{codeview.entry.index} (CodeView)")


@rule("V203", "embedded-pdb-also-shipped", Severity.WARNING, Outcome())
def embedded_pdb_also_shipped(a: Artifacts) -> Iterator[Hit]:
    for pe, pdb in extracted_pairs(a):
        image = a.assembly(pe).image
        if image is not None and image.embedded_pdb_entry() is not None:
            yield Hit(msg('has an embedded PDB, and the .snupkg ships {pdb} as well', pdb=pdb.name), entry=pe.name)
