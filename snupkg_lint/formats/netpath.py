"""Zip entry names as .NET Framework on Windows (nuget.org's runtime) interprets them.

Python's posixpath gets these wrong in ways that matter: '\\' is a separator on the server,
`Path.GetExtension('_rels/.rels')` is '.rels', and `Path.GetExtension('foo.')` is ''.
"""

from __future__ import annotations

import functools
import ntpath
import re
from urllib.parse import unquote

_SEPARATORS = "/\\"
# Characters .NET Framework's path checks reject: Path.GetInvalidPathChars, and the wildcards FileIOPermission's
# checks (run by FileInfo and Path.GetFullPath) refuse.
_INVALID_CHARS = re.compile(r'["<>|*?\x00-\x1f]')
_TRIM_END = "\t\n\v\f\r \x85\xa0"  # Path.TrimEndChars
_WIN32_TRIMMED = " ."  # GetFullPathName and CreateFile drop these from the end of the last segment


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


def fileinfo_extension(path: str) -> str:
    """FileInfo.Extension, taken from the full path Windows makes of the name rather than from the name: '/' is
    '\\', GetFullPathName drops the last segment's trailing dots and spaces, .NET then trims trailing white space
    (tab to CR, U+0085, U+00A0). So 'x.pdb ' and 'x.pdb\u00a0' have '.pdb', 'x.dll.' has '.dll'."""
    full = path.replace("/", "\\")
    if not full.endswith("\\"):
        full = full.rstrip(_WIN32_TRIMMED)
    full = full.rstrip(_TRIM_END)
    cut = max(full.rfind("\\"), full.rfind(":"))
    dot = full.rfind(".")
    return full[dot:] if dot > cut else ""


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


@functools.lru_cache(maxsize=4096)
def _ntfs_key(name: str) -> bytes:
    """NTFS orders a folder's names by their upper-cased UTF-16 code units (the folders of a package repeat)."""
    return upper_invariant(name).encode("utf-16-be", "surrogatepass")


_SEPARATOR = re.compile(r"[/\\]")


def enumeration_key(path: str) -> tuple[tuple[int, bytes], ...]:
    """Sort key for the order in which .NET Framework's `Directory.GetFiles(root, pattern, AllDirectories)` lists
    the file at `path` (relative to root) on NTFS: folder by folder, a folder's own files before its sub-folders
    (FileSystemEnumerableIterator pushes the sub-folders and lists the files first), each level in NTFS name order.
    So 'lib/net461/B.dll' comes before 'lib/net461/a/A.dll', and 'lib/a/x.dll' before 'lib/a-b/x.dll'."""
    *folders, name = _SEPARATOR.split(path)
    return tuple((1, _ntfs_key(folder)) for folder in folders) + ((0, _ntfs_key(name)),)


def invalid_path_char(path: str) -> str | None:
    """The first character .NET Framework's FileInfo rejects, or None.

    ':' is allowed only as the drive separator in position 1 ('C:'); '*' and '?' are refused too.
    """
    match = _INVALID_CHARS.search(path)
    if match:
        return match.group()
    colon = path.find(":", 2 if len(path) > 1 and path[1] == ":" and path[0].isalpha() else 0)
    if colon != -1 and not (colon == 1 and path[0].isalpha()):
        return ":"
    return None


def unc_without_share(path: str) -> bool:
    """Path normalisation refuses a UNC path with no share ('//x.pdb', '\\\\server\\'): ArgumentException "The UNC
    path should be of the form \\\\server\\share."; device paths ('\\\\?\\', '\\\\.\\') are left alone."""
    native = path.replace("/", "\\")
    if not native.startswith("\\\\") or native[2:3] in ("?", "."):
        return False
    cut = native.find("\\", 2)
    return cut == -1 or cut == len(native) - 1


def extraction_check_fails(name: str) -> bool:
    """PackageArchiveReader.ValidatePackageEntriesAsync cannot even compute where `name` extracts to: after its
    second %-unescaping, Path.Combine or Path.GetFullPath throws (a character or ':' .NET refuses, a UNC path
    without a share). nuget.org then answers "An unexpected error occurred while checking package entries."."""
    native = unescape(name).replace("/", "\\")
    return invalid_path_char(native) is not None or unc_without_share(native)


# Path.GetFileName -> CheckInvalidPathChars: refused anywhere in the path, before any normalisation.
_REFUSED_RAW = re.compile(r'["<>|\x00-\x1f]')
_WILDCARDS = re.compile(r"[*?]")  # FileIOPermission.EmulateFileIOPermissionChecks, after normalisation


def opened_file_name(name: str) -> tuple[str, str | None]:
    """How .NET Framework 4.7.2 on Windows opens `<folder>\\<name>` with File.OpenRead: (the name of the file
    it opens, the character it throws ArgumentException for, or None).

    `Path.GetFileName(path)` (FileStream's message path) refuses '"<>|' and control characters anywhere, so a
    trailing tab throws; then `GetFullPathName` drops trailing spaces and dots, `LongPathHelper` trims trailing
    white space (space, U+0085, U+00A0), the permission check refuses '*' and '?', and `CreateFile` drops
    trailing spaces and dots once more. An empty result names the folder itself ('.', '..' and '...' too)."""
    refused = _REFUSED_RAW.search(name) or None
    if refused:
        return name, refused.group()
    opened = name.rstrip(_WIN32_TRIMMED).rstrip(_TRIM_END)  # LongPathHelper.Normalize: TrimEnd(s_trimEndChars)
    wildcard = _WILDCARDS.search(opened)
    if wildcard:
        return opened, wildcard.group()
    return opened.rstrip(_WIN32_TRIMMED), None


MAX_COMPONENT_LENGTH = 255  # PathInternal.MaxComponentLength, in UTF-16 code units


def component_too_long(name: str) -> bool:
    """Whether .NET Framework's path normalisation throws PathTooLongException (an IOException) for a path segment
    `name`: more than 255 UTF-16 code units."""
    return len(name) > MAX_COMPONENT_LENGTH // 2 and len(name.encode("utf-16-le", "surrogatepass")) // 2 > \
        MAX_COMPONENT_LENGTH


def escapes_root(name: str) -> bool:
    """PackageArchiveReader.ValidatePackageEntriesAsync: True if extracting `name` would leave the folder.

    The name is %-unescaped (again), '/' becomes '\\', then GetFullPath(Combine(dest, name)) must stay
    strictly inside dest: rooted names, drive letters, UNC paths, '..' climbing above the root and
    names that resolve to the root itself are unsafe.
    """
    native = unescape(name).replace("/", "\\")
    if ":" not in native and not native.startswith("\\") and ".." not in native and \
            native[native.rfind("\\") + 1 :].strip(" ."):
        return False  # the usual name: no drive or root, nothing climbs, and it ends in a real name (depth ≥ 1)
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
