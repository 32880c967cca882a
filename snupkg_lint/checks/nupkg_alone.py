"""Where are the symbols of a .nupkg's assemblies? N001 for a .nupkg given alone (target "nupkg"), N002 for it and
for a pair (target "any"), N003 for a legacy symbols package.

Not nuget.org checks: a .nupkg whose assemblies embed their PDBs has nothing to push as a .snupkg, and one
whose assemblies have no symbols anywhere publishes a library nobody can step into."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import SYMBOL_SOURCES, Artifacts
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.formats.archive import ZipEntry
from snupkg_lint.model import Hit, Outcome, Severity, msg


def _managed_assemblies(a: Artifacts) -> Iterator[tuple[ZipEntry, bool]]:
    """(assembly, whether it embeds a PDB) for each .NET assembly of the .nupkg that is not a satellite."""
    for entry in a.nupkg.pe_entries:
        if entry.name.lower().endswith(".resources.dll"):
            continue
        image = a.assembly(entry).image
        if image is not None and image.is_dotnet:
            yield entry, image.embedded_pdb_entry() is not None


@rule("N001", "symbols-embedded", Severity.INFO, Outcome(), target="nupkg")
def symbols_embedded(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg.archive is None:
        return
    for assembly, embedded in _managed_assemblies(a):
        if embedded:
            yield Hit(msg("carries an embedded PDB: its symbols travel in the .nupkg, and there is nothing to push as "
                          "a .snupkg"), entry=assembly.name)


@rule("N002", "assembly-without-symbols", Severity.WARNING, Outcome(), target="any")
def assembly_without_symbols(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg is None:
        return
    if a.nupkg.archive is None:
        if a.snupkg is None:  # checked with a .snupkg, the unreadable .nupkg is reported by the rules that need it
            yield Hit(msg("the .nupkg is not a readable zip: {error}", error=a.nupkg.error))
        return
    for symbols in a.debug_symbols:
        if symbols.source == "none":
            looked = msg("and none at its path in the .snupkg") if a.snupkg is not None else \
                msg("and no .snupkg beside the .nupkg")
            yield Hit(msg("has no symbols: no embedded PDB, no PDB beside it in the .nupkg, {looked}", looked=looked),
                      entry=symbols.assembly.name, details={"looked": list(SYMBOL_SOURCES)})


@rule("N003", "legacy-symbols-package", Severity.WARNING, Outcome())
def legacy_symbols_package(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.path.lower().endswith(".symbols.nupkg"):
        yield Hit(msg("{name} is a legacy symbols package: nuget.org's symbol server takes only .snupkg files, and "
                      "`dotnet nuget push` sends this one as an ordinary package",
                      name=netpath.file_name(a.snupkg.path.replace("\\", "/"))))
