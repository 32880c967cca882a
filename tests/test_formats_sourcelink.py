"""The Source Link reader (dotnet/sourcelink SourceLinkMap), the URL readers and the debug-information summary."""

from __future__ import annotations

import re
import urllib.parse

import pytest

from snupkg_lint.formats import netpath
from snupkg_lint.formats.debug_info import read_debug_info
from snupkg_lint.formats.pdb import PortablePdb
from snupkg_lint.formats.source import BytesSource, FormatError
from snupkg_lint.formats.sourcelink import (
    RepositoryRef,
    parse_source_link,
    raw_url_source,
    repository_of,
    url_problem,
)
from tests.factory.pdb import CSHARP_GUID, SHA256_GUID, build_portable_pdb

SHA = "0123456789abcdef0123456789abcdef01234567"


def test_longest_path_first_ignoring_case_and_escaping_each_segment():
    links = parse_source_link('{"documents": {"C:\\\\src\\\\*": "https://h/a/*", "C:\\\\src\\\\sub\\\\*": "https://h/b/*?x",'
                              ' "C:\\\\one.cs": "https://h/one"}}')
    assert links.url_for("c:\\SRC\\sub\\My File.cs") == "https://h/b/My%20File.cs?x"
    assert links.url_for("C:\\src\\x\\y.cs") == "https://h/a/x/y.cs"
    assert links.url_for("C:\\ONE.cs") == "https://h/one"
    assert links.url_for("C:\\src\\*.cs") is None and links.url_for("D:\\x.cs") is None


def try_get_url(links, path):
    """dotnet/sourcelink SourceLinkMap.TryGetUrl as written there, for the generated maps below."""
    if "*" in path:
        return None
    for entry in links.entries:
        if entry.is_prefix:
            if netpath.upper_invariant(path).startswith(netpath.upper_invariant(entry.path)):  # OrdinalIgnoreCase
                rest = re.split(r"[/\\]", path[len(entry.path):])
                return entry.uri_prefix + "/".join(urllib.parse.quote(p, safe="") for p in rest) + entry.uri_suffix
        elif netpath.upper_invariant(path) == netpath.upper_invariant(entry.path):
            return entry.uri_prefix
    return None


def test_a_path_is_mapped_as_try_get_url_maps_it_ignoring_case_as_dotnet_does():
    import random

    rng, parsed = random.Random(12), 0
    pieces = ["C:", "c:", "\\", "/", "src", "SRC", "Src", "_", "ß", "SS", "ẞ", "İ", "i", "ı", "*", ".cs", "x", "", "é",
              "É", "ǅ"]
    for _ in range(200):
        keys = {"".join(rng.choices(pieces, k=rng.randrange(1, 5))).replace("*", "") + rng.choice(["*", ""])
                for _ in range(rng.randrange(1, 4))}
        text = "{\"documents\": {" + ", ".join(f'"{k}": "https://h/{n}/' + ("*" if k.endswith("*") else "") + '"'
                                               for n, k in enumerate(keys)) + "}}"
        try:
            links = parse_source_link(text.replace("\\", "\\\\"))
        except FormatError:  # an empty key
            continue
        parsed += 1
        for _ in range(30):
            path = "".join(rng.choices(pieces, k=rng.randrange(0, 7)))
            expected = try_get_url(links, path)
            assert links.url_for(path) == expected and links.maps(path) == (expected is not None), (text, path)
    assert parsed > 150


def test_sharp_s_is_not_ss_and_the_rest_of_the_path_starts_where_the_key_ends():
    links = parse_source_link('{"documents": {"/_/straße/*": "https://h/a/*", "/_/ß.cs": "https://h/b"}}')
    assert links.url_for("/_/STRAßE/x y.cs") == "https://h/a/x%20y.cs"
    assert not links.maps("/_/STRASSE/x.cs") and links.url_for("/_/strasse/x.cs") is None  # str.casefold says yes
    assert links.maps("/_/ß.cs") and not links.maps("/_/ss.cs") and not links.maps("/_/ẞ.cs")


def test_duplicate_keys_are_all_kept_and_the_first_of_a_length_wins():
    links = parse_source_link('{"documents": {"/_/*": "https://first/*", "/_/*": "https://second/*"}}')
    assert len(links.entries) == 2 and links.url_for("/_/a.cs") == "https://first/a.cs"


@pytest.mark.parametrize("text", ['{"documents": {"": "https://h"}}', '{"documents": {"a*b": "https://h/*"}}',
                                  "[1, 2]", "nul", '{"documents": {"/_/*": "https://h/*"}} extra', "{" * 5000])
def test_refused(text):
    with pytest.raises(FormatError):
        parse_source_link(text)


def test_strings_with_commas_and_braces_are_not_taken_for_trailing_commas():
    links = parse_source_link('{"documents": {"/_/*": "https://h/,}/*",},}')
    assert links.url_for("/_/a") == "https://h/,}/a"


@pytest.mark.parametrize("url, expected", [
    (f"https://raw.githubusercontent.com/Owner/Repo/{SHA}/", RepositoryRef("github.com", "owner/repo", SHA)),
    (f"https://gitlab.example.com/group/sub/repo/-/raw/{SHA}/", RepositoryRef("gitlab.example.com", "group/sub/repo", SHA)),
    (f"https://bitbucket.org/o/r/raw/{SHA}/", RepositoryRef("bitbucket.org", "o/r", SHA)),
    (f"https://api.bitbucket.org/2.0/repositories/o/r/src/{SHA}/", RepositoryRef("bitbucket.org", "o/r", SHA)),
    (f"https://contoso.visualstudio.com/proj/_apis/git/repositories/repo/items?api-version=1.0&versionType=commit&version={SHA}&path=/",
     RepositoryRef("contoso.visualstudio.com", "proj/repo", SHA)),
    ("https://raw.githubusercontent.com/o/r/main/", None),
    ("https://example.com/src/", None),
])
def test_raw_url_forms(url, expected):
    assert raw_url_source(url) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/Owner/Repo.git", RepositoryRef("github.com", "owner/repo")),
    ("https://www.github.com/owner/repo/", RepositoryRef("github.com", "owner/repo")),
    ("git@gitlab.com:group/repo.git", RepositoryRef("gitlab.com", "group/repo")),
    ("https://dev.azure.com/org/proj/_git/repo", RepositoryRef("dev.azure.com", "org/proj/repo")),
    ("not a url", None),
])
def test_repository_urls(url, expected):
    assert repository_of(url) == expected


def test_url_problems():
    assert url_problem("https://raw.githubusercontent.com/o/r/x/") is None
    assert "credentials" in url_problem("https://token@github.com/")
    assert "192.168.1.5" in url_problem("https://192.168.1.5/src/")
    assert "absolute" in url_problem("src/")


def test_debug_info_reads_each_part_and_says_which_fails():
    info = read_debug_info(PortablePdb.open(BytesSource(build_portable_pdb(compilation_options={"a": "b"}))))
    assert info.compilation_options == {"a": "b"} and info.roslyn and info.errors == ()
    assert info.source_link is None and not info.has_metadata_references
    data = bytearray(build_portable_pdb(documents=[("/_/a.cs", SHA256_GUID, b"\1" * 32, CSHARP_GUID)]))
    blob = next(s for s in PortablePdb.open(BytesSource(bytes(data))).streams if s.name == "#Blob")
    data[blob.offset + 1] = 0x7F  # the first blob (a name part) now claims 127 bytes: past the heap
    info = read_debug_info(PortablePdb.open(BytesSource(bytes(data))))
    assert [e.part for e in info.errors] == ["Document table"] and info.documents == ()
