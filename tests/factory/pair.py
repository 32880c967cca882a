"""A DLL and its portable PDB built together, as Roslyn would: the PDB id derives from the PDB's
content hash, the DLL's CodeView entry carries that id, and its PdbChecksum the hash itself."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any

import uuid

from snupkg_lint.formats.pdb import MetadataReference, PortablePdb
from snupkg_lint.formats.source import BytesSource
from tests.factory.pdb import CSHARP_GUID, SHA256_GUID, build_portable_pdb
from tests.factory.pe import build_pe, portable_codeview_for


def pdb_checksum(pdb: bytes, algorithm: str = "SHA256") -> bytes:
    """H(pdb with its 20-byte id zeroed) — what a PdbChecksum entry must hold (binary-formats.md §2.5)."""
    offset = PortablePdb.open(BytesSource(pdb)).id_offset
    return hashlib.new(algorithm.lower(), pdb[:offset] + bytes(20) + pdb[offset + 20 :]).digest()


def roslyn_id(digest: bytes) -> bytes:
    """BlobContentId.FromHash: GUID from the hash with version/variant bits set, stamp with the high bit."""
    guid = bytearray(digest[:16])
    guid[7] = (guid[7] & 0x0F) | 0x40
    guid[8] = (guid[8] & 0x3F) | 0x80
    stamp = 0x80000000 | struct.unpack("<I", digest[16:20])[0]
    return bytes(guid) + struct.pack("<I", stamp)


COMMIT = "0123456789abcdef0123456789abcdef01234567"
SOURCE_LINK = '{"documents":{"/_/*":"https://raw.githubusercontent.com/contoso/lib/%s/*"}}' % COMMIT
RELEASE_OPTIONS = {"version": "2", "compiler-version": "4.8.0", "language": "C#", "optimization": "release"}
REFERENCES = [MetadataReference("System.Runtime.dll", [], 2, 0x12345678, 0x4000, uuid.UUID(int=7))]


def debuggable(kwargs: dict[str, Any]) -> dict[str, Any]:
    """What a CI build with Source Link writes, unless the test says otherwise: Source Link to a GitHub commit,
    compiler flags of a Release build, metadata references."""
    return {"source_link": SOURCE_LINK, "compilation_options": RELEASE_OPTIONS, "metadata_references": REFERENCES,
            **kwargs}


def portable_pdb(**kwargs: Any) -> bytes:
    """A portable PDB whose id is derived from its content, like Roslyn's deterministic output (and, unless the
    arguments say otherwise, debuggable: see `debuggable`)."""
    kwargs = debuggable(kwargs)
    draft = build_portable_pdb(pdb_id=bytes(20), **kwargs)
    return build_portable_pdb(pdb_id=roslyn_id(pdb_checksum(draft)), **kwargs)


@dataclass(frozen=True)
class Pair:
    dll: bytes
    pdb: bytes


def matched_pair(name: str = "Contoso.Lib", *, algorithm: str = "SHA256", pdb: bytes | None = None,
                 codeview_name: str | None = None, **pe_kwargs: Any) -> Pair:
    """A DLL and PDB that nuget.org's validation accepts: id and PdbChecksum match."""
    if pdb is None:
        source = f"/_/src/{name}/Class1.cs"
        pdb = portable_pdb(documents=[(source, SHA256_GUID, hashlib.sha256(source.encode()).digest(), CSHARP_GUID)])
    pdb_id = PortablePdb.open(BytesSource(pdb)).id
    path = f"/_/src/{name}/obj/Release/net8.0/{codeview_name or name}.pdb"
    kwargs = {"codeview": [portable_codeview_for(pdb_id, path)], "checksums": [(algorithm, pdb_checksum(pdb, algorithm))]}
    kwargs.update(pe_kwargs)
    return Pair(build_pe(**kwargs), pdb)

