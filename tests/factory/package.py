"""Builds .snupkg / .nupkg files in memory, laid out the way `dotnet pack` writes them:
_rels/.rels, <id>.nuspec, the package files, [Content_Types].xml and the .psmdcp core properties.

Tests start from a correct package and change one thing, so each test shows exactly what breaks.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

NS = "http://schemas.microsoft.com/packaging/2012/06/nuspec.xsd"
DATE = (2024, 5, 1, 12, 0, 0)


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes = b""
    date_time: tuple[int, int, int, int, int, int] = DATE
    compress_type: int = zipfile.ZIP_DEFLATED


def nuspec_xml(
    id: str = "Contoso.Lib",
    version: str = "1.2.3",
    *,
    symbols: bool = True,
    description: str | None = "A library.",
    extra: str = "",
    package_types: str | None = None,
    dependencies: str = '<dependencies><group targetFramework="net8.0" /></dependencies>',
    namespace: str = NS,
    authors: str | None = None,
) -> str:
    """A nuspec as `dotnet pack` writes it for a .snupkg (symbols=True) or a .nupkg (symbols=False)."""
    parts = [f"<id>{id}</id>", f"<version>{version}</version>"]
    if not symbols:
        parts.append(f"<authors>{authors or 'Contoso'}</authors>")
    elif authors is not None:
        parts.append(f"<authors>{authors}</authors>")
    if description is not None:
        parts.append(f"<description>{description}</description>")
    if package_types is None:
        package_types = '<packageTypes><packageType name="SymbolsPackage" /></packageTypes>' if symbols else ""
    parts.extend([package_types, dependencies, extra])
    body = "\n    ".join(p for p in parts if p)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="{namespace}">\n  <metadata>\n    {body}\n'
            f"  </metadata>\n</package>\n")


def _rels(nuspec_name: str, psmdcp: str) -> bytes:
    def rid(target: str) -> str:
        return "R" + hashlib.sha512(target.encode()).hexdigest()[:16].upper()

    return (
        '<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/{nuspec_name}" Id="{rid("/" + nuspec_name)}" />'
        f'<Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/{psmdcp}" Id="{rid("/" + psmdcp)}" />'
        "</Relationships>"
    ).encode()


def _content_types(extensions: Iterable[str]) -> bytes:
    defaults = "".join(f'<Default Extension="{e}" ContentType="application/octet" />' for e in sorted(set(extensions)))
    return (
        '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
        '<Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
        f"{defaults}</Types>"
    ).encode()


def _psmdcp(id: str, version: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">'
        f"<dc:creator>Contoso</dc:creator><dc:description>A library.</dc:description><dc:identifier>{id}</dc:identifier>"
        f"<version>{version}</version><keywords></keywords><lastModifiedBy>NuGet.Build.Tasks.Pack</lastModifiedBy>"
        "</coreProperties>"
    ).encode()


def zip_bytes(entries: Iterable[Entry]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for e in entries:
            info = zipfile.ZipInfo(e.name, date_time=e.date_time)
            info.compress_type = e.compress_type
            zf.writestr(info, e.data)
    return buffer.getvalue()


def package(
    files: dict[str, bytes] | Iterable[Entry],
    *,
    id: str = "Contoso.Lib",
    version: str = "1.2.3",
    nuspec: str | bytes | None = None,
    symbols: bool = True,
    opc: bool = True,
) -> bytes:
    """A package with `files` (name → bytes, or Entry objects) plus the nuspec and OPC parts."""
    entries = [Entry(n, d) for n, d in files.items()] if isinstance(files, dict) else list(files)
    if nuspec is None:
        nuspec = nuspec_xml(id, version, symbols=symbols)
    nuspec_bytes = nuspec.encode() if isinstance(nuspec, str) else nuspec
    psmdcp = "package/services/metadata/core-properties/0f1e2d3c4b5a69788796a5b4c3d2e1f0.psmdcp"
    head = [Entry("_rels/.rels", _rels(f"{id}.nuspec", psmdcp))] if opc else []
    head.append(Entry(f"{id}.nuspec", nuspec_bytes))
    tail = []
    if opc:
        exts = [e.name.rsplit(".", 1)[-1] for e in entries if "." in e.name.rsplit("/", 1)[-1]] + ["nuspec"]
        tail = [Entry("[Content_Types].xml", _content_types(exts)), Entry(psmdcp, _psmdcp(id, version))]
    return zip_bytes(head + entries + tail)


def write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)
