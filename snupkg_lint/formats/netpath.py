"""Zip entry names as .NET Framework on Windows (nuget.org's runtime) interprets them.

Python's posixpath gets these wrong in ways that matter: '\\' is a separator on the server,
`Path.GetExtension('_rels/.rels')` is '.rels', and `Path.GetExtension('foo.')` is ''.
"""

from __future__ import annotations

import ntpath
import re
from urllib.parse import unquote

_SEPARATORS = "/\\"
# Characters .NET Framework's path checks reject (Path.GetInvalidPathChars and FileInfo's extra checks).
_INVALID_CHARS = re.compile(r'["<>|\x00-\x1f]')


def file_name(path: str) -> str:
    """Path.GetFileName: the text after the last '/', '\\' or volume ':'."""
    if "\\" not in path and ":" not in path:  # the usual zip entry name: only '/' separators
        return path[path.rfind("/") + 1 :]
    cut = max(path.rfind("/"), path.rfind("\\"), path.rfind(":"))
    return path[cut + 1 :]


def extension(path: str) -> str:
    """Path.GetExtension: from the last '.' of the file name, unless that '.' is its last character."""
    name = path[path.rfind("/") + 1 :] if "\\" not in path and ":" not in path else file_name(path)
    dot = name.rfind(".")
    if dot == -1 or dot == len(name) - 1:
        return ""
    return name[dot:]


def stem(path: str) -> str:
    """Path.GetFileNameWithoutExtension: the file name without its extension (and without a last '.', which
    Path.GetExtension does not count as one)."""
    name = path[path.rfind("/") + 1 :] if "\\" not in path and ":" not in path else file_name(path)
    dot = name.rfind(".")
    if dot == -1:
        return name
    return name[:-1] if dot == len(name) - 1 else name[:dot]


def directory(path: str) -> str:
    """Path.GetDirectoryName with '\\' as the separator ('' for a root-level name)."""
    cut = max(path.rfind("/"), path.rfind("\\"))
    return path[:cut].replace("/", "\\") if cut > 0 else ""


def without_extension(path: str) -> str:
    """nuget.org's ZipArchiveService.RemoveExtension: directory + '\\' + name without extension."""
    folder = directory(path)
    return f"{folder}\\{stem(path)}" if folder else stem(path)


def unescape(name: str) -> str:
    """Uri.UnescapeDataString, applied by PackageArchiveReader.GetFiles() to names containing '%'."""
    return unquote(name, errors="surrogateescape") if "%" in name else name


class _SimpleUpper(dict):
    """Code point → its upper-case character where that is one character (simple case mapping), else itself;
    filled on first use, so str.translate runs at C speed over names already seen."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        upper = char.upper()
        self[code] = mapped = upper if len(upper) == 1 else char
        return mapped


_UPPER = _SimpleUpper()


def upper_invariant(text: str) -> str:
    """Key for .NET OrdinalIgnoreCase: simple per-character upper-casing (unlike str.upper for 'ß')."""
    return text.upper() if text.isascii() else text.translate(_UPPER)


def invalid_path_char(path: str) -> str | None:
    """The first character .NET Framework's FileInfo rejects, or None.

    ':' is allowed only as the drive separator in position 1 ('C:').
    """
    match = _INVALID_CHARS.search(path)
    if match:
        return match.group()
    colon = path.find(":", 2 if len(path) > 1 and path[1] == ":" and path[0].isalpha() else 0)
    if colon != -1 and not (colon == 1 and path[0].isalpha()):
        return ":"
    return None


def escapes_root(name: str) -> bool:
    """PackageArchiveReader.ValidatePackageEntriesAsync: True if extracting `name` would leave the folder.

    The name is %-unescaped (again), '/' becomes '\\', then GetFullPath(Combine(dest, name)) must stay
    strictly inside dest: rooted names, drive letters, UNC paths, '..' climbing above the root and
    names that resolve to the root itself are unsafe.
    """
    native = unescape(name).replace("/", "\\")
    drive, _ = ntpath.splitdrive(native)
    if drive or native.startswith("\\"):
        return True
    if len(native) >= 2 and native[1] == ":":
        return True
    depth = 0
    for part in native.split("\\"):
        if part in ("", "."):
            continue
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part.strip(" .") == "":
            # Windows trims trailing dots and spaces: '...' or '. .' resolve to the folder itself.
            continue
        else:
            depth += 1
    return depth == 0
