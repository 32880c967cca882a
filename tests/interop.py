"""Microsoft's own readers, loaded into the test process: System.Reflection.Metadata on the .NET Core 3.1
runtime that the `dotnetcore2` package ships, through pythonnet (`pip install '.[interop]'`).

`load()` returns the loaded namespace, or the reason it cannot be loaded. Load it only in a process of its own
(tests/test_differential_srm.py runs one): a process with .NET in it must not fork."""

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
        from System.Reflection.Metadata import (HandleKind, MemberReferenceHandle, MetadataReaderProvider,
                                                PEReaderExtensions, TypeReferenceHandle)
        from System.Reflection.Metadata.Ecma335 import MetadataTokens
        from System.Reflection.PortableExecutable import DebugDirectoryEntryType, PEReader
    except Exception as exc:  # a runtime that cannot start here: say why
        return f".NET Core {RUNTIME} cannot be loaded through pythonnet: {type(exc).__name__}: {exc}"

    import ctypes

    from System import IntPtr
    from System.Runtime.InteropServices import Marshal

    def immutable(data: bytes):
        # Array[Byte](data) converts byte by byte (18 ms for 35 KB); one Marshal.Copy is a memcpy.
        buffer = ctypes.create_string_buffer(data, len(data))
        array = Array.CreateInstance(Byte, len(data))
        Marshal.Copy(IntPtr(ctypes.addressof(buffer)), array, 0, len(data))
        return ImmutableArray.Create[Byte](array)

    return SimpleNamespace(PEReader=PEReader, MetadataReaderProvider=MetadataReaderProvider,
                           DebugDirectoryEntryType=DebugDirectoryEntryType, MetadataTokens=MetadataTokens,
                           PEReaderExtensions=PEReaderExtensions, HandleKind=HandleKind,
                           MemberReferenceHandle=MemberReferenceHandle, TypeReferenceHandle=TypeReferenceHandle,
                           immutable=immutable)

