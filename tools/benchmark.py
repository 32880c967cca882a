"""Measure snupkg-lint's speed and memory on generated packages (or on packages you name).

    python tools/benchmark.py                 # the built-in scenarios
    python tools/benchmark.py A.snupkg ...    # your packages (their sibling .nupkg is used)
    python tools/benchmark.py --repeat 5

For each package: the median wall time of `check_package` over the repeats, the peak of Python
allocations during one check (tracemalloc), and the package size. Timing lives here, not in tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from snupkg_lint.cli import sibling_nupkg  # noqa: E402
from snupkg_lint.engine import check_package  # noqa: E402
from tests.factory import package as pkg  # noqa: E402
from tests.factory.pair import matched_pair, portable_pdb  # noqa: E402


def scenarios(folder: Path) -> list[tuple[str, str, str | None]]:
    """(label, snupkg, nupkg) for: one small pair; 100 assemblies; one 50 MB PDB; a push-rejected package."""
    out = []
    small = matched_pair("Small")
    out.append(_pair(folder, "1 small pair", "Small", {"Small": small}))
    many = {f"Lib{n:03}": matched_pair(f"Lib{n:03}") for n in range(100)}
    out.append(_pair(folder, "100 assemblies", "Many", many))
    big = matched_pair("Big", pdb=portable_pdb(padding=50_000_000))
    out.append(_pair(folder, "one 50 MB PDB", "Big", {"Big": big}))
    bad = pkg.package({"lib/net8.0/Bad.pdb": small.pdb, "lib/net8.0/Bad.dll": small.dll},
                      nuspec=pkg.nuspec_xml("Bad", authors="x"))
    out.append(("push-rejected", pkg.write(folder, "Bad.1.0.0.snupkg", bad), None))
    return out


def _pair(folder: Path, label: str, id: str, pairs: dict) -> tuple[str, str, str]:
    dlls = {f"lib/net8.0/{name}.dll": p.dll for name, p in pairs.items()}
    pdbs = {f"lib/net8.0/{name}.pdb": p.pdb for name, p in pairs.items()}
    nupkg = pkg.write(folder, f"{id}.1.0.0.nupkg", pkg.package(dlls, id=id, version="1.0.0", symbols=False))
    snupkg = pkg.write(folder, f"{id}.1.0.0.snupkg", pkg.package(pdbs, id=id, version="1.0.0"))
    return label, snupkg, nupkg


def measure(snupkg: str, nupkg: str | None, repeat: int) -> tuple[float, int, str]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        report = check_package(snupkg, nupkg)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    check_package(snupkg, nupkg)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak, report.verdict


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cases = ([(p, p, sibling_nupkg(p)) for p in args.packages] if args.packages else scenarios(Path(tmp)))
        print(f"{'package':<28} {'size':>12} {'median':>10} {'peak alloc':>12}  verdict")
        for label, snupkg, nupkg in cases:
            seconds, peak, verdict = measure(snupkg, nupkg, args.repeat)
            size = Path(snupkg).stat().st_size
            print(f"{label:<28} {size:>12,} {seconds * 1000:>8.1f}ms {peak / 1024:>10,.0f}KB  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
