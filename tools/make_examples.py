"""Build example packages to try snupkg-lint on, without owning a .snupkg.

    python tools/make_examples.py DIR

writes three pairs laid out as `dotnet pack` writes them (built in code by the test factory, so
nothing binary is stored in the repository):

- DIR/good/Contoso.Lib.1.2.3.{nupkg,snupkg}: DLL and portable PDB from one build; nuget.org accepts it.
- DIR/push-rejected/Contoso.Broken.1.0.0.{nupkg,snupkg}: a hand-made .snupkg with <authors>, a DLL and
  an upper-case .PDB; the push fails with HTTP 400.
- DIR/validation-failed/Contoso.Mismatch.2.0.0.{nupkg,snupkg}: one PDB from another build and one
  Windows PDB; the push succeeds, then symbol validation fails.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.factory import package as pkg  # noqa: E402
from tests.factory.pair import matched_pair  # noqa: E402
from tests.factory.pdb import build_windows_pdb  # noqa: E402
from tests.factory.pe import CodeViewSpec, build_pe  # noqa: E402


def pair(folder: Path, id: str, version: str, dlls: dict[str, bytes], pdbs: dict[str, bytes], **snupkg_kw) -> None:
    base = f"{id}.{version}"
    pkg.write(folder, f"{base}.nupkg", pkg.package(dlls, id=id, version=version, symbols=False))
    pkg.write(folder, f"{base}.snupkg", pkg.package(pdbs, id=id, version=version, **snupkg_kw))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0])
    lib = matched_pair("Contoso.Lib")
    pair(out / "good", "Contoso.Lib", "1.2.3", {"lib/net8.0/Contoso.Lib.dll": lib.dll},
         {"lib/net8.0/Contoso.Lib.pdb": lib.pdb})

    broken = matched_pair("Contoso.Broken")
    nuspec = pkg.nuspec_xml("Contoso.Broken", "1.0.0", authors="Contoso Ltd.")
    pair(out / "push-rejected", "Contoso.Broken", "1.0.0", {"lib/net8.0/Contoso.Broken.dll": broken.dll},
         {"lib/net8.0/Contoso.Broken.pdb": broken.pdb, "lib/net8.0/Contoso.Broken.dll": broken.dll,
          "lib/net8.0/Contoso.Broken.Helpers.PDB": broken.pdb}, nuspec=nuspec)

    today = matched_pair("Contoso.Mismatch")
    guid = uuid.UUID("6b7f9871-8ecf-459b-9f0c-b85faf35f0c7")
    windows_dll = build_pe(codeview=[CodeViewSpec(guid, path="C:\\src\\obj\\Contoso.Native.pdb", portable=False)])
    pair(out / "validation-failed", "Contoso.Mismatch", "2.0.0",
         {"lib/net8.0/Contoso.Mismatch.dll": today.dll, "lib/net8.0/Contoso.Native.dll": windows_dll},
         {"lib/net8.0/Contoso.Mismatch.pdb": _other_build_pdb(), "lib/net8.0/Contoso.Native.pdb": build_windows_pdb(guid, 1)})
    print(f"wrote example packages under {out}/")
    return 0


def _other_build_pdb() -> bytes:
    """The PDB of a different build of Contoso.Mismatch (one more source file)."""
    return matched_pair("Contoso.Mismatch.Other").pdb


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
