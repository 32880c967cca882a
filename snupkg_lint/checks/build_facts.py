"""How the assemblies were built and packed: compiler facts for reproducible rebuilds, Debug builds, PDBs in the
.nupkg, and a .snupkg that `dotnet nuget push` would not send along. Quality rules (nuget.org outcome none)."""

from __future__ import annotations

import os
from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks.debuggable import evidence, portable, where
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats.pe_metadata import Debuggable
from snupkg_lint.model import Hit, Outcome, Severity, msg

MIN_COMPILER_FLAGS_VERSION = 2  # NuGet Package Explorer MIN_COMPILER_METADATA_VERSION_FOR_REPRODUCIBLE_BUILDS
DEBUG_OPTIMIZATION = ("debug", "debug-plus")  # Roslyn OptimizationLevelFacts.ToPdbSerializedString


@rule("D011", "compiler-flags-missing", Severity.INFO, Outcome(), target="any")
def compiler_flags_missing(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        if not info.roslyn or info.error("CompilationOptions"):
            continue  # F#, C++/CLI and other producers never write them
        options = info.compilation_options
        version = (options or {}).get("version", "")
        if options is None:
            text = msg("has no compiler flags (CompilationOptions) record: the compiler predates .NET SDK 5.0.300")
        elif not version:
            text = msg("its compiler flags have no version: the compiler predates .NET SDK 5.0.300")
        elif not version.isdigit():
            text = msg("its compiler flags carry no integer version ({version!r})", version=version)
        elif int(version) < MIN_COMPILER_FLAGS_VERSION:
            text = msg("its compiler flags are version {version}; reproducible rebuilds need version 2 or later",
                       version=version)
        else:
            continue
        yield Hit(text, **where(symbols), details=evidence(symbols, compiler=(options or {}).get("compiler-version")))


@rule("D012", "metadata-references-missing", Severity.INFO, Outcome(), target="any")
def metadata_references_missing(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        if info.compilation_options and not info.has_metadata_references:
            yield Hit(msg("has compiler flags but no metadata references record, so its build cannot be reproduced"),
                      **where(symbols), details=evidence(symbols))


@rule("D013", "debug-build", Severity.WARNING, Outcome(), target="any")
def debug_build(a: Artifacts) -> Iterator[Hit]:
    for symbols in a.debug_symbols:
        info = a.debug_info(symbols)
        level = (info.compilation_options or {}).get("optimization") if info is not None else None
        if level in DEBUG_OPTIMIZATION:
            yield Hit(msg("was compiled without optimizations (optimization '{level}'): a Debug build was packed",
                          level=level), entry=(symbols.assembly or symbols.pdb).name,
                      part=None if symbols.assembly else "CompilationOptions", details=evidence(symbols))
        elif level is None and symbols.assembly is not None:
            flags = a.debuggable(symbols.assembly)
            if isinstance(flags, Debuggable) and flags.optimizations_disabled:
                yield Hit(msg("its DebuggableAttribute disables JIT optimizations (modes 0x{modes:X}): a Debug build "
                              "was packed", modes=flags.modes), entry=symbols.assembly.name,
                          part="DebuggableAttribute", details=evidence(symbols, modes=flags.modes))


@rule("D014", "pdb-in-nupkg", Severity.WARNING, Outcome(), target="any")
def pdb_in_nupkg(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg is None or a.nupkg.archive is None:
        return
    kinds = {s.pdb.index: s.kind for s in a.debug_symbols if s.source == "nupkg" and s.pdb is not None}
    for entry in a.nupkg.pdb_entries:
        kind = kinds.get(entry.index, "unknown")
        advice = msg("move it to a .snupkg (SymbolPackageFormat=snupkg) or embed it (DebugType=embedded)") \
            if kind == "portable" else msg("build portable PDBs (DebugType=portable) and pack them in a .snupkg")
        yield Hit(msg("a {kind} PDB ships inside the .nupkg: nuget.org's symbol server never indexes it and every "
                      "restore downloads it; {advice}", kind=kind, advice=advice), entry=entry.name,
                  details={"kind": kind})


@rule("D015", "snupkg-name", Severity.WARNING, Outcome())
def snupkg_name(a: Artifacts) -> Iterator[Hit]:
    if a.nupkg is None or a.snupkg.path.lower().endswith(".symbols.nupkg"):
        return  # a legacy symbols package is N003's
    identity = (a.nupkg.identity if a.nupkg.nuspec is not None else None) or a.snupkg.identity
    if identity is None or not identity.id or identity.version is None:
        return
    stem = f"{identity.id.strip()}.{identity.version.normalized}"
    name, nupkg = os.path.basename(a.snupkg.path), os.path.basename(a.nupkg.path)
    packed = nupkg.lower() == f"{stem}.nupkg".lower()  # the .nupkg has the name `dotnet pack` gives it
    if packed and name != nupkg[: -len(".nupkg")] + ".snupkg":
        yield Hit(msg("{name} is not named {expected}: `dotnet nuget push {nupkg}` pushes only a .snupkg of that "
                      "name beside it", name=name, expected=nupkg[: -len(".nupkg")] + ".snupkg", nupkg=nupkg),
                  details={"expected": f"{stem}.snupkg"})
