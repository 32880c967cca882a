"""Windows PDB (MSF 7.00) identification: superblock, stream directory and PDB info stream.

Only what is needed to recognise and describe a Windows PDB (binary-formats.md §2.7; layout per llvm
``docs/PDB/MsfFile.rst``, ``PdbStream.rst`` and ``HashTable.rst``):

- the file is a sequence of ``BlockSize`` blocks; block 0 holds the superblock;
- the *stream directory* is scattered over blocks whose indexes are listed at block ``BlockMapAddr``; it reads
  ``NumStreams``, ``StreamSizes[NumStreams]`` (0xFFFFFFFF = nil stream), then each stream's block indexes;
- stream 1 (PDB info stream) starts with ``Version``, ``Signature``, ``Age``, ``GUID``, then the named-stream map.

Every block index is checked against ``NumBlocks`` and every declared size against the file size, so a corrupt
file raises :class:`FormatError` and never makes the reader allocate more than the file holds.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from .source import ByteSource, FormatError

MSF7_MAGIC = b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\x00\x00\x00"

_BLOCK_SIZES = (512, 1024, 2048, 4096)
_SUPERBLOCK = struct.Struct("<6I")  # BlockSize, FreeBlockMapBlock, NumBlocks, NumDirectoryBytes, Unknown, BlockMapAddr
_NIL_STREAM = 0xFFFFFFFF
_INFO_STREAM = 1
_INFO_HEADER = struct.Struct("<3I16s")  # Version, Signature, Age, GUID


@dataclass(frozen=True)
class WindowsPdb:
    """Identity of a Windows PDB: what a PE's CodeView (RSDS) entry is matched against (GUID and Age)."""

    block_size: int
    num_blocks: int
    version: int
    signature: int
    age: int
    guid: uuid.UUID
    named_streams: frozenset[str]

    @classmethod
    def open(cls, src: ByteSource) -> WindowsPdb:
        try:
            return _open(src)
        except (struct.error, IndexError, ValueError, OverflowError) as exc:
            raise FormatError(f"corrupt Windows PDB: {exc}") from exc


def _open(src: ByteSource) -> WindowsPdb:
    if src.size < len(MSF7_MAGIC) + _SUPERBLOCK.size:
        raise FormatError(f"the file is {src.size} bytes long, too short for an MSF 7.00 superblock")
    head = src.read(0, len(MSF7_MAGIC) + _SUPERBLOCK.size)
    if head[: len(MSF7_MAGIC)] != MSF7_MAGIC:
        raise FormatError("not a Windows PDB: the file does not start with the MSF 7.00 magic")
    block_size, free_map, num_blocks, dir_bytes, _unknown, map_addr = _SUPERBLOCK.unpack_from(head, len(MSF7_MAGIC))
    if block_size not in _BLOCK_SIZES:
        raise FormatError(f"MSF block size {block_size} is not one of 512, 1024, 2048, 4096")
    if free_map not in (1, 2):
        raise FormatError(f"MSF free block map is at block {free_map}; it must be block 1 or 2")
    if num_blocks * block_size > src.size:
        raise FormatError(
            f"the MSF superblock declares {num_blocks} blocks of {block_size} bytes, "
            f"but the file has only {src.size} bytes"
        )
    msf = _Msf(src, block_size, num_blocks)
    directory = msf.directory(dir_bytes, map_addr)
    info = msf.stream(directory, _INFO_STREAM)
    if len(info) < _INFO_HEADER.size:
        raise FormatError(f"the PDB info stream is {len(info)} bytes long, too short for its 28-byte header")
    version, signature, age, guid = _INFO_HEADER.unpack_from(info, 0)
    return WindowsPdb(
        block_size=block_size,
        num_blocks=num_blocks,
        version=version,
        signature=signature,
        age=age,
        guid=uuid.UUID(bytes_le=guid),
        named_streams=_named_streams(info, _INFO_HEADER.size, len(directory.sizes)),
    )


@dataclass(frozen=True)
class _Directory:
    sizes: tuple[int, ...]  # byte size per stream, 0 for nil streams
    blocks: tuple[tuple[int, ...], ...]  # block indexes per stream


class _Msf:
    def __init__(self, src: ByteSource, block_size: int, num_blocks: int):
        self._src = src
        self._block_size = block_size
        self._num_blocks = num_blocks

    def _blocks_for(self, size: int) -> int:
        return -(-size // self._block_size)

    def _check_block(self, index: int, what: str) -> None:
        if index >= self._num_blocks:
            raise FormatError(f"{what} refers to block {index}, but the file has only {self._num_blocks} blocks")

    def _read_blocks(self, blocks: tuple[int, ...], size: int) -> bytes:
        bs = self._block_size
        return b"".join(self._src.read(b * bs, bs) for b in blocks)[:size]

    def directory(self, dir_bytes: int, map_addr: int) -> _Directory:
        """Read the stream directory whose block list is at block ``BlockMapAddr`` (MsfFile.rst)."""
        bs = self._block_size
        if dir_bytes < 4 or dir_bytes > self._num_blocks * bs:
            raise FormatError(f"the MSF stream directory size {dir_bytes} is impossible for this file")
        count = self._blocks_for(dir_bytes)
        if count > bs // 4:
            raise FormatError(f"the MSF stream directory needs {count} blocks; its block map holds at most {bs // 4}")
        self._check_block(map_addr, "the MSF block map address")
        dir_blocks = struct.unpack_from(f"<{count}I", self._src.read(map_addr * bs, bs))
        for block in dir_blocks:
            self._check_block(block, "the MSF stream directory")
        data = self._read_blocks(dir_blocks, dir_bytes)
        (num_streams,) = struct.unpack_from("<I", data, 0)
        if 4 + 4 * num_streams > len(data):
            raise FormatError(f"the MSF stream directory lists {num_streams} streams but has only {len(data)} bytes")
        raw_sizes = struct.unpack_from(f"<{num_streams}I", data, 4)
        sizes = tuple(0 if s == _NIL_STREAM else s for s in raw_sizes)
        counts = [self._blocks_for(s) for s in sizes]
        pos = 4 + 4 * num_streams
        if pos + 4 * sum(counts) > len(data):
            raise FormatError("the MSF stream directory is too short for the block lists of its streams")
        flat = struct.unpack_from(f"<{sum(counts)}I", data, pos)
        for block in flat:
            self._check_block(block, "the MSF stream directory")
        blocks, start = [], 0
        for n in counts:
            blocks.append(flat[start : start + n])
            start += n
        return _Directory(sizes, tuple(blocks))

    def stream(self, directory: _Directory, index: int) -> bytes:
        if index >= len(directory.sizes) or directory.sizes[index] == 0:
            raise FormatError(f"the Windows PDB has no stream {index} (PDB info stream)")
        size = directory.sizes[index]
        if size > self._src.size:
            raise FormatError(f"MSF stream {index} declares {size} bytes, more than the whole file")
        return self._read_blocks(directory.blocks[index], size)


def _u32(data: bytes, pos: int, what: str) -> tuple[int, int]:
    if pos + 4 > len(data):
        raise FormatError(f"the PDB info stream is truncated in the named-stream map ({what})")
    return struct.unpack_from("<I", data, pos)[0], pos + 4


def _named_streams(info: bytes, pos: int, num_streams: int) -> frozenset[str]:
    """Parse the named-stream map: string buffer, then a serialized hash table (HashTable.rst) whose present
    buckets map a string-buffer offset to a stream index."""
    strings_size, pos = _u32(info, pos, "string buffer size")
    if pos + strings_size > len(info):
        raise FormatError("the named-stream string buffer runs past the end of the PDB info stream")
    strings = info[pos : pos + strings_size]
    pos += strings_size
    size, pos = _u32(info, pos, "hash table size")
    _capacity, pos = _u32(info, pos, "hash table capacity")
    present, pos = _bit_vector(info, pos, "present bit vector")
    _deleted, pos = _bit_vector(info, pos, "deleted bit vector")
    if present.bit_count() != size:
        raise FormatError(f"the named-stream map has {size} entries but {present.bit_count()} present buckets")
    if pos + 8 * size > len(info):
        raise FormatError("the named-stream map entries run past the end of the PDB info stream")
    names = set()
    for key, stream in struct.iter_unpack("<II", info[pos : pos + 8 * size]):
        if key >= strings_size or stream >= num_streams:
            raise FormatError(f"named-stream map entry ({key}, {stream}) points outside the names or the streams")
        names.add(strings[key:].split(b"\0", 1)[0].decode("utf-8", "replace"))
    return frozenset(names)


def _bit_vector(info: bytes, pos: int, what: str) -> tuple[int, int]:
    words, pos = _u32(info, pos, what)
    if pos + 4 * words > len(info):
        raise FormatError(f"the named-stream map {what} runs past the end of the PDB info stream")
    return int.from_bytes(info[pos : pos + 4 * words], "little"), pos + 4 * words
