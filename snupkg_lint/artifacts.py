"""The package, opened once and parsed lazily into the artifacts rules look at.

An `Artifacts` object is what every rule receives. Each property parses on first use and caches the
result; a part that cannot be parsed is represented by its error (a string), never by an exception,
so one broken part does not stop the rules that look at the others.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar

from snupkg_lint.formats import netpath
from snupkg_lint.formats.archive import (DOTNET_INVALID_DATA, ArchiveError, EntrySource, ZipArchive, ZipEntry,
                                         held_source)
from snupkg_lint.formats.debug_info import DebugInfo, held, read_debug_info
from snupkg_lint.formats.msf import WindowsPdb
from snupkg_lint.formats.nuget_version import NuGetVersion, parse_nuget_version
from snupkg_lint.formats.nuspec import MAX_NUSPEC_BYTES, Nuspec, NuspecError, parse_nuspec
from snupkg_lint.formats.pdb import PortablePdb, sniff
from snupkg_lint.formats.pdb_checksum import checksum_with_id_zeroed
from snupkg_lint.formats.pe import PEImage, ReaderLimitError, inflate_embedded_pdb, read_pe
from snupkg_lint.formats.pe_metadata import Debuggable, read_debuggable
from snupkg_lint.formats.records import quick_init
from snupkg_lint.formats.source import BytesSource, FormatError, UncaughtError
from snupkg_lint.pairing import PairingIndex, base_key

if TYPE_CHECKING:
    from snupkg_lint.forked import ForkedHelper

_T = TypeVar("_T")
MAX_EMBEDDED_PDB_BYTES = 256 * 1024 * 1024
MAX_DEBUG_INFO_BYTES = 32 * 1024 * 1024  # PDBs whose documents and CDIs are read (their heaps are held in memory)
MAX_HASHED_PDB_BYTES = 1024 * 1024 * 1024  # a PDB inflating to more is not hashed (deflate bombs)
PE_EXTENSIONS = (".dll", ".exe")
DEBUG_READERS_KEPT = 2  # readers of the debuggable checks: each holds a PDB's heaps
PREFETCH_MIN_FILES = 400  # fewer PDBs and assemblies than this are opened faster than processes start...
PREFETCH_MIN_BYTES = 16 * 1024 * 1024  # ...unless they inflate to this much (large PDBs, read whole and hashed)
PREFETCH_CHUNK = 100  # small files' cost the helper opens before it hands them over (this process goes on meanwhile)
PREFETCH_COST = {"pdb": 1.3, "pe": 1.0}  # what opening one costs, relatively (an assembly is inflated larger)...
PREFETCH_COST_BYTES = 20_000  # ...plus one for each such many bytes past SMALL_PDB_BYTES (inflated, parsed, hashed)
HELPER_SHARE = 0.7  # of that cost, given to the helper: this process also runs the rules (it takes back the rest)
SMALL_PDB_BYTES = 64 * 1024  # smaller PDBs are not hashed on threads: each is hashed when opened
# A PDB or assembly up to this size is read whole when opened, and let go once read: its reads jump back and forth,
# and each jump back in a zip stream inflates the entry again from its start. A PDB's identity, debug information
# and Roslyn's PdbChecksum hash are all taken from that one read; an assembly's headers, debug directory and
# DebuggableAttribute.
WHOLE_READ_BYTES = 8 * 1024 * 1024


class RecentlyUsed(Generic[_T]):
    """A small map that forgets its least recently used item beyond `size` items."""

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict[int, _T] = OrderedDict()

    def get(self, key: int) -> _T | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: int, item: _T) -> None:
        self._items[key] = item
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)


@dataclass(frozen=True)
class NuspecRead:
    """The outcome of looking for and parsing the root nuspec."""

    entries: tuple[ZipEntry, ...]  # every root-level *.nuspec entry
    nuspec: Nuspec | None = None
    xml_error: str | None = None  # not well-formed XML (nuget.org: XmlException, 500)
    data_error: str | None = None  # the entry's data cannot be inflated (nuget.org: 400)
    server_error: str | None = None  # .NET's InvalidDataException text for data_error
    limit_error: str | None = None  # larger than snupkg-lint reads: not checked

    @property
    def entry(self) -> ZipEntry | None:
        return self.entries[0] if len(self.entries) == 1 else None


@dataclass(frozen=True)
class Identity:
    """What nuget.org reads first from the nuspec: the id and the parsed version."""

    id: str | None  # as written, spaces included; None when missing or blank
    version_text: str | None  # raw <version>, None when the element is missing
    version: NuGetVersion | None


class PackageFile:
    """One zip package (.snupkg or .nupkg): its entries and its nuspec, parsed on demand."""

    def __init__(self, path: str):
        self.path = path

    @cached_property
    def _opened(self) -> tuple[ZipArchive | None, str | None]:
        try:
            return ZipArchive.open(self.path), None
        except ArchiveError as exc:
            return None, str(exc)
        except OSError as exc:  # vanished or unreadable since the command line was checked
            return None, f"cannot be read: {exc.strerror or exc}"

    @property
    def archive(self) -> ZipArchive | None:
        return self._opened[0]

    @property
    def error(self) -> str | None:
        """Why the file is not a readable zip, or None."""
        return self._opened[1]

    @cached_property
    def file_size(self) -> int:
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    @cached_property
    def entries(self) -> tuple[ZipEntry, ...]:
        return self.archive.entries if self.archive else ()

    @cached_property
    def files(self) -> tuple[tuple[ZipEntry, str], ...]:
        """PackageArchiveReader.GetFiles(): every entry with its %-unescaped name."""
        return tuple((e, netpath.unescape(e.name)) for e in self.entries)

    @cached_property
    def nuspec_read(self) -> NuspecRead:
        found = tuple(
            e for e in self.entries
            if "/" not in e.name and "\\" not in e.name and e.name.lower().endswith(".nuspec")
        )
        if len(found) != 1 or self.archive is None:
            return NuspecRead(found)
        entry = found[0]
        if entry.dotnet_problem:
            return NuspecRead(found, data_error=f"compression method {entry.compress_type} or encryption .NET "
                              "cannot read", server_error=entry.dotnet_problem)
        if entry.size > MAX_NUSPEC_BYTES:
            return NuspecRead(found, limit_error=f"the nuspec inflates to {entry.size:,} bytes; snupkg-lint reads "
                              f"at most {MAX_NUSPEC_BYTES:,}")
        try:
            data = self.archive.read(entry, MAX_NUSPEC_BYTES)
        except ArchiveError as exc:
            return NuspecRead(found, data_error=str(exc), server_error=DOTNET_INVALID_DATA)
        try:
            return NuspecRead(found, nuspec=parse_nuspec(data))
        except NuspecError as exc:
            return NuspecRead(found, xml_error=str(exc))

    @property
    def nuspec(self) -> Nuspec | None:
        """The parsed nuspec when there is exactly one, well-formed, with a <metadata> element."""
        parsed = self.nuspec_read.nuspec
        return parsed if parsed is not None and parsed.metadata is not None else None

    @property
    def nuspec_name(self) -> str | None:
        """The zip entry name of the nuspec, when there is exactly one."""
        entry = self.nuspec_read.entry
        return entry.name if entry is not None else None

    @cached_property
    def identity(self) -> Identity | None:
        nuspec = self.nuspec
        if nuspec is None:
            return None
        id_el, version_el = nuspec.first("id"), nuspec.first("version")
        # As nuget.org reads it: the text untrimmed (a blank one is no id: IsNullOrWhiteSpace)
        pkg_id = id_el.value if id_el is not None and id_el.value.strip() else None
        version_text = version_el.value if version_el is not None else None
        version = parse_nuget_version(version_text) if version_text is not None else None
        return Identity(pkg_id, version_text, version)

    @cached_property
    def pdb_entries(self) -> tuple[ZipEntry, ...]:
        """Entries the symbol validation job counts as PDBs: a file name, extension .pdb in any case."""
        return tuple(e for e in self.entries if netpath.file_name(e.name) and netpath.extension(e.name).lower() == ".pdb")

    @cached_property
    def pe_entries(self) -> tuple[ZipEntry, ...]:
        """Entries the job counts as assemblies: a file name, extension .dll or .exe in any case."""
        return tuple(e for e in self.entries
                     if netpath.file_name(e.name) and netpath.extension(e.name).lower() in PE_EXTENSIONS)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


@dataclass(frozen=True, slots=True)
class PdbIdentity:
    """What symbol validation needs of an opened portable PDB: its 20-byte id and where it sits (§3.3)."""

    id: bytes
    id_offset: int  # the bytes zeroed for the PdbChecksum


@dataclass(frozen=True, slots=True)
class SymbolFile:
    """A .pdb entry of the .snupkg, opened as far as it goes, kept as the few facts the rules compare.

    A package may hold tens of thousands of PDBs: the readers themselves are not kept (the debuggable checks open
    the few they read further: ``Artifacts.debug_reader``)."""

    entry: ZipEntry
    kind: str  # portable | windows | msf2 | unknown | unreadable
    pdb: PdbIdentity | None  # set when kind is portable and the metadata opened
    error: str | None  # why the file could not be read or opened as its kind
    uncaught: bool = False  # .NET's reader throws something nuget.org's job does not catch (UncaughtError)


@quick_init
@dataclass(frozen=True)
class Assembly:
    """A .dll/.exe entry of the .nupkg, with its debug directory."""

    entry: ZipEntry
    image: PEImage | None = None
    error: str | None = None  # not a PE image the runtime's reader can open
    limited: bool = False  # the error is one of snupkg-lint's own bounds, not a verdict on the file
    uncaught: bool = False  # the runtime's reader throws something nuget.org's job does not catch


@quick_init
@dataclass(frozen=True)
class Digest:
    """A PDB's checksum for one algorithm, or why it could not be computed."""

    value: bytes | None = None
    error: str | None = None  # the entry cannot be inflated
    limited: bool = False  # larger than snupkg-lint hashes


SYMBOL_SOURCES = ("embedded", "nupkg", "snupkg")  # where an assembly's PDB is looked for, in this order
_SOURCE_RANK = {source: n for n, source in enumerate(("none", *SYMBOL_SOURCES))}
_SNUPKG_RANK = _SOURCE_RANK["snupkg"]


def in_symbol_scope(name: str) -> bool:
    """An assembly users step into: under lib/ or runtimes/ (not runtimes/<rid>/native/), not a satellite."""
    lower = name.replace("\\", "/").lower()
    parts = lower.split("/")
    if lower.endswith(".resources.dll") or len(parts) < 2:
        return False
    return parts[0] == "lib" or (parts[0] == "runtimes" and "native" not in parts[1:-1])


@dataclass(frozen=True, slots=True)
class DebugSymbols:
    """Where one assembly's symbols are, whichever package holds them: embedded in the assembly, a PDB beside it
    in the .nupkg, or the PDB of its path in the .snupkg. ``assembly`` is None for a .snupkg PDB with no assembly
    known (a .snupkg checked alone); ``pdb`` is None for embedded symbols and for none found."""

    assembly: ZipEntry | None
    pdb: ZipEntry | None
    source: str  # embedded | nupkg | snupkg | none
    kind: str = "none"  # portable | windows | msf2 | unknown | unreadable | none
    error: str | None = None  # why the PDB could not be opened as its kind

    @property
    def name(self) -> str:
        """The entry findings name: the PDB, else the assembly that embeds it (or lacks it)."""
        return (self.pdb or self.assembly).name  # type: ignore[union-attr]

    @property
    def key(self) -> tuple[str, int]:
        return self.source, (self.pdb or self.assembly).index  # type: ignore[union-attr]

    @property
    def number(self) -> int:
        """The key as one int: the entry's index and where it is."""
        return 4 * (self.pdb or self.assembly).index + _SOURCE_RANK[self.source]  # type: ignore[union-attr]


class Artifacts:
    """Everything the rules may look at for one symbol package (and its .nupkg, when known)."""

    def __init__(self, snupkg_path: str | None, nupkg_path: str | None = None, *, now: _dt.datetime | None = None,
                 threads: int = 1):
        self.threads = threads  # how many threads may hash large PDBs at once
        # None: a .nupkg checked alone (rules with target "nupkg"; the others never see such artifacts)
        self.snupkg = PackageFile(snupkg_path) if snupkg_path is not None else None  # type: ignore[assignment]
        self.nupkg = PackageFile(nupkg_path) if nupkg_path else None
        self.now = now or _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)

        self.memo: dict[str, object] = {}  # derived results rules share (see checks/symbol_flow.py)
        self._symbols: dict[int, SymbolFile] = {}
        self._assemblies: dict[int, Assembly] = {}
        self._digests: dict[tuple[int, str], Digest] = {}
        self._embedded: dict[int, tuple[str | None, bool, bool]] = {}
        # readers whose heaps the debuggable checks read: few are kept, as each holds its #Blob heap
        self._debug_readers: RecentlyUsed[PortablePdb] = RecentlyUsed(DEBUG_READERS_KEPT)
        self._debug_info: dict[int, DebugInfo | None] = {}  # by DebugSymbols.number
        self._debuggable: dict[int, Debuggable | str | None] = {}
        self._helper: ForkedHelper | None = None  # the forked process of prefetch(), until all is in or close()
        self._pending: dict[tuple[str, int], int] = {}  # (kind, index) given to the helper → its chunk's number
        self._chunks: list[list[tuple[str, int]]] = []  # the helper's chunks; emptied when taken in or back
        self._ahead: list[tuple[str, int]] = []  # files of a chunk taken back, opened here while waiting
        self._collecting = False  # whether prefetch() stopped the cycle collector (restarted when all is in)
        self._frozen = False  # whether what was built meanwhile is kept out of collections until close()

    # -- PDBs and assemblies --------------------------------------------------------------------
    def symbol(self, entry: ZipEntry) -> SymbolFile:
        """The .snupkg's PDB at `entry`, sniffed and opened (cached)."""
        if entry.index not in self._symbols:
            if self._pending:
                self._collect(("pdb", entry.index))
            if entry.index not in self._symbols:
                self._symbols[entry.index] = self._open_symbol(entry)
        return self._symbols[entry.index]

    def _open_symbol(self, entry: ZipEntry) -> SymbolFile:
        if entry.dotnet_problem:
            return SymbolFile(entry, "unreadable", None, entry.dotnet_problem)
        data = self.snupkg.archive.small(entry, WHOLE_READ_BYTES)  # read whole, once, for all that follows
        source = self._source(self.snupkg, entry) if data is None else held_source(entry, data)
        try:
            kind = sniff(source.head(64))
        except FormatError as exc:
            return SymbolFile(entry, "unreadable", None, str(exc))
        try:
            if kind == "portable":
                reader = PortablePdb.open(source if data is not None else source.held())
                symbol = SymbolFile(entry, kind, PdbIdentity(reader.id, reader.id_offset), None)
                if data is not None and entry.size <= MAX_DEBUG_INFO_BYTES:  # read while the PDB is at hand
                    self._debug_info[4 * entry.index + _SNUPKG_RANK] = read_debug_info(reader)  # (debuggable checks)
                if data is not None and self.nupkg is not None:  # Roslyn's algorithm, hashed from it too
                    self._digests[(entry.index, "SHA256")] = self._hash(symbol, "SHA256", data)
                return symbol
            if kind == "windows":
                WindowsPdb.open(source)
        except FormatError as exc:
            return SymbolFile(entry, kind, None, str(exc), isinstance(exc, UncaughtError))
        return SymbolFile(entry, kind, None, None)

    def assembly(self, entry: ZipEntry) -> Assembly:
        """The .nupkg's assembly at `entry`, with its debug directory read (cached)."""
        if entry.index not in self._assemblies:
            if self._pending:
                self._collect(("pe", entry.index))
            if entry.index not in self._assemblies:
                self._assemblies[entry.index] = self._open_assembly(entry)
        return self._assemblies[entry.index]

    def _open_assembly(self, entry: ZipEntry) -> Assembly:
        if entry.dotnet_problem:
            return Assembly(entry, error=entry.dotnet_problem)
        data = self.nupkg.archive.small(entry, WHOLE_READ_BYTES)  # read whole, once, for its headers and metadata
        source = self._source(self.nupkg, entry) if data is None else held_source(entry, data)
        try:
            image = read_pe(source)
            if image.is_dotnet and in_symbol_scope(entry.name):  # the debuggable checks ask: read it while at hand
                self._debuggable[entry.index] = _debuggable_of(source, image.metadata)
            return Assembly(entry, image=image)
        except ReaderLimitError as exc:
            return Assembly(entry, error=str(exc), limited=True)
        except FormatError as exc:
            return Assembly(entry, error=str(exc), uncaught=isinstance(exc, UncaughtError))

    def embedded_pdb_error(self, assembly: Assembly) -> tuple[str | None, bool, bool]:
        """(why the assembly's embedded PDB cannot be inflated and opened as the runtime would, or None;
        whether that is only snupkg-lint's own size bound; whether the runtime's exception escapes the job)."""
        key = assembly.entry.index
        if key not in self._embedded:
            embedded = assembly.image.embedded_pdb() if assembly.image else None
            result: tuple[str | None, bool, bool] = (None, False, False)
            if embedded is not None:
                try:
                    data = inflate_embedded_pdb(self._source(self.nupkg, assembly.entry), embedded,
                                                MAX_EMBEDDED_PDB_BYTES)
                    reader = PortablePdb.open(BytesSource(data))
                    if len(data) <= MAX_DEBUG_INFO_BYTES:  # kept for its debug information, read next (debug_symbols)
                        self._debug_readers.put(4 * key + _SOURCE_RANK["embedded"], reader)
                except ReaderLimitError as exc:
                    result = (str(exc), True, False)
                except FormatError as exc:
                    result = (str(exc), False, isinstance(exc, UncaughtError))
            self._embedded[key] = result
        return self._embedded[key]

    def pdb_digest(self, symbol: SymbolFile, algorithm: str) -> Digest:
        """The PdbChecksum of a portable PDB for a known algorithm name, streamed from the zip."""
        key = (symbol.entry.index, algorithm)
        if key not in self._digests:
            self._digests[key] = self._hash(symbol, algorithm)
        return self._digests[key]

    def prefetch(self, workers: int) -> None:
        """Start opening PDBs and assemblies the rules will read on a forked helper process, and return.

        Only with `workers` > 1, where processes can be forked (the helper then shares everything parsed so far),
        and only for packages with at least PREFETCH_MIN_FILES such files or PREFETCH_MIN_BYTES of them. The helper
        is given the last files (HELPER_SHARE of the work, by PREFETCH_COST), in chunks; this process opens the
        others as the rules ask for them, and takes a chunk in when a rule first asks for one of its files (see
        _collect). One helper, whatever `workers` says: the goal is two busy cores. The results are the objects the
        readers give here, so the findings are the same with any number of workers."""
        if workers <= 1 or self.snupkg is None or not hasattr(os, "fork"):
            return
        work = [("pdb", e.index) for e in self.snupkg.pdb_entries]  # each read with its debug information
        if self.nupkg is not None and self.nupkg.archive is not None:
            work += [("pe", e.index) for e in self.nupkg.pe_entries
                     if netpath.extension(e.name) in PE_EXTENSIONS and self.pairing.extracted_pdb_for(e) is not None]
        if self.snupkg.archive is None:
            return
        entries = {"pdb": self.snupkg.entries, "pe": self.nupkg.entries if self.nupkg is not None else ()}
        sizes = [entries[kind][index].size for kind, index in work]
        if len(work) < PREFETCH_MIN_FILES and sum(sizes) < PREFETCH_MIN_BYTES:
            return
        costs = [PREFETCH_COST[kind] + max(0, size - SMALL_PDB_BYTES) / PREFETCH_COST_BYTES
                 for (kind, _), size in zip(work, sizes)]
        import gc

        from snupkg_lint.forked import ForkedHelper  # only packages this large pay for importing it

        global _FORKED
        left = HELPER_SHARE * sum(costs)
        start = len(work)
        while start > 0 and left > 0:  # the helper's share: the last files, which the rules ask for last
            start -= 1
            left -= costs[start]
        self._chunks, spent = [], PREFETCH_CHUNK
        for item, cost in zip(work[start:], costs[start:]):  # chunks of about PREFETCH_CHUNK small files' cost
            if spent >= PREFETCH_CHUNK:
                self._chunks.append([])
                spent = 0.0
            self._chunks[-1].append(item)
            spent += cost
        self._pending = {item: n for n, chunk in enumerate(self._chunks) for item in chunk}
        self._collecting = gc.isenabled()
        gc.disable()  # what is built until all is in lives on and holds no cycles: collecting would only rescan it
        _FORKED = self
        try:
            self._helper = ForkedHelper(_open_slice, self._chunks)
        except OSError:  # no process to fork (resources): this one opens everything
            self._stop_workers()

    def _collect(self, item: tuple[str, int]) -> None:
        """Take in the helper's chunk holding `item`, if it was given `item`: read when ready, waited for while the
        helper works on it (opening files of the last chunk it has not reached meanwhile), or taken back when the
        helper has not reached it (this process then opens its files as the rules ask): a slow or busy helper never
        holds the rules up for more than one chunk."""
        number = self._pending.get(item)
        if number is None:
            return
        opened = self._helper.result(number, self._work_ahead) if self._helper is not None else None
        if opened is not None:
            self._merge(opened)  # type: ignore[arg-type]
        self._drop(number)
        if not self._pending:
            self._stop_workers()

    def _drop(self, number: int) -> None:
        for item in self._chunks[number]:
            self._pending.pop(item, None)
        self._chunks[number] = []

    def _work_ahead(self) -> bool:
        """While waiting for the helper: open one file of the last chunk it has not reached (taken back for that);
        False when there is none."""
        if not self._ahead:
            last = next((n for n in range(len(self._chunks) - 1, -1, -1) if self._chunks[n]), None)
            if last is None or self._helper is None or not self._helper.take_back(last):
                return False
            self._ahead = list(self._chunks[last])
            self._drop(last)
        kind, index = self._ahead.pop()
        if kind == "pdb":
            self.symbol(self.snupkg.entries[index])
        else:
            self.assembly(self.nupkg.entries[index])
        return True

    def _stop_workers(self) -> None:
        global _FORKED
        if self._helper is not None:
            self._helper.stop()
            self._helper = None
        self._pending, self._chunks, self._ahead = {}, [], []
        _FORKED = None
        if self._collecting:
            import gc

            gc.freeze()  # what the helper sent lives as long as this package: scanning it again would only cost
            gc.enable()
            self._collecting, self._frozen = False, True

    def _merge(self, opened: tuple[list, list]) -> None:
        symbols, assemblies = opened
        for index, kind, pdb, error, uncaught, digest, info in symbols:
            entry = self.snupkg.entries[index]
            self._symbols.setdefault(index, SymbolFile(entry, kind, PdbIdentity(*pdb) if pdb else None, error,
                                                       uncaught))
            if digest is not None:
                self._digests.setdefault((index, "SHA256"), digest)
            if info is not None:
                self._debug_info.setdefault(4 * index + _SNUPKG_RANK, held(info))  # shared as if read here
        for index, image, error, limited, uncaught, read, flags in assemblies:
            self._assemblies.setdefault(index, Assembly(self.nupkg.entries[index], image, error, limited, uncaught))
            if read:
                self._debuggable.setdefault(index, flags)

    def prefetch_digests(self, wanted: list[tuple[SymbolFile, str]]) -> None:
        """Hash these large PDBs on `threads` threads now, for pdb_digest to answer from.

        Inflating and hashing release the GIL, so on several cores a package of large PDBs is hashed in a
        fraction of the time; only entries zipfile streams itself (larger than SMALL_PDB_BYTES) are hashed on
        threads, through its locked file access."""
        todo = [(symbol, algorithm) for symbol, algorithm in wanted
                if symbol.entry.size > SMALL_PDB_BYTES and (symbol.entry.index, algorithm) not in self._digests]
        if self.threads <= 1 or len(todo) < 2:
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(self.threads, len(todo))) as pool:
            digests = list(pool.map(lambda job: self._hash(*job), todo))
        for (symbol, algorithm), digest in zip(todo, digests):
            self._digests[(symbol.entry.index, algorithm)] = digest

    def _hash(self, symbol: SymbolFile, algorithm: str, data: bytes | None = None) -> Digest:
        """`data`: the entry's whole data when it is at hand already (else it is streamed from the zip)."""
        if symbol.entry.size > MAX_HASHED_PDB_BYTES:
            return Digest(error=f"{symbol.entry.name} inflates to {symbol.entry.size:,} bytes; "
                          f"snupkg-lint hashes at most {MAX_HASHED_PDB_BYTES:,}", limited=True)
        try:
            chunks = (data,) if data is not None else self.snupkg.archive.chunks(symbol.entry)
            return Digest(checksum_with_id_zeroed(chunks, symbol.pdb.id_offset, algorithm))
        except ArchiveError as exc:
            return Digest(error=str(exc))

    def _source(self, package: PackageFile, entry: ZipEntry) -> EntrySource:
        return package.archive.source(entry)

    # -- symbols wherever they are (the "debuggable" checks) ----------------------------------------------
    @cached_property
    def debug_symbols(self) -> tuple[DebugSymbols, ...]:
        """Every lib/ and managed runtimes/ assembly of the .nupkg with where its symbols are (SYMBOL_SOURCES
        order), then the .snupkg's PDBs no such assembly took."""
        found: list[DebugSymbols] = []
        taken: set[int] = set()
        nupkg = self.nupkg if self.nupkg is not None and self.nupkg.archive is not None else None
        snupkg = self.snupkg if self.snupkg is not None and self.snupkg.archive is not None else None
        beside = {base_key(e.name): e for e in reversed(nupkg.pdb_entries)} if nupkg else {}
        for entry in nupkg.pe_entries if nupkg else ():
            image = self.assembly(entry).image
            if not in_symbol_scope(entry.name) or image is None or not image.is_dotnet:
                continue
            if image.embedded_pdb() is not None:
                error, _, _ = self.embedded_pdb_error(self.assembly(entry))
                found.append(DebugSymbols(entry, None, "embedded", "unreadable" if error else "portable", error))
                self.debug_info(found[-1])  # while the reader opened to find its kind is at hand: opened once
            elif beside and base_key(entry.name) in beside:
                found.append(self._located(entry, beside[base_key(entry.name)], "nupkg"))
                self.debug_info(found[-1])
            elif snupkg is not None and (pdb := self.pairing.extracted_pdb_for(entry)) is not None:
                taken.add(pdb.index)
                found.append(self._located(entry, pdb, "snupkg"))
            else:
                found.append(DebugSymbols(entry, None, "none"))
        for pdb in snupkg.pdb_entries if snupkg else ():
            if pdb.index not in taken:
                found.append(self._located(None, pdb, "snupkg"))
        return tuple(found)

    def _located(self, assembly: ZipEntry | None, pdb: ZipEntry, source: str) -> DebugSymbols:
        if source == "snupkg":
            symbol = self.symbol(pdb)
            return DebugSymbols(assembly, pdb, source, symbol.kind, symbol.error)
        if pdb.dotnet_problem:
            return DebugSymbols(assembly, pdb, source, "unreadable", pdb.dotnet_problem)
        try:
            kind = sniff(self._source(self.nupkg, pdb).head(64))
        except FormatError as exc:
            return DebugSymbols(assembly, pdb, source, "unreadable", str(exc))
        if kind != "portable":
            return DebugSymbols(assembly, pdb, source, kind)
        reader = self._debug_reader(DebugSymbols(assembly, pdb, source, kind))
        return DebugSymbols(assembly, pdb, source, kind, None if isinstance(reader, PortablePdb) else reader)

    def _debug_reader(self, symbols: DebugSymbols) -> PortablePdb | str:
        """The portable PDB reader of these symbols, or why there is none."""
        if symbols.source == "snupkg" and self.symbol(symbols.pdb).pdb is None:
            return self.symbol(symbols.pdb).error or "not a portable PDB"
        cached = self._debug_readers.get(symbols.number)
        if cached is not None:
            return cached
        try:
            if symbols.source == "embedded":
                image = self.assembly(symbols.assembly).image
                data = inflate_embedded_pdb(self._source(self.nupkg, symbols.assembly), image.embedded_pdb(),
                                            MAX_EMBEDDED_PDB_BYTES)
                reader = PortablePdb.open(BytesSource(data))
            else:
                source = self._source(self.snupkg if symbols.source == "snupkg" else self.nupkg, symbols.pdb)
                if sniff(source.head(64)) != "portable":
                    return "not a portable PDB"
                reader = PortablePdb.open(source)
        except FormatError as exc:
            return str(exc)
        self._debug_readers.put(symbols.number, reader)
        return reader

    def debug_reader(self, symbols: DebugSymbols) -> PortablePdb | None:
        reader = self._debug_reader(symbols) if symbols.kind == "portable" and not symbols.error else None
        return reader if isinstance(reader, PortablePdb) else None

    def debug_size(self, symbols: DebugSymbols) -> int:
        """The size of the PDB: its entry's, or the uncompressed size the embedded PDB declares."""
        if symbols.pdb is not None:
            return symbols.pdb.size
        embedded = self.assembly(symbols.assembly).image.embedded_pdb() if symbols.assembly else None
        return embedded.uncompressed_size if embedded is not None else 0

    def debug_info(self, symbols: DebugSymbols) -> DebugInfo | None:
        """Documents, Source Link, embedded sources and compilation facts of portable symbols (cached); None when
        they are not a portable PDB that opens."""
        key = symbols.number
        if key not in self._debug_info:
            reader = self.debug_reader(symbols) if self.debug_size(symbols) <= MAX_DEBUG_INFO_BYTES else None
            self._debug_info[key] = read_debug_info(reader) if reader is not None else None
        return self._debug_info[key]

    def windows_pdb(self, symbols: DebugSymbols) -> WindowsPdb | None:
        """The Windows PDB beside an assembly in the .nupkg (its named streams say whether it has Source Link or
        source-server data), or None."""
        if symbols.source != "nupkg" or symbols.kind != "windows":
            return None
        try:
            return WindowsPdb.open(self._source(self.nupkg, symbols.pdb))
        except FormatError:
            return None

    def debuggable(self, assembly: ZipEntry) -> Debuggable | str | None:
        """The .nupkg assembly's DebuggableAttribute, why its metadata cannot be read, or None (none found)."""
        if assembly.index not in self._debuggable:
            self._debuggable[assembly.index] = _debuggable_of(self._source(self.nupkg, assembly))
        return self._debuggable[assembly.index]

    # -- how nuget.org pairs PDBs with assemblies (SymbolsValidatorService, ZipArchiveService) ----
    @cached_property
    def pairing(self) -> PairingIndex:
        """The name index every pairing goes through, built once for the package."""
        return PairingIndex(self.snupkg.pdb_entries if self.snupkg is not None else (),
                            self.nupkg.pe_entries if self.nupkg is not None else ())

    def assemblies_for(self, pdb: ZipEntry) -> list[ZipEntry]:
        """The .nupkg's .dll/.exe entries in the PDB's folder with its base name (case-insensitive)."""
        return self.pairing.assemblies_for(pdb)

    def pdb_beside(self, assembly: ZipEntry, file_name: str) -> ZipEntry | None:
        """The extracted .snupkg PDB (extension exactly .pdb) named `file_name` in the assembly's folder."""
        return self.pairing.extracted_pdb_at(netpath.directory(assembly.name), file_name)

    def close(self) -> None:
        self._stop_workers()
        if self._frozen:
            import gc

            gc.unfreeze()
            self._frozen = False
        if self.snupkg is not None:
            self.snupkg.close()
        if self.nupkg is not None:
            self.nupkg.close()

    def __enter__(self) -> "Artifacts":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _debuggable_of(source: EntrySource, located: tuple[int, int] | None | object = ...) -> Debuggable | str | None:
    try:
        return read_debuggable(source, located)
    except FormatError as exc:
        return str(exc)


_FORKED: Artifacts | None = None  # the package a prefetch is opening, for the forked workers


def _open_slice(work: list[tuple[str, int]]) -> tuple[list, list]:
    """In a forked worker: open these PDBs and assemblies of the package being prefetched; plain values, for the
    parent to keep."""
    a = _FORKED
    a._helper, a._pending, a._chunks, a._ahead = None, {}, [], []  # the parent's: here, opened when asked
    for package in (a.snupkg, a.nupkg):
        if package is not None and package.archive is not None:
            package.archive.own_handle()
    symbols, assemblies = [], []
    for kind, index in work:  # each taken out of the caches once sent: the helper's memory stays flat too
        if kind == "pdb":
            symbol = a.symbol(a.snupkg.entries[index])
            pdb = (symbol.pdb.id, symbol.pdb.id_offset) if symbol.pdb is not None else None
            symbols.append((index, symbol.kind, pdb, symbol.error, symbol.uncaught,
                            a._digests.pop((index, "SHA256"), None), a._debug_info.pop(4 * index + _SNUPKG_RANK, None)))
            del a._symbols[index]
        else:
            assembly = a.assembly(a.nupkg.entries[index])
            assemblies.append((index, assembly.image, assembly.error, assembly.limited, assembly.uncaught,
                               index in a._debuggable, a._debuggable.pop(index, None)))
            del a._assemblies[index]
    return symbols, assemblies


__all__ = ["Artifacts", "Assembly", "DebugSymbols", "Digest", "Identity", "NuspecRead", "PackageFile", "PdbIdentity",
           "SymbolFile"]
