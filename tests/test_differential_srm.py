"""snupkg-lint's PE and portable PDB readers against System.Reflection.Metadata, field by field, on every PE
and PDB of the fixtures (loose, and inside their packages) and on seeded mutants of them.

What is compared is what nuget.org's validation reads: whether the PE headers and the debug directory open,
each debug directory entry, each CodeView and PdbChecksum record, and a PDB's id; and what the debuggable checks
read: every Document row (name, hash algorithm, hash, language), every CustomDebugInformation row (parent, kind,
value blob) and the compilation options. A difference
is a disagreement, unless it is one of the kinds issue #8 lists and has not fixed yet (KNOWN below): those
are counted and named, so that fixing one shows here, and a new kind fails the test."""

from __future__ import annotations

import hashlib
import random
import sys
import uuid
import zipfile
from collections import Counter
from pathlib import Path

from snupkg_lint.formats.pdb import CDI_COMPILATION_OPTIONS, PortablePdb
from snupkg_lint.formats.pe import DEBUG_CODEVIEW, DEBUG_PDB_CHECKSUM, ReaderLimitError, read_pe
from snupkg_lint.formats.pe_metadata import _decode as decode_debuggable
from snupkg_lint.formats.pe_metadata import read_debuggable
from snupkg_lint.formats.source import BytesSource, FormatError, UncaughtError
from tests.factory.pdb import with_empty_table
from tests.factory.pe import relocate_headers
from tests.interop import in_own_process, serve

# Disagreements issue #8 describes and snupkg-lint does not follow yet: (field, ours, theirs) kinds.
KNOWN: set[str] = set()  # none left: every kind issue #8 and this suite found is followed


def samples(corpus: Path) -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
    pes, pdbs = [], []
    for path in sorted(corpus.rglob("*")):
        suffix = path.suffix.lower()
        if suffix in (".dll", ".exe"):
            pes.append((path.name, path.read_bytes()))
        elif suffix in (".pdb", ".pdbx"):
            pdbs.append((path.name, path.read_bytes()))
        elif suffix in (".nupkg", ".snupkg"):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    inner = info.filename.lower()
                    if inner.endswith((".dll", ".exe")) and info.file_size < 8 << 20:
                        pes.append((f"{path.name}:{info.filename}", zf.read(info)))
                    elif inner.endswith(".pdb") and info.file_size < 8 << 20:
                        pdbs.append((f"{path.name}:{info.filename}", zf.read(info)))
    return pes, pdbs


# -- what each side reads -------------------------------------------------------------------------------------------


def ours_pe(data: bytes, debuggable: bool = True):
    try:
        image = read_pe(BytesSource(data))
    except ReaderLimitError:
        return "limit"
    except UncaughtError:  # no 'MZ': a COFF object to SRM, whose headers open and ReadDebugDirectory throws
        return "bad-debug-directory"
    except FormatError:
        return "bad-headers"
    if image.header_error:
        return "bad-headers"
    if image.debug_error:
        return "bad-debug-directory"
    entries = [(e.type, e.major, e.minor, e.stamp, e.size, e.rva, e.pointer) for e in image.debug_entries]
    failed = {e.entry.index for e in image.data_errors}
    codeviews = {c.entry.index: (str(c.guid), c.age, c.path) for c in image.codeviews}
    checksums = {c.entry.index: (c.algorithm, c.checksum.hex()) for c in image.checksums}
    records = {}
    for n, e in enumerate(image.debug_entries):
        if e.type == DEBUG_CODEVIEW:
            records[n] = "fails" if n in failed else codeviews.get(n, "fails")
        elif e.type == DEBUG_PDB_CHECKSUM:
            records[n] = "fails" if n in failed else checksums.get(n, "fails")
    flags = _part(lambda: _flags(read_debuggable(BytesSource(data)))) if debuggable else "unchecked"
    return entries, records, (image.timestamp, image.size_of_image), flags


def _flags(found):
    return None if found is None else (found.optimizations_disabled, found.modes)


def theirs_pe(net, data: bytes, debuggable: bool = True):
    reader = net.PEReader(net.immutable(data))
    try:
        headers = reader.PEHeaders
    except Exception:
        return "bad-headers"
    # a COFF object file (no 'MZ') has no PE header: SRM opens it, and ReadDebugDirectory then throws
    key = None if headers.PEHeader is None else (headers.CoffHeader.TimeDateStamp & 0xFFFFFFFF,
                                                 headers.PEHeader.SizeOfImage & 0xFFFFFFFF)
    try:
        directory = list(reader.ReadDebugDirectory())
    except Exception:
        return "bad-debug-directory"
    u32 = 0xFFFFFFFF  # .NET reads these fields as signed 32-bit numbers; ours are the unsigned values on disk
    entries = [(int(e.Type) & u32, e.MajorVersion, e.MinorVersion, e.Stamp & u32, e.DataSize & u32,
                e.DataRelativeVirtualAddress & u32, e.DataPointer & u32) for e in directory]
    records = {}
    for n, e in enumerate(directory):
        try:
            if int(e.Type) & u32 == DEBUG_CODEVIEW and e.DataSize:
                cv = reader.ReadCodeViewDebugDirectoryData(e)
                records[n] = (str(uuid.UUID(cv.Guid.ToString())), cv.Age, cv.Path)
            elif int(e.Type) & u32 == DEBUG_PDB_CHECKSUM and e.DataSize:
                cs = reader.ReadPdbChecksumDebugDirectoryData(e)
                records[n] = (cs.AlgorithmName, bytes(cs.Checksum).hex())
        except Exception:
            records[n] = "fails"
    return entries, records, key, _their_debuggable(net, reader) if debuggable else "unchecked"


def _their_debuggable(net, reader):
    """The Assembly's DebuggableAttribute through SRM's MetadataReader; "unchecked" when SRM refuses the metadata
    (it validates far more than this one fact needs, so that is no disagreement about the attribute)."""
    try:
        md = net.PEReaderExtensions.GetMetadataReader(reader)
        attributes = list(md.GetAssemblyDefinition().GetCustomAttributes()) if md.IsAssembly else []
    except Exception:
        return "unchecked"
    try:
        for handle in attributes:
            attribute = md.GetCustomAttribute(handle)
            if attribute.Constructor.Kind != net.HandleKind.MemberReference:
                continue
            member = md.GetMemberReference(net.MemberReferenceHandle.op_Explicit(attribute.Constructor))
            if member.Parent.Kind != net.HandleKind.TypeReference:
                continue
            owner = md.GetTypeReference(net.TypeReferenceHandle.op_Explicit(member.Parent))
            if (md.GetString(owner.Namespace), md.GetString(owner.Name)) == ("System.Diagnostics", "DebuggableAttribute"):
                return _flags(decode_debuggable(bytes(md.GetBlobBytes(member.Signature)),
                                                bytes(md.GetBlobBytes(attribute.Value))))
        return None
    except Exception as exc:
        return f"fails: {exc}"


def _options(blob: bytes | None):
    """CompilationOptions as (name\0 value\0)*, the first of a name winning; "fails" for a malformed blob."""
    if not blob:
        return {}
    if not blob.endswith(b"\0"):
        return "fails"
    strings = [s.decode("utf-8", "replace") for s in blob[:-1].split(b"\0")]
    if len(strings) % 2:
        return "fails"
    options: dict[str, str] = {}
    for name, value in zip(strings[::2], strings[1::2]):
        options.setdefault(name, value)
    return options


def _value(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16] + f"/{len(data)}"


def _part(read):
    try:
        return read()
    except FormatError as exc:
        return f"fails: {exc}"


def ours_pdb(data: bytes):
    """(id, documents, CDIs, compilation options): what nuget.org's validation reads (the id) and what the
    debuggable checks read; each part "fails" when it cannot be read, "bad" when the PDB does not open."""
    try:
        pdb = PortablePdb.open(BytesSource(data))
    except FormatError:
        return "bad", None, None, None
    documents = _part(lambda: [(d.name, str(d.hash_algorithm), d.hash.hex(), str(d.language)) for d in pdb.documents()])
    cdis = _part(lambda: [(c.parent_table, c.parent_row, str(c.kind), _value(c.value))
                          for c in pdb.custom_debug_information()])
    return pdb.id.hex(), documents, cdis, _part(pdb.compilation_options)


def _net_guid(reader, handle) -> str:
    return "None" if handle.IsNil else str(uuid.UUID(reader.GetGuid(handle).ToString()))


def theirs_pdb(net, data: bytes):
    try:
        provider = net.MetadataReaderProvider.FromPortablePdbImage(net.immutable(data))
        reader = provider.GetMetadataReader()
        pdb_id = bytes(reader.DebugMetadataHeader.Id).hex()
    except Exception as exc:
        return "bad", f"fails: {exc}", None, None

    def documents():
        out = []
        for handle in reader.Documents:
            document = reader.GetDocument(handle)
            out.append((reader.GetString(document.Name), _net_guid(reader, document.HashAlgorithm),
                        bytes(reader.GetBlobBytes(document.Hash)).hex(), _net_guid(reader, document.Language)))
        return out

    def cdis():
        out = []
        for handle in reader.CustomDebugInformation:
            cdi = reader.GetCustomDebugInformation(handle)
            token = net.MetadataTokens.GetToken(cdi.Parent)
            kind = "00000000-0000-0000-0000-000000000000" if cdi.Kind.IsNil else _net_guid(reader, cdi.Kind)
            out.append((token >> 24, token & 0xFFFFFF, kind,
                        _value(bytes(reader.GetBlobBytes(cdi.Value)))))
        return out

    def options():
        # like ours: every row's parent and kind is read, then the value of the first Module options row
        rows = [reader.GetCustomDebugInformation(handle) for handle in reader.CustomDebugInformation]
        kinds = [(net.MetadataTokens.GetToken(cdi.Parent), _net_guid(reader, cdi.Kind)) for cdi in rows]
        for cdi, (token, kind) in zip(rows, kinds):
            if token == 0x00000001 and kind == str(CDI_COMPILATION_OPTIONS):
                return _options(bytes(reader.GetBlobBytes(cdi.Value)))
        return {}

    def part(read):
        try:
            return read()
        except Exception as exc:
            return f"fails: {exc}"

    return pdb_id, part(documents), part(cdis), part(options)


# -- mutants --------------------------------------------------------------------------------------------------------


def pe_mutants(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    e_lfanew = int.from_bytes(data[0x3C:0x40], "little") if len(data) >= 0x40 else 0x80
    hot = [0x3C, e_lfanew, e_lfanew + 6, e_lfanew + 24, e_lfanew + 24 + 92, e_lfanew + 24 + 96 + 48,
           e_lfanew + 24 + 96 + 52, e_lfanew + 24 + 96 + 128]
    out = []
    for _ in range(count):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            at = min(rng.choice(hot) + rng.randrange(-4, 8), len(buf) - 1) if rng.random() < 0.6 \
                else rng.randrange(len(buf))
            buf[max(at, 0)] = rng.randrange(256)
        out.append(bytes(buf))
    if len(data) >= 0x40 and data[:2] == b"MZ":  # issue #8 A9: NT headers past the first 64 KiB, or past the end
        for at in (0x10000 - 64, 0x10000 + rng.randrange(4, 4096, 4), len(data) + 0x10000):
            out.append(relocate_headers(data, at))
        out.append(data[:0x3C] + (len(data) + rng.randrange(1, 0x10000)).to_bytes(4, "little") + data[0x40:])
    out.append(bytes([rng.randrange(256)]) + data[1:])  # no 'MZ': SRM reads a COFF object file
    return out


def pdb_mutants(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    """Mostly the headers (the first 512 bytes); a quarter aimed at the tables and heaps the debuggable checks read
    (#~, #GUID, #Blob), found through the stream headers."""
    try:
        regions = [(s.offset, s.size) for s in PortablePdb.open(BytesSource(data)).streams
                   if s.name in ("#~", "#GUID", "#Blob") and s.size and s.offset + s.size <= len(data)]
    except FormatError:
        regions = []
    out = []
    for n in range(count):
        buf = bytearray(data)
        for _ in range(rng.randint(1, 2)):
            if regions and n % 4 == 3:
                offset, size = rng.choice(regions)
                at = offset + rng.randrange(size)
            else:
                at = rng.randrange(min(len(buf), 512)) if rng.random() < 0.7 else rng.randrange(len(buf))
            buf[at] = rng.randrange(256)
        out.append(bytes(buf))
    return out + pdb_header_mutants(data, rng)


def _stream_headers(data: bytes) -> tuple[int, list[tuple[int, int, int, int]]]:
    """(position of the stream count, [(header position, name start, name end, stream offset)]) of a PDB that
    follows the specification (aligned version string, names within 32 bytes)."""
    length = int.from_bytes(data[12:16], "little")
    count_at = 16 + length + 2
    count = int.from_bytes(data[count_at : count_at + 2], "little")
    at, headers = count_at + 2, []
    for _ in range(count):
        end = data.index(b"\0", at + 8)
        headers.append((at, at + 8, end, int.from_bytes(data[at : at + 4], "little")))
        at = (end + 4) & ~3
    return count_at, headers


def pdb_header_mutants(data: bytes, rng: random.Random) -> list[bytes]:
    """Seeded mutants of what issue #8 A5, A6 and A7 are about: stream names (renamed in place, to unknown,
    non-ASCII or invalid UTF-8 names), the #~ Sorted mask, the stream count (negative as Int16) and a version
    string whose length is no multiple of 4."""
    count_at, headers = _stream_headers(data)
    out = []
    for header, start, end, _ in headers:
        buf = bytearray(data)
        buf[start:end] = bytes(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x80, 0x100)])
                               for _ in range(end - start))
        out.append(bytes(buf))
        out.append(data[:start] + b"#\xc3\xa9\xff"[: end - start].ljust(end - start, b"x") + data[end:])
    tables = next((offset for header, start, end, offset in headers if data[start:end] in (b"#~", b"#-")), None)
    if tables is not None:
        for bit in (0x32, 0x36, 0x37, rng.randrange(64)):
            buf = bytearray(data)
            buf[tables + 16 + bit // 8] ^= 1 << bit % 8
            out.append(bytes(buf))
    out.append(data[:count_at] + (0x8000 | rng.randrange(0x8000)).to_bytes(2, "little") + data[count_at + 2 :])
    out.append(with_empty_table(data, rng.randrange(0x2D)))  # an empty type-system table: SRM reads no rows
    length = int.from_bytes(data[12:16], "little")
    for delta in (1, 2, 3):  # the stream headers start off a 4-byte boundary; SRM aligns names to the file
        out.append(data[:12] + (length + delta).to_bytes(4, "little") + data[16 : 16 + length] + bytes(delta)
                   + data[16 + length :])
    return out


def classify(kind: str, data: bytes, ours, theirs) -> str:
    if kind == "pdb":
        if ours[0] == "bad" and theirs[0] != "bad":
            return "pdb-stream-name" if _odd_stream_names(data) else "pdb-opens-in-net-only"
        if any(isinstance(t, str) and "not sorted" in t for t in theirs[1:]) and ours[0] != "bad":
            return "pdb-table-not-sorted"
    if kind == "pdb":
        parts = ("id", "documents", "cdis", "options")
        differ = [n for n, (o, t) in enumerate(zip(_compared(ours), _compared(theirs))) if o != t] or [0]
        return "pdb " + ", ".join(f"{parts[n]}: ours {str(ours[n])[:160]} / .NET {str(theirs[n])[:160]}" for n in differ)
    if kind == "pe" and not isinstance(ours, str) and not isinstance(theirs, str) and ours[:3] == theirs[:3]:
        if isinstance(ours[3], str) and "stream header" in ours[3] and "not ASCII" in ours[3]:
            return "pdb-stream-name"  # the metadata root reader the PDB reader and this one share
        return f"pe DebuggableAttribute: ours {str(ours[3])[:120]} / .NET {str(theirs[3])[:120]}"
    return f"{kind}: ours {str(ours)[:80]} / .NET {str(theirs)[:80]}"



def _odd_stream_names(data: bytes) -> bool:
    try:
        length = int.from_bytes(data[12:16], "little")
        count = int.from_bytes(data[16 + length + 2: 16 + length + 4], "little")
        at = 16 + length + 4
        for _ in range(count):
            end = data.index(b"\0", at + 8)
            name = data[at + 8:end]
            if not name.isascii() or name.decode() not in ("#Pdb", "#~", "#-", "#Strings", "#US", "#GUID", "#Blob", "#JTD"):
                return True
            at = (end + 4) & ~3
    except (ValueError, UnicodeDecodeError):
        return True
    return False


def _compared(read):
    """What is compared: whether the PDB opens (not why), else its id and each part, a part that fails as "fails"
    (each reader words its reason its own way)."""
    if read[0] == "bad":
        return ("bad",)
    return tuple("fails" if isinstance(part, str) and part.startswith("fails") else part for part in read)


def _compare(kind: str, files, mutate, ours_read, theirs_read, same, seed: int) -> dict:
    rng = random.Random(seed)
    kinds: Counter[str] = Counter()
    compared = 0
    for _name, data in files:
        for variant in [data] + mutate(data, rng, 40):
            ours, theirs = ours_read(variant), theirs_read(variant)
            compared += 1
            if not same(ours, theirs):
                kinds[classify(kind, variant, ours, theirs)] += 1
    return {"compared": compared, "kinds": dict(kinds)}


def compare_pes(net, corpus: Path) -> dict:
    pes, _ = samples(corpus)
    # The DebuggableAttribute is compared on every file and on one mutant in DEBUGGABLE_EVERY: reading the Assembly's
    # attributes through pythonnet costs more than all the rest of a PE's comparison.
    reads = iter(range(1 << 30))
    wanted = {"now": True}

    def ours(data: bytes):
        wanted["now"] = data in originals or next(reads) % DEBUGGABLE_EVERY == 0
        return ours_pe(data, wanted["now"])

    originals = {data for _, data in pes}
    return _compare("pe", pes, pe_mutants, ours, lambda data: theirs_pe(net, data, wanted["now"]), _same_pe, 8)


DEBUGGABLE_EVERY = 4


def _same_pe(ours, theirs) -> bool:
    if isinstance(ours, str) or isinstance(theirs, str) or theirs[3] == "unchecked":
        return ours[:3] == theirs[:3] if not isinstance(ours, str) and not isinstance(theirs, str) else ours == theirs
    return _compared(ours) == _compared(theirs)


def compare_pdbs(net, corpus: Path) -> dict:
    _, pdbs = samples(corpus)
    portable = [(name, data) for name, data in pdbs if data.startswith(b"BSJB")]  # Windows PDBs: both refuse (V103)
    return _compare("pdb", portable, pdb_mutants, ours_pdb, lambda data: theirs_pdb(net, data),
                    lambda o, t: _compared(o) == _compared(t), 9)


def test_pe_readers_agree(corpus):
    data = in_own_process("tests.test_differential_srm", "pe", str(corpus))
    unknown = {k: n for k, n in data["kinds"].items() if k not in KNOWN}
    assert data["compared"] > 1000 and not unknown, data


def test_pdb_readers_agree(corpus):
    data = in_own_process("tests.test_differential_srm", "pdb", str(corpus))
    unknown = {k: n for k, n in data["kinds"].items() if k not in KNOWN}
    assert data["compared"] > 500 and not unknown, data


if __name__ == "__main__":
    compare = compare_pes if sys.argv[1] == "pe" else compare_pdbs
    serve(lambda net: compare(net, Path(sys.argv[2])))
