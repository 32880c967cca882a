"""`snupkg-lint keys`: under which key a symbol server (symbols.nuget.org, msdl) serves each PDB and PE of a package
or pair, and the SymbolChecksum header a client sends for a portable PDB — what a user needs to check, after
publishing, that the symbols are really there (dotnet/symstore SSQP key conventions; formats/ssqp.py).

Every PDB and .dll/.exe entry of the .snupkg and the .nupkg is listed; a file that cannot be read is listed with
its error, never dropped."""

from __future__ import annotations

import json
from typing import Any, Iterable

from snupkg_lint import __version__
from snupkg_lint.artifacts import PE_EXTENSIONS, PackageFile
from snupkg_lint.formats import netpath, ssqp
from snupkg_lint.formats.archive import ArchiveError, ZipEntry
from snupkg_lint.formats.msf import WindowsPdb
from snupkg_lint.formats.pdb import PortablePdb, sniff
from snupkg_lint.formats.pdb_checksum import checksum_with_id_zeroed
from snupkg_lint.formats.pe import read_pe
from snupkg_lint.formats.source import FormatError


def _pdb(package: PackageFile, entry: ZipEntry) -> dict[str, Any]:
    source = package.archive.source(entry)
    kind = sniff(source.head(64))
    name = netpath.file_name(entry.name)
    if kind == "portable":
        pdb = PortablePdb.open(source)
        digest = checksum_with_id_zeroed(package.archive.chunks(entry), pdb.id_offset, "SHA256")
        return {"kind": "portable-pdb", "key": ssqp.portable_pdb_key(name, pdb.guid),
                "symbol_checksum": ssqp.symbol_checksum([("SHA256", digest)])}
    if kind == "windows":
        windows = WindowsPdb.open(source)
        return {"kind": "windows-pdb", "key": ssqp.windows_pdb_key(name, windows.guid, windows.age)}
    raise FormatError(f"not a PDB a symbol server indexes ({kind})")


def _pe(package: PackageFile, entry: ZipEntry) -> dict[str, Any]:
    image = read_pe(package.archive.source(entry))
    checksum = ssqp.symbol_checksum([(c.algorithm, c.checksum) for c in image.pdb_checksums()])
    pdbs = []
    for cv in image.codeview_entries():
        portable = cv.entry.is_portable_codeview
        key = ssqp.portable_pdb_key(cv.file_name, cv.guid) if portable else \
            ssqp.windows_pdb_key(cv.file_name, cv.guid, cv.age)
        pdbs.append({"key": key, "kind": "portable-pdb" if portable else "windows-pdb",
                     "symbol_checksum": checksum if portable else None})
    return {"kind": "pe", "key": ssqp.pe_key(netpath.file_name(entry.name), image.timestamp, image.size_of_image),
            "pdbs": pdbs, "embedded_pdb": image.embedded_pdb() is not None}


def package_keys(path: str, role: str) -> list[dict[str, Any]]:
    """Every PDB and PE of one package with its key (or its error)."""
    package = PackageFile(path)
    try:
        if package.archive is None:
            return [{"package": role, "path": path, "entry": None, "error": package.error}]
        rows = []
        for entry in package.entries:
            extension = netpath.extension(entry.name).lower()
            if not netpath.file_name(entry.name) or extension not in (".pdb", *PE_EXTENSIONS):
                continue
            row: dict[str, Any] = {"package": role, "path": path, "entry": entry.name}
            try:
                row.update(_pdb(package, entry) if extension == ".pdb" else _pe(package, entry))
            except (FormatError, ArchiveError) as exc:
                row["error"] = str(exc)
            if "key" in row:
                row["urls"] = [server + row["key"] for server in ssqp.SYMBOL_SERVERS]
            rows.append(row)
        return rows
    finally:
        package.close()


def collect(tasks: Iterable[tuple[str | None, str | None]]) -> list[dict[str, Any]]:
    out = []
    for snupkg, nupkg in tasks:
        files = (package_keys(snupkg, "snupkg") if snupkg else []) + (package_keys(nupkg, "nupkg") if nupkg else [])
        out.append({"path": snupkg or nupkg, "nupkg": nupkg, "files": files})
    return out


def render_json(packages: list[dict[str, Any]]) -> str:
    return json.dumps({"tool": {"name": "snupkg-lint", "version": __version__}, "packages": packages}, indent=2,
                      ensure_ascii=False) + "\n"


def render_text(packages: list[dict[str, Any]]) -> str:
    lines = []
    for package in packages:
        if not package["files"]:
            lines.append(f"{package['path']}: no PDB, .dll or .exe to look up")
        for row in package["files"]:
            where = f"{row['path']}:{row['entry']}" if row["entry"] else row["path"]
            if "error" in row:
                lines.append(f"{where}: cannot be read: {row['error']}")
                continue
            lines.append(f"{where}: {row['key']}")
            if row.get("symbol_checksum"):
                lines.append(f"    SymbolChecksum: {row['symbol_checksum']}")
            for pdb in row.get("pdbs", ()):
                lines.append(f"    its {pdb['kind']}: {pdb['key']}")
                if pdb.get("symbol_checksum"):
                    lines.append(f"        SymbolChecksum: {pdb['symbol_checksum']}")
            if row.get("embedded_pdb"):
                lines.append("    its PDB is embedded: debuggers read it from the assembly")
    return "\n".join(lines) + ("\n" if lines else "")
