"""Source Link JSON (binary-formats.md §5.4) and the repository URLs it points at.

:func:`parse_source_link` follows dotnet/sourcelink ``SourceLinkMap.Parse`` (src/SourceLink.Tools/SourceLinkMap.cs):
the root is an object; every member named ``documents`` is an object of string → string; trailing commas are
accepted; a key holds at most one ``*``, as its last character; a value holds a ``*`` only if its key does, and at
most one. Entries are tried longest key first; a path matches ignoring case as .NET's OrdinalIgnoreCase does
(``netpath.upper_invariant``: 'ß' is not 'SS'). Errors are FormatError.

:func:`raw_url_source` reads the host, repository and commit out of the raw-file URL forms Source Link providers
write (GitHub, GitLab, Azure DevOps, Bitbucket); :func:`repository_of` normalises a nuspec ``<repository url>``.
"""

from __future__ import annotations

import functools
import json
import re
import urllib.parse
from dataclasses import dataclass, field

from .netpath import upper_invariant
from .shared import Shared
from .source import FormatError

MAX_SOURCE_LINK_BYTES = 16 * 1024 * 1024
_URLS_KEPT = 1024  # answers a map remembers (maps are held by _PARSED: at most 64 × 1024 answers)


@dataclass(frozen=True)
class SourceLinkEntry:
    path: str  # the key without its trailing '*'
    is_prefix: bool
    uri_prefix: str
    uri_suffix: str

    @property
    def target(self) -> str:
        """The URL as written in the JSON (with its '*')."""
        return self.uri_prefix + ("*" + self.uri_suffix if self.is_prefix and "*" not in self.uri_prefix else "")


@dataclass(frozen=True)
class SourceLinkMap:
    entries: tuple[SourceLinkEntry, ...]  # longest key first (SourceLinkMap sorts them so; the sort is stable)
    # the answers given so far: a map is shared by the PDBs of one repository, which share their document names
    _urls: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def url_for(self, path: str) -> str | None:
        """SourceLinkMap.TryGetUrl: the URL a debugger fetches for a document, or None when no entry maps it."""
        urls = self._urls
        if path in urls:
            return urls[path]
        if len(urls) >= _URLS_KEPT:
            urls.clear()
        url = urls[path] = self._url_for(path)
        return url

    def maps(self, path: str) -> bool:
        """Whether url_for(path) gives a URL (some entry maps the path), without making the URL."""
        return self._entry_for(path) is not None

    def _entry_for(self, path: str) -> SourceLinkEntry | None:
        """The entry TryGetUrl takes for `path`: the first (longest) whose key it starts with (a prefix key, ending
        in '*') or equals, by OrdinalIgnoreCase (which keeps the length, so the rest of the path starts where the key
        ends); none for a path with a '*'."""
        if "*" in path:
            return None
        folded = upper_invariant(path)
        for entry, (key, is_prefix) in zip(self.entries, self._keys):
            if folded.startswith(key) if is_prefix else folded == key:
                return entry
        return None

    @functools.cached_property
    def _keys(self) -> tuple[tuple[str, bool], ...]:
        return tuple((upper_invariant(entry.path), entry.is_prefix) for entry in self.entries)

    def _url_for(self, path: str) -> str | None:
        entry = self._entry_for(path)
        if entry is None:
            return None
        if not entry.is_prefix:
            return entry.uri_prefix
        rest = re.split(r"[/\\]", path[len(entry.path):])
        return entry.uri_prefix + "/".join(urllib.parse.quote(p, safe="") for p in rest) + entry.uri_suffix


_TRAILING_COMMA = re.compile(r",\s*[}\]]")


def _without_trailing_commas(text: str) -> str:
    """JsonDocumentOptions.AllowTrailingCommas: drop a ',' that only whitespace separates from '}' or ']'."""
    if not _TRAILING_COMMA.search(text):
        return text  # none anywhere (in a string or not): nothing to drop
    out, in_string, escaped, pending = [], False, False, -1
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in "}]" and pending >= 0:
            out[pending] = ""
        if ch == ",":
            pending = len(out)
        elif not ch.isspace():
            pending = -1
        if ch == '"':
            in_string = True
        out.append(ch)
    return "".join(out)


class _Object(list):
    """A JSON object as its (name, value) members in order, duplicates kept (JsonDocument enumerates them all)."""


def _strict_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def parse_source_link(text: str) -> SourceLinkMap:
    """The map, or FormatError saying which rule the JSON breaks. The PDBs of one repository share their Source Link:
    an equal text is parsed once (the map is immutable)."""
    parsed = _PARSED.get(text, _parsed) if len(text) <= _SHARED_TEXT else _parsed(text)
    if isinstance(parsed, str):
        raise FormatError(parsed)
    return parsed


_PARSED: Shared[str, SourceLinkMap | str] = Shared(64)
_SHARED_TEXT = 8 * 1024  # longer Source Link texts are parsed each time


def _parsed(text: str) -> SourceLinkMap | str:
    try:
        return _parse(text)
    except FormatError as exc:
        return str(exc)


def _parse(text: str) -> SourceLinkMap:
    if len(text) > MAX_SOURCE_LINK_BYTES:
        raise FormatError(f"the Source Link JSON is {len(text)} characters long, over the {MAX_SOURCE_LINK_BYTES} read")
    try:
        root = json.loads(_without_trailing_commas(text), object_pairs_hook=_Object, parse_constant=_strict_constant)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"the Source Link is not valid JSON: {exc}") from None
    if not isinstance(root, _Object):
        raise FormatError("the Source Link JSON root is not an object")
    entries = []
    for name, value in root:
        if name != "documents":
            continue  # SourceLinkMap: "potential future extensibility"
        if not isinstance(value, _Object):
            raise FormatError("the Source Link 'documents' member is not an object")
        for key, url in value:
            if not isinstance(url, str):
                raise FormatError(f"the Source Link entry {key!r} maps to a {type(url).__name__}, not a string")
            entries.append(_entry(key, url))
    entries.sort(key=lambda e: -len(e.path))
    return SourceLinkMap(tuple(entries))


def _entry(key: str, url: str) -> SourceLinkEntry:
    if not key:
        raise FormatError("the Source Link map has an empty path")
    star = key.find("*")
    if 0 <= star < len(key) - 1:
        raise FormatError(f"the Source Link path {key!r} has a '*' that is not its last character")
    if star >= 0:
        key = key[:-1]
    url_star = url.find("*")
    if url_star >= 0:
        if star < 0:
            raise FormatError(f"the Source Link URL {url!r} has a '*' but its path {key!r} has none")
        prefix, suffix = url[:url_star], url[url_star + 1:]
        if "*" in suffix:
            raise FormatError(f"the Source Link URL {url!r} has more than one '*'")
        return SourceLinkEntry(key, True, prefix, suffix)
    return SourceLinkEntry(key, star >= 0, url, "")


# -- URLs ---------------------------------------------------------------------------------------------------------

_LOCAL_HOSTS = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|"
                          r"172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|[^.]+)$", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)  # the PDBs of one repository map to the same URLs
def url_problem(url: str) -> str | None:
    """Why a debugger on another machine could not fetch ``url`` safely: not absolute https, credentials in it, a
    file: URL or a local path, or a host that only resolves on the build machine. None when it looks fine."""
    if re.match(r"^[A-Za-z]:[\\/]|^\\\\|^/", url):
        return "is a local path, not a URL"
    parsed = urllib.parse.urlsplit(url)
    scheme = parsed.scheme.lower()
    if not scheme:
        return "is not an absolute URL"
    if scheme == "file":
        return "is a file: URL"
    if parsed.username or parsed.password:
        return "carries credentials"
    if scheme != "https":
        return f"uses {scheme}:, not https:"
    host = parsed.hostname or ""
    if not host:
        return "has no host"
    if _LOCAL_HOSTS.match(host):
        return f"points at {host}, a host only the build machine's network resolves"
    return None


@dataclass(frozen=True)
class RepositoryRef:
    """Where a URL says the sources live: the web host, the repository path (lower case) and, for raw-file URLs,
    the commit."""

    host: str
    repository: str
    commit: str | None = None


_COMMIT = r"([0-9a-fA-F]{40})"


def raw_url_source(url: str) -> RepositoryRef | None:
    """The repository and commit of a raw-file URL of GitHub, GitLab, Azure DevOps or Bitbucket; None for other
    forms (the check then has nothing to compare)."""
    parsed = urllib.parse.urlsplit(url)
    host, path = (parsed.hostname or "").lower(), parsed.path
    if host == "raw.githubusercontent.com":
        m = re.match(rf"^/([^/]+)/([^/]+)/{_COMMIT}(/|$)", path)
        return RepositoryRef("github.com", f"{m[1]}/{m[2]}".lower(), m[3].lower()) if m else None
    if host == "api.bitbucket.org":
        m = re.match(rf"^/2\.0/repositories/([^/]+)/([^/]+)/src/{_COMMIT}(/|$)", path)
        return RepositoryRef("bitbucket.org", f"{m[1]}/{m[2]}".lower(), m[3].lower()) if m else None
    if host == "dev.azure.com" or host.endswith(".visualstudio.com"):
        m = re.match(r"^/(.+)/_apis/git/repositories/([^/]+)/items", path)
        version = urllib.parse.parse_qs(parsed.query).get("version", [""])[0]
        if m and re.fullmatch(_COMMIT, version):
            return RepositoryRef(host, f"{m[1]}/{m[2]}".lower(), version.lower())
        return None
    m = re.match(rf"^/(.+?)(/-)?/raw/{_COMMIT}(/|$)", path)  # GitLab (/-/raw/), Bitbucket and GitHub web (/raw/)
    if m and host:
        return RepositoryRef(host, m[1].lower(), m[3].lower())
    return None


def repository_of(url: str) -> RepositoryRef | None:
    """A nuspec ``<repository url>`` as host and repository path: ``.git`` and a trailing '/' dropped, Azure DevOps'
    ``/_git/`` read as the repository's name, ``git@host:owner/repo`` read as ``https://host/owner/repo``."""
    ssh = re.match(r"^[\w.-]+@([\w.-]+):(.+)$", url)
    if ssh:
        url = f"https://{ssh[1]}/{ssh[2]}"
    parsed = urllib.parse.urlsplit(url)
    host = (parsed.hostname or "").lower()
    path = re.sub(r"(\.git)?/*$", "", parsed.path).strip("/")
    if not host or not path:
        return None
    path = path.replace("/_git/", "/")
    if host.startswith("www."):
        host = host[4:]
    return RepositoryRef(host, path.lower())
