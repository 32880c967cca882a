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
