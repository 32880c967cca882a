"""The step of nuget.org's symbol validation that System.Reflection.Metadata does, re-enacted with SRM itself.

For each assembly the job calls `PEReader.TryOpenAssociatedPortablePdb(pePath, File.OpenRead, ...)` and reads its
answer: the PDB file with the CodeView id was opened (then the checksum step), only the embedded PDB opened or
nothing matched (251), a BadImageFormatException (issue 0), or any other exception, which escapes the job (issue 0,
no e-mail). Here SRM (.NET Core 3.1, in a process of its own) is given the assembly and the files the job extracts
beside it (the assembly itself and the .snupkg's PDBs), served from memory; snupkg-lint's own re-enactment
(checks/symbol_flow.py) reads the same files packed as a .nupkg and .snupkg. Their answers must agree, on the
fixtures' assemblies and on seeded mutants of what issue #8 (A4, A7) is about: a CodeView entry that names the
assembly itself, a non-CodeView entry marked portable, a PDB stream count that overflows, and bytes of the debug
directory and the PDB headers. File-system semantics (.NET Framework on Windows trimming or refusing names, A1-A3)
are not SRM's and are tested in test_validation_as_dotnet.py."""

from __future__ import annotations

import random
import struct
import sys
import tempfile
from collections import Counter
from pathlib import Path

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks.symbol_flow import validated
from snupkg_lint.formats import netpath
from snupkg_lint.formats.pe import read_pe
from snupkg_lint.formats.source import BytesSource, FormatError
from tests.factory import package as pkg
from tests.interop import in_own_process, serve
from tests.test_differential_srm import pdb_mutants, pe_mutants

FOLDER = "lib/net8.0"

# snupkg-lint's outcome → the answer of TryOpenAssociatedPortablePdb it stands for
_ANSWERS = {"matched": "pdb-file", "embedded-only": "embedded-pdb", "id-mismatch": "nothing",
            "pdb-not-found": "nothing", "no-codeview": "nothing", "corrupt": "bad-image", "crash": "escapes"}


def cases(corpus: Path) -> list[tuple[str, bytes, dict[str, bytes]]]:
    """(assembly file name, its bytes, the PDBs beside it) for every loose assembly of the fixtures and a few built
    in code; an assembly without a portable PDB of its name gets one of another build, so the job reaches SRM."""
    from tests.test_validation_as_dotnet import named
    from tests.test_validation_rules import GOOD

    out = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() in (".dll", ".exe") and path.stat().st_size < 8 << 20:
            pdb = path.with_suffix(".pdb")
            data = pdb.read_bytes() if pdb.is_file() else b""
            out.append((path.name, path.read_bytes(), {f"{path.stem}.pdb": data if data[:4] == b"BSJB" else GOOD.pdb}))
    with_embedded = named("Contoso.Lib.pdb", embedded_pdb=GOOD.pdb)
    out += [("Contoso.Lib.dll", GOOD.dll, {"Contoso.Lib.pdb": GOOD.pdb}),
            ("Contoso.Lib.dll", with_embedded.dll, {"Contoso.Lib.pdb": GOOD.pdb}),
            ("Contoso.Lib.dll", named("Other.pdb", embedded_pdb=GOOD.pdb).dll, {"Contoso.Lib.pdb": GOOD.pdb}),
            ("Contoso.Lib.dll", named("Contoso.Lib.dll", embedded_pdb=GOOD.pdb).dll, {"Contoso.Lib.pdb": GOOD.pdb}),
            ("Contoso.Lib.dll", named("Missing.pdb", embedded_pdb=_overflowing(GOOD.pdb)).dll,
             {"Contoso.Lib.pdb": GOOD.pdb})]
    return out


def _overflowing(pdb: bytes) -> bytes:
    """The PDB with its stream count read as a negative Int16 by SRM."""
    length = struct.unpack_from("<I", pdb, 12)[0]
    return pdb[: 16 + length + 2] + struct.pack("<H", 0x8000) + pdb[16 + length + 4 :]


def mutants(name: str, dll: bytes, pdbs: dict[str, bytes], rng: random.Random) -> list[tuple[bytes, dict[str, bytes]]]:
    out = [(dll, pdbs)]
    try:
        image = read_pe(BytesSource(dll))
    except FormatError:
        return out
    stem_pdb = next(iter(pdbs))
    entry = image.portable_codeview_entry()
    codeview = image.first_portable_codeview()
    if codeview is not None:
        raw = codeview.path.encode()
        start = entry.pointer + 24 + len(raw) - len(codeview.file_name.encode())
        end = entry.pointer + 24 + len(raw)
        if len(name.encode()) <= end - start:  # A4: the CodeView names the assembly itself
            out.append((dll[:start] + name.encode().ljust(end - start, b"\0") + dll[end:], pdbs))
    if entry is not None:  # A7: the entry .NET takes for the CodeView entry is of another type
        at = _directory_offset(dll, image, entry.index) + 12
        out.append((dll[:at] + struct.pack("<I", rng.choice([0, 16, 19, 20])) + dll[at + 4 :], pdbs))
    if pdbs[stem_pdb][:4] == b"BSJB":  # A7: a stream count that overflows
        out.append((dll, {**pdbs, stem_pdb: _overflowing(pdbs[stem_pdb])}))
    out += [(variant, pdbs) for variant in pe_mutants(dll, rng, 5)]  # and those of the reader suite
    if pdbs[stem_pdb][:4] == b"BSJB":
        out += [(dll, {**pdbs, stem_pdb: variant}) for variant in pdb_mutants(pdbs[stem_pdb], rng, 5)]
    for _ in range(6):  # bytes of the debug directory and its data, of the PDB's headers
        buf = bytearray(dll)
        chosen = rng.choice(image.debug_entries) if image.debug_entries else None
        if chosen is not None:
            at = rng.choice([_directory_offset(dll, image, chosen.index) + rng.randrange(28),
                             chosen.pointer + rng.randrange(max(min(chosen.size, 64), 1))])
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        pdb = bytearray(pdbs[stem_pdb])
        pdb[rng.randrange(min(len(pdb), 256))] = rng.randrange(256)
        out.append((bytes(buf), {**pdbs, stem_pdb: bytes(pdb)}))
    return out


def _directory_offset(dll: bytes, image, index: int) -> int:
    """File offset of debug directory entry `index` (data directory 6, through the sections)."""
    e_lfanew = struct.unpack_from("<I", dll, 0x3C)[0]
    directories = e_lfanew + 24 + (112 if image.is_pe32_plus else 96)
    rva = struct.unpack_from("<I", dll, directories + 8 * 6)[0]
    section = next(s for s in image.sections if s.contains_rva(rva))
    return section.pointer_to_raw_data + rva - section.virtual_address + 28 * index


def ours(folder: Path, name: str, dll: bytes, pdbs: dict[str, bytes]) -> str | None:
    snupkg = pkg.write(folder, "x.snupkg", pkg.package({f"{FOLDER}/{n}": d for n, d in pdbs.items()}))
    nupkg = pkg.write(folder, "x.nupkg", pkg.package({f"{FOLDER}/{name}": dll}, symbols=False))
    with Artifacts(snupkg, nupkg) as a:
        results = validated(a)
        return _ANSWERS.get(results[0].outcome) if results else None  # None: not comparable (IsPortable, a bound)


def theirs(net, name: str, dll: bytes, pdbs: dict[str, bytes]) -> str:
    from System import BadImageFormatException, Func, String
    from System.IO import Stream

    files = {n.upper(): d for n, d in {**pdbs, name: dll}.items()}

    def open_read(path: str):
        data = files.get(path.rsplit("/", 1)[-1].upper())
        return net.stream(data) if data is not None else None  # null: not found, as FileNotFoundException is

    try:
        found, _, pdb_path = net.PEReader(net.immutable(dll)).TryOpenAssociatedPortablePdb(
            f"/x/{FOLDER}/{name}", Func[String, Stream](open_read), None, None)
    except BadImageFormatException:
        return "bad-image"
    except Exception:  # noqa: BLE001 - any other .NET exception: it escapes nuget.org's job
        return "escapes"
    return ("pdb-file" if pdb_path else "embedded-pdb") if found else "nothing"


def _name_windows_treats_apart(dll: bytes) -> bool:
    """Whether .NET Framework on Windows opens the CodeView file name differently from the file of that exact
    name (trims it, refuses it, or finds a folder): file-system semantics, which this suite does not compare."""
    try:
        codeview = read_pe(BytesSource(dll)).first_portable_codeview()
    except FormatError:
        return False
    return codeview is not None and netpath.opened_file_name(codeview.file_name) != (codeview.file_name or None, None)


def compare(net, corpus: Path) -> dict:
    rng = random.Random(11)
    kinds: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    compared = 0
    with tempfile.TemporaryDirectory(prefix="snupkg-lint-flow-") as tmp:
        for n, (name, dll, pdbs) in enumerate(cases(corpus)):
            for m, (variant, files) in enumerate(mutants(name, dll, pdbs, rng)):
                folder = Path(tmp) / f"{n}-{m}"
                mine = ours(folder, name, variant, files)
                if mine is None or _name_windows_treats_apart(variant):
                    continue
                net_answer = theirs(net, name, variant, files)
                compared += 1
                answers[net_answer] += 1
                if mine != net_answer:
                    kinds[f"{name}: ours {mine} / .NET {net_answer}"] += 1
    return {"compared": compared, "answers": dict(answers), "kinds": dict(kinds)}


def test_the_pdb_lookup_agrees_with_system_reflection_metadata(corpus):
    data = in_own_process("tests.test_differential_flow", str(corpus))
    assert data["compared"] > 1000 and not data["kinds"], data
    assert {"pdb-file", "embedded-pdb", "nothing", "bad-image", "escapes"} <= set(data["answers"]), data


if __name__ == "__main__":
    serve(lambda net: compare(net, Path(sys.argv[1])))
