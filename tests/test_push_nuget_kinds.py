"""The push-stage kinds of disagreement with nuget.org found by the differential tests (issue #8, part B): each
case built in code, with nuget.org's answer (status and server message) as .NET computes it."""

from __future__ import annotations

import pytest

from tests.factory import package as pkg
from tests.factory.pdb import build_portable_pdb

PDB = build_portable_pdb()
LIB = "lib/net8.0/Contoso.Lib.pdb"
GOOD = pkg.nuspec_xml()
FAILED_TO_READ = "Failed to read the symbols package. Ensure it is a valid symbols package (.snupkg)."


def snupkg(nuspec: str | None = None, entries: dict[str, bytes] | None = None, **kw) -> bytes:
    return pkg.package(entries if entries is not None else {LIB: PDB}, nuspec=nuspec or pkg.nuspec_xml(**kw))


def answer(report) -> tuple[str, int, str] | None:
    """(rule, status, server message) of the predicted push answer, None when the push is predicted to pass."""
    found = report.predicted
    if found is None or found.outcome.stage is None or found.outcome.stage.value != "push":
        return None
    return found.rule, found.outcome.status, found.outcome.server_message


def push_errors(report) -> list[str]:
    return [f.rule for f in report.findings if f.severity.value == "error" and f.outcome.stage is not None
            and f.outcome.stage.value == "push"]


# -- B7: white space and mixed content, as NuspecReader reads them (IgnoreWhitespace; leaves only) -------------------

OWNERS = "Invalid metadata items specified in nuspec. Please remove 'Owners' from the nuspec."


@pytest.mark.parametrize("owners", [
    "<owners><![CDATA[ ]]></owners>",  # a CDATA section is text, not ignorable white space
    '<owners xml:space="preserve"> </owners>',  # significant white space is kept
    '<owners>\u00a0</owners>',  # a no-break space is no XML white space
])
def test_white_space_nuget_keeps_is_an_owner(checker, owners):
    report = checker.run(snupkg(description="x", extra=owners))
    assert answer(report) == ("P222", 400, OWNERS)


@pytest.mark.parametrize("owners", ["<owners> </owners>", "<owners>\n\t</owners>", "<owners> <!-- c --> </owners>",
                                    '<owners xml:space="default"> </owners>'])
def test_white_space_nuget_ignores_is_no_owner(checker, owners):
    assert "P222" not in push_errors(checker.run(snupkg(extra=owners)))


@pytest.mark.parametrize("description, missing", [
    ("   ", True),  # ignorable white space: no description (400 Description is required)
    ("<![CDATA[   ]]>", False),
    ("\u00a0", False),  # NBSP: kept, and PackageHelper only asks for a non-null Description
    ("a<b>c</b>", True),  # an element with children is no metadata value
])
def test_description_as_package_metadata_reads_it(checker, description, missing):
    report = checker.run(snupkg(description=description))
    assert ("P213" in push_errors(report)) is missing
    kept = pkg.nuspec_xml(description=None, extra='<description xml:space="preserve">   </description>')
    assert "P213" not in push_errors(checker.run(snupkg(kept)))


def test_an_id_with_child_elements_is_missing_for_the_manifest_validator(checker):
    parent = pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, symbols=False)
    nuspec = GOOD.replace("<id>Contoso.Lib</id>", "<id>Contoso<b>.Lib</b></id>")
    report = checker.run(snupkg(nuspec), parent)  # GetId() reads 'Contoso.Lib' (the parent is found)
    assert answer(report) == ("P217", 400, "The NuGet package contains an invalid .nuspec file. The error encountered "
                              "was: 'The package manifest is missing the Id field'. Correct the error and try again.")


def test_a_version_with_child_elements_has_no_dot_for_package_metadata(checker):
    parent = pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, symbols=False)
    nuspec = GOOD.replace("<version>1.2.3</version>", "<version>1.2.3<x/></version>")
    report = checker.run(snupkg(nuspec), parent)  # GetVersion() reads 1.2.3; PackageMetadata reads none
    assert answer(report) == ("P209", 400, FAILED_TO_READ)


# -- B10: dependencies as NuspecReader collects them (a HashSet of PackageDependency, group by group) ---------------

def deps(*groups: str) -> str:
    return "<dependencies>" + "".join(groups) + "</dependencies>"


def group(framework: str | None, *dependencies: str) -> str:
    attr = f' targetFramework="{framework}"' if framework is not None else ""
    return f"<group{attr}>" + "".join(dependencies) + "</group>"


def dep(id: str | None, version: str | None = "1.0.0", extra: str = "") -> str:
    parts = [f'id="{id}"' if id is not None else "", f'version="{version}"' if version is not None else "", extra]
    return "<dependency " + " ".join(p for p in parts if p) + " />"


@pytest.mark.parametrize("repeated", [
    (dep("A"), dep("A")),  # identical: one element of the set
    (dep("A"), dep("a")),  # the comparer ignores the id's case
    (dep("A", "1.0"), dep("a", "[1.0.0, )")),  # equal ranges
    (dep("A", extra='include="Compile,Runtime"'), dep("A", extra='include="runtime, compile"')),  # equal flags
])
def test_repeated_dependencies_collapse_and_pass(checker, repeated):
    report = checker.run(snupkg(dependencies=deps(group("net8.0", *repeated))))
    assert "P221" not in push_errors(report)


def test_a_dependency_repeated_with_another_range_is_a_duplicate(checker):
    report = checker.run(snupkg(dependencies=deps(group("net8.0", dep("A", "1.0.0"), dep("a", "2.0.0")))))
    assert answer(report) == ("P221", 400, "The NuGet package contains an invalid .nuspec file. The error encountered "
                              "was: 'The package manifest contains a duplicate dependency: net8.0 a'. Correct the "
                              "error and try again.")
    finding = next(f for f in report.findings if f.rule == "P221")
    assert finding.message.startswith("dependency 'a 2.0.0' is listed twice"), finding.message


@pytest.mark.parametrize("framework, shown", [
    (None, "any"), ("nett8.0", "unsupported"), (".NETFramework,Version=v4.5", "net45"), ("net8.0-windows7", "net8.0-windows7.0"),
    ("portable-win+net45", "portable-net45+win8"), ("netstandard2", "netstandard2.0"),
])
def test_the_duplicate_message_prints_the_short_folder_name(checker, framework, shown):
    report = checker.run(snupkg(dependencies=deps(group(framework, dep("A", "1.0.0"), dep("A", "2.0.0")))))
    duplicate = f"The package manifest contains a duplicate dependency: {shown} A"
    assert any(duplicate in (f.outcome.server_message or "") for f in report.findings if f.rule == "P221")


@pytest.mark.parametrize("bad", [dep(""), dep(None)])
def test_an_empty_dependency_id_fails_in_the_package_dependency_constructor(checker, bad):
    report = checker.run(snupkg(dependencies=deps(group("net8.0", bad))))
    assert answer(report) == ("P227", 400, FAILED_TO_READ)
    assert "P227" not in push_errors(checker.run(snupkg(dependencies=deps(group("net8.0", dep(" "))))))  # P221


def test_groups_are_read_in_order_a_bad_framework_before_a_later_bad_version(checker):
    first_framework = deps(group("portable-net45-client+win8", dep("A")), group("net8.0", dep("B", "x")))
    assert answer(checker.run(snupkg(dependencies=first_framework))) == ("P211", 400, FAILED_TO_READ)
    first_version = deps(group("net8.0", dep("B", "x")), group("portable-net45-client+win8", dep("A")))
    assert answer(checker.run(snupkg(dependencies=first_version)))[0] == "P207"
    same_group = deps(group("portable-net45-client+win8", dep("B", "x")))  # a group's versions come first
    assert answer(checker.run(snupkg(dependencies=same_group)))[0] == "P207"
    no_id_then_version = deps(group("net8.0", dep("")), group("net6.0", dep("B", "x")))
    assert answer(checker.run(snupkg(dependencies=no_id_then_version)))[0] == "P227"


# -- B11: frameworks as NuGet.Frameworks 6.x parses them --------------------------------------------------------

def assemblies(*targets: str) -> str:
    return "<frameworkAssemblies>" + "".join(
        f'<frameworkAssembly assemblyName="System.Xml" targetFramework="{t}" />' for t in targets) + \
        "</frameworkAssemblies>"


@pytest.mark.parametrize("target", ["net45, net46", "net45,,net46", " net45 ", "net45,\u00a0net46"])
def test_framework_assembly_targets_are_split_on_commas_and_trimmed(checker, target):
    assert push_errors(checker.run(snupkg(extra=assemblies(target)))) == []


def test_framework_assembly_unsupported_is_answered_once(checker):
    report = checker.run(snupkg(extra=assemblies("foo, bar", "baz")))
    assert answer(report) == ("P220", 400, "The NuGet package contains an invalid .nuspec file. The error encountered "
                              "was: 'The target framework Unsupported,Version=v0.0 is not supported.'. Correct the "
                              "error and try again.")


@pytest.mark.parametrize("framework, rule", [
    ("1.0", "P220"),  # not one of the deprecated bare versions (45, 4.0, 35, 2.0 …): Unsupported
    ("4.0", None), ("45", None),
    (".NETPortable,Version=v4.5,Profile=Profile99999", "P211"),  # parses; GetShortFolderName throws in Flatten
    (".NETPortable,Version=v4.5,Profile=Profile7", None),
    ("portable-net45+win8,Version=v1", None),  # an unknown identifier with version 1.0: parses
    (".NETFramework,Version=v", "P211"),  # Version.TryParse('.0') fails
    ("netnano1.0", None),  # .NET nanoFramework, known to NuGet 6.x (NuGet.exe 5.8 says Unsupported)
    ("net8.0-windows10.0.19041", None), ("net8.0-windows10.x", "P220"),
])
def test_dependency_group_frameworks(checker, framework, rule):
    report = checker.run(snupkg(dependencies=deps(group(framework, dep("A")))))
    found = answer(report)
    assert (found[0] if found else None) == rule, report.findings
    if rule == "P211":
        assert found[1:] == (400, FAILED_TO_READ)


def test_flattened_dependencies_over_int16_max(checker):
    many = [dep("D" * 95 + f"{n:05d}") for n in range(300)]  # 300 × 117 characters once flattened
    report = checker.run(snupkg(dependencies=deps(group("net8.0", *many))))
    assert answer(report) == ("P214", 400, "A nuget package's Dependencies property may not be more than 32767 "
                              "characters long.")
    assert "P214" not in push_errors(checker.run(snupkg(dependencies=deps(group("net8.0", *many[:250])))))


@pytest.mark.parametrize("text, printed, short", [  # NuGet.Frameworks 6.x; the same from NuGet.exe 5.8 except net5+
    ("net45", ".NETFramework,Version=v4.5", "net45"),
    ("net8.0-windows10.0.19041", "net8.0-windows10.0.19041", "net8.0-windows10.0.19041"),
    ("portable-net45+win8+monoandroid10", ".NETPortable,Version=v0.0,Profile=Profile7", "portable-net45+win8"),
    ("portable-netcore45+net45", ".NETPortable,Version=v0.0,Profile=Profile7", "portable-net45+win8"),
    ("portable-win+net45+wp8", ".NETPortable,Version=v0.0,Profile=Profile78", "portable-net45+win8+wp8"),
    ("portable-net4+sl5+win8+wpa81+wp8", ".NETPortable,Version=v0.0,Profile=Profile328",
     "portable-net40+sl5+win8+wp8+wpa81"),
    (".NETPortable,Version=v4.5,Profile=Profile7", ".NETPortable,Version=v4.5,Profile=Profile7", "portable45-net45+win8"),
    ("portable-net45+win8,Version=v1", "portable-net45+win8,Version=v1.0", "portablenet45win810"),
    ("net40-client", ".NETFramework,Version=v4.0,Profile=Client", "net40-client"),
    ("sl4-wp", "Silverlight,Version=v4.0,Profile=WindowsPhone", "sl4-wp"),
    ("dotnet", ".NETPlatform,Version=v5.0", "dotnet"), ("net10", ".NETFramework,Version=v1.0", "net10"),
    ("Foo,Version=v1.0", "Foo,Version=v1.0", "foo10"), ("nett8.0", "Unsupported,Version=v0.0", "unsupported"),
    ("netnano1.0", ".NETnanoFramework,Version=v1.0", "netnano1.0"),
])
def test_framework_names_as_nuget_frameworks_prints_them(text, printed, short):
    from snupkg_lint.formats.nuget_framework import parse_framework, short_folder_name

    framework = parse_framework(text)
    assert (str(framework), short_folder_name(framework)) == (printed, short)


# -- B12: entry names as FileInfo and Path see them on .NET Framework (Windows) ---------------------------------

NO_SYMBOLS = "The package does not contain any symbol (.pdb) files."
INVALID_FILES = "Invalid file found in the uploaded package. Symbols packages should only contain '.pdb' files."


@pytest.mark.parametrize("name", ["lib/net8.0/Contoso.Lib.pdb ", "lib/net8.0/Contoso.Lib.pdb%20",
                                  "lib/net8.0/Contoso.Lib.pdb\u00a0", "lib/net8.0/Contoso.Lib.pdb."])
def test_a_pdb_name_with_trailing_blank_or_dot_is_allowed_but_no_pdb(checker, name):
    """FileInfo's extension comes from the normalised full path (.pdb: allowed); the PDB check reads the name."""
    report = checker.run(snupkg(entries={name: PDB}))
    assert answer(report) == ("P225", 400, NO_SYMBOLS)
    assert "P223" not in push_errors(report)
    assert "P225" not in push_errors(checker.run(snupkg(entries={name: PDB, LIB: PDB})))


@pytest.mark.parametrize("name", ["lib/net8.0/Contoso.Lib.dll.", "lib/net8.0/Contoso.Lib.dll ", "src/A.cs%20"])
def test_a_disallowed_extension_behind_a_trailing_dot_or_blank(checker, name):
    report = checker.run(snupkg(entries={LIB: PDB, name: b"x"}))
    assert answer(report) == ("P223", 400, INVALID_FILES)


@pytest.mark.parametrize("name", ["lib/net8.0/a*.pdb", "lib/net8.0/a?.pdb", "lib/net8.0/a%3F.pdb", "%2F%2Fx.pdb",
                                  "%5C%5Cserver%5C"])
def test_names_file_info_refuses(checker, name):
    report = checker.run(snupkg(entries={LIB: PDB, name: PDB}))
    assert answer(report) == ("P224", 400, FAILED_TO_READ)


def test_file_info_and_extensions_are_checked_entry_by_entry(checker):
    first_bad_char = pkg.package([pkg.Entry(LIB, PDB), pkg.Entry("a|b.pdb", PDB), pkg.Entry("src/A.cs", b"x")])
    assert answer(checker.run(first_bad_char))[0] == "P224"
    first_bad_extension = pkg.package([pkg.Entry(LIB, PDB), pkg.Entry("src/A.cs", b"x"), pkg.Entry("a|b.pdb", PDB)])
    assert answer(checker.run(first_bad_extension))[0] == "P223"


def test_a_unc_path_with_a_share_is_unsafe_not_refused(checker):
    report = checker.run(snupkg(entries={LIB: PDB, "%2F%2Fserver%2Fshare%2Fx.pdb": PDB}))
    assert answer(report) == ("P226", 400, "The package 'Contoso.Lib.1.2.3' contains an entry '\\\\server\\share\\x.pdb' "
                              "which is unsafe for extraction.")


@pytest.mark.parametrize("name", ["lib/%253C.pdb", "lib/a%257Cb.pdb", "lib/a%253Ab.pdb", "%252F%252Fx.pdb"])
def test_the_extraction_check_unescapes_twice(checker, name):
    report = checker.run(snupkg(entries={LIB: PDB, name: PDB}))
    assert answer(report) == ("P226", 400, "An unexpected error occurred while checking package entries.")
    assert "P226" not in push_errors(checker.run(snupkg(entries={LIB: PDB, "lib/%2525.pdb": PDB})))  # '%' is fine


# -- B3: XML errors: always 500, in System.Xml's words (checked against Mono's System.Xml, which is .NET's source) --

XML_ERRORS = [
    (b'<?xml version="1.0"?>\n<package>\n  <metadata>\n    <d>a&nbsp;b</d></metadata></package>',
     "Reference to undeclared entity 'nbsp'. Line 4, position 10."),
    (b"<package>\n  <metadata>\n    <id>x</id>\n</package>",
     "The 'metadata' start tag on line 2 position 4 does not match the end tag of 'package'. Line 4, position 3."),
    (b'<a>\n<x:b xmlns:x="u"></x:c></a>',
     "The 'x:b' start tag on line 2 position 2 does not match the end tag of 'x:c'. Line 2, position 20."),
    (b"<package>\n  <metadata>\n    <id>x",
     "Unexpected end of file has occurred. The following elements are not closed: id, metadata, package. Line 3, "
     "position 10."),
    (b"", "Root element is missing."), (b"   \n", "Root element is missing."),
    (b'<?xml version="1.0"?>\n', "Root element is missing."),
    (b"hello<package/>", "Data at the root level is invalid. Line 1, position 1."),
    (b"<a/>\n<b/>", "There are multiple root elements. Line 2, position 2."),
    (b"<a/>\nxyz", "Data at the root level is invalid. Line 2, position 1."),
    (b'<?xml version="1.1"?><a/>', "Version number '1.1' is invalid. Line 1, position 16."),
    (b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-16"?><a/>',
     "There is no Unicode byte order mark. Cannot switch to Unicode."),
    (b'<?xml version="1.0" encoding="utf-16"?><a/>', "There is no Unicode byte order mark. Cannot switch to Unicode."),
    ('<?xml version="1.0" encoding="utf-8"?>\n<a/>'.encode("utf-16"),
     "'.', hexadecimal value 0x00, is an invalid character. Line 2, position 1."),
    (b'<a>\n <b xml:space="bogus"/></a>', "'bogus' is an invalid xml:space value. Line 2, position 5."),
    (b'<a x="1" x="2"/>', "'x' is a duplicate attribute name. Line 1, position 10."),
    (b"<a><p:b/></a>", "'p' is an undeclared prefix. Line 1, position 5."),
    (b"<a>1 < 2</a>", "Name cannot begin with the ' ' character, hexadecimal value 0x20. Line 1, position 7."),
    (b"<a>AT&T</a>", "'<' is an unexpected token. The expected token is ';'. Line 1, position 8."),
    (b"<a><1b/></a>", "Name cannot begin with the '1' character, hexadecimal value 0x31. Line 1, position 5."),
    (pkg.nuspec_xml(description="Helpers for Tom & Jerry").encode(),
     "An error occurred while parsing EntityName. Line 6, position 35."),
    (b"<a>x <", "Unexpected end of file has occurred. The following elements are not closed: a. Line 1, position 7."),
    (b"<a>]]></a>", "']]>' is not allowed in character data. Line 1, position 4."),
    (b"<a>\x01</a>", "'\x01', hexadecimal value 0x01, is an invalid character. Line 1, position 4."),
    (b'<?xml version="1.0" encoding="utf-8"?><a>\xff</a>', "Invalid character in the given encoding. Line 1, position 42."),
    (b'<a x="<"/>', "'<', hexadecimal value 0x3C, is an invalid attribute character. Line 1, position 7."),
    (b"<a x=1/>", "'1' is an unexpected token. The expected token is '\"' or '''. Line 1, position 6."),
    (b' <?xml version="1.0"?><a/>', "Unexpected XML declaration. The XML declaration must be the first node in the "
     "document, and no white space characters are allowed to appear before it. Line 1, position 4."),
    (b"</a>", "Unexpected end tag. Line 1, position 3."),
    (b"<?xml version='2.0'?><a/>", "Version number '2.0' is invalid. Line 1, position 16."),
]


@pytest.mark.parametrize("data, message", XML_ERRORS)
def test_xml_errors_are_500_with_system_xml_wording(checker, data, message):
    report = checker.run(pkg.zip_bytes([pkg.Entry("Contoso.Lib.nuspec", data), pkg.Entry(LIB, PDB)]))
    assert answer(report) == ("P107", 500, message)


def test_a_utf16_nuspec_that_says_so_is_read(checker):
    nuspec = GOOD.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    report = checker.run(pkg.zip_bytes([pkg.Entry("Contoso.Lib.nuspec", nuspec), pkg.Entry(LIB, PDB)]))
    assert "P107" not in push_errors(report)
