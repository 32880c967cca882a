"""Push-stage behaviour that tests/test_differential_push.py found snupkg-lint getting wrong, fixed, each with a failing
and a near-miss passing case built in code (these run without Mono)."""

from __future__ import annotations

from tests.factory import package as pkg
from tests.factory.pdb import build_portable_pdb

NUPKG = pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, symbols=False)


def _end_record_changed(offset: int, delta: int) -> bytes:
    data = bytearray(pkg.package({"lib/net8.0/Contoso.Lib.pdb": build_portable_pdb()}))
    end = data.rfind(b"PK\x05\x06")
    value = int.from_bytes(data[end + offset: end + offset + 2], "little")
    data[end + offset: end + offset + 2] = (value + delta).to_bytes(2, "little")
    return bytes(data)


def test_an_end_record_counting_other_entries_on_this_disk_is_split_or_spanned_for_dotnet(checker):
    # ZipArchive.ReadEndOfCentralDirectory: entries on this disk != entries in all -> InvalidDataException -> 400
    finding = next(f for f in checker.run(_end_record_changed(8, -1), NUPKG).findings if f.rule == "P101")
    assert finding.outcome.server_message == ("The NuGet package is invalid. The error encountered was:'Split or "
                                              "spanned archives are not supported.'. Correct the error and try again.")


def test_an_end_record_naming_another_disk_for_the_directory_is_split_or_spanned_for_dotnet(checker):
    finding = next(f for f in checker.run(_end_record_changed(6, 1), NUPKG).findings if f.rule == "P101")
    assert "Split or spanned archives are not supported." in finding.outcome.server_message


def test_an_end_record_that_agrees_with_itself_opens(checker):
    report = checker.run(_end_record_changed(8, 0), NUPKG)
    assert "P101" not in {f.rule for f in report.findings}


# -- PackageMetadata's constructor: its eager arguments and its dictionary come before the lazy dependency groups --

def _snupkg(extra: str = "", dependencies: str | None = None, description: str | None = "A library.",
            metadata_attrs: str = "", namespace: str = pkg.NS, prolog: str = "") -> bytes:
    deps = dependencies if dependencies is not None else '<dependencies><group targetFramework="net8.0" /></dependencies>'
    xml = pkg.nuspec_xml(description=description, extra=extra, dependencies=deps)
    if metadata_attrs:
        xml = xml.replace("<metadata>", f"<metadata{metadata_attrs}>")
    return pkg.package({"lib/net8.0/Contoso.Lib.pdb": build_portable_pdb()}, nuspec=xml)


BAD_DEPENDENCY = '<dependencies><group targetFramework="net8.0"><dependency id="Dep" version="x" /></group></dependencies>'


def test_case_variant_metadata_fails_before_a_dependency_version(checker):
    report = checker.run(_snupkg("<Description>again</Description>", BAD_DEPENDENCY), NUPKG)
    assert report.predicted.rule == "P210"
    assert report.predicted.outcome.server_message == (
        "Failed to read the symbols package. Ensure it is a valid symbols package (.snupkg).")


def test_a_dependency_version_fails_when_the_metadata_keys_are_distinct(checker):
    report = checker.run(_snupkg("<title>t</title>", BAD_DEPENDENCY), NUPKG)
    assert report.predicted.rule == "P207"


def test_an_unparseable_framework_assembly_fails_before_a_dependency_version(checker):
    assemblies = ('<frameworkAssemblies><frameworkAssembly assemblyName="System" '
                  'targetFramework="portable-net45-win8" /></frameworkAssemblies>')
    report = checker.run(_snupkg(assemblies, BAD_DEPENDENCY), NUPKG)
    assert (report.predicted.rule, report.predicted.step) == ("P211", "P211-assemblies")


def test_an_invalid_min_client_version_fails_before_a_dependency_version(checker):
    report = checker.run(_snupkg(dependencies=BAD_DEPENDENCY, metadata_attrs=' minClientVersion="abc"'), NUPKG)
    assert report.predicted.rule == "P208"


# -- PackageHelper.ValidateNuGetPackageMetadata's order: ID, Authors, Copyright, Description, ... Title, Version --------

def test_a_long_copyright_is_answered_before_a_missing_description(checker):
    report = checker.run(_snupkg("<copyright>" + "c" * 4001 + "</copyright>", description=None), NUPKG)
    assert report.predicted.outcome.server_message == (
        "A nuget package's Copyright property may not be more than 4000 characters long.")


def test_a_missing_description_is_answered_before_a_long_title(checker):
    report = checker.run(_snupkg("<title>" + "t" * 257 + "</title>", description=None), NUPKG)
    assert report.predicted.outcome.server_message == "A nuget package's Description property is required."


def test_a_long_project_url_is_answered_before_a_long_version(checker):
    version = "1.2.3+" + "m" * 70
    xml = pkg.nuspec_xml(version=version, extra="<projectUrl>https://example.com/" + "p" * 4000 + "</projectUrl>")
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": build_portable_pdb()}, nuspec=xml), NUPKG)
    assert report.predicted.outcome.server_message == (
        "A nuget package's ProjectUrl property may not be more than 4000 characters long.")


def test_a_long_version_alone_is_answered(checker):
    xml = pkg.nuspec_xml(version="1.2.3+" + "m" * 70)
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": build_portable_pdb()}, nuspec=xml), NUPKG)
    assert report.predicted.outcome.server_message == (
        "A nuget package's Version property may not be more than 64 characters long.")


# -- NuspecReader.GetFrameworkAssemblyGroups reads <frameworkAssemblies> in the root's default namespace --------------

UNSUPPORTED_ASSEMBLY = ('<frameworkAssemblies><frameworkAssembly assemblyName="System" targetFramework="foo1.0" />'
                        '</frameworkAssemblies>')


def test_framework_assemblies_outside_the_root_namespace_are_not_read(checker):
    snupkg = _snupkg(UNSUPPORTED_ASSEMBLY, metadata_attrs=' xmlns="urn:other"')
    report = checker.run(snupkg, pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, symbols=False,
                                             nuspec=pkg.nuspec_xml(symbols=False, namespace="urn:other")))
    assert "P220" not in {f.rule for f in report.findings}


def test_framework_assemblies_in_the_root_namespace_are_read(checker):
    report = checker.run(_snupkg(UNSUPPORTED_ASSEMBLY), NUPKG)
    assert "P220" in {f.rule for f in report.findings}


# -- System.Xml's words (Mono's System.Xml is built from referencesource, as .NET Framework's) -------------------------

DTD_TEXT = ("For security reasons DTD is prohibited in this XML document. To enable DTD processing set the DtdProcessing "
            "property on XmlReaderSettings to Parse and pass the settings into XmlReader.Create method.")


def test_a_doctype_is_answered_with_system_xmls_whole_sentence_and_no_position(checker):
    xml = pkg.nuspec_xml().replace('<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?>\n<!DOCTYPE package>')
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": build_portable_pdb()}, nuspec=xml), NUPKG)
    assert (report.predicted.rule, report.predicted.outcome.status) == ("P107", 500)
    assert report.predicted.outcome.server_message == DTD_TEXT


def test_doctype_words_inside_a_comment_are_no_dtd(checker):
    xml = pkg.nuspec_xml(extra="<!-- <!DOCTYPE package> -->")
    report = checker.run(pkg.package({"lib/net8.0/Contoso.Lib.pdb": build_portable_pdb()}, nuspec=xml), NUPKG)
    assert "P107" not in {f.rule for f in report.findings}


def _latin1_nuspec(bom: bytes, declared: str) -> bytes:
    text = pkg.nuspec_xml(description="Caf\u00e9").replace('encoding="utf-8"', f'encoding="{declared}"')
    return bom + text.encode("latin-1")


def test_a_utf8_bom_gives_way_to_a_declared_single_byte_encoding(checker):
    # XmlTextReaderImpl: CheckEncoding then SwitchEncoding after the declaration; the BOM only chose the first decoder
    nuspec = _latin1_nuspec(b"\xef\xbb\xbf", "iso-8859-1")
    report = checker.run(pkg.zip_bytes([pkg.Entry("Contoso.Lib.nuspec", nuspec),
                                        pkg.Entry("lib/net8.0/Contoso.Lib.pdb", build_portable_pdb())]), NUPKG)
    assert "P107" not in {f.rule for f in report.findings}


def test_a_utf8_bom_with_latin1_bytes_and_no_other_declaration_is_invalid(checker):
    nuspec = _latin1_nuspec(b"\xef\xbb\xbf", "utf-8")
    report = checker.run(pkg.zip_bytes([pkg.Entry("Contoso.Lib.nuspec", nuspec),
                                        pkg.Entry("lib/net8.0/Contoso.Lib.pdb", build_portable_pdb())]), NUPKG)
    assert report.predicted.rule == "P107"
    assert report.predicted.outcome.server_message.startswith("Invalid character in the given encoding. Line 6, ")


# -- the zip as .NET Framework 4.7.2 opens it, on System.Web's request stream -----------------------------------------

def test_a_file_shorter_than_the_end_record_is_a_500_from_the_request_stream(checker):
    # ZipArchive seeks 18 bytes before the end; HttpInputStream.Seek throws ArgumentOutOfRangeException("offset")
    report = checker.run(b"not a zip at all", NUPKG)
    assert (report.predicted.rule, report.predicted.outcome.status) == ("P101", 500)
    assert report.predicted.outcome.server_message == ("Specified argument was out of the range of valid values. "
                                                       "Parameter name: offset")


def test_a_file_of_18_bytes_without_an_end_record_is_a_400(checker):
    report = checker.run(b"not a zip at all!!", NUPKG)
    assert (report.predicted.rule, report.predicted.outcome.status) == ("P101", 400)
    assert "End of Central Directory record could not be found." in report.predicted.outcome.server_message


def _nuspec_compressed(method: int) -> bytes:
    data = bytearray(pkg.zip_bytes([pkg.Entry("Contoso.Lib.nuspec", pkg.nuspec_xml().encode(), compress_type=0),
                                    pkg.Entry("lib/net8.0/Contoso.Lib.pdb", build_portable_pdb())]))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # relabel the nuspec's method
        at = data.find(signature)
        data[at + offset: at + offset + 2] = method.to_bytes(2, "little")
    return bytes(data)


def test_a_deflate64_nuspec_is_refused_as_dotnet_framework_has_no_deflate64(checker):
    report = checker.run(_nuspec_compressed(9), NUPKG)
    assert (report.predicted.rule, report.predicted.outcome.status) == ("P107", 400)
    assert "'The archive entry was compressed using an unsupported compression method.'" in \
        report.predicted.outcome.server_message


def test_a_stored_nuspec_is_read(checker):
    report = checker.run(_nuspec_compressed(0), NUPKG)
    assert "P107" not in {f.rule for f in report.findings}


# -- PackageHelper after P215: each dependency's lengths, then Flatten (its short names, its length), then P216 --------

P99999 = ".NETPortable,Version=v4.0,Profile=Profile99999"


def _groups(*groups: str) -> bytes:
    return _snupkg(dependencies="<dependencies>" + "".join(groups) + "</dependencies>")


def _group(tfm: str, *deps: str) -> str:
    return f'<group targetFramework="{tfm}">' + "".join(f'<dependency id="{d}" version="1.0" />' for d in deps) + \
        "</group>"


def test_a_long_dependency_id_is_answered_before_flatten_fails_on_a_profile(checker):
    report = checker.run(_groups(_group("net8.0", "D" * 129), _group(P99999)), NUPKG)
    assert report.predicted.outcome.server_message == (
        "A nuget package's Dependency.Id property may not be more than 128 characters long.")


def test_flatten_failing_on_a_profile_is_answered_before_duplicate_groups(checker):
    report = checker.run(_groups(_group("net8.0"), _group("net8.0"), _group(P99999)), NUPKG)
    assert (report.predicted.rule, report.predicted.outcome.server_message) == ("P211", (
        "Failed to read the symbols package. Ensure it is a valid symbols package (.snupkg)."))


def test_duplicate_groups_are_answered_when_flatten_succeeds(checker):
    report = checker.run(_groups(_group("net8.0"), _group("net8.0"), _group("net45")), NUPKG)
    assert report.predicted.rule == "P216"


def test_the_flattened_length_is_answered_before_duplicate_groups(checker):
    deps = [f"Dep{n:04}.{'x' * 40}" for n in range(500)]
    report = checker.run(_groups(_group("net8.0", *deps), _group("net8.0")), NUPKG)
    assert report.predicted.outcome.server_message == (
        "A nuget package's Dependencies property may not be more than 32767 characters long.")


def test_id_and_version_together_are_answered_before_a_long_dependency_id(checker):
    version = "1.2.3-" + "b" * 55  # 61 characters: under Version's 64, over 160 with a 100-character id
    deps = '<dependencies><group targetFramework="net8.0"><dependency id="' + "D" * 129 + '" version="1.0" />' \
           '</group></dependencies>'
    xml = pkg.nuspec_xml(id="C" * 100, version=version, dependencies=deps)
    parent = pkg.package({"lib/net8.0/C.dll": b"MZ"}, id="C" * 100, version=version, symbols=False)
    report = checker.run(pkg.package({"lib/net8.0/C.pdb": build_portable_pdb()}, nuspec=xml), parent)
    assert report.predicted.rule == "P215"
