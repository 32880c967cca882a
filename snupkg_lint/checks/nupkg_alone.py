"""A .nupkg given with no .snupkg beside it: where are its symbols? (target "nupkg")

Not nuget.org checks: a .nupkg whose assemblies embed their PDBs has nothing to push as a .snupkg, and one
whose assemblies have no symbols anywhere publishes a library nobody can step into."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.formats.archive import ZipEntry
from snupkg_lint.model import Hit, Outcome, Severity, msg
from snupkg_lint.pairing import base_key


def _managed_assemblies(a: Artifacts) -> Iterator[tuple[ZipEntry, bool]]:
    """(assembly, whether it embeds a PDB) for each .NET assembly of the .nupkg that is not a satellite."""
    for entry in a.nupkg.pe_entries:
        if entry.name.lower().endswith(".resources.dll"):
            continue
        image = a.assembly(entry).image
        if image is not None and image.is_dotnet:
            yield entry, image.embedded_pdb_entry() is not None


def _pdbs_beside(a: Artifacts) -> set[str]:
    """The folder-and-base-name keys of the .nupkg's PDBs, worked out once (pairing's keys: ignoring case)."""
    if "nupkg_pdb_keys" not in a.memo:
        a.memo["nupkg_pdb_keys"] = {base_key(e.name) for e in a.nupkg.pdb_entries}
    return a.memo["nupkg_pdb_keys"]  # type: ignore[return-value]


@rule("N001", "symbols-embedded", Severity.INFO, Outcome(), target="nupkg")
def symbols_embedded(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg.archive is None:
        return
    for assembly, embedded in _managed_assemblies(a):
        if embedded:
            yield Hit(msg("carries an embedded PDB: its symbols travel in the .nupkg, and there is nothing to push as "
                          "a .snupkg"), entry=assembly.name)


@rule("N002", "assembly-without-symbols", Severity.WARNING, Outcome(), target="nupkg")
def assembly_without_symbols(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg.archive is None:
        yield Hit(msg("the .nupkg is not a readable zip: {error}", error=a.nupkg.error))
        return
    for assembly, embedded in _managed_assemblies(a):
        if not embedded and base_key(assembly.name) not in _pdbs_beside(a):
            yield Hit(msg("has no symbols: no embedded PDB, no PDB beside it in the .nupkg, and no .snupkg beside "
                          "the .nupkg"), entry=assembly.name)


@rule("N003", "legacy-symbols-package", Severity.WARNING, Outcome())
def legacy_symbols_package(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.path.lower().endswith(".symbols.nupkg"):
        yield Hit(msg("{name} is a legacy symbols package: nuget.org's symbol server takes only .snupkg files, and "
                      "`dotnet nuget push` sends this one as an ordinary package",
                      name=netpath.file_name(a.snupkg.path.replace("\\", "/"))))
