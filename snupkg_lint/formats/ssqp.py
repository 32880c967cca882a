"""Symbol-server keys (dotnet/symstore docs/specs/SSQP_Key_Conventions.md) and the SymbolChecksum header value.

- PE: ``<filename>/<Timestamp:X8><SizeOfImage:x>/<filename>`` (time stamp eight upper-case digits, image size
  lower-case without leading zeros);
- Windows PDB: ``<filename>/<guid><age:x>/<filename>``;
- portable PDB: ``<filename>/<guid>FFFFFFFF/<filename>``.

File names are lower-cased; a GUID is its 32 lower-case hex digits in field order (``uuid.hex``). A client asking a
symbol server for a portable PDB sends ``SymbolChecksum: <algorithm>:<hex>`` for each PdbChecksum entry of the PE,
joined by ';'."""

from __future__ import annotations

import uuid

SYMBOL_SERVERS = ("https://symbols.nuget.org/download/symbols/", "https://msdl.microsoft.com/download/symbols/")


def _name(file_name: str) -> str:
    return file_name.replace("\\", "/").rsplit("/", 1)[-1].lower()


def pe_key(file_name: str, timestamp: int, size_of_image: int) -> str:
    name = _name(file_name)
    return f"{name}/{timestamp & 0xFFFFFFFF:08X}{size_of_image & 0xFFFFFFFF:x}/{name}"


def windows_pdb_key(file_name: str, guid: uuid.UUID, age: int) -> str:
    name = _name(file_name)
    return f"{name}/{guid.hex}{age & 0xFFFFFFFF:x}/{name}"


def portable_pdb_key(file_name: str, guid: uuid.UUID) -> str:
    name = _name(file_name)
    return f"{name}/{guid.hex}FFFFFFFF/{name}"


def symbol_checksum(checksums: list[tuple[str, bytes]]) -> str | None:
    """The SymbolChecksum header value for (algorithm name, checksum) pairs, or None for none."""
    return ";".join(f"{algorithm}:{value.hex()}" for algorithm, value in checksums) or None
