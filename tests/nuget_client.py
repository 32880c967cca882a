"""The real NuGet client: NuGet.exe 5.8.0 (npm `nuget-exe@5.8.0`) on Debian's Mono, which `.ci/run` installs and
names in SNUPKG_LINT_NUGET_EXE (../shared/reference/nuget-client-push-protocol.md §13).

`client()` gives the command line that runs it, or the reason it cannot run here; `load()` loads its public
NuGet.Packaging / Versioning / Frameworks types through pythonnet on Mono. Load it only in a process of its own:
a process holds one .NET runtime (tests/interop.py loads .NET Core), and a process with a runtime must not fork."""

from __future__ import annotations

import os
import shutil
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

SHA256 = "5c5b9c96165d3283b2cb9e5b65825d343e0e7139b9e70a250b4bb24c2285f3ba"
DEFAULT = Path.home() / ".cache" / "snupkg-lint-ci" / "node_modules" / "nuget-exe" / "nuget-5.8.0.exe"


def exe() -> Path | str:
    """The path of nuget-5.8.0.exe, or why there is none."""
    named = os.environ.get("SNUPKG_LINT_NUGET_EXE")
    path = Path(named) if named else DEFAULT
    if not path.is_file():
        return f"NuGet.exe 5.8.0 is not installed (.ci/run installs it; set SNUPKG_LINT_NUGET_EXE): {path}"
    return path


def client() -> list[str] | str:
    """`mono nuget-5.8.0.exe` as an argument list, or why it cannot run here."""
    path = exe()
    if isinstance(path, str):
        return path
    mono = shutil.which("mono")
    if mono is None:
        return "Mono is not installed (.ci/run installs Debian's mono-runtime)"
    return [mono, str(path)]


@lru_cache(maxsize=1)
def load() -> SimpleNamespace | str:
    """NuGet.exe's assembly loaded into this process on Mono, or the reason it cannot be."""
    path = exe()
    if isinstance(path, str):
        return path
    try:
        import warnings

        import clr_loader
        import pythonnet
    except ImportError as exc:
        return f"the .NET interop packages are not installed (pip install '.[interop]'): {exc}"
    if not Path("/usr/lib/mono/4.5/Facades/netstandard.dll").is_file():
        return "Mono's netstandard facade is missing (Debian's mono-devel ships it; .ci/run installs it)"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Hosting Mono versions before v6.12 is known to be problematic"
            pythonnet.set_runtime(clr_loader.get_mono())
        import clr

        assembly = clr.AddReference(str(path))
    except Exception as exc:  # a runtime that cannot start here: say why
        return f"Mono cannot load {path.name} through pythonnet: {type(exc).__name__}: {exc}"
    return SimpleNamespace(assembly=assembly, path=path)
