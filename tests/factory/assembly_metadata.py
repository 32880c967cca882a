"""ECMA-335 metadata for a PE built in code (II.22–II.24): an Assembly carrying a DebuggableAttribute, written
independently of snupkg_lint/formats/pe_metadata.py. Tables TypeRef (0x01), MemberRef (0x0A), CustomAttribute (0x0C)
and Assembly (0x20), one row each; every index 2 bytes."""

from __future__ import annotations

import struct

_VERSION = b"v4.0.30319\0\0"


def _blob(data: bytes) -> bytes:
    assert len(data) < 0x80
    return bytes([len(data)]) + data


def debuggable_metadata(*, modes: int | None = None, flags: tuple[bool, bool] | None = None,
                        namespace: str = "System.Diagnostics", others_first: int = 0,
                        declared_sorted: bool = False) -> bytes:
    """``[assembly: Debuggable(modes)]``, or ``Debuggable(isJITTrackingEnabled, isJITOptimizerDisabled)``.
    `others_first`: CustomAttribute rows of another parent (TypeRef row 2, a larger Parent value) before the
    Assembly's, so the table is not sorted; `declared_sorted`: the #~ Sorted bit of CustomAttribute set."""
    strings = b"\0" + b"DebuggableAttribute\0" + namespace.encode() + b"\0" + b".ctor\0" + b"Lib\0"
    name_at, namespace_at = 1, 1 + len("DebuggableAttribute") + 1
    ctor_at = namespace_at + len(namespace) + 1
    lib_at = ctor_at + len(".ctor") + 1
    if modes is not None:
        signature, value = bytes([0x20, 1, 0x01, 0x11, 0x05]), b"\x01\x00" + struct.pack("<i", modes) + b"\0\0"
    else:
        signature, value = bytes([0x20, 2, 0x01, 0x02, 0x02]), b"\x01\x00" + bytes(map(int, flags)) + b"\0\0"
    blobs = b"\0" + _blob(signature) + _blob(value)
    signature_at, value_at = 1, 1 + 1 + len(signature)
    valid = (1 << 0x01) | (1 << 0x0A) | (1 << 0x0C) | (1 << 0x20)
    rows = struct.pack("<HHH", 0, name_at, namespace_at)  # TypeRef: ResolutionScope nil
    rows += struct.pack("<HHH", (1 << 3) | 1, ctor_at, signature_at)  # MemberRef: Class = TypeRef 1
    rows += struct.pack("<HHH", (2 << 5) | 2, (1 << 3) | 3, value_at) * others_first  # CustomAttribute: TypeRef 2
    rows += struct.pack("<HHH", (1 << 5) | 14, (1 << 3) | 3, value_at)  # CustomAttribute: Assembly 1, MemberRef 1
    rows += struct.pack("<IHHHHIHHH", 0x8004, 1, 0, 0, 0, 0, 0, lib_at, 0)  # Assembly
    sorted_mask = 1 << 0x0C if declared_sorted else 0
    tables = struct.pack("<IBBBBQQ", 0, 2, 0, 0, 1, valid, sorted_mask) + struct.pack("<4I", 1, 1, 1 + others_first, 1)
    tables += rows
    streams = [("#~", tables), ("#Strings", strings), ("#Blob", blobs)]
    streams = [(n, d + b"\0" * (-len(d) % 4)) for n, d in streams]
    headers_size = sum(8 + len(n) + 1 + (-(len(n) + 1) % 4) for n, _ in streams)
    offset = 16 + len(_VERSION) + 4 + headers_size
    root = b"BSJB" + struct.pack("<HHII", 1, 1, 0, len(_VERSION)) + _VERSION + struct.pack("<HH", 0, len(streams))
    body = b""
    for name, data in streams:
        padded = name.encode().ljust(len(name) + 1 + (-(len(name) + 1) % 4), b"\0")
        root += struct.pack("<II", offset + len(body), len(data)) + padded
        body += data
    return root + body
