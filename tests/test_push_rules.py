"""Every push-stage rule: a package that makes it fire and a near miss that does not.

Packages start from the layout `dotnet pack` writes (tests/factory/package.py) and change one thing.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import NOW
from tests.factory import package as pkg
from tests.factory.pdb import build_portable_pdb

PDB = build_portable_pdb()
LIB = "lib/net8.0/Contoso.Lib.pdb"


def files(**extra: bytes) -> dict[str, bytes]:
    return {LIB: PDB, **extra}


def snupkg(extra_meta: str = "", *, entries=None, **kw) -> bytes:
    nuspec = kw.pop("nuspec", None) or pkg.nuspec_xml(extra=extra_meta, **kw)
    return pkg.package(entries if entries is not None else files(), nuspec=nuspec)


def raw(*entries: pkg.Entry) -> bytes:
    """A zip with exactly these entries (no OPC parts added)."""
    return pkg.zip_bytes(entries)


def nuspec_entry(text: str, name: str = "Contoso.Lib.nuspec") -> pkg.Entry:
    return pkg.Entry(name, text.encode())


GOOD_NUSPEC = pkg.nuspec_xml()
E = pkg.Entry

# rule id -> (failing package, near-miss package that must not trigger it)
CASES: dict[str, tuple[bytes, bytes]] = {
    "P101": (b"PK\x03\x04 definitely not a zip", snupkg()),
    "P102": (
        raw(nuspec_entry(GOOD_NUSPEC), E(LIB, PDB, date_time=(2025, 1, 2, 13, 0, 0))),
        raw(nuspec_entry(GOOD_NUSPEC), E(LIB, PDB, date_time=(2025, 1, 2, 11, 0, 0))),
    ),
    "P103": (
        raw(nuspec_entry(GOOD_NUSPEC), E("lib//net8.0/A.pdb", PDB), E("lib/net8.0/A.pdb", PDB)),
        raw(nuspec_entry(GOOD_NUSPEC), E("lib//net8.0/A.pdb", PDB), E("lib/net8.0/B.pdb", PDB)),
    ),
    "P104": (
        raw(nuspec_entry(GOOD_NUSPEC), E("lib\\\\net8.0\\A.pdb", PDB)),
        raw(nuspec_entry(GOOD_NUSPEC), E("lib\\net8.0\\A.pdb", PDB)),
    ),
    "P105": (raw(E(LIB, PDB), E("sub/Contoso.Lib.nuspec", GOOD_NUSPEC.encode())), snupkg()),
    "P106": (raw(nuspec_entry(GOOD_NUSPEC), nuspec_entry(GOOD_NUSPEC, "Other.NUSPEC"), E(LIB, PDB)), snupkg()),
    "P107": (
        raw(nuspec_entry(GOOD_NUSPEC.replace("</metadata>", "</metadata")), E(LIB, PDB)),
        raw(nuspec_entry(GOOD_NUSPEC.replace("A library.", "A &amp; B")), E(LIB, PDB)),
    ),
    "P108": (
        raw(nuspec_entry('<package xmlns="x"><meta><id>A</id></meta></package>'), E(LIB, PDB)),
        raw(nuspec_entry(GOOD_NUSPEC.replace("<package ", "<whatever ").replace("</package>", "</whatever>")), E(LIB, PDB)),
    ),
    "P109": (snupkg(version="1.2.3.4.5"), snupkg(version=" 01.002.3 ")),
    "P110": (snupkg(nuspec=GOOD_NUSPEC.replace("<id>Contoso.Lib</id>", "<Id>Contoso.Lib</Id>")), snupkg()),
    "P112": (
        raw(nuspec_entry(GOOD_NUSPEC), E(LIB, PDB), E(LIB.upper().replace(".PDB", ".pdb"), PDB)),
        raw(nuspec_entry(GOOD_NUSPEC), E(LIB, PDB), E("lib/net6.0/Contoso.Lib.pdb", PDB)),
    ),
    "P201": (snupkg("<title>a</title><title>b</title>"), snupkg("<title>a</title><summary>b</summary>")),
    "P202": (snupkg("<published>2020</published>"), snupkg("<tags>a b</tags>")),
    "P203": (snupkg("<serviceable>1</serviceable>"), snupkg("<serviceable> TRUE </serviceable>")),
    "P204": (
        snupkg(package_types='<packageTypes><packageType name="SymbolsPackage" /><packageType /></packageTypes>'),
        snupkg(package_types='<packageTypes><packageType name=" SymbolsPackage " /></packageTypes>'),
    ),
    "P205": (
        snupkg(package_types='<packageTypes><packageType name="SymbolsPackage" version="1" /></packageTypes>'),
        snupkg(package_types='<packageTypes><packageType name="SymbolsPackage" version="00.0" /></packageTypes>'),
    ),
    "P206": (
        snupkg(package_types='<packageTypes><packageType name="Symbols Package" /></packageTypes>'),
        snupkg(package_types='<packageTypes><packageType name="symbolspackage" /></packageTypes>'),
    ),
    "P207": (
        snupkg(dependencies='<dependencies><dependency id="A" version="not-a-version" /></dependencies>'),
        snupkg(dependencies='<dependencies><dependency id="A" version="[1.0,2.0)" /></dependencies>'),
    ),
    "P208": (
        snupkg(nuspec=GOOD_NUSPEC.replace("<metadata>", '<metadata minClientVersion="five">')),
        snupkg(nuspec=GOOD_NUSPEC.replace("<metadata>", '<metadata minClientVersion="5.0">')),
    ),
    "P209": (snupkg(version="1"), snupkg(version="1.0")),
    "P210": (snupkg("<Summary>x</Summary><summary>y</summary>"), snupkg("<summary>y</summary>")),
    "P211": (
        snupkg(dependencies='<dependencies><group targetFramework="portable-net45-client+win8" /></dependencies>'),
        snupkg(dependencies='<dependencies><group targetFramework="portable-net45+win8" /></dependencies>'),
    ),
    "P212": (
        snupkg(package_types='<packageTypes><packageType name="SymbolsPackage" version="0.0.0" /></packageTypes>'),
        snupkg(package_types='<packageTypes><packageType name="SymbolsPackage" version="0.0" /></packageTypes>'),
    ),
    "P213": (snupkg(description="   "), snupkg(description="x")),
    "P214": (snupkg("<title>" + "t" * 257 + "</title>"), snupkg("<title>" + "t" * 256 + "</title>")),
    "P215": (snupkg(id="A" * 90, version="1.0.0+" + "m" * 70), snupkg(id="A" * 90, version="1.0.0+" + "m" * 60)),
    "P216": (
        snupkg(dependencies='<dependencies><group targetFramework="net8.0" /><group targetFramework="net8" /></dependencies>'),
        snupkg(dependencies='<dependencies><group targetFramework="net8.0" /><group targetFramework="net6.0" /></dependencies>'),
    ),
    "P217": (snupkg(id="Contoso..Lib"), snupkg(id="Contoso_.Lib-2")),
    "P218": (snupkg(version="1.0.0-1"), snupkg(version="1.0.0-1.2")),
    "P219": (snupkg("<projectUrl>ftp://example.com/x</projectUrl>"), snupkg("<projectUrl>https://example.com/x</projectUrl>")),
    "P220": (
        snupkg(dependencies='<dependencies><group targetFramework="nett8.0" /></dependencies>'),
        snupkg(dependencies='<dependencies><group targetFramework="net8.0-windows10.0.19041" /></dependencies>'),
    ),
    "P221": (
        snupkg(dependencies='<dependencies><group targetFramework="net8.0"><dependency id="A" version="1.*" /></group></dependencies>'),
        snupkg(dependencies='<dependencies><group targetFramework="net8.0"><dependency id="A" version="1.0" /></group></dependencies>'),
    ),
    "P222": (snupkg(authors="Contoso"), snupkg(authors="")),
    "P223": (snupkg(entries=files(**{"lib/net8.0/Contoso.Lib.xml": b"<doc/>", "src/A.cs": b"x"})),
             snupkg(entries=files(**{"lib/net8.0/Contoso.Lib.xml": b"<doc/>", "LICENSE": b"x"}))),
    "P224": (snupkg(entries=files(**{"lib/net8.0/a|b.pdb": PDB})), snupkg(entries=files(**{"lib/net8.0/a b.pdb": PDB}))),
    "P225": (snupkg(entries={"lib/net8.0/Contoso.Lib.PDB": PDB}), snupkg(entries={"Contoso.Lib.pdb": PDB})),
    "P226": (snupkg(entries=files(**{"../evil.pdb": PDB})), snupkg(entries=files(**{"lib/x/../net8.0/ok.pdb": PDB}))),
}


def rules_of(report) -> set[str]:
    return {f.rule for f in report.findings}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(checker, rule_id):
    failing, _ = CASES[rule_id]
    report = checker.run(failing)
    assert rule_id in rules_of(report), [f"{f.rule} {f.message}" for f in report.findings]
    finding = next(f for f in report.findings if f.rule == rule_id)
    assert finding.outcome.stage is not None and finding.outcome.stage.value == "push"
    assert report.verdict == "push-rejected"
    assert "X001" not in rules_of(report)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_near_miss_passes(checker, rule_id):
    _, passing = CASES[rule_id]
    report = checker.run(passing)
    assert rule_id not in rules_of(report), [f"{f.rule} {f.message}" for f in report.findings]
    assert "X001" not in rules_of(report)


def test_correct_package_without_its_nupkg_is_incomplete_not_pass(checker):
    report = checker.run(snupkg())
    assert [f for f in report.findings if f.severity.value == "error"] == []
    assert report.verdict == "incomplete" and report.predicted is None
    assert [f.rule for f in report.unchecked] == ["V301"]


def test_package_too_large(checker, monkeypatch):
    from snupkg_lint.checks import archive

    monkeypatch.setattr(archive, "MAX_REQUEST_BYTES", 4000)
    big = E("lib/net8.0/Big.pdb", build_portable_pdb(padding=5000), compress_type=0)  # stored: 5 KB on disk
    report = checker.run(raw(nuspec_entry(GOOD_NUSPEC), E(LIB, PDB), big))
    finding = next(f for f in report.findings if f.rule == "P100")
    assert finding.outcome.status == 413
    assert "P100" not in rules_of(checker.run(snupkg()))


def test_parent_mismatch_names_both(checker):
    nupkg = pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, id="contoso.lib", version="1.2.3.0", symbols=False)
    assert "P111" not in rules_of(checker.run(snupkg(version="1.2.3+build.7"), nupkg))
    report = checker.run(snupkg(version="1.2.4"), nupkg)
    finding = next(f for f in report.findings if f.rule == "P111")
    assert finding.outcome.status == 404
    assert "1.2.4" in finding.message and "1.2.3" in finding.message
    assert finding.outcome.server_message == (
        "A package with ID 'Contoso.Lib' and version '1.2.4' does not exist. "
        "Please upload the package before uploading its symbols.")


def test_unreadable_nupkg_is_reported(checker):
    report = checker.run(snupkg(), b"garbage")
    assert "X002" in rules_of(report)
    assert "X002" not in rules_of(checker.run(snupkg(), pkg.package({}, symbols=False)))


def test_nuspec_status_500_and_messages(checker):
    report = checker.run(raw(E(LIB, PDB)))
    finding = next(f for f in report.findings if f.rule == "P105")
    assert finding.outcome.status == 500
    assert finding.outcome.server_message == "The package is missing the required nuspec file. "


def test_dtd_is_refused_without_expanding_entities(checker):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<package><metadata><id>&lol2;</id><version>1.0.0</version></metadata></package>')
    report = checker.run(raw(nuspec_entry(bomb), E(LIB, PDB)))
    finding = next(f for f in report.findings if f.rule == "P107")
    assert "DTD is prohibited" in finding.message
    assert finding.outcome.status == 500


def test_external_entity_is_not_resolved(checker, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (f'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>\n'
           "<package><metadata><id>&x;</id><version>1.0.0</version></metadata></package>")
    report = checker.run(raw(nuspec_entry(xxe), E(LIB, PDB)))
    assert all("TOP-SECRET" not in f.message for f in report.findings)
    assert "P107" in rules_of(report)


def test_future_entry_message_uses_file_name(checker):
    late = NOW + dt.timedelta(days=3)
    report = checker.run(raw(nuspec_entry(GOOD_NUSPEC), E(LIB, PDB, date_time=late.timetuple()[:6])))
    finding = next(f for f in report.findings if f.rule == "P102")
    assert finding.entry == LIB
    assert "such as 'Contoso.Lib.pdb' have a date in the future" in finding.outcome.server_message


def test_issue_example_three_push_findings(checker):
    """authors in the nuspec, an extra .dll and an upper-case .PDB: three findings, each with its entry."""
    data = snupkg(authors="Contoso", entries=files(**{"lib/net8.0/Contoso.Lib.dll": b"MZ",
                                                      "lib/net8.0/Other.PDB": PDB}))
    report = checker.run(data)
    push = [f for f in report.findings if f.outcome.stage is not None and f.outcome.stage.value == "push"]
    assert report.verdict == "push-rejected"
    assert sorted((f.rule, f.entry) for f in push) == [
        ("P222", "Contoso.Lib.nuspec"),
        ("P223", "lib/net8.0/Contoso.Lib.dll"),
        ("P223", "lib/net8.0/Other.PDB"),
    ]
    assert all(f.outcome.status == 400 and f.outcome.server_message for f in push)


def test_unsafe_entry_names_package_and_path(checker):
    report = checker.run(snupkg(entries=files(**{"C:/x.pdb": PDB})))
    finding = next(f for f in report.findings if f.rule == "P226")
    assert finding.outcome.server_message == (
        "The package 'Contoso.Lib.1.2.3' contains an entry 'C:\\x.pdb' which is unsafe for extraction.")


@pytest.mark.parametrize("text", [
    "<![CDATA[Render <!DOCTYPE html> pages]]>",
    "pages <!-- <!DOCTYPE x> -->",
])
def test_doctype_text_inside_content_is_not_a_dtd(checker, text):
    report = checker.run(snupkg(description=text))
    assert "P107" not in rules_of(report)


def test_metadata_default_namespace_decides_where_id_is_read(checker):
    ns = pkg.NS
    prefixed = (f'<?xml version="1.0"?><package xmlns:n="{ns}"><n:metadata><n:id>Contoso.Lib</n:id>'
                "<n:version>1.2.3</n:version><n:description>x</n:description><n:packageTypes>"
                '<n:packageType name="SymbolsPackage" /></n:packageTypes></n:metadata></package>')
    assert {"P109", "P110"} <= rules_of(checker.run(snupkg(nuspec=prefixed)))
    other = ('<?xml version="1.0"?><package><m:metadata xmlns:m="urn:other"><id>Contoso.Lib</id>'
             "<version>1.2.3</version><description>x</description><packageTypes>"
             '<packageType name="SymbolsPackage" /></packageTypes></m:metadata></package>')
    assert not [f for f in checker.run(snupkg(nuspec=other)).findings if f.severity.value == "error"]


def test_manifest_errors_are_answered_together(checker):
    """ManifestValidator collects every error into one answer; each finding quotes that whole answer."""
    report = checker.run(snupkg("<projectUrl>x</projectUrl><iconUrl>y</iconUrl>", id="Contoso..Lib"))
    manifest = [f for f in report.findings if f.rule in ("P217", "P219")]
    assert [f.rule for f in manifest] == ["P217", "P219", "P219"]
    expected = ("The NuGet package contains an invalid .nuspec file. The errors encountered were: "
                "'The package manifest contains an invalid ID: 'Contoso..Lib', because it must start with a letter, "
                "number or underscore ( _ ), can only contain letters, numbers, underscores ( _ ), dots ( . ), or "
                "dashes ( - ), and cannot contain consecutive dots ( . ) or dashes ( - ).', 'The package manifest "
                "contains an invalid URL', 'The package manifest contains an invalid URL'. Correct the errors and try "
                "again.")  # ManifestValidator's errors, joined with "', '" (SymbolPackageService)
    assert {f.outcome.server_message for f in manifest} == {expected}
    single = checker.run(snupkg("<projectUrl>x</projectUrl>"))
    assert next(f for f in single.findings if f.rule == "P219").outcome.server_message == (
        "The NuGet package contains an invalid .nuspec file. The error encountered was: "
        "'The package manifest contains an invalid URL'. Correct the error and try again.")


def _zip_with(entries: list[tuple[str, bytes, int]]) -> bytes:
    """A package whose extra entries carry a 'version made by' platform (0: Windows, 3: Unix)."""
    import io
    import zipfile

    base = zipfile.ZipFile(io.BytesIO(pkg.package({"lib/net8.0/Contoso.Lib.pdb": PDB})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in base.infolist():
            zf.writestr(info, base.read(info))
        for name, data, system in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 1, 12, 0, 0))
            info.create_system = system
            zf.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("system, quoted", [(0, "A.pdb"), (3, "lib\\\\net8.0\\\\A.pdb")])
def test_double_backslash_quotes_the_entry_name_as_dotnet_splits_it(checker, system, quoted):
    report = checker.run(_zip_with([("lib\\\\net8.0\\\\A.pdb", PDB, system)]))
    finding = next(f for f in report.findings if f.rule == "P104")
    assert finding.outcome.server_message == (
        f"The package is invalid and cannot be published. The package entry for '{quoted}' has a  double back "
        "slashes in path.")


def test_double_slash_collision_quotes_the_file_name_not_the_path(checker):
    report = checker.run(_zip_with([("lib//net8.0/Contoso.Lib.pdb", PDB, 0)]))
    finding = next(f for f in report.findings if f.rule == "P103")
    assert "The package entry for 'Contoso.Lib.pdb' has a  double forward slashes" in finding.outcome.server_message


def test_lengths_are_counted_in_utf16_code_units_as_dotnet_does(checker):
    emoji = "\N{PACKAGE}"  # outside the BMP: two UTF-16 code units, one Python character
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": PDB},
                                     nuspec=pkg.nuspec_xml(extra=f"<title>{emoji * 129}</title>")))
    finding = next(f for f in report.findings if f.rule == "P214")
    assert "Title is 258 characters long; nuget.org allows 256" in finding.message
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": PDB},
                                     nuspec=pkg.nuspec_xml(extra=f"<title>{emoji * 128}</title>")))
    assert "P214" not in [f.rule for f in report.findings]


@pytest.mark.parametrize("text, phrase", [
    ("foo", "foo"), ("foo\rbar", "foo bar"), ("foo\nbar", "foo bar"), ("foo\r\nbar", "foo bar"),
    (" foo\n\r  bar   \nbaz  ", "foo bar baz"), ("  foo  ", "  foo  "),  # NuGetGallery's own test cases
    ("x" * 512, "x" * 512), ("x" * 513, "x" * 509 + "..."), ("\N{PACKAGE}" * 300, "\N{PACKAGE}" * 254 + "\ufffd..."),  # 509 units end inside a pair
])
def test_reason_phrase_is_one_line_of_at_most_512_code_units(text, phrase):
    from snupkg_lint.model import reason_phrase

    assert reason_phrase(text) == phrase


def test_a_long_server_message_is_cut_as_the_client_receives_it(checker):
    name = "lib/" + "d" * 600 + ".pdb"
    snupkg = pkg.package([pkg.Entry("lib/net8.0/Contoso.Lib.pdb", PDB), pkg.Entry(name, PDB, date_time=(2099, 1, 1, 0, 0, 0))])
    finding = next(f for f in checker.run(snupkg).findings if f.rule == "P102")
    assert len(finding.outcome.server_message) == 512 and finding.outcome.server_message.endswith("ddd...")



def test_version_errors_carry_dotnets_parameter_name_on_one_line(checker):
    finding = next(f for f in checker.run(snupkg(version="v1.2.3")).findings if f.rule == "P109")
    assert finding.outcome.status == 500
    assert finding.outcome.server_message == "'v1.2.3' is not a valid version string. Parameter name: value"


@pytest.mark.parametrize("version_element, id_element, answer", [
    ("", "<id>Contoso.Lib</id>", ("P109", "version")),  # no <version>: the parent lookup refuses it
    ("<Version>1.2.3</Version>", "<id>Contoso.Lib</id>", ("P109", "version")),  # wrong case: not found
    ("", "", ("P110", "Value cannot be null. Parameter name: id")),  # both missing: the id is checked first
])
def test_missing_version_is_answered_after_the_id(checker, version_element, id_element, answer):
    nuspec = GOOD_NUSPEC.replace("<version>1.2.3</version>", version_element).replace("<id>Contoso.Lib</id>", id_element)
    report = checker.run(snupkg(nuspec=nuspec))
    assert (report.predicted.rule, report.predicted.outcome.server_message) == answer
    assert "P109" in {f.rule for f in report.findings}  # reported either way


@pytest.mark.parametrize("url, valid", [
    ("https://example.com/a b", True), ("https://example.com:8080/x", True), ("http://[::1]:80/", True),
    ("https://exa mple.com", False), ("https://example.com:99999", False), ("https://ex|ample.com/", False),
    ("https:///path", False), ("ftp://example.com", False),
])
def test_urls_are_what_dotnets_uri_accepts(checker, url, valid):
    from xml.sax.saxutils import escape

    report = checker.run(snupkg(f"<projectUrl>{escape(url)}</projectUrl>"))
    assert ("P219" in rules_of(report)) is not valid


def test_every_miscased_tags_element_is_named_in_one_answer(checker):
    report = checker.run(snupkg("<Tags>a</Tags><TAGS>b</TAGS>"))
    findings = [f for f in report.findings if f.rule == "P202"]
    assert [f.message for f in findings] == ["<Tags> and <TAGS> must be spelled <tags>"]
    assert findings[0].outcome.server_message == \
        "The package manifest contains invalid metadata elements: 'Tags', 'TAGS'"


@pytest.mark.parametrize("written, answer", [
    (" Contoso.Lib", "P111"),  # a leading space: SQL finds no such parent package (404)
    ("Contoso.Lib\t", "P111"),  # a tab is not a trailing space to SQL: 404
    ("Contoso.Lib ", "P217"),  # SQL ignores the trailing space and finds the parent; the id itself is invalid (400)
    ("contoso.LIB", None),  # case does not matter to either
])
def test_spaces_around_the_id_as_nuget_org_compares_it(checker, written, answer):
    parent = pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, symbols=False)
    nuspec = GOOD_NUSPEC.replace("<id>Contoso.Lib</id>", f"<id>{written}</id>")
    report = checker.run(snupkg(nuspec=nuspec), parent)
    assert (report.predicted.rule if report.predicted and report.predicted.outcome.stage.value == "push" else None) \
        == answer, [f.rule for f in report.findings]
