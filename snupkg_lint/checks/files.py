"""What a symbols package may contain: only .pdb files besides the package's own parts
(NuGetGallery SymbolPackageService: AllowedExtensions, case-sensitive)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats import netpath
from snupkg_lint.model import Hit, Severity, msg, push

ALLOWED_EXTENSIONS = (".pdb", ".nuspec", ".xml", ".psmdcp", ".rels", ".p7s")


@rule("P223", "disallowed-file-extension", Severity.ERROR, push(400, m.INVALID_FILES.format(".pdb")))
def disallowed_file_extension(a: Artifacts) -> Iterator[Hit]:
    for entry, path in a.snupkg.files:
        if netpath.invalid_path_char(path) is not None:
            continue  # FileInfo throws first: P224
        ext = netpath.extension(path)
        if netpath.file_name(path) and ext and ext not in ALLOWED_EXTENSIONS:
            hint = msg(" (nuget.org compares case-sensitively: use '{lower}')", lower=ext.lower()) \
                if ext.lower() in ALLOWED_EXTENSIONS else ""
            yield Hit(msg("extension '{ext}' is not allowed in a symbols package{hint}", ext=ext, hint=hint),
                      entry=entry.name)


@rule("P225", "no-pdb-files", Severity.ERROR, push(400, m.NO_SYMBOLS))
def no_pdb_files(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.archive is None:
        return
    if not any(netpath.file_name(p) and netpath.extension(p) == ".pdb" for _, p in a.snupkg.files):
        upper = [e.name for e, p in a.snupkg.files if netpath.extension(p).lower() == ".pdb"]
        extra = msg(" ({names} has an upper-case extension)", names=", ".join(upper)) if upper else ""
        yield Hit(msg('the package contains no .pdb file{extra}', extra=extra))
