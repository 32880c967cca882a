"""Measure snupkg-lint against the floor: how its cost grows with the package, and what --jobs buys.

    python tools/benchmark.py                    # every built-in scenario (about two minutes on 2 cores)
    python tools/benchmark.py --quick            # the small rows only
    python tools/benchmark.py --pair X.dll X.pdb # replicate another real DLL/PDB pair
    python tools/benchmark.py A.snupkg ...       # your packages (their sibling .nupkg is used)

Every measurement is a child process, timed by wall clock (the median of --repeat runs) and sized by its
peak resident set (getrusage of that child alone, so imports, zip directories and caches all count). The
children import compiled bytecode, as an installed snupkg-lint does (pip compiles it at install time): it is
cached in the temporary folder (PYTHONPYCACHEPREFIX) and warmed by one unmeasured run, even where the
environment sets PYTHONDONTWRITEBYTECODE (which would otherwise make every run compile the sources again):

- ``snupkg-lint``: ``python -m snupkg_lint check --format json PACKAGE`` with the default --jobs;
- the floor: a plain Python script that opens both zips, inflates every entry and SHA-256-hashes every .pdb,
  which is the least any tool that validates symbols must do; ratio = snupkg-lint / floor;
- readers alone: snupkg-lint's readers over every PDB and assembly, dealt out over two processes as its forked
  helper does, with no rule and no output (READERS), and its ratio to the floor: the least its readers can take;
- findings: how many the package's report holds (from one more, untimed run): the real pair has no Source Link and
  build-machine paths, so each copy draws three warnings, and the report of 5,000 pairs holds 15,000 findings.

Scenarios: one real Roslyn-built DLL/PDB pair (ClrLoader from the clr_loader package when it is installed,
else nuget.org's own test library from the fixtures, else one built in code), copied into N folders
(``runtimes/rNNNNN/lib/net8.0/``) with a distinct PDB id per copy, so no two files are alike; the same pair
with its PDB padded to 600 KB (PdbChecksum recomputed) in 180 folders, about 109 MB inflated; a .snupkg of
50,000 small PDB entries and no .nupkg; 5,000 copies of a pair from the fixtures that draws no finding (a
deterministic build with Source Link and embedded sources: see clean_pair), when the fixtures are there; a small
package against ``python -c pass``; and 40 copies of the 180-pair package checked with ``--jobs 1`` and with the
default. Timing lives here, not in tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from snupkg_lint.artifacts import WHOLE_READ_BYTES  # noqa: E402
from snupkg_lint.cli import sibling_nupkg  # noqa: E402
from snupkg_lint.engine import default_jobs  # noqa: E402
from snupkg_lint.formats.pdb import PortablePdb  # noqa: E402
from snupkg_lint.formats.pe import read_pe  # noqa: E402
from snupkg_lint.formats.source import BytesSource  # noqa: E402
from tests.factory import package as pkg  # noqa: E402
from tests.factory.pair import matched_pair, portable_pdb  # noqa: E402

FLOOR = """
import hashlib, sys, zipfile
for path in sys.argv[1:]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            with zf.open(info) as f:
                h = hashlib.sha256() if info.filename.lower().endswith(".pdb") else None
                while chunk := f.read(1 << 20):
                    if h:
                        h.update(chunk)
"""
# The readers alone: what every check needs read, with none of the checking. Each .pdb of the .snupkg inflated whole,
# opened, its debug information read (documents, Source Link, embedded sources, compiler options) and hashed as
# PdbChecksum; each .dll/.exe of the .nupkg inflated whole, its headers and debug directory read and its
# DebuggableAttribute found. The files are dealt out one by one over two processes where there are two CPUs, as
# snupkg-lint opens a package's files in itself and one forked helper (the second forked after the zip directories
# are read, with a file handle of its own): perfectly balanced, and no pairing, no rule, no finding, no output. So
# this is the least snupkg-lint's own readers can take on this machine.
READERS = """
import os, sys
from snupkg_lint.formats.archive import ArchiveError, ZipArchive, held_source
from snupkg_lint.formats.debug_info import read_debug_info
from snupkg_lint.formats.netpath import extension
from snupkg_lint.formats.pdb import PortablePdb, sniff
from snupkg_lint.formats.pdb_checksum import checksum_with_id_zeroed
from snupkg_lint.formats.pe import read_pe
from snupkg_lint.formats.pe_metadata import read_debuggable
from snupkg_lint.formats.source import FormatError

WHOLE = int(os.environ["WHOLE_READ_BYTES"])  # read whole up to this size, as snupkg-lint does (artifacts.py)

def read_pdb(archive, entry):
    data = archive.small(entry, WHOLE)
    source = held_source(entry, data) if data is not None else archive.source(entry).held()
    if sniff(source.head(64)) == "portable":
        pdb = PortablePdb.open(source)
        read_debug_info(pdb)
        checksum_with_id_zeroed((data,) if data is not None else archive.chunks(entry), pdb.id_offset, "SHA256")

def read_assembly(archive, entry):
    data = archive.small(entry, WHOLE)
    source = held_source(entry, data) if data is not None else archive.source(entry)
    image = read_pe(source)
    if image.is_dotnet:
        read_debuggable(source, image.metadata)

work = []
for path in sys.argv[1:]:
    try:
        archive = ZipArchive.open(path)
    except ArchiveError:  # nothing for the readers: snupkg-lint reports the zip itself
        continue
    kind = (".pdb",) if path.lower().endswith(".snupkg") else (".dll", ".exe")
    read = read_pdb if kind == (".pdb",) else read_assembly
    work += [(read, archive, e) for e in archive.entries if extension(e.name).lower() in kind]
cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
jobs = min(2, cpus, max(1, len(work)))  # snupkg-lint's own: this process and one forked helper (Artifacts.prefetch)
share = 0
for share in range(jobs - 1, 0, -1):
    if os.fork() == 0:
        break
else:
    share = 0
done = unreadable = 0
for read, archive, entry in work[share::jobs]:
    archive.own_handle()
    try:
        read(archive, entry)
    except (ArchiveError, FormatError):
        unreadable += 1
    done += 1
sys.stderr.write(f"read {done} of {len(work)} files, {unreadable} unreadable\\n")  # for tests
if share:
    os._exit(0)
for _ in range(jobs - 1):
    os.wait()
"""
SCALING = (1, 10, 100, 1000, 5000)
BIG_PAIRS, BIG_PDB_BYTES = 180, 600_000
MANY_ENTRIES = 50_000
BATCH_COPIES = 40


# -- a real pair, made distinct per copy ---------------------------------------------------------------------
@dataclass(frozen=True)
class RealPair:
    name: str
    origin: str
    dll: bytes
    pdb: bytes

    def copy(self, n: int, pad: bytes = b"") -> tuple[bytes, bytes]:
        """The pair with PDB id GUID n (in the PDB and the DLL's CodeView entry) and `pad` appended to the PDB,
        its PdbChecksum recomputed: still a pair nuget.org validates, but no two copies share bytes."""
        pdb = bytearray(self.pdb + pad)
        reader = PortablePdb.open(BytesSource(bytes(pdb)))
        guid = uuid.UUID(int=(uuid.UUID(bytes_le=reader.id[:16]).int ^ (n + 1) << 32)).bytes_le
        pdb[reader.id_offset : reader.id_offset + 16] = guid
        dll = bytearray(self.dll)
        image = read_pe(BytesSource(bytes(dll)))
        codeview = image.portable_codeview_entry()
        dll[codeview.pointer + 4 : codeview.pointer + 20] = guid
        for record in image.pdb_checksums():
            zeroed = pdb[: reader.id_offset] + bytes(20) + pdb[reader.id_offset + 20 :]
            digest = hashlib.new(record.algorithm.lower(), zeroed).digest()
            at = record.entry.pointer + len(record.algorithm) + 1
            dll[at : at + len(digest)] = digest
        return bytes(dll), bytes(pdb)


def find_pair(named: list[str] | None) -> RealPair:
    if named:
        dll, pdb = (Path(p) for p in named)
        return RealPair(dll.stem, str(dll), dll.read_bytes(), pdb.read_bytes())
    try:
        import importlib.util

        spec = importlib.util.find_spec("clr_loader")
        if spec and spec.origin:
            folder = Path(spec.origin).parent / "ffi" / "dlls" / "amd64"
            if (folder / "ClrLoader.dll").is_file():
                return RealPair("ClrLoader", "clr_loader (PyPI): ffi/dlls/amd64/ClrLoader.{dll,pdb}",
                                (folder / "ClrLoader.dll").read_bytes(), (folder / "ClrLoader.pdb").read_bytes())
    except ImportError:
        pass
    corpus = Path(os.environ.get("SNUPKG_LINT_CORPUS", ROOT.parent / "shared" / "fixtures"))
    baseline = corpus / "NuGet.NuGetGallery" / "0-baseline"
    if (baseline / "testlib.dll").is_file():
        return RealPair("testlib", "fixtures NuGet.NuGetGallery/0-baseline/testlib.{dll,pdb}",
                        (baseline / "testlib.dll").read_bytes(), (baseline / "testlib.pdb").read_bytes())
    built = matched_pair("Contoso.Lib")
    return RealPair("Contoso.Lib", "built in code by tests/factory", built.dll, built.pdb)


CLEAN_PACKAGE = ("meziantou.Meziantou.Framework", "Release_Deterministic_Snupkg.1.0.0", "lib/net6.0/samplelib")


def clean_pair() -> RealPair | None:
    """A pair from the fixtures that draws no finding: a deterministic SDK build with Source Link and its generated
    sources embedded (the .NET SDK's defaults since Source Link ships with it), so every PDB's embedded sources are
    inflated and hashed. None without the fixtures."""
    import zipfile

    corpus = Path(os.environ.get("SNUPKG_LINT_CORPUS", ROOT.parent / "shared" / "fixtures"))
    folder, package, stem = CLEAN_PACKAGE
    try:
        with zipfile.ZipFile(corpus / folder / f"{package}.nupkg") as nupkg, \
                zipfile.ZipFile(corpus / folder / f"{package}.snupkg") as snupkg:
            return RealPair(stem.rsplit("/", 1)[1], f"fixtures {folder}/{package}.{{nupkg,snupkg}}: {stem}.{{dll,pdb}}",
                            nupkg.read(f"{stem}.dll"), snupkg.read(f"{stem}.pdb"))
    except (OSError, KeyError, zipfile.BadZipFile):
        return None


# -- packages ------------------------------------------------------------------------------------------------
def write_pairs(folder: Path, label: str, pair: RealPair, count: int, pad: bytes = b"") -> tuple[str, str]:
    dlls, pdbs = {}, {}
    for n in range(count):
        dll, pdb = pair.copy(n, pad)
        dlls[f"runtimes/r{n:05}/lib/net8.0/{pair.name}.dll"] = dll
        pdbs[f"runtimes/r{n:05}/lib/net8.0/{pair.name}.pdb"] = pdb
    package_id = f"Bench.{label}"
    nupkg = pkg.write(folder, f"{package_id}.1.0.0.nupkg", pkg.package(dlls, id=package_id, version="1.0.0",
                                                                      symbols=False))
    snupkg = pkg.write(folder, f"{package_id}.1.0.0.snupkg", pkg.package(pdbs, id=package_id, version="1.0.0"))
    return snupkg, nupkg


def write_many_entries(folder: Path) -> str:
    pdb = portable_pdb()
    files = {f"lib/net8.0/d{n // 1000:02}/Lib{n:05}.pdb": pdb for n in range(MANY_ENTRIES)}
    return pkg.write(folder, "Bench.Entries.1.0.0.snupkg", pkg.package(files, id="Bench.Entries", version="1.0.0"))


def padding(size: int) -> bytes:
    """Bytes that deflate about as well as a real PDB's heaps (2-3:1)."""
    rng = random.Random(6)
    return bytes(rng.choices(range(32, 127), weights=[4 if 65 <= c <= 122 else 1 for c in range(32, 127)], k=size))


# -- measuring -----------------------------------------------------------------------------------------------
@dataclass
class Run:
    seconds: float
    rss_mb: float
    exit: int


# Each measured command is started by this small launcher, not by the benchmark itself: Linux carries a process's
# peak RSS across exec, so a child forked from this (larger) process would report at least this process's size.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(argv: list[str], repeat: int) -> Run:
    times, peak, code = [], 0, 0
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, *argv], capture_output=True, text=True,
                             cwd=tempfile.gettempdir(), check=True).stdout.split()
        times.append(float(out[0]))
        peak = max(peak, int(out[1]))
        code = int(out[2])
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return Run(statistics.median(times), peak / scale, code)


def bytecode_cache(folder: Path, pair: RealPair) -> None:
    """Let the measured children import bytecode, compiled into `folder` by one unmeasured run of each command
    over a one-pair package, as an installed tool does."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    warm = list(write_pairs(folder / "warm-up", "WarmUp", pair, 1))
    for argv in (lint(warm[:1]), floor(warm)):
        subprocess.run(argv, capture_output=True, cwd=tempfile.gettempdir(), check=False)


def lint(paths: list[str], *extra: str) -> list[str]:
    return [sys.executable, "-m", "snupkg_lint", "check", "--format", "json", *extra, *paths]


def floor(paths: list[str]) -> list[str]:
    return [sys.executable, "-c", FLOOR, *paths]


def readers(paths: list[str]) -> list[str]:
    return [sys.executable, "-c", READERS, *paths]


os.environ["WHOLE_READ_BYTES"] = str(WHOLE_READ_BYTES)  # for READERS, which imports the readers alone


def inflated_mb(paths: list[str]) -> float:
    import zipfile

    total = 0
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            total += sum(i.file_size for i in zf.infolist())
    return total / 1e6


def findings(paths: list[str]) -> str:
    """How many findings the report of the package holds (one more run, not timed): a report of many findings costs
    more to make and write than a clean one."""
    out = subprocess.run(lint(paths[:1]), capture_output=True, cwd=tempfile.gettempdir(), check=False).stdout
    try:
        return f"{sum(len(p['findings']) for p in json.loads(out)['packages']):,}"
    except (ValueError, KeyError, TypeError):
        return "?"


def row(label: str, paths: list[str], repeat: int) -> str:
    """paths: the .snupkg, then its .nupkg if any (found by snupkg-lint beside it; opened by the floor)."""
    ours, base, least = run(lint(paths[:1]), repeat), run(floor(paths), repeat), run(readers(paths), repeat)
    return (f"| {label} | {inflated_mb(paths):,.1f} MB | {findings(paths)} | {base.seconds:.2f} s | "
            f"{least.seconds:.2f} s ({least.seconds / base.seconds:.2f}×) | {ours.seconds:.2f} s | "
            f"{ours.seconds / base.seconds:.2f}× | {ours.rss_mb:.0f} MB | {base.rss_mb:.0f} MB |")


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {default_jobs()} CPUs, Python {platform.python_version()} ({platform.system()} "
            f"{platform.release()})")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", help="packages of your own (default: the built-in scenarios)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument("--pair", nargs=2, metavar=("DLL", "PDB"), help="the real pair to replicate")
    parser.add_argument("--quick", action="store_true",
                        help="only the rows up to 100 pairs (of each pair), and the start-up row")
    args = parser.parse_args(argv)
    header = ("| package | inflated | findings | floor | readers alone | snupkg-lint | ratio | peak RSS | floor RSS |\n"
              "|---|---|---|---|---|---|---|---|---|")
    print(f"machine: {machine()}; median of {args.repeat} runs\n")
    if args.packages:
        with tempfile.TemporaryDirectory(prefix="snupkg-lint-bench-") as tmp:
            bytecode_cache(Path(tmp), find_pair(args.pair))
            print(header)
            for path in args.packages:
                nupkg = sibling_nupkg(path)
                print(row(Path(path).name, [path] + ([nupkg] if nupkg else []), args.repeat), flush=True)
        return 0
    pair = find_pair(args.pair)
    print(f"pair: {pair.name} ({len(pair.dll):,} + {len(pair.pdb):,} bytes) from {pair.origin}\n")
    with tempfile.TemporaryDirectory(prefix="snupkg-lint-bench-") as tmp:
        folder = Path(tmp)
        bytecode_cache(folder, pair)
        print(header)
        for count in SCALING if not args.quick else SCALING[:3]:
            paths = list(write_pairs(folder / f"n{count}", f"Pairs{count}", pair, count))
            print(row(f"{count:,} pair{'s' if count != 1 else ''}", paths, args.repeat), flush=True)
        if not args.quick:
            big = list(write_pairs(folder / "big", "Big", pair, BIG_PAIRS, padding(BIG_PDB_BYTES - len(pair.pdb))))
            print(row(f"{BIG_PAIRS} pairs, {BIG_PDB_BYTES // 1000} KB PDBs", big, args.repeat), flush=True)
            many = [write_many_entries(folder / "many")]
            print(row(f"{MANY_ENTRIES:,} small entries (.snupkg only)", many, args.repeat), flush=True)
        clean = clean_pair()
        if clean is not None:
            count = SCALING[-1] if not args.quick else SCALING[2]
            paths = list(write_pairs(folder / "clean", f"Clean{count}", clean, count))
            print(row(f"{count:,} pairs of {clean.name}: Source Link, embedded sources", paths, args.repeat),
                  flush=True)

        small = list(write_pairs(folder / "n1", "Pairs1", pair, 1)) if args.quick else \
            [str(folder / "n1" / "Bench.Pairs1.1.0.0.snupkg"), str(folder / "n1" / "Bench.Pairs1.1.0.0.nupkg")]
        python = run([sys.executable, "-c", "pass"], args.repeat * 3)
        one = run(lint(small[:1]), args.repeat * 3)
        print(f"\nstart-up: `python -c pass` {python.seconds:.3f} s; one small package {one.seconds:.3f} s "
              f"(+{one.seconds - python.seconds:.3f} s)")

        if not args.quick:
            batch = folder / "batch"
            batch.mkdir()
            for n in range(BATCH_COPIES):  # hard links: 40 packages, one copy on disk
                for source in big:
                    suffix = ".snupkg" if source.endswith(".snupkg") else ".nupkg"
                    os.link(source, batch / f"Copy{n:02}.1.0.0{suffix}")
            serial = run(lint([str(batch)], "--jobs", "1"), args.repeat)
            parallel = run(lint([str(batch)]), args.repeat)
            print(f"--jobs: {BATCH_COPIES} copies of the {BIG_PAIRS}-pair package: --jobs 1 {serial.seconds:.2f} s, "
                  f"--jobs {default_jobs()} {parallel.seconds:.2f} s: {serial.seconds / parallel.seconds:.2f}× "
                  f"(peak RSS {serial.rss_mb:.0f} / {parallel.rss_mb:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
