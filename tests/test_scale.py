"""The structures that keep a check linear and flat (issue #6) answer exactly as the plain ways they replace:
the pairing index as a scan of every entry, the PE fast path as pefile.PE, the one-inflate read as zipfile,
and a batch on several processes as one process. Speed itself is measured by tools/benchmark.py."""

from __future__ import annotations

import io
import json
import ntpath
import random
import re
import uuid
import zipfile
from pathlib import Path

import pytest

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.cli import main
from snupkg_lint.formats import netpath
from snupkg_lint.formats.archive import LIVE_ENTRIES, ZipArchive
from snupkg_lint.formats.pe import CodeView, _PEHeaders, _well_formed_headers
from snupkg_lint.pairing import PairingIndex
from tests.factory import package as pkg
from tests.factory.pair import matched_pair
from tests.factory.pe import build_pe

# -- the pairing index against the scans it replaced ----------------------------------------------------------------


def reference_upper(text: str) -> str:
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def test_upper_invariant_is_the_per_character_mapping_for_every_code_point():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert netpath.upper_invariant(every) == reference_upper(every)
    assert netpath.upper_invariant("straße.pdb") == "STRAßE.PDB"  # not 'STRASSE': one character at a time
    assert netpath.upper_invariant("ıi") == "II"


def scan_assemblies_for(pdb, assemblies):
    key = reference_upper(netpath.without_extension(pdb.name))
    return [e for e in assemblies if reference_upper(netpath.without_extension(e.name)) == key]


def scan_pdb_beside(assembly, file_name, pdbs):
    folder = netpath.directory(assembly.name)
    wanted = reference_upper(f"{folder}\\{file_name}" if folder else file_name)
    for entry in pdbs:
        if netpath.extension(entry.name) == ".pdb" and reference_upper(entry.name.replace("/", "\\")) == wanted:
            return entry
    return None


def scan_extracted_for(assembly, pdbs):
    found = {reference_upper(netpath.without_extension(e.name)): e for e in pdbs if netpath.extension(e.name) == ".pdb"}
    return found.get(reference_upper(netpath.without_extension(assembly.name)))


FOLDERS = ["lib/net8.0", "LIB/Net8.0", "lib\\net8.0", "lib/net8.0/", "lib/İstanbul", "lib/istanbul", "lib/ISTANBUL",
           "lib/ıi", "lib/straße", "lib/STRASSE", "lib/STRAßE", "lib/%6Cib", "lib/a%2Fb", "", "runtimes/win-x64/lib/net8.0"]
STEMS = ["Contoso", "contoso", "CONTOSO", "Kâhya", "KÂHYA", "Größe", "GRÖSSE", "GRÖßE", "Cont%6Fso", "a.b", "ǅ", "ǆ"]
PDB_EXTENSIONS = [".pdb", ".PDB", ".Pdb", ".pdb ", "%2Epdb"]
PE_EXTENSIONS = [".dll", ".DLL", ".exe", ".Exe"]


def names(rng: random.Random, extensions: list[str], count: int) -> list[str]:
    out = []
    for _ in range(count):
        folder = rng.choice(FOLDERS)
        separator = "" if not folder or folder.endswith(("/", "\\")) else rng.choice(["/", "\\"])
        out.append(folder + separator + rng.choice(STEMS) + rng.choice(extensions))
    return out


def index_package(tmp_path: Path, seed: int) -> Artifacts:
    rng = random.Random(seed)
    pdbs = names(rng, PDB_EXTENSIONS, 60)
    assemblies = names(rng, PE_EXTENSIONS, 60)
    entries = [pkg.Entry(n, b"x") for n in pdbs] + [pkg.Entry(n, b"MZ") for n in assemblies]
    snupkg = pkg.write(tmp_path / str(seed), "S.snupkg", pkg.zip_bytes(entries[:60]))
    nupkg = pkg.write(tmp_path / str(seed), "S.nupkg", pkg.zip_bytes(entries[60:]))
    return Artifacts(snupkg, nupkg)


def reference_escapes_root(name: str) -> bool:
    """ValidatePackageEntriesAsync's check done the long way: every name through the drive and segment walk."""
    native = netpath.unescape(name).replace("/", "\\")
    if ntpath.splitdrive(native)[0] or native.startswith("\\") or (len(native) >= 2 and native[1] == ":"):
        return True
    depth = 0
    for part in native.split("\\"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", ".") and part.strip(" ."):
            depth += 1
    return depth == 0


SEGMENTS = ["lib", "net8.0", "..", ".", "", " ", ". .", "...", "a.", "b ", "C:", "c:x", "%2E%2E", "%2F", "x:y", "ok.pdb",
            "ok.pdb.", "ok.pdb ", "\\", "%5C"]


@pytest.mark.parametrize("seed", range(4))
def test_the_extraction_check_answers_as_the_segment_walk(seed):
    rng = random.Random(seed)
    tried = {"/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(1, 4))) for _ in range(4000)}
    outcomes = {netpath.escapes_root(n) for n in tried}
    assert outcomes == {True, False}, "the generated names must go both ways, or the comparison says nothing"
    for name in tried:
        assert netpath.escapes_root(name) == reference_escapes_root(name), name


def test_the_codeview_file_name_is_what_follows_the_last_separator():
    for path in ["C:\\src\\obj\\A.pdb", "/_/obj/A.pdb", "A.pdb", "C:A.pdb", "a/b\\c:d.pdb", "dir\\", ""]:
        assert CodeView(uuid.UUID(int=0), bytes(16), 1, path, True, None).file_name == re.split(r"[\\/:]", path)[-1]


@pytest.mark.filterwarnings("ignore:Duplicate name")  # duplicates are part of the test
@pytest.mark.parametrize("seed", range(8))
def test_pairing_index_answers_as_the_scans(tmp_path, seed):
    with index_package(tmp_path, seed) as a:
        pdbs, assemblies = a.snupkg.pdb_entries, a.nupkg.pe_entries
        index = PairingIndex(pdbs, assemblies)
        matched = 0
        for pdb in pdbs:
            assert index.assemblies_for(pdb) == scan_assemblies_for(pdb, assemblies)
            matched += bool(index.assemblies_for(pdb))
        for assembly in assemblies:
            assert index.extracted_pdb_for(assembly) == scan_extracted_for(assembly, pdbs)
            for file_name in {netpath.file_name(p.name) for p in pdbs} | {"missing.pdb", "CONTOSO.PDB"}:
                assert index.extracted_pdb_at(netpath.directory(assembly.name), file_name) == \
                    scan_pdb_beside(assembly, file_name, pdbs)
        assert matched, "the generated names must pair sometimes, or the comparison says nothing"


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_pairing_keeps_zip_order_and_the_first_or_last_duplicate(tmp_path):
    entries = [pkg.Entry("lib/A.pdb", b"1"), pkg.Entry("LIB/a.pdb", b"2"), pkg.Entry("lib\\A.dll", b"3"),
               pkg.Entry("lib/a.DLL", b"4")]
    snupkg = pkg.write(tmp_path, "S.snupkg", pkg.zip_bytes(entries[:2]))
    nupkg = pkg.write(tmp_path, "S.nupkg", pkg.zip_bytes(entries[2:]))
    with Artifacts(snupkg, nupkg) as a:
        first, second = a.snupkg.pdb_entries
        assert [e.name for e in a.assemblies_for(first)] == ["lib\\A.dll", "lib/a.DLL"]
        assert a.pairing.extracted_pdb_at("lib", "a.pdb") is first  # a lookup finds the first
        assert a.pairing.extracted_pdb_for(a.nupkg.pe_entries[0]) is second  # extraction: the later one wins


# -- readers: the fast paths against the libraries they stand in for -----------------------------------------------


def pe_samples(corpus: Path | None) -> list[bytes]:
    samples = [build_pe(), build_pe(pe32_plus=True), matched_pair("A").dll]
    if corpus is not None:
        samples += [p.read_bytes() for p in sorted(corpus.rglob("*")) if p.suffix.lower() in (".dll", ".exe")]
    return samples


def mutants(data: bytes, rng: random.Random, count: int) -> list[bytes]:
    e_lfanew = int.from_bytes(data[0x3C:0x40], "little")
    out = []
    for _ in range(count):
        buf = bytearray(data[: rng.choice([len(data), e_lfanew + 30, e_lfanew + 100, e_lfanew + 130, 70])])
        for _ in range(rng.randint(1, 3)):
            at = rng.choice([0, 1, 0x3C, 0x3D, e_lfanew, e_lfanew + 1, e_lfanew + 24, e_lfanew + 25,
                             rng.randrange(0, min(len(buf), e_lfanew + 140) or 1)])
            if at < len(buf):
                buf[at] = rng.randrange(256)
        out.append(bytes(buf))
    return out


def pefile_answer(prefix: bytes):
    try:
        pe = _PEHeaders(data=prefix, fast_load=True)
    except Exception as exc:
        return ("error", str(exc))
    return (pe.FILE_HEADER.Machine, pe.FILE_HEADER.TimeDateStamp, pe.FILE_HEADER.Characteristics,
            pe.FILE_HEADER.NumberOfSections, pe.OPTIONAL_HEADER.Magic, pe.OPTIONAL_HEADER.get_file_offset())


def test_pe_fast_path_reads_what_pefile_reads(request):
    corpus = request.getfixturevalue("corpus") if __import__("os").environ.get("SNUPKG_LINT_CORPUS") else None
    rng = random.Random(11)
    used = 0
    for data in pe_samples(corpus):
        for prefix in [data] + mutants(data, rng, 60):
            fast = _well_formed_headers(prefix)
            if fast is None:
                continue  # pefile.PE itself reads it (and words its errors)
            used += 1
            machine, sections, stamp, characteristics, magic, offset = fast
            assert pefile_answer(prefix) == (machine, stamp, characteristics, sections, magic, offset)
    assert used > (20 if corpus is not None else 2)  # without the corpus: the built PEs, and a mutant or so


def test_one_inflate_read_gives_zipfile_bytes_or_steps_aside(tmp_path):
    rng = random.Random(3)
    entries = [pkg.Entry(f"f{n}.bin", rng.randbytes(rng.choice([0, 1, 300, 70_000])),
                         compress_type=rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])) for n in range(40)]
    entries.append(pkg.Entry("ünïcode/名前.pdb", b"BSJB" * 100))
    data = bytearray(pkg.zip_bytes(entries))
    with ZipArchive(io.BytesIO(bytes(data)), len(data)) as archive:
        for entry in archive.entries:
            whole = archive._whole(entry)
            assert whole == archive._zip.read(entry._info) or (whole is None and entry.size > 0)
            assert b"".join(archive.chunks(entry)) == archive._zip.read(entry._info)
    crc = data.rfind(b"PK\x01\x02")  # the last central record: flip its CRC
    data[crc + 16] ^= 0xFF
    with ZipArchive(io.BytesIO(bytes(data)), len(data)) as archive:
        last = archive.entries[-1]
        assert archive._whole(last) is None  # a CRC that does not match: zipfile reads it and raises
        with pytest.raises(Exception, match="CRC"):
            b"".join(archive.chunks(last))


def _large_assemblies(corpus_path: Path | None) -> list[bytes]:
    """Assemblies over 64 KiB: one built in code (with overlay bytes after its sections) and the fixtures' own."""
    from tests.factory.assembly_metadata import debuggable_metadata

    built = build_pe(metadata=debuggable_metadata(modes=0x107)) + random.Random(8).randbytes(100_000)
    found = [built]
    for name, member in (("fsprojects.Paket/dapper.1.42.0.nupkg", "lib/net45/Dapper.dll"),
                         ("meziantou.Meziantou.Framework/meziantou.framework.2.6.0.nupkg",
                          "lib/netstandard2.0/Meziantou.Framework.dll")):
        if corpus_path is not None and (corpus_path / name).is_file():
            with zipfile.ZipFile(corpus_path / name) as zf:
                found.append(zf.read(member))
    return found


def test_an_assembly_read_whole_answers_as_one_read_through_the_zip_stream(tmp_path, monkeypatch):
    # Assemblies are read whole when opened (artifacts.WHOLE_READ_BYTES); read through the zip's stream instead,
    # every image, mutant and cut-short copy gives the same headers, debug directory, errors and DebuggableAttribute.
    import os

    from snupkg_lint import artifacts

    corpus_path = Path(os.environ["SNUPKG_LINT_CORPUS"]) if os.environ.get("SNUPKG_LINT_CORPUS") else None
    rng = random.Random(9)
    images = []
    for image in _large_assemblies(corpus_path):
        assert len(image) > 64 * 1024
        images.append(image)
        for _ in range(60):
            mutant = bytearray(image)
            for _ in range(rng.choice([1, 4, 16])):
                at = rng.randrange(len(mutant)) if rng.random() < 0.5 else rng.randrange(min(len(mutant), 4096))
                mutant[at] = rng.randrange(256)
            images.append(bytes(mutant))
        images += [image[:cut] for cut in rng.sample(range(64, 4096), 10) + rng.sample(range(4096, len(image)), 10)]
    files = {f"lib/net8.0/A{n:03}.dll": image for n, image in enumerate(images)}
    path = pkg.write(tmp_path, "Large.1.0.0.nupkg", pkg.package(files, symbols=False))

    def opened() -> list:
        with Artifacts(None, path) as a:
            return [(a.assembly(e).image, a.assembly(e).error, a.assembly(e).limited, a.assembly(e).uncaught,
                     a.debuggable(e)) for e in a.nupkg.pe_entries]

    whole = opened()
    monkeypatch.setattr(artifacts, "WHOLE_READ_BYTES", 0)
    streamed = opened()
    assert len(whole) == len(images) and whole == streamed
    assert sum(1 for image, *_ in whole if image is not None) > len(images) // 2  # most mutants still open
    assert any(error for _, error, *_ in whole)  # and some do not


def test_a_pdb_read_whole_gives_the_findings_of_one_read_through_the_zip_stream(tmp_path, monkeypatch):
    # PDBs are read whole when opened (artifacts.WHOLE_READ_BYTES: identity, debug information and hash from one
    # read); read through the zip's stream instead, large PDBs, their mutants and cut-short copies give the same
    # report, with the forked helper or without it.
    import hashlib

    from snupkg_lint import artifacts
    from snupkg_lint.engine import check_package
    from tests.conftest import NOW
    from tests.factory.pair import portable_pdb
    from tests.factory.pdb import CSHARP_GUID, SHA256_GUID

    source = b"class A { }\n" * 100
    documents = [(f"/_/src/Lib/F{n}/C{n}.cs" if n % 7 else f"C:\\Users\\me\\src\\C{n}.cs", SHA256_GUID,
                  hashlib.sha256(source if n == 0 else b"%d" % n).digest(), CSHARP_GUID) for n in range(1200)]
    link = '{"documents": {"/_/src/Lib/F1*": "https://raw.githubusercontent.com/o/r/' + "a" * 40 + '/*"}}'
    base = portable_pdb(documents=documents, embedded_sources={1: source, 2: b"x" * 300}, source_link=link)
    assert len(base) > 64 * 1024
    pair = matched_pair("Lib", pdb=base)
    rng = random.Random(13)
    pdbs = [base]
    for _ in range(40):
        mutant = bytearray(base)
        for _ in range(rng.choice([1, 3])):
            mutant[rng.randrange(len(mutant))] = rng.randrange(256)
        pdbs.append(bytes(mutant))
    pdbs += [base[:cut] for cut in rng.sample(range(100, len(base)), 6)]
    snupkg = pkg.write(tmp_path, "Lib.1.0.0.snupkg", pkg.package(
        {f"runtimes/r{n:02}/lib/net8.0/Lib.pdb": data for n, data in enumerate(pdbs)}, id="Lib", version="1.0.0"))
    nupkg = pkg.write(tmp_path, "Lib.1.0.0.nupkg", pkg.package(
        {f"runtimes/r{n:02}/lib/net8.0/Lib.dll": pair.dll for n in range(len(pdbs))}, id="Lib", version="1.0.0",
        symbols=False))

    def report(threads: int) -> list:
        found = check_package(snupkg, nupkg, now=NOW, threads=threads)
        return [(f.rule, f.message, f.entry, f.part, f.details) for f in found.findings] + [found.verdict]

    monkeypatch.setattr(artifacts, "PREFETCH_MIN_BYTES", 1)  # the helper too, for a package this small
    whole, forked = report(1), report(2)
    monkeypatch.setattr(artifacts, "WHOLE_READ_BYTES", 0)
    assert whole == forked == report(1) == report(2)
    rules = {found[0] for found in whole[:-1]}
    assert {"D008", "D010", "V105"} <= rules and len(rules) >= 6, rules


def test_one_inflate_read_never_trusts_a_compressed_size(tmp_path):
    data = bytearray(pkg.zip_bytes([pkg.Entry("a.pdb", b"BSJB" * 10)]))
    central = data.rfind(b"PK\x01\x02")
    data[central + 20 : central + 24] = (0xFFFFFFF0).to_bytes(4, "little")  # compressed size: almost 4 GiB
    asked = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            asked.append(size)
            return super().read(size)

    with ZipArchive(Recording(bytes(data)), len(data)) as archive:
        asked.clear()
        assert archive._whole(archive.entries[0]) is None  # left to zipfile, which reads in bounded chunks
    assert max(asked, default=0) < 1 << 20  # a real file's read(n) allocates n bytes before it reads


def test_memory_stays_flat_however_many_entries_are_read(tmp_path):
    files = {f"lib/d{n}/X{n}.pdb": bytes(100_000) for n in range(3 * LIVE_ENTRIES)}
    path = pkg.write(tmp_path, "Many.1.0.0.snupkg", pkg.package(files))
    with ZipArchive.open(path) as archive:
        sources = [archive.source(e) for e in archive.entries if e.name.endswith(".pdb")]
        for source in sources:
            assert source.read(70_000, 10) == bytes(10)
        assert len(archive._live) == LIVE_ENTRIES
        assert sum(1 for s in archive._live.values() if s.stream is not None) <= LIVE_ENTRIES
        assert sources[0].read(0, 4) == bytes(4)  # a released entry is simply inflated again


# -- batches: several processes, one answer --------------------------------------------------------------------------


def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    pair = matched_pair("Contoso.Lib")
    for n in range(6):
        snupkg = {"lib/net8.0/Contoso.Lib.pdb": pair.pdb}
        if n % 3 == 1:
            snupkg["lib/net8.0/Extra.dll"] = pair.dll  # rejected at push
        pkg.write(folder, f"P{n}.1.2.3.snupkg", pkg.package(snupkg))
        pkg.write(folder, f"P{n}.1.2.3.nupkg", pkg.package({"lib/net8.0/Contoso.Lib.dll": pair.dll}, symbols=False))
    return folder


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_jobs_give_the_same_report_in_the_same_order(tmp_path, capsys, monkeypatch, fmt):
    folder = batch(tmp_path)
    monkeypatch.chdir(tmp_path)
    one = run_cli(capsys, "check", "batch", "--jobs", "1", "--format", fmt, "--color", "never")
    many = run_cli(capsys, "check", "batch", "-j", "3", "--format", fmt, "--color", "never")
    assert one == many
    assert one[0] == 1
    if fmt == "json":
        paths = [p["path"] for p in json.loads(one[1])["packages"]]
        assert paths == sorted(paths) and len(paths) == 6
    assert sorted(p.name for p in folder.glob("*.snupkg"))  # nothing written beside them
    assert len(list(folder.iterdir())) == 12


def test_progress_bar_only_for_text_on_a_terminal(tmp_path, capsys, monkeypatch):
    batch(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    _, _, err = run_cli(capsys, "check", "batch", "-j", "2", "--color", "never")
    assert "checking" in err and "6/6" in err
    _, out, err = run_cli(capsys, "check", "batch", "-j", "2", "--format", "json")
    assert err == "" and json.loads(out)
    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    _, _, err = run_cli(capsys, "check", "batch", "-j", "2")
    assert err == ""


def test_jobs_must_be_positive(tmp_path, capsys):
    code, out, err = run_cli(capsys, "check", str(batch(tmp_path)), "--jobs", "0")
    assert code == 2 and out == "" and "--jobs" in err


def test_one_large_package_hashes_on_threads_with_the_same_result(tmp_path):
    from tests.factory.pair import portable_pdb

    dlls, pdbs = {}, {}
    for n in range(4):
        pair = matched_pair(f"Big{n}", pdb=portable_pdb(padding=200_000 + n))
        dlls[f"lib/net8.0/Big{n}.dll"], pdbs[f"lib/net8.0/Big{n}.pdb"] = pair.dll, pair.pdb
    pdbs["lib/net8.0/Big3.pdb"] = pdbs["lib/net8.0/Big3.pdb"][:-8] + b"changed!"  # one checksum mismatch
    snupkg = pkg.write(tmp_path, "Big.1.2.3.snupkg", pkg.package(pdbs))
    nupkg = pkg.write(tmp_path, "Big.1.2.3.nupkg", pkg.package(dlls, symbols=False))
    from snupkg_lint.engine import check_package

    alone, threaded = check_package(snupkg, nupkg, threads=1), check_package(snupkg, nupkg, threads=3)
    assert alone.findings == threaded.findings
    assert [f.rule for f in threaded.findings] == ["V107"]


def test_a_large_package_opened_on_forked_workers_gives_the_same_findings(tmp_path, monkeypatch):
    import snupkg_lint.artifacts as artifacts
    from snupkg_lint.engine import check_package

    monkeypatch.setattr(artifacts, "PREFETCH_MIN_FILES", 4)
    dlls, pdbs = {}, {}
    for n in range(12):
        pair = matched_pair(f"Lib{n}")
        dlls[f"lib/net8.0/Lib{n}.dll"], pdbs[f"lib/net8.0/Lib{n}.pdb"] = pair.dll, pair.pdb
    pdbs["lib/net8.0/Lib5.pdb"] = matched_pair("Other").pdb  # 251: another build's PDB
    pdbs["lib/net8.0/Lib7.pdb"] = b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0" + bytes(64)  # 252
    snupkg = pkg.write(tmp_path, "Many.1.2.3.snupkg", pkg.package(pdbs))
    nupkg = pkg.write(tmp_path, "Many.1.2.3.nupkg", pkg.package(dlls, symbols=False))
    opened = []
    monkeypatch.setattr(artifacts.Artifacts, "_merge", lambda self, part, merge=artifacts.Artifacts._merge:
                        (opened.append(len(part[0]) + len(part[1])), merge(self, part))[1])
    alone, forked = check_package(snupkg, nupkg, threads=1), check_package(snupkg, nupkg, threads=2)
    assert sum(opened) < 24  # of 12 PDBs and 12 assemblies, the helper is given the last (it may give them back)
    assert alone.findings == forked.findings
    assert {f.rule for f in forked.findings} >= {"V103", "V104"}


def test_the_benchmark_readers_read_every_pdb_and_assembly_once_over_two_processes(tmp_path):
    """tools/benchmark.py's "readers alone" bound reads each .pdb of the .snupkg and each .dll/.exe of the .nupkg
    once, dealt out over two processes where there are two CPUs, and goes past what cannot be read."""
    import os
    import subprocess
    import sys

    from tools.benchmark import READERS

    dlls, pdbs = {}, {}
    for n in range(5):
        pair = matched_pair(f"Lib{n}")
        dlls[f"lib/net8.0/Lib{n}.dll"], pdbs[f"lib/net8.0/Lib{n}.pdb"] = pair.dll, pair.pdb
    pdbs["lib/net8.0/Broken.pdb"] = b"BSJB" + bytes(40)  # a portable PDB's signature, then nothing it can read
    dlls["lib/net8.0/Native.dll"] = b"MZ" + bytes(30)  # no PE image
    dlls["lib/net8.0/readme.txt"] = b"not read"
    snupkg = pkg.write(tmp_path, "Bound.1.2.3.snupkg", pkg.package(pdbs))
    nupkg = pkg.write(tmp_path, "Bound.1.2.3.nupkg", pkg.package(dlls, symbols=False))
    broken_zip = pkg.write(tmp_path, "Cut.1.2.3.snupkg", b"PK\x03\x04" + bytes(20))
    done = subprocess.run([sys.executable, "-c", READERS, snupkg, nupkg, broken_zip], capture_output=True, text=True,
                          env={**os.environ, "WHOLE_READ_BYTES": "8388608"}, check=False)
    assert done.returncode == 0, done.stderr
    lines = [re.fullmatch(r"read (\d+) of (\d+) files, (\d+) unreadable", line) for line in done.stderr.splitlines()]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert all(lines) and len(lines) == min(2, cpus)
    assert {int(m[2]) for m in lines} == {12}  # 6 PDBs and 6 assemblies; not the text file
    assert sum(int(m[1]) for m in lines) == 12
    assert sum(int(m[3]) for m in lines) == 2  # the broken PDB and the native DLL
