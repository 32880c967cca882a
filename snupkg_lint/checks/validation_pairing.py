"""Symbol validation, first steps: are there PDBs, and does each have its assembly in the .nupkg?
(SymbolsValidatorService.ValidateSymbolsAsync steps 4–6; SymbolsHaveMatchingPEFiles)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.model import Hit, Outcome, Severity, msg, validation



@rule("V101", "no-symbols-for-validation", Severity.ERROR, validation(253, m.ISSUE_NO_SYMBOLS))
def no_symbols_for_validation(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.archive is None or a.snupkg.pdb_entries:
        return
    escaped = [e.name for e, path in a.snupkg.files if netpath.extension(path) == ".pdb" and netpath.file_name(path)]
    if escaped:
        yield Hit(msg("'{escaped}' is a .pdb only once unescaped; the validation job counts raw entry names and "
                      "finds no symbol file", escaped=escaped[0]), entry=escaped[0])


def _elsewhere(a: Artifacts, pdb_name: str) -> list[str]:
    return [e.name for e in a.pairing.assemblies_named(pdb_name)]


@rule("V102", "orphan-pdb", Severity.ERROR, validation(251, m.ISSUE_NO_MATCHING_ASSEMBLY))
def orphan_pdb(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg is None or a.nupkg.archive is None:
        return
    for pdb in a.snupkg.pdb_entries:
        if a.assemblies_for(pdb):
            continue
        others = _elsewhere(a, pdb.name)
        where = msg("; the .nupkg has {names} elsewhere", names=", ".join(others)) if others else \
            msg("; the .nupkg has no assembly of that name")
        yield Hit(msg("no {stem}.dll or .exe in the same folder of the .nupkg{where}",
                      stem=netpath.stem(pdb.name), where=where), entry=pdb.name)


@rule("V201", "assembly-extension-not-lowercase", Severity.WARNING, Outcome())
def assembly_extension_not_lowercase(a: Artifacts) -> Iterator[Hit]:
    for pdb in a.snupkg.pdb_entries:
        for pe in a.assemblies_for(pdb):
            ext = netpath.extension(pe.name)
            if ext not in (".dll", ".exe"):
                yield Hit(msg("'{ext}' is not lower case: nuget.org's validation job matches {pdb} to it but never "
                              "extracts it, so these symbols are published unchecked", ext=ext, pdb=pdb.name),
                          entry=pe.name)


@rule("V301", "assembly-matching-skipped", Severity.INFO, Outcome(), incomplete=True)
def assembly_matching_skipped(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg is None and a.snupkg.pdb_entries:
        yield Hit(msg("{count} PDB(s) not matched against their DLLs: no .nupkg to compare with",
                      count=len(a.snupkg.pdb_entries)))
