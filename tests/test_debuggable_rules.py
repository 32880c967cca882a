"""Every "debuggable" rule (D001–D015, and N002 for pairs): a package that makes it fire and a near miss that does
not, built in code. The good pair of tests/factory/pair.py is what a CI build with Source Link writes; each test
changes one thing. The rules read symbols wherever they are: the .snupkg, beside the assembly in the .nupkg, or
embedded in it, so several tests run the same PDB in all three places."""

from __future__ import annotations

import hashlib
import struct

import pytest

from snupkg_lint.engine import check_nupkg
from snupkg_lint.formats.pdb import DOCUMENT, PortablePdb
from snupkg_lint.formats.source import BytesSource
from tests.conftest import NOW
from tests.factory import package as pkg
from tests.factory.pair import COMMIT, SOURCE_LINK, matched_pair, portable_pdb
from tests.factory.pdb import CSHARP_GUID, FSHARP_GUID, SHA256_GUID
from tests.factory.pe import build_pe

NAME = "Contoso.Lib"
DIR = "lib/net8.0"
SOURCE = b"namespace Contoso { class A { } }\n"
DOC = ("/_/src/A.cs", SHA256_GUID, hashlib.sha256(SOURCE).digest(), CSHARP_GUID)
GENERATED = ("/_/obj/Release/net8.0/Contoso.Lib.AssemblyInfo.cs", SHA256_GUID, b"\x22" * 32, CSHARP_GUID)
REPOSITORY = f'<repository type="git" url="https://github.com/contoso/lib" commit="{COMMIT}" />'


def pdb(**kwargs) -> bytes:
    kwargs.setdefault("documents", [DOC])
    return portable_pdb(**kwargs)


def nuspec(repository: str = REPOSITORY) -> str:
    return pkg.nuspec_xml(NAME, symbols=False, extra=repository)


def pair_report(checker, symbols: bytes, *, repository: str = REPOSITORY):
    """The PDB in the .snupkg, its assembly in the .nupkg."""
    pair = matched_pair(NAME, pdb=symbols)
    return checker.run(pkg.package({f"{DIR}/{NAME}.pdb": pair.pdb}),
                       pkg.package({f"{DIR}/{NAME}.dll": pair.dll}, nuspec=nuspec(repository)))


def alone_report(tmp_path, files: dict[str, bytes], *, repository: str = REPOSITORY):
    path = pkg.write(tmp_path, f"{NAME}.1.2.3.nupkg", pkg.package(files, nuspec=nuspec(repository)))
    return check_nupkg(path, now=NOW)


def beside(symbols: bytes) -> dict[str, bytes]:
    pair = matched_pair(NAME, pdb=symbols)
    return {f"{DIR}/{NAME}.dll": pair.dll, f"{DIR}/{NAME}.pdb": pair.pdb}


def embedded(symbols: bytes) -> dict[str, bytes]:
    return {f"{DIR}/{NAME}.dll": build_pe(embedded_pdb=symbols)}


def d_rules(report) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in report.findings:
        if f.rule.startswith("D") or f.rule == "N002":
            found.setdefault(f.rule, []).append(f)
    return found


def test_the_good_pair_is_debuggable(checker):
    assert d_rules(pair_report(checker, pdb(embedded_sources={}))) == {}


@pytest.mark.parametrize("place", ["snupkg", "nupkg", "embedded"])
def test_symbols_are_read_wherever_they_are(checker, tmp_path, place):
    bad = pdb(source_link=None)
    if place == "snupkg":
        report = pair_report(checker, bad)
    else:
        report = alone_report(tmp_path, (beside if place == "nupkg" else embedded)(bad))
    (finding,) = d_rules(report)["D002"]
    assert finding.details["symbols"] == place and finding.details["assembly"] == f"{DIR}/{NAME}.dll"
    assert finding.entry == (f"{DIR}/{NAME}.dll" if place == "embedded" else f"{DIR}/{NAME}.pdb")


def test_a_snupkg_alone_is_checked(checker):
    report = checker.run(pkg.package({f"{DIR}/{NAME}.pdb": pdb(source_link=None)}))
    (finding,) = d_rules(report)["D002"]
    assert finding.details["assembly"] is None


# -- N002: symbols for every assembly ---------------------------------------------------------------------------------


def test_n002_names_lib_and_runtimes_assemblies_without_symbols_in_a_pair(checker):
    pair = matched_pair(NAME)
    bare = build_pe()
    nupkg = pkg.package({f"{DIR}/{NAME}.dll": pair.dll, f"{DIR}/Helper.dll": bare, f"{DIR}/fr/Helper.resources.dll": bare,
                         "runtimes/win-x64/lib/net8.0/Win.dll": bare, "runtimes/win-x64/native/Native.dll": bare,
                         "tools/Tool.dll": bare}, symbols=False, nuspec=nuspec())
    report = checker.run(pkg.package({f"{DIR}/{NAME}.pdb": pair.pdb}), nupkg)
    assert sorted(f.entry for f in d_rules(report)["N002"]) == [f"{DIR}/Helper.dll", "runtimes/win-x64/lib/net8.0/Win.dll"]


def test_n002_near_miss_every_assembly_has_its_pdb_in_the_snupkg(checker):
    assert "N002" not in d_rules(pair_report(checker, pdb()))


# -- D001: unreadable parts ---------------------------------------------------------------------------------------


def corrupt_document_name(data: bytes) -> bytes:
    """The PDB with the separator byte of document 1's name blob set to 0xC3 (not ASCII)."""
    reader = PortablePdb.open(BytesSource(data))
    name_index = reader._rows(DOCUMENT)[0][0]
    start, _ = reader._blob_span(name_index)
    blob = next(s for s in reader.streams if s.name == "#Blob")
    out = bytearray(data)
    out[blob.offset + start] = 0xC3
    return bytes(out)


def test_d001_a_corrupt_document_table_is_a_finding_with_its_part_and_row(checker):
    report = pair_report(checker, corrupt_document_name(pdb()))
    (finding,) = d_rules(report)["D001"]
    assert finding.part == "Document table" and "document 1" in finding.message
    assert "X001" not in {f.rule for f in report.findings}


def test_d001_near_miss_a_well_formed_pdb(checker):
    assert "D001" not in d_rules(pair_report(checker, pdb()))


def test_d001_a_pdb_over_the_debug_information_bound_is_said_not_checked(checker, monkeypatch):
    import snupkg_lint.artifacts as artifacts
    import snupkg_lint.checks.debuggable as debuggable

    monkeypatch.setattr(artifacts, "MAX_DEBUG_INFO_BYTES", 100)
    monkeypatch.setattr(debuggable, "MAX_DEBUG_INFO_BYTES", 100)
    (finding,) = d_rules(pair_report(checker, pdb()))["D001"]
    assert finding.severity.value == "info" and "not checked" in finding.message


# -- D002–D005: Source Link -------------------------------------------------------------------------------------


def test_d002_no_source_link_and_sources_not_embedded(checker):
    (finding,) = d_rules(pair_report(checker, pdb(source_link=None)))["D002"]
    assert "1 of its 1 documents" in finding.message and finding.details["documents"] == ["/_/src/A.cs"]


def test_d002_near_miss_every_source_embedded(checker):
    assert "D002" not in d_rules(pair_report(checker, pdb(source_link=None, embedded_sources={1: SOURCE})))


@pytest.mark.parametrize("json_text, why", [
    ('["documents"]', "root is not an object"),
    ('{"documents": []}', "is not an object"),
    ('{"documents": {"/_/*": 1}}', "not a string"),
    ('{"documents": {"/_/*/x": "https://h/*"}}', "not its last character"),
    ('{"documents": {"/_/": "https://h/*"}}', "has none"),
    ('{"documents": {"/_/*": "https://h/*/*"}}', "more than one"),
    ('{"documents": {"/_/*": "https://h/*"', "not valid JSON"),
])
def test_d003_invalid_source_link(checker, json_text, why):
    (finding,) = d_rules(pair_report(checker, pdb(source_link=json_text)))["D003"]
    assert why in finding.message


def test_d003_near_miss_trailing_commas_and_other_members_are_accepted(checker):
    text = '{"documents": {"/_/*": "https://raw.githubusercontent.com/contoso/lib/%s/*",}, "future": 1,}' % COMMIT
    assert d_rules(pair_report(checker, pdb(source_link=text))) == {}


def test_d004_documents_outside_the_map_are_counted_and_named(checker):
    outside = ("C:\\shared\\Common.cs", SHA256_GUID, b"\x33" * 32, CSHARP_GUID)
    (finding,) = d_rules(pair_report(checker, pdb(documents=[DOC, outside])))["D004"]
    assert "1 of its 2 documents" in finding.message and "C:\\shared\\Common.cs" in finding.message


def test_d004_near_miss_an_outside_document_that_is_embedded(checker):
    outside = ("C:\\shared\\Common.cs", SHA256_GUID, hashlib.sha256(SOURCE).digest(), CSHARP_GUID)
    found = d_rules(pair_report(checker, pdb(documents=[DOC, outside], embedded_sources={2: SOURCE})))
    assert "D004" not in found


@pytest.mark.parametrize("url, why", [
    ("http://github.com/contoso/lib/*", "uses http:"),
    ("https://user:secret@example.com/*", "carries credentials"),
    ("file:///C:/src/*", "file: URL"),
    ("C:\\src\\*", "local path"),
    ("https://localhost/src/*", "only the build machine"),
])
def test_d005_urls_anyone_can_fetch(checker, url, why):
    text = '{"documents": {"/_/*": %s}}' % __import__("json").dumps(url)
    (finding,) = d_rules(pair_report(checker, pdb(source_link=text)))["D005"]
    assert why in finding.message and "secret" not in finding.message


def test_d005_near_miss_an_https_url(checker):
    assert "D005" not in d_rules(pair_report(checker, pdb()))


# -- D006: the commit and repository of the nuspec ---------------------------------------------------------------


OTHER = "fedcba9876543210fedcba9876543210fedcba98"


@pytest.mark.parametrize("url, repository", [
    (f"https://raw.githubusercontent.com/contoso/lib/{OTHER}/*", "https://github.com/contoso/lib"),
    (f"https://gitlab.com/contoso/lib/-/raw/{OTHER}/*", "https://gitlab.com/contoso/lib.git"),
    (f"https://bitbucket.org/contoso/lib/raw/{OTHER}/*", "https://bitbucket.org/contoso/lib"),
    (f"https://dev.azure.com/contoso/proj/_apis/git/repositories/lib/items?api-version=1.0&versionType=commit&"
     f"version={OTHER}&path=/*", "https://dev.azure.com/contoso/proj/_git/lib"),
])
def test_d006_source_link_at_another_commit(checker, url, repository):
    text = '{"documents": {"/_/*": "%s"}}' % url
    declared = f'<repository type="git" url="{repository}" commit="{COMMIT}" />'
    (finding,) = d_rules(pair_report(checker, pdb(source_link=text), repository=declared))["D006"]
    assert OTHER in finding.message and COMMIT in finding.message


def test_d006_source_link_at_a_fork(checker):
    text = '{"documents": {"/_/*": "https://raw.githubusercontent.com/fork/lib/%s/*"}}' % COMMIT
    (finding,) = d_rules(pair_report(checker, pdb(source_link=text)))["D006"]
    assert "github.com/fork/lib" in finding.message


@pytest.mark.parametrize("repository", [
    REPOSITORY,
    f'<repository type="git" url="https://github.com/Contoso/Lib.git" commit="{COMMIT.upper()}" />',
    '<repository type="git" url="git@github.com:contoso/lib.git" />',
    "",
])
def test_d006_near_miss_same_repository_and_commit_or_nothing_declared(checker, repository):
    assert "D006" not in d_rules(pair_report(checker, pdb(), repository=repository))


def test_d006_near_miss_azure_devops_same_commit(checker):
    url = f"https://dev.azure.com/contoso/proj/_apis/git/repositories/lib/items?api-version=1.0&versionType=commit&version={COMMIT}&path=/*"
    repository = f'<repository type="git" url="https://dev.azure.com/contoso/proj/_git/lib" commit="{COMMIT}" />'
    text = '{"documents": {"/_/*": "%s"}}' % url
    assert "D006" not in d_rules(pair_report(checker, pdb(source_link=text), repository=repository))


# -- D007–D010: paths and sources -------------------------------------------------------------------------------


def test_d007_d008_build_machine_and_user_paths(checker):
    local = ("C:\\Users\\alice\\src\\lib\\A.cs", SHA256_GUID, b"\x44" * 32, CSHARP_GUID)
    text = '{"documents": {"C:\\\\Users\\\\alice\\\\src\\\\lib\\\\*": "https://raw.githubusercontent.com/contoso/lib/%s/*"}}' % COMMIT
    found = d_rules(pair_report(checker, pdb(documents=[local], source_link=text)))
    assert "1 of its 1 document paths" in found["D007"][0].message
    assert "alice" in found["D008"][0].message and set(found) == {"D007", "D008"}


@pytest.mark.parametrize("name", ["/_/src/A.cs", "/_1/src/A.cs", "/_12/A.cs"])
def test_d007_near_miss_path_maps(checker, name):
    document = (name, SHA256_GUID, DOC[2], CSHARP_GUID)
    root = name[: name.index("/", 1) + 1]
    text = '{"documents": {"%s*": "https://raw.githubusercontent.com/contoso/lib/%s/*"}}' % (root, COMMIT)
    assert d_rules(pair_report(checker, pdb(documents=[document], source_link=text))) == {}


def test_d009_generated_sources_not_embedded(checker):
    (finding,) = d_rules(pair_report(checker, pdb(documents=[DOC, GENERATED])))["D009"]
    assert "AssemblyInfo.cs" in finding.message


def test_d009_near_miss_generated_sources_embedded(checker):
    generated = (GENERATED[0], SHA256_GUID, hashlib.sha256(SOURCE).digest(), CSHARP_GUID)
    assert d_rules(pair_report(checker, pdb(documents=[DOC, generated], embedded_sources={2: SOURCE}))) == {}


@pytest.mark.parametrize("size", [10, 1000])  # stored, and deflated (over Roslyn's 200-byte threshold)
def test_d010_embedded_source_that_does_not_hash_to_the_document_hash(checker, size):
    content = b"x" * size
    (finding,) = d_rules(pair_report(checker, pdb(embedded_sources={1: content})))["D010"]
    assert finding.details["content_hash"] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("size", [10, 1000])
def test_d010_near_miss_embedded_source_matches(checker, size):
    content = b"x" * size
    document = (DOC[0], SHA256_GUID, hashlib.sha256(content).digest(), CSHARP_GUID)
    assert d_rules(pair_report(checker, pdb(documents=[document], embedded_sources={1: content}))) == {}


@pytest.mark.parametrize("where", ["snupkg", "nupkg", "embedded"])
def test_d010_hashes_each_pdb_once_opened(checker, tmp_path, monkeypatch, where):
    # The embedded sources are hashed with the rest of the debug information, while the PDB is open: the rule
    # that compares them with the documents' hashes opens no PDB again (more PDBs than the readers kept).
    content = b"x" * 1000
    symbols = pdb(embedded_sources={1: content})
    folders = [f"lib/net{n}.0" for n in (6, 7, 8)]
    if where == "snupkg":
        pair = matched_pair(NAME, pdb=symbols)
        snupkg = pkg.package({f"{d}/{NAME}.pdb": pair.pdb for d in folders})
        nupkg = pkg.package({f"{d}/{NAME}.dll": pair.dll for d in folders}, nuspec=nuspec())
    else:
        files = beside(symbols) if where == "nupkg" else embedded(symbols)
        path = pkg.write(tmp_path, f"{NAME}.1.2.3.nupkg", pkg.package(
            {f"{d}/{name.rsplit('/', 1)[1]}": data for d in folders for name, data in files.items()}, nuspec=nuspec()))
    opened = []
    real_open = PortablePdb.open.__func__
    monkeypatch.setattr(PortablePdb, "open", classmethod(lambda cls, *a, **k: opened.append(1) or real_open(cls, *a,
                                                                                                            **k)))
    report = checker.run(snupkg, nupkg) if where == "snupkg" else check_nupkg(path, now=NOW)
    found = d_rules(report)["D010"]
    assert [f.details["content_hash"] for f in found] == [hashlib.sha256(content).hexdigest()] * len(folders)
    assert len(opened) == len(folders)


def test_d010_a_corrupt_deflated_source_is_a_finding_not_a_crash(checker):
    content = b"y" * 1000
    document = (DOC[0], SHA256_GUID, hashlib.sha256(content).digest(), CSHARP_GUID)
    data = pdb(documents=[document], embedded_sources={1: content})
    reader = PortablePdb.open(BytesSource(data))
    index = next(v for t, r, k, v in reader._cdi_rows if t == DOCUMENT)
    start, _ = reader._blob_span(index)
    blob = next(s for s in reader.streams if s.name == "#Blob")
    out = bytearray(data)
    struct.pack_into("<i", out, blob.offset + start, 5000)  # declares 5000 bytes; the stream inflates to 1000
    (finding,) = d_rules(pair_report(checker, bytes(out)))["D010"]
    assert "cannot be read" in finding.message


# -- D011–D013: compiler facts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("options, why", [
    (None, "no compiler flags"),
    ({"language": "C#", "optimization": "release"}, "have no version"),
    ({"version": "2a", "language": "C#", "optimization": "release"}, "no integer version"),
    ({"version": "1", "language": "C#", "optimization": "release"}, "version 1"),
])
def test_d011_compiler_flags_missing_or_old(checker, options, why):
    (finding,) = d_rules(pair_report(checker, pdb(compilation_options=options, metadata_references=None)
                                     if options is None else pdb(compilation_options=options)))["D011"]
    assert why in finding.message


def test_d011_near_miss_fsharp_writes_no_compiler_flags(checker):
    document = ("/_/src/Library.fs", SHA256_GUID, DOC[2], FSHARP_GUID)
    found = d_rules(pair_report(checker, pdb(documents=[document], compilation_options=None, metadata_references=None)))
    assert "D011" not in found and "D012" not in found


def test_d012_metadata_references_missing(checker):
    assert "D012" in d_rules(pair_report(checker, pdb(metadata_references=None)))


@pytest.mark.parametrize("level", ["debug", "debug-plus"])
def test_d013_debug_build(checker, level):
    options = {"version": "2", "language": "C#", "optimization": level}
    (finding,) = d_rules(pair_report(checker, pdb(compilation_options=options)))["D013"]
    assert finding.entry == f"{DIR}/{NAME}.dll" and level in finding.message


@pytest.mark.parametrize("level", ["release", "release-debug-plus"])
def test_d013_near_miss_release_build(checker, level):
    options = {"version": "2", "language": "C#", "optimization": level}
    assert "D013" not in d_rules(pair_report(checker, pdb(compilation_options=options)))


# -- D014, D015: packing ---------------------------------------------------------------------------------------


def test_d014_pdb_inside_the_nupkg(tmp_path):
    (finding,) = d_rules(alone_report(tmp_path, beside(pdb())))["D014"]
    assert finding.entry == f"{DIR}/{NAME}.pdb" and "portable PDB" in finding.message


def test_d014_near_miss_embedded(tmp_path):
    assert d_rules(alone_report(tmp_path, embedded(pdb()))) == {}


def _named(tmp_path, snupkg_name: str, nupkg_name: str):
    from snupkg_lint.engine import check_package

    pair = matched_pair(NAME, pdb=pdb())
    snupkg = pkg.write(tmp_path, snupkg_name, pkg.package({f"{DIR}/{NAME}.pdb": pair.pdb}))
    nupkg = pkg.write(tmp_path, nupkg_name, pkg.package({f"{DIR}/{NAME}.dll": pair.dll}, nuspec=nuspec()))
    return d_rules(check_package(snupkg, nupkg, now=NOW))


def test_d015_renamed_snupkg_is_not_pushed_along(tmp_path):
    (finding,) = _named(tmp_path, "Contoso.Lib.snupkg", "Contoso.Lib.1.2.3.nupkg")["D015"]
    assert finding.details["expected"] == "Contoso.Lib.1.2.3.snupkg"


@pytest.mark.parametrize("snupkg, nupkg", [("Contoso.Lib.1.2.3.snupkg", "Contoso.Lib.1.2.3.nupkg"),
                                           ("Contoso.Lib.snupkg", "parent.nupkg")])
def test_d015_near_miss_names_dotnet_pack_writes_or_a_renamed_parent(tmp_path, snupkg, nupkg):
    assert "D015" not in _named(tmp_path, snupkg, nupkg)


# -- D013 from the assembly: DebuggableAttribute ---------------------------------------------------------------------


def _assembly_report(checker, metadata: bytes):
    """A pair whose PDB has no compiler flags: only the assembly's DebuggableAttribute can say."""
    from tests.factory.pair import pdb_checksum
    from tests.factory.pe import portable_codeview_for

    symbols = pdb(compilation_options=None, metadata_references=None)
    pdb_id = PortablePdb.open(BytesSource(symbols)).id
    dll = build_pe(codeview=[portable_codeview_for(pdb_id, f"/_/obj/{NAME}.pdb")],
                   checksums=[("SHA256", pdb_checksum(symbols))], metadata=metadata)
    return d_rules(checker.run(pkg.package({f"{DIR}/{NAME}.pdb": symbols}),
                               pkg.package({f"{DIR}/{NAME}.dll": dll}, nuspec=nuspec())))


@pytest.mark.parametrize("form", [{"modes": 0x107}, {"flags": (True, True)}])
def test_d013_debuggable_attribute_disabling_optimizations(checker, form):
    from tests.factory.assembly_metadata import debuggable_metadata

    (finding,) = _assembly_report(checker, debuggable_metadata(**form))["D013"]
    assert finding.part == "DebuggableAttribute" and finding.details["modes"] & 0x100


@pytest.mark.parametrize("form", [{"modes": 0x2}, {"flags": (True, False)},
                                  {"modes": 0x107, "namespace": "Other"}])
def test_d013_near_miss_release_attribute_or_another_type(checker, form):
    from tests.factory.assembly_metadata import debuggable_metadata

    assert "D013" not in _assembly_report(checker, debuggable_metadata(**form))


def test_d013_attribute_in_an_unsorted_table_as_srm_finds_it(checker):
    """SRM trusts a CustomAttribute table whose Sorted bit is set and binary-searches it: with three larger Parent
    values first, the Assembly's row is never reached, so there is no DebuggableAttribute to report."""
    from tests.factory.assembly_metadata import debuggable_metadata

    assert "D013" not in _assembly_report(checker, debuggable_metadata(modes=0x107, others_first=3,
                                                                       declared_sorted=True))


def test_d013_near_miss_unsorted_table_without_the_sorted_bit_is_searched_whole(checker):
    from tests.factory.assembly_metadata import debuggable_metadata

    assert "D013" in _assembly_report(checker, debuggable_metadata(modes=0x107, others_first=3))


def test_pdb_heaps_are_not_kept_from_pdb_to_pdb(checker):
    """The debuggable checks read each PDB's #Blob heap; only DEBUG_READERS_KEPT readers keep theirs."""
    import tracemalloc

    big = pdb(padding=1 << 20)  # a 1 MiB #Blob heap
    snupkg = pkg.package({f"lib/net8.0/Lib{n}.pdb": big for n in range(40)})
    tracemalloc.start()
    try:
        report = checker.run(snupkg)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert d_rules(report) == {} and peak < 12 << 20, f"peak {peak:,} bytes for 40 PDBs of 1 MiB"


@pytest.mark.parametrize("place", ["nupkg", "embedded"])
def test_d001_a_pdb_that_does_not_open_outside_the_snupkg(tmp_path, place):
    broken = b"BSJB" + bytes(40)
    files = beside(pdb()) if place == "nupkg" else embedded(pdb())
    if place == "nupkg":
        files[f"{DIR}/{NAME}.pdb"] = broken
    else:
        from tests.factory.pe import embedded_pdb_entry

        files[f"{DIR}/{NAME}.dll"] = build_pe(extra_entries=[embedded_pdb_entry(broken)])
    (finding,) = d_rules(alone_report(tmp_path, files))["D001"]
    assert "cannot be opened" in finding.message and finding.details["symbols"] == place


def test_d006_near_miss_a_submodule_mapped_to_its_own_repository_and_commit(checker):
    text = ('{"documents": {"/_/*": "https://raw.githubusercontent.com/contoso/lib/%s/*", '
            '"/_/external/dep/*": "https://raw.githubusercontent.com/other/dep/%s/*"}}' % (COMMIT, OTHER))
    assert "D006" not in d_rules(pair_report(checker, pdb(source_link=text)))
    no_url = f'<repository type="git" commit="{COMMIT}" />'  # then the source root's entry is compared
    assert "D006" not in d_rules(pair_report(checker, pdb(source_link=text), repository=no_url))
    stale = f'<repository type="git" commit="{OTHER}" />'
    (finding,) = d_rules(pair_report(checker, pdb(source_link=text), repository=stale))["D006"]
    assert COMMIT in finding.message


@pytest.mark.parametrize("streams, fires", [({}, True), ({"sourcelink": b"{}"}, False), ({"srcsrv": b"x"}, False)])
def test_d002_a_windows_pdb_beside_its_assembly(tmp_path, streams, fires):
    import uuid

    from tests.factory.pdb import build_windows_pdb

    files = {f"{DIR}/{NAME}.dll": build_pe(),
             f"{DIR}/{NAME}.pdb": build_windows_pdb(uuid.UUID(int=5), 1, named_streams=streams)}
    assert ("D002" in d_rules(alone_report(tmp_path, files))) is fires
