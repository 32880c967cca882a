""".NET Framework 4.7.2's path primitives as they behave on Windows (nuget.org's runtime), for the push harness.

Mono on Linux cannot give these: there `\\` is an ordinary character and no name has a drive, so the harness
(tests/push_harness.py) calls these where the gallery calls `Path.GetFileName`, `Path.GetExtension`,
`Path.Combine`, `Path.GetFullPath` and `new FileInfo(path)`. Transcribed from microsoft/referencesource
(mscorlib/system/io/path.cs, pathinternal.cs, fileinfo.cs, filesysteminfo.cs; the new path handling that 4.6.2+
targets get) and, for what `GetFullPathName` does underneath `LongPathHelper.Normalize`, the Win32 path
normalisation rules (separators unified and collapsed, `.` and `..` resolved without climbing above the root, the
final segment's trailing periods and spaces trimmed, `\\\\server` without a share refused). Errors are raised as
`DotNetError` with the .NET exception type and English message."""

from __future__ import annotations

import re

INVALID_PATH_CHARS = "Illegal characters in path."  # Argument_InvalidPathChars
PATH_ILLEGAL = "The path is not of a legal form."  # Arg_PathIllegal
PATH_ILLEGAL_UNC = "The UNC path should be of the form \\\\server\\share."  # Arg_PathIllegalUNC
FORMAT_NOT_SUPPORTED = "The given path's format is not supported."  # Argument_PathFormatNotSupported
CURRENT_DIRECTORY = "C:\\windows\\system32\\inetsrv"  # an IIS worker's working directory
_ILLEGAL = re.compile(r'["<>|\x00-\x1f]')  # PathInternal.InvalidPathChars (RealInvalidPathChars)
_SEPARATORS = "\\/"
TRIM_END_CHARS = "\t\n\v\f\r \x85\xa0"  # Path.TrimEndChars (LongPathHelper.s_trimEndChars), after GetFullPathName


class DotNetError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # the .NET exception type's name
        self.message = message


def _check_invalid_path_chars(path: str) -> None:
    """Path.CheckInvalidPathChars (no additional checks): ArgumentException."""
    if _ILLEGAL.search(path):
        raise DotNetError("ArgumentException", INVALID_PATH_CHARS)


def get_file_name(path: str) -> str:
    """Path.GetFileName: after the last '\\', '/' or ':'."""
    _check_invalid_path_chars(path)
    for i in range(len(path) - 1, -1, -1):
        if path[i] in "\\/:":
            return path[i + 1:]
    return path


def get_extension(path: str) -> str:
    """Path.GetExtension: from the last '.' of the file name, '' when that '.' ends it."""
    _check_invalid_path_chars(path)
    for i in range(len(path) - 1, -1, -1):
        ch = path[i]
        if ch == ".":
            return path[i:] if i != len(path) - 1 else ""
        if ch in "\\/:":
            break
    return ""


def is_path_rooted(path: str) -> bool:
    _check_invalid_path_chars(path)
    return bool(path) and (path[0] in _SEPARATORS or (len(path) >= 2 and path[1] == ":"))


def combine(path1: str, path2: str) -> str:
    """Path.Combine(path1, path2)."""
    _check_invalid_path_chars(path1)
    _check_invalid_path_chars(path2)
    if not path2:
        return path1
    if not path1 or is_path_rooted(path2):
        return path2
    return path1 + ("" if path1[-1] in "\\/:" else "\\") + path2


def _normalize(path: str) -> str:
    """GetFullPathName on a path without invalid characters: the absolute path with '\\' separators."""
    p = path.replace("/", "\\")
    if p.startswith("\\\\"):  # UNC: \\server\share is the root
        parts = p[2:].split("\\")
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise DotNetError("ArgumentException", PATH_ILLEGAL_UNC)
        root, rest = "\\\\" + parts[0] + "\\" + parts[1], parts[2:]
    elif len(p) >= 2 and p[1] == ":":
        drive = p[:2].upper() if p[0].isascii() and p[0].isalpha() else p[:2]
        tail = p[2:]
        if tail.startswith("\\"):
            root, rest = drive, tail.split("\\")
        elif drive == CURRENT_DIRECTORY[:2].upper():  # drive-relative: that drive's current directory
            root, rest = drive, (CURRENT_DIRECTORY[3:] + "\\" + tail).split("\\")
        else:
            root, rest = drive, tail.split("\\")
    elif p.startswith("\\"):
        root, rest = CURRENT_DIRECTORY[:2], p.split("\\")
    else:
        root, rest = CURRENT_DIRECTORY[:2], (CURRENT_DIRECTORY[3:] + "\\" + p).split("\\")
    ends_with_separator = p.endswith("\\")
    segments: list[str] = []
    for n, segment in enumerate(rest):
        last = n == len(rest) - 1
        if last and not ends_with_separator:
            segment = segment.rstrip(". ")  # the final segment loses its trailing periods and spaces
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    full = root + "\\" + "\\".join(segments)
    if ends_with_separator and segments:
        full += "\\"
    return full


def _emulated_permission_checks(full: str) -> None:
    """FileIOPermission.EmulateFileIOPermissionChecks: wildcards, then a ':' beyond the drive."""
    if "*" in full or "?" in full:
        raise DotNetError("ArgumentException", INVALID_PATH_CHARS)
    colon = full.find(":")
    if colon == 1 and not full.startswith("\\\\"):
        colon = full.find(":", 2)
    if colon != -1:
        raise DotNetError("NotSupportedException", FORMAT_NOT_SUPPORTED)


def get_full_path(path: str) -> str:
    """Path.GetFullPath (Path.NewNormalizePath, LongPathHelper.Normalize, then the emulated permission checks)."""
    if "\0" in path:
        raise DotNetError("ArgumentException", INVALID_PATH_CHARS)
    if not path.strip():
        raise DotNetError("ArgumentException", PATH_ILLEGAL)
    _check_invalid_path_chars(path)
    full = _normalize(path).rstrip(TRIM_END_CHARS)  # LongPathHelper.Normalize: fullPath.TrimEnd(Path.TrimEndChars)
    if not full.strip():
        raise DotNetError("ArgumentException", PATH_ILLEGAL)
    _emulated_permission_checks(full)
    return full


class FileInfo:
    """new FileInfo(path): Name from the path as given, Extension from the full path."""

    def __init__(self, path: str):
        self.full_path = get_full_path(path)
        self.name = get_file_name(path)

    @property
    def extension(self) -> str:
        full = self.full_path
        for i in range(len(full) - 1, -1, -1):
            if full[i] == ".":
                return full[i:]
            if full[i] in "\\/:":
                break
        return ""
