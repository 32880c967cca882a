"""Random access to bytes that may live in memory or inside a zip entry.

Readers take a :class:`ByteSource` instead of ``bytes`` so that a large PDB or DLL inside a package
never has to be held in memory whole: they ask for the few ranges they need.
"""

from __future__ import annotations

from typing import Protocol


class FormatError(Exception):
    """Raised by every reader for input that is not what it claims to be (truncated, corrupt, ...)."""


class UncaughtError(FormatError):
    """Input on which .NET's reader throws something other than BadImageFormatException or IOException (an
    OverflowException, an ArgumentException): System.Reflection.Metadata's fallbacks and nuget.org's job catch
    only those two, so this one escapes them."""


class ByteSource(Protocol):
    @property
    def size(self) -> int: ...

    def read(self, offset: int, length: int) -> bytes:
        """Exactly ``length`` bytes at ``offset``; raises FormatError if the range is outside the data."""
        ...


def check_range(size: int, offset: int, length: int, what: str = "data") -> None:
    if offset < 0 or length < 0 or offset + length > size:
        raise FormatError(f"{what} at offset {offset} (length {length}) lies outside the {size}-byte file")


class BytesSource:
    """A ByteSource over bytes already in memory; `what` names them in a read's error (as the source they were
    read from would)."""

    def __init__(self, data: bytes | bytearray | memoryview, what: str = "data"):
        self._bytes = isinstance(data, bytes)  # then a slice is already the bytes to give (no copy of a copy)
        self._data = data if self._bytes else memoryview(data).cast("B")
        self._what = what

    @property
    def size(self) -> int:
        return len(self._data)

    def read(self, offset: int, length: int) -> bytes:
        end = offset + length
        if offset < 0 or length < 0 or end > len(self._data):
            check_range(len(self._data), offset, length, self._what)
        return self._data[offset:end] if self._bytes else bytes(self._data[offset:end])

    def head(self, length: int) -> bytes:
        return bytes(self._data[: min(length, len(self._data))])
