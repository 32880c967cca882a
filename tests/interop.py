"""Microsoft's own readers, loaded into the test process: System.Reflection.Metadata on the .NET Core 3.1
runtime that the `dotnetcore2` package ships, through pythonnet (`pip install '.[interop]'`).

`load()` returns the loaded namespace, or the reason it cannot be loaded. Load it only in a process of its own
(`in_own_process` runs one, the differential tests use it): a process with .NET in it must not fork."""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from types import SimpleNamespace

RUNTIME = "3.1.23"


@lru_cache(maxsize=1)
def load() -> SimpleNamespace | str:
    try:
        import clr_loader
        import dotnetcore2
        import pythonnet
    except ImportError as exc:
        return f"the .NET interop packages are not installed (pip install '.[interop]'): {exc}"
    root = os.path.join(os.path.dirname(dotnetcore2.__file__), "bin")
    config = os.path.join(tempfile.mkdtemp(prefix="snupkg-lint-clr-"), "runtimeconfig.json")
    with open(config, "w") as handle:
        json.dump({"runtimeOptions": {"tfm": "netcoreapp3.1",
                                      "framework": {"name": "Microsoft.NETCore.App", "version": RUNTIME},
                                      "configProperties": {"System.Globalization.Invariant": True}}}, handle)
    try:
        pythonnet.set_runtime(clr_loader.get_coreclr(runtime_config=config, dotnet_root=root))
        import clr

        clr.AddReference("System.Reflection.Metadata")
        clr.AddReference("System.Collections.Immutable")
        from System import Array, Byte
        from System.Collections.Immutable import ImmutableArray
        from System.Reflection.Metadata import MetadataReaderProvider
        from System.Reflection.PortableExecutable import DebugDirectoryEntryType, PEReader
    except Exception as exc:  # a runtime that cannot start here: say why
        return f".NET Core {RUNTIME} cannot be loaded through pythonnet: {type(exc).__name__}: {exc}"

    import ctypes

    from System import IntPtr
    from System.IO import MemoryStream
    from System.Runtime.InteropServices import Marshal

    def byte_array(data: bytes):
        # Array[Byte](data) converts byte by byte (18 ms for 35 KB); one Marshal.Copy is a memcpy.
        buffer = ctypes.create_string_buffer(data, len(data))
        array = Array.CreateInstance(Byte, len(data))
        Marshal.Copy(IntPtr(ctypes.addressof(buffer)), array, 0, len(data))
        return array

    def immutable(data: bytes):
        return ImmutableArray.Create[Byte](byte_array(data))

    def stream(data: bytes):
        """A read-only, seekable MemoryStream over a copy of `data` (what File.OpenRead gives SRM)."""
        return MemoryStream(byte_array(data), False)

    return SimpleNamespace(PEReader=PEReader, MetadataReaderProvider=MetadataReaderProvider,
                           DebugDirectoryEntryType=DebugDirectoryEntryType, immutable=immutable, stream=stream)


def in_own_process(module: str, *args: str) -> dict:
    """Run `python -m <module> <args>` in a process of its own (once .NET is loaded into a process, forking it, as
    --jobs and its tests do, is not safe) and return the JSON object it prints last; skip (fail under CI) when
    .NET cannot be loaded there."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import require

    result = subprocess.run([sys.executable, "-m", module, *args], cwd=Path(__file__).resolve().parent.parent,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    require("unavailable" not in data, data.get("unavailable", ""))
    return data


def serve(compare) -> None:
    """The `__main__` of a differential test module: load .NET here and print `compare(net)` as JSON, or why .NET
    cannot be loaded."""
    loaded = load()
    print(json.dumps({"unavailable": loaded} if isinstance(loaded, str) else compare(loaded)))
