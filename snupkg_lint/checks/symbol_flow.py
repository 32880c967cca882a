"""nuget.org's symbol validation job, step by step, for the rules to read (not a rule itself).

SymbolsValidatorService extracts every .pdb (extension exactly '.pdb') and every .dll/.exe (exactly
lower case) whose folder and base name match one; then, for each extracted assembly, dlls first:
is `<name>.pdb` portable (252)? does System.Reflection.Metadata's TryOpenAssociatedPortablePdb find a
PDB file with the CodeView id (251; a BadImageFormat on the way is issue 0, any other exception escapes
the job: "crash")? does a PdbChecksum entry match the PDB hashed with its id zeroed (250)? See
nuget-org-symbol-validation.md §4–§8. The job runs on .NET Framework 4.7.2 on Windows with SRM
1.7.0-preview1: files are opened as File.OpenRead does there (netpath.opened_file_name), and the
extracted assemblies are taken in Directory.GetFiles order (netpath.enumeration_key).
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
    outcome: str  # not-portable | corrupt | crash | unchecked | no-codeview | pdb-not-found | id-mismatch
    #               | embedded-only | matched
    reason: str = ""  # for corrupt and crash: the reader's message; for unchecked: the snupkg-lint bound hit
    codeview: CodeView | None = None
    found: SymbolFile | None = None  # the PDB the CodeView entry led to (matched or mismatched)


def extracted_pairs(a: Artifacts) -> list[tuple[ZipEntry, ZipEntry]]:
    """(assembly, pdb) pairs the job validates, in its order: every .dll, then every .exe, each pass in the order
    Directory.GetFiles(AllDirectories) lists the extracted files (a folder's files before its sub-folders)."""
    if "extracted_pairs" not in a.memo:
        a.memo["extracted_pairs"] = _extracted_pairs(a)
    return a.memo["extracted_pairs"]  # type: ignore[return-value]


def _extracted_pairs(a: Artifacts) -> list[tuple[ZipEntry, ZipEntry]]:
    if a.nupkg is None or a.nupkg.archive is None:
        return []
    in_order = sorted(a.nupkg.pe_entries, key=lambda e: netpath.enumeration_key(e.name))  # Directory.GetFiles
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
    if assembly.uncaught:
        return Validated(assembly, pdb, "crash", assembly.error)
    image = assembly.image
    if image is None or image.header_error or image.debug_error:
        return Validated(assembly, pdb, "corrupt", assembly.error or image.header_error or image.debug_error)
    errors: list[tuple[str, bool, bool]] = []  # BadImageFormat/IO errors SRM keeps and rethrows if nothing opens:
    #                                           (message, only our bound, an IOException that then escapes the job)
    outcome, codeview, found = "no-codeview", None, None
    entry = image.portable_codeview_entry()
    if entry is not None:
        problem = image.error_for(entry)
        codeview = image.first_portable_codeview()
        if problem is not None and problem.uncaught:
            return Validated(assembly, pdb, "crash", f"CodeView entry: {problem.message}")
        if problem is not None:
            errors.append((f"CodeView entry: {problem.message}", problem.exceeded_limit, False))
        elif codeview is not None:
            outcome, found, crash = _open_codeview_pdb(a, assembly, codeview, errors)
            if crash is not None:
                return Validated(assembly, pdb, "crash", crash, codeview=codeview, found=found)
            if outcome == "matched":
                return Validated(assembly, pdb, outcome, codeview=codeview, found=found)
    embedded = image.embedded_pdb_entry()
    if embedded is not None:
        problem = image.error_for(embedded)
        error, limited, uncaught = (problem.message, problem.exceeded_limit, problem.uncaught) if problem \
            else a.embedded_pdb_error(assembly)
        if uncaught:
            return Validated(assembly, pdb, "crash", f"embedded PDB: {error}", codeview=codeview, found=found)
        if error is None:
            return Validated(assembly, pdb, "embedded-only", codeview=codeview, found=found)
        errors.append((f"embedded PDB: {error}", limited, False))
    if errors:  # SRM rethrows the first: a BadImageFormatException is issue 0, an IOException escapes the job
        message, limited, escapes = errors[0]
        outcome = "unchecked" if limited else "crash" if escapes else "corrupt"
        return Validated(assembly, pdb, outcome, message, codeview=codeview, found=found)
    return Validated(assembly, pdb, outcome, codeview=codeview, found=found)


def _shown(name: str) -> str:
    """A name as a message shows it: characters that do not print escaped (a tab as \\t)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _names_a_folder(file_name: str) -> str:
    return (f"the CodeView file name '{_shown(file_name)}' names a folder: File.OpenRead throws "
            "UnauthorizedAccessException")


def _open_codeview_pdb(a: Artifacts, assembly: Assembly, codeview: CodeView, errors: list[tuple[str, bool, bool]]
                       ) -> tuple[str, SymbolFile | None, str | None]:
    """SRM TryOpenCodeViewPortablePdb: File.OpenRead(<assembly's folder>\\<CodeView file name>) in the extracted
    tree, as .NET Framework opens it (netpath.opened_file_name): (outcome, the PDB found, why the job crashes)."""
    folder = netpath.directory(assembly.entry.name)
    name, refused = netpath.opened_file_name(codeview.file_name)
    if refused is not None:
        return "pdb-not-found", None, (f"the CodeView file name '{_shown(codeview.file_name)}' holds {refused!r}: "
                                       "File.OpenRead throws ArgumentException (Illegal characters in path)")
    if not name:
        return "pdb-not-found", None, _names_a_folder(codeview.file_name)
    if netpath.component_too_long(name):  # an IOException: SRM keeps it and tries the embedded PDB first
        errors.append((f"the CodeView file name is {len(name)} characters long: PathTooLongException", False, True))
        return "pdb-not-found", None, None
    entry = a.pairing.extracted_pdb_at(folder, name)
    if entry is None:
        if a.pairing.is_extracted_folder(folder, name):
            return "pdb-not-found", None, _names_a_folder(codeview.file_name)
        other = a.pairing.extracted_assembly_at(folder, name)
        if other is not None:  # the job extracted it there: .NET reads the DLL as PDB metadata
            errors.append((f"the CodeView entry names {other.name}, which is not a PDB: BadImageFormatException "
                           "(invalid metadata signature)", False, False))
        return "pdb-not-found", None, None
    found = a.symbol(entry)
    if found.uncaught:
        return "pdb-not-found", found, f"{entry.name}: {found.error}"
    if found.pdb is None:
        errors.append((f"{entry.name}: {found.error or 'not a portable PDB'}", False, False))
        return "pdb-not-found", found, None
    return ("matched" if found.pdb.id == codeview.pdb_id else "id-mismatch"), found, None
