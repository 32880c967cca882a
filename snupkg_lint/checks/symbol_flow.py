"""nuget.org's symbol validation job, step by step, for the rules to read (not a rule itself).

SymbolsValidatorService extracts every .pdb (extension exactly '.pdb') and every .dll/.exe (exactly
lower case) whose folder and base name match one; then, for each extracted assembly, dlls first:
is `<name>.pdb` portable (252)? does System.Reflection.Metadata's TryOpenAssociatedPortablePdb find a
PDB file with the CodeView id (251; a BadImageFormat on the way is issue 0)? does a PdbChecksum
entry match the PDB hashed with its id zeroed (250)? See nuget-org-symbol-validation.md §4–§8.
"""

from __future__ import annotations

from dataclasses import dataclass

from snupkg_lint.artifacts import Artifacts, Assembly, SymbolFile
from snupkg_lint.formats import netpath
from snupkg_lint.formats.archive import ZipEntry
from snupkg_lint.formats.pdb_checksum import is_known_algorithm
from snupkg_lint.formats.pe import CodeView
from snupkg_lint.formats.records import quick_init


@quick_init
@dataclass(frozen=True)
class Validated:
    """One extracted assembly and what the job concludes about it."""

    assembly: Assembly
    pdb: SymbolFile  # `<assembly name>.pdb`, the file IsPortable reads
    outcome: str  # not-portable | corrupt | unchecked | no-codeview | pdb-not-found | id-mismatch | embedded-only
    #               | matched
    reason: str = ""  # for corrupt: the reader's message; for unchecked: the snupkg-lint bound that was hit
    codeview: CodeView | None = None
    found: SymbolFile | None = None  # the PDB the CodeView entry led to (matched or mismatched)


def extracted_pairs(a: Artifacts) -> list[tuple[ZipEntry, ZipEntry]]:
    """(assembly, pdb) pairs the job validates, in its order: .dll before .exe, then by path."""
    if "extracted_pairs" not in a.memo:
        a.memo["extracted_pairs"] = _extracted_pairs(a)
    return a.memo["extracted_pairs"]  # type: ignore[return-value]


def _extracted_pairs(a: Artifacts) -> list[tuple[ZipEntry, ZipEntry]]:
    if a.nupkg is None or a.nupkg.archive is None:
        return []
    in_order = sorted(a.nupkg.pe_entries, key=lambda e: netpath.upper_invariant(e.name))  # NTFS order
    pairs = []
    for ext in (".dll", ".exe"):
        for pe in in_order:
            pdb = a.pairing.extracted_pdb_for(pe) if netpath.extension(pe.name) == ext else None
            if pdb is not None:
                pairs.append((pe, pdb))
    return pairs


def validated(a: Artifacts) -> list[Validated]:
    if "validated" not in a.memo:
        results = [_validate(a, a.assembly(pe), a.symbol(pdb)) for pe, pdb in extracted_pairs(a)]
        # The rules after this hash every matched PDB with its assembly's first PdbChecksum algorithm: start now.
        a.prefetch_digests([(v.found, first.algorithm) for v in results if v.outcome == "matched"
                            for first in v.assembly.image.pdb_checksums()[:1] if is_known_algorithm(first.algorithm)])
        a.memo["validated"] = results
    return a.memo["validated"]  # type: ignore[return-value]


def _validate(a: Artifacts, assembly: Assembly, pdb: SymbolFile) -> Validated:
    if pdb.kind == "unreadable":  # extraction throws; the job fails without an issue code
        return Validated(assembly, pdb, "corrupt", f"{pdb.entry.name}: {pdb.error}")
    if pdb.kind != "portable":
        return Validated(assembly, pdb, "not-portable")
    if assembly.limited:
        return Validated(assembly, pdb, "unchecked", assembly.error)
    image = assembly.image
    if image is None or image.header_error or image.debug_error:
        return Validated(assembly, pdb, "corrupt", assembly.error or image.header_error or image.debug_error)
    errors: list[tuple[str, bool]] = []  # (message, only snupkg-lint's bound)
    outcome, codeview, found = "no-codeview", None, None
    entry = image.portable_codeview_entry()
    if entry is not None:
        problem = image.error_for(entry)
        codeview = image.first_portable_codeview()
        if problem is not None:
            errors.append((f"CodeView entry: {problem.message}", problem.exceeded_limit))
        elif codeview is not None:
            outcome, found = _open_codeview_pdb(a, assembly, codeview, errors)
            if outcome == "matched":
                return Validated(assembly, pdb, outcome, codeview=codeview, found=found)
    embedded = image.embedded_pdb_entry()
    if embedded is not None:
        problem = image.error_for(embedded)
        error, limited = (problem.message, problem.exceeded_limit) if problem else a.embedded_pdb_error(assembly)
        if error is None:
            return Validated(assembly, pdb, "embedded-only", codeview=codeview, found=found)
        errors.append((f"embedded PDB: {error}", limited))
    if errors:
        message, limited = errors[0]
        return Validated(assembly, pdb, "unchecked" if limited else "corrupt", message, codeview=codeview, found=found)
    return Validated(assembly, pdb, outcome, codeview=codeview, found=found)


def _open_codeview_pdb(a: Artifacts, assembly: Assembly, codeview: CodeView,
                       errors: list[tuple[str, bool]]) -> tuple[str, SymbolFile | None]:
    entry = a.pdb_beside(assembly.entry, codeview.file_name)
    if entry is None:
        return "pdb-not-found", None
    found = a.symbol(entry)
    if found.pdb is None:
        errors.append((f"{entry.name}: {found.error or 'not a portable PDB'}", False))
        return "pdb-not-found", found
    return ("matched" if found.pdb.id == codeview.pdb_id else "id-mismatch"), found
