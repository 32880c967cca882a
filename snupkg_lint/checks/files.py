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


def file_info_throws(path: str) -> bool:
    """`new FileInfo(path)` throws on .NET Framework (P224): a character it refuses, or a UNC path without a share."""
    return netpath.invalid_path_char(path) is not None or netpath.unc_without_share(path)


@rule("P223", "disallowed-file-extension", Severity.ERROR, push(400, m.INVALID_FILES.format(".pdb")))
def disallowed_file_extension(a: Artifacts) -> Iterator[Hit]:
    for entry, path in a.snupkg.files:
        if file_info_throws(path):
            continue  # FileInfo throws first: P224
        ext = netpath.fileinfo_extension(path)  # FileInfo's: 'x.dll.' is a .dll
        if netpath.file_name(path) and ext and ext not in ALLOWED_EXTENSIONS:
            hint = msg(" (nuget.org compares case-sensitively: use '{lower}')", lower=ext.lower()) \
                if ext.lower() in ALLOWED_EXTENSIONS else ""
            yield Hit(msg("extension '{ext}' is not allowed in a symbols package{hint}", ext=ext, hint=hint),
                      entry=entry.name, order=entry.index)  # entry by entry, with P224


@rule("P225", "no-pdb-files", Severity.ERROR, push(400, m.NO_SYMBOLS))
def no_pdb_files(a: Artifacts) -> Iterator[Hit]:
    if a.snupkg.archive is None:
        return
    # Path.GetExtension of the name itself, unlike FileInfo: 'x.pdb ' passes P223 as a .pdb but is no PDB here
    if not any(netpath.file_name(p) and netpath.extension(p) == ".pdb" for _, p in a.snupkg.files):
        upper = [e.name for e, p in a.snupkg.files if netpath.extension(p).lower() == ".pdb"]
        near = [e.name for e, p in a.snupkg.files if netpath.extension(p) != ".pdb"
                and netpath.fileinfo_extension(p) == ".pdb" and not file_info_throws(p)]
        extra = msg(" ({names} has an upper-case extension)", names=", ".join(upper)) if upper else ""
        if near:
            extra = msg("{extra} ({names}: a trailing space, dot or no-break space; nuget.org's PDB check reads the "
                        "extension of the name as written)", extra=extra, names=", ".join(near))
        yield Hit(msg('the package contains no .pdb file{extra}', extra=extra))
