"""The PdbChecksum of a portable PDB: a hash of the file with its 20-byte id zeroed
(PE-COFF.md "Portable PDB Checksum"; nuget.org SymbolsValidatorService.IsChecksumMatch).

The file is consumed as a stream of chunks, so memory stays at one chunk whatever the PDB's size.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

PDB_ID_SIZE = 20
# .NET HashAlgorithmName names, matched ordinally (case-sensitive) as IncrementalHash.CreateHash does.
ALGORITHMS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}
_CONSTRUCTORS = {name: getattr(hashlib, python) for name, python in ALGORITHMS.items()}  # faster than hashlib.new


def is_known_algorithm(name: str) -> bool:
    return name in ALGORITHMS


def checksum_with_id_zeroed(chunks: Iterable[bytes], id_offset: int, algorithm: str) -> bytes:
    """H(pdb[:id_offset] + 20 zero bytes + pdb[id_offset + 20:]) for a known .NET algorithm name."""
    hasher = _CONSTRUCTORS[algorithm]()
    zero_from, zero_to = id_offset, id_offset + PDB_ID_SIZE
    position = 0
    for chunk in chunks:
        end = position + len(chunk)
        if end <= zero_from or position >= zero_to:
            hasher.update(chunk)
        else:
            view = memoryview(chunk)
            a, b = max(zero_from - position, 0), min(zero_to - position, len(chunk))
            hasher.update(view[:a])
            hasher.update(bytes(b - a))
            hasher.update(view[b:])
        position = end
    return hasher.digest()
