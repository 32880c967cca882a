"""snupkg-lint's predicted push answer against a re-enactment of nuget.org's push in which NuGet's own code does
the reading (tests/push_harness.py: NuGet.exe 5.8.0's NuGet.Packaging / Versioning / Frameworks on Mono, the
gallery's C# transcribed around them, 6.13's behaviour where 5.8 differs: version ranges, NuGetVersion's white
space, `netnano`).

Compared, for every .nupkg/.snupkg of the fixtures and a few thousand seeded mutants built in code: the HTTP status
and the reason phrase, and the reader fields (id, normalized version, package types, dependency groups, framework
assemblies' frameworks, entry names, the entries the zip-slip check refuses). Every difference is a disagreement and
fails the test (KNOWN, the kinds let pass while being fixed, is empty), with one class compared by status only, by
design: a BZip2 or LZMA nuspec, whose wording .NET Framework's unpublished System.IO.Compression leaves open
(wording_unknown). Where Mono is not .NET Framework 4.7.2 on Windows (paths, the request stream, the compression
methods), the harness models .NET Framework (tests/windows_paths.py, tests/push_harness.py)."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import random
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.engine import check_package
from snupkg_lint.formats import netpath
from snupkg_lint.formats.nuget_framework import FrameworkParseError, parse_framework
from snupkg_lint.formats.nuget_version import parse_system_version, parse_version_range
from tests.conftest import require
from tests.factory import package as pkg

ROOT = Path(__file__).resolve().parent.parent

# Disagreements not fixed yet, one name per kind (see classify): none. A kind found later is named here, with why,
# until it is fixed (in snupkg-lint, or in the harness where the harness is wrong), so that the test fails on a new one.
KNOWN: set[str] = set()

# The one class compared by status only, by design: a nuspec compressed with BZip2 or LZMA. .NET Framework 4.7.2
# refuses both (400, InvalidDataException inside the invalid-package text), but its System.IO.Compression is not
# published: corefx (and Mono, built from it) has named the method since 2016 ('...compressed using BZip2 and is not
# supported.'), with the Deflate64 support that corefx's own tests say .NET Framework does not have; snupkg-lint
# quotes the one text of the code's 2015 lineage ('...an unsupported compression method.'). rules/P107.md explains.
UNSUPPORTED_METHOD_ANSWER = ("The NuGet package is invalid. The error encountered was:'The archive entry was compressed "
                             "using an unsupported compression method.'. Correct the error and try again.")
NAMED_METHOD_ANSWER = re.compile(r"The NuGet package is invalid\. The error encountered was:'The archive entry was "
                                 r"compressed using (BZip2|LZMA) and is not supported\.'\. Correct the error and try "
                                 r"again\.")


def wording_unknown(mine: dict, theirs: dict) -> bool:
    """Both answer 400 for a BZip2 or LZMA nuspec, in the two wordings above: the status is what is compared."""
    return (mine["status"] == theirs["status"] == 400 and mine["message"] == UNSUPPORTED_METHOD_ANSWER
            and NAMED_METHOD_ANSWER.fullmatch(theirs["message"] or "") is not None)


# -- inputs ---------------------------------------------------------------------------------------------------------

PDB = b"BSJB" + bytes(60)  # the push reads no PDB content


@dataclass
class Spec:
    """A symbol package described by its parts, to be mutated one part at a time."""

    id: str = "Contoso.Lib"
    version: str = "1.2.3"
    description: str | None = "A library."
    authors: str | None = None
    package_types: str | None = '<packageTypes><packageType name="SymbolsPackage" /></packageTypes>'
    dependencies: str = '<dependencies><group targetFramework="net8.0" /></dependencies>'
    extra: list[str] = field(default_factory=list)
    metadata_attrs: str = ""
    prolog: str = '<?xml version="1.0" encoding="utf-8"?>\n'
    encoding: str = "utf-8"
    bom: bytes = b""
    files: list[pkg.Entry] = field(default_factory=lambda: [pkg.Entry("lib/net8.0/Contoso.Lib.pdb", PDB)])
    nuspec_name: str | None = None
    nuspec_compression: int = zipfile.ZIP_DEFLATED
    zip_patch: str | None = None

    def nuspec(self) -> bytes:
        parts = [f"<id>{self.id}</id>" if self.id is not None else "",
                 f"<version>{self.version}</version>" if self.version is not None else ""]
        if self.authors is not None:
            parts.append(self.authors)
        if self.description is not None:
            parts.append(f"<description>{self.description}</description>")
        parts += [self.package_types or "", self.dependencies, *self.extra]
        body = "\n    ".join(p for p in parts if p)
        text = (f'{self.prolog}<package xmlns="{pkg.NS}">\n  <metadata{self.metadata_attrs}>\n    {body}\n'
                "  </metadata>\n</package>\n")
        return self.bom + text.encode(self.encoding, errors="xmlcharrefreplace")

    def build(self) -> bytes:
        name = self.nuspec_name if self.nuspec_name is not None else "Contoso.Lib.nuspec"
        entries = [pkg.Entry("_rels/.rels", b"<Relationships/>"), pkg.Entry(name, self.nuspec(),
                                                                           compress_type=self.nuspec_compression)]
        entries += self.files
        entries.append(pkg.Entry("[Content_Types].xml", b"<Types/>"))
        data = _zip(entries)
        return _patch(data, self.zip_patch)


def _zip(entries: list[pkg.Entry]) -> bytes:
    import io
    import warnings

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are meant
        for e in entries:
            info = zipfile.ZipInfo(e.name, date_time=e.date_time)
            method = e.compress_type if e.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else \
                zipfile.ZIP_STORED
            info.compress_type = method
            zf.writestr(info, e.data)
    data = bytearray(buffer.getvalue())
    for e in entries:  # methods zipfile cannot write: written stored, then relabelled
        if e.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            encoded = e.name.encode("utf-8")
            for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
                at = data.find(signature)
                while at != -1:
                    name_at = at + (30 if signature == b"PK\x03\x04" else 46)
                    if data[name_at:name_at + len(encoded)] == encoded:
                        struct.pack_into("<H", data, at + offset, e.compress_type)
                    at = data.find(signature, at + 4)
    return bytes(data)


def _patch(data: bytes, how: str | None) -> bytes:
    if how is None:
        return data
    buf = bytearray(data)
    eocd = buf.rfind(b"PK\x05\x06")
    count = struct.unpack_from("<H", buf, eocd + 10)[0]
    if how == "eocd-count-high":
        struct.pack_into("<HH", buf, eocd + 8, count + 1, count + 1)
    elif how == "eocd-count-low":
        struct.pack_into("<HH", buf, eocd + 8, count - 1, count - 1)
    elif how == "eocd-disk-count":
        struct.pack_into("<H", buf, eocd + 8, count - 1)
    elif how == "truncated":
        buf = buf[: len(buf) // 2]
    elif how == "garbage":
        buf = bytearray(b"not a zip at all")
    return bytes(buf)


def _pdb(name: str, date=pkg.DATE) -> pkg.Entry:
    return pkg.Entry(name, PDB, date_time=date)


def _set(**changes):
    return lambda spec: replace(spec, **changes)


def _add(*elements: str):
    return lambda spec: replace(spec, extra=spec.extra + list(elements))


def _files(*entries: pkg.Entry, keep: bool = False):
    return lambda spec: replace(spec, files=(spec.files if keep else []) + list(entries))


def _deps(*groups: str):
    return _set(dependencies="<dependencies>" + "".join(groups) + "</dependencies>")


def _group(tfm: str | None, *deps: str) -> str:
    attr = f' targetFramework="{tfm}"' if tfm is not None else ""
    return f"<group{attr}>" + "".join(deps) + "</group>"


def _dep(dep_id: str | None, version: str | None = "1.0.0") -> str:
    attrs = (f' id="{dep_id}"' if dep_id is not None else "") + (f' version="{version}"' if version is not None else "")
    return f"<dependency{attrs} />"


IDS = ["Contoso.Lib", " Contoso.Lib", "Contoso.Lib ", "\tContoso.Lib", "contoso.lib", "CONTOSO.LIB", "Contoso..Lib",
       "Contoso.Lib$", "$id$", "Contoso.Lïb", "a" * 101, "A" * 129, "", "  ", "Contoso<b>.Lib</b>",
       "Contoso.Lib\u00a0", "Contoso-Lib", "_Contoso.Lib", "Contoso_Lib", "Contoso.Lib.", "Con toso",
       "<![CDATA[Contoso.Lib]]>", "Contoso&#46;Lib", "Contoso.Lib\n"]
VERSIONS = ["1.2.3", "1.2.3.0", "01.2.3", "1.2.3+meta", "1.2.3-beta", "1.2.3-1beta", "1.2.3-1", "1.2.3-beta.1",
            "v1.2.3", "1", "1.2", "1.2.3.4.5", "", " 1.2.3 ", "1.\u00a02.3", "1.2.3<x/>", "1.2.3-", "1.2.3-" + "a" * 70,
            "1.2.3+" + "m" * 70, "1.2.3-BETA", "1.2.3.4", "2147483648.0", "1.2.3-beta+meta", "1 .2.3", "1.2.3\u2003",
            "1.2.3-01", "1.2.3-be_ta", "1.2.3.0+x"]
DESCRIPTIONS = [None, "", "   ", "<![CDATA[ ]]>", "\u00a0", "A <b>library</b>", "&amp;", "&nbsp;", "x" * 4001,
                "\U0001F600" * 2001, "a\u0001b", '<![CDATA[<x>]]>', "A\r\nlibrary", "<x/>"]
OWNERS_AUTHORS = ["<owners> </owners>", "<owners><![CDATA[ ]]></owners>", '<owners xml:space="preserve"> </owners>',
                  "<owners>me</owners>", "<owners></owners>", "<owners/>", "<authors>,</authors>",
                  "<authors> </authors>", "<authors>me</authors>", "<authors></authors>", "<authors>a,b</authors>",
                  '<authors xml:space="preserve">  </authors>', "<Authors>me</Authors>", "<authors><x/></authors>"]
PACKAGE_TYPES = [None, '<packageTypes><packageType name="SymbolsPackage" version="0.0" /></packageTypes>',
                 '<packageTypes><packageType name="SymbolsPackage" version="1.0" /></packageTypes>',
                 '<packageTypes><packageType name="SymbolsPackage" version="1" /></packageTypes>',
                 '<packageTypes><packageType name="SymbolsPackage" version="00.0" /></packageTypes>',
                 '<packageTypes><packageType name="SymbolsPackage" version="0.0.0" /></packageTypes>',
                 '<packageTypes><packageType name="SymbolsPackage" /><packageType name="Dependency" /></packageTypes>',
                 '<packageTypes><packageType name="SymbolsPackage" /><packageType name="SymbolsPackage" /></packageTypes>',
                 '<packageTypes><packageType /></packageTypes>', '<packageTypes><packageType name=" " /></packageTypes>',
                 '<packageTypes><packageType name="symbolspackage" /></packageTypes>',
                 '<packageTypes><packageType name=" SymbolsPackage " /></packageTypes>',
                 '<packageTypes><packageType name="Symbols Package" /></packageTypes>',
                 '<packageTypes><packageType name="Dependency" /></packageTypes>',
                 '<packageTypes></packageTypes>', '<packageTypes><packageType name="SymbolsPackage" />'
                 '</packageTypes><packageTypes><packageType name="X" /></packageTypes>',
                 '<packageTypes xmlns="urn:other"><packageType name="SymbolsPackage" /></packageTypes>']
RANGES = ["1.0", "1", "[1.0]", "(1.0]", "[1.0)", "(1.0)", "[2.0,1.0]", "[1.0,1.0)", "[1.0,1.0]", "1.0.*", "*",
          "1.0+meta", "[1.0-1beta, 2.0)", "[1.0, 2.0+x)", "(,2.0]", "[,]", "", " ", "abc", "[1.0,2.0,3.0]", "1.*-*",
          "1.0.0-*", "[1.0.0-beta, )", "1.\u00a00", "[ 1.0 , 2.0 ]", "1.0-1"]
FRAMEWORKS = ["net8.0", "net45", "net45, net46", "net45,net46", "1.0", "foo1.0", "netnano1.0", "NETNANO1.0",
              ".NETPortable,Version=v4.0,Profile=Profile99999", ".NETPortable,Version=v4.0,Profile=Profile7",
              "portable-net45+win8", "portable-net45-win8", "portable-net45+win8,Version=v1", ".NETFramework,Version=v4.5",
              ".NETFramework,Version=vX", "net5.0-windows", "netstandard2.0", "unsupported", "any", "", "net%20",
              "native", "netcoreapp3.1", ".NETFramework,Version=v4.5,Profile=Client", "dnxcore50", "net4.5.1.2.3",
              "net451", "uap10.0", "win8", "Net45"]
ENTRY_NAMES = ["lib/net8.0/Contoso.Lib.pdb", "%20x.pdb", "x%2Epdb", "x.pdb%20", "x.pdb ", "x.pdb.", "x.dll.",
               "x.pdb\u00a0", "x*.pdb", "x?.pdb", "../x.pdb", "a/../x.pdb", "a/../../x.pdb", "a\\x.pdb", "a\\\\x.pdb",
               "/x.pdb", "C:/x.pdb", "c:x.pdb", "%2F%2Fx.pdb", "%253C.pdb", "%2e%2e/x.pdb", "X.PDB", "x.txt",
               "LICENSE", "dir/", "x<.pdb", "x|.pdb", "x:y.pdb", "...", "a/./x.pdb", "x.PDB.pdb", "x.p7s", ".pdb",
               "lib/", "x%.pdb", "x%zz.pdb", "x%41.pdb", "a/b/c/x.pdb", "\\x.pdb", "x.pdb/", "%5C%5Cs%5Cx.pdb",
               "x\u00e9.pdb", "a//x.pdb", "x.xml", "x.Xml", "Contoso.Lib.nuspec", "sub/y.nuspec", "x.pdb::$DATA"]


def mutations() -> list[tuple[str, object]]:
    """(name, spec → spec) for every single mutation."""
    out: list[tuple[str, object]] = []
    out += [(f"id={i!r}", _set(id=i)) for i in IDS] + [("id-missing", _set(id=None))]
    out += [(f"version={v!r}", _set(version=v)) for v in VERSIONS] + [("version-missing", _set(version=None))]
    out += [("version-cased", lambda s: replace(s, version=None, extra=s.extra + [f"<Version>{s.version}</Version>"]))]
    out += [("id-cased", lambda s: replace(s, id=None, extra=s.extra + [f"<Id>{s.id}</Id>"]))]
    out += [(f"description={d!r}", _set(description=d)) for d in DESCRIPTIONS]
    out += [(f"people={p!r}", _add(p)) for p in OWNERS_AUTHORS]
    out += [(f"package-types={p!r}", _set(package_types=p)) for p in PACKAGE_TYPES]
    out += [(f"range={r!r}", _deps(_group("net8.0", _dep("Dep", r)))) for r in RANGES]
    out += [(f"group-framework={f!r}", _deps(_group(f, _dep("Dep")))) for f in FRAMEWORKS]
    out += [(f"framework-assembly={f!r}", _add(f'<frameworkAssemblies><frameworkAssembly assemblyName="System" '
                                               f'targetFramework="{f}" /></frameworkAssemblies>')) for f in FRAMEWORKS]
    out += [
        ("dep-duplicate", _deps(_group("net8.0", _dep("Dep"), _dep("Dep")))),
        ("dep-duplicate-case", _deps(_group("net8.0", _dep("Dep"), _dep("dep")))),
        ("dep-duplicate-other-version", _deps(_group("net8.0", _dep("Dep", "1.0"), _dep("Dep", "2.0")))),
        ("dep-duplicate-long-framework", _deps(_group(".NETFramework,Version=v4.5", _dep("Dep", "1.0"),
                                                      _dep("dep", "2.0")))),
        ("dep-duplicate-unsupported-framework", _deps(_group("foo1.0", _dep("Dep", "1.0"), _dep("Dep", "2.0")))),
        ("dep-duplicate-any-framework", _deps(_group(None, _dep("Dep", "1.0"), _dep("Dep", "2.0")))),
        ("dep-duplicate-portable-framework", _deps(_group("portable-net45+win8", _dep("Dep", "1.0"),
                                                          _dep("Dep", "2.0")))),
        ("dep-empty-id", _deps(_group("net8.0", _dep("")))),
        ("dep-no-id", _deps(_group("net8.0", _dep(None)))),
        ("dep-no-version", _deps(_group("net8.0", _dep("Dep", None)))),
        ("dep-invalid-id", _deps(_group("net8.0", _dep("Dep..X")))),
        ("dep-long-id", _deps(_group("net8.0", _dep("D" * 129)))),
        ("dependencies-flattened-32768", _deps(_group("net8.0", *(_dep(f"Dep{n:04}.{'x' * 40}") for n in range(500))))),
        ("dependencies-flattened-below", _deps(_group("net8.0", *(_dep(f"Dep{n:04}.{'x' * 40}") for n in range(480))))),
        ("dep-flat", _deps(_dep("Dep"), _dep("Other", "2.0"))),
        ("dep-flat-bad", _deps(_dep("Dep", "x"))),
        ("groups-same-tfm", _deps(_group("net8.0"), _group("net8.0"))),
        ("groups-same-tfm-spelled", _deps(_group("net45"), _group(".NETFramework,Version=v4.5"))),
        ("groups-any-twice", _deps(_group(None), _group(""))),
        ("group-bad-then-bad-version", _deps(_group("1.0", _dep("A")), _group("net8.0", _dep("B", "x")))),
        ("group-bad-version-then-bad-framework", _deps(_group("net8.0", _dep("B", "x")),
                                                       _group(".NETFramework,Version=vX"))),
        ("dependencies-twice", _set(dependencies='<dependencies><group targetFramework="net8.0" /></dependencies>'
                                                 '<dependencies><group targetFramework="net45" /></dependencies>')),
        ("dep-include-flags", _deps(_group("net8.0", '<dependency id="Dep" version="1.0" include="Compile, Runtime" />',
                                           '<dependency id="Dep" version="1.0" include="runtime,compile" />'))),
        ("license-expression", _add('<license type="expression">MIT</license>')),
        ("license-expression-bad", _add('<license type="expression">MIT OR</license>')),
        ("license-expression-unknown", _add('<license type="expression">Nonsense-1.0</license>')),
        ("license-file", _add('<license type="file">LICENSE.txt</license>')),
        ("license-type-bogus", _add('<license type="bogus">x</license>')),
        ("license-version-high", _add('<license type="expression" version="9.0.0">MIT</license>')),
        ("license-version-bad", _add('<license type="expression" version="x">MIT</license>')),
        ("license-no-type", _add('<license>MIT</license>')),
        ("readme-and-icon", _add("<readme>README.md</readme>", "<icon>icon.png</icon>")),
        ("content-files-no-include", _add('<contentFiles><files buildAction="None" /></contentFiles>')),
        ("framework-references", _add('<frameworkReferences><group targetFramework="net8.0"><frameworkReference '
                                      'name="Microsoft.AspNetCore.App" /></group></frameworkReferences>')),
        ("repository-full", _add('<repository type="git" url="https://github.com/x/y" branch="main" commit="abc" />')),
        ("title-257", _add("<title>" + "t" * 257 + "</title>")),
        ("title-emoji", _add("<title>" + "\U0001F600" * 129 + "</title>")),
        ("tags-4001", _add("<tags>" + "t" * 4001 + "</tags>")),
        ("summary-4001", _add("<summary>" + "s" * 4001 + "</summary>")),
        ("copyright-4001", _add("<copyright>" + "c" * 4001 + "</copyright>")),
        ("release-notes-35001", _add("<releaseNotes>" + "r" * 35001 + "</releaseNotes>")),
        ("language-21", _add("<language>" + "l" * 21 + "</language>")),
        ("repository-type-101", _add('<repository type="' + "g" * 101 + '" url="https://example.com/" />')),
        ("repository-bad-url", _add('<repository type="git" url="not a url" />')),
        ("tags-cased", _add("<Tags>a</Tags>")),
        ("tags-two-cased", _add("<Tags>a</Tags>", "<TAGS>b</TAGS>")),
        ("tags-and-cased", _add("<tags>a</tags>", "<Tags>b</Tags>")),
        ("restricted-created", _add("<created>2020</created>")),
        ("restricted-two", _add("<published>x</published>", "<listed>x</listed>")),
        ("serviceable-yes", _add("<serviceable>yes</serviceable>")),
        ("serviceable-true-spaced", _add("<serviceable> TRUE </serviceable>")),
        ("serviceable-empty", _add("<serviceable></serviceable>")),
        ("require-license-1", _add("<requireLicenseAcceptance>1</requireLicenseAcceptance>")),
        ("development-dependency-cased", _add("<DevelopmentDependency>maybe</DevelopmentDependency>")),
        ("min-client-bad", _set(metadata_attrs=' minClientVersion="abc"')),
        ("min-client-ok", _set(metadata_attrs=' minClientVersion="99.0"')),
        ("title-twice", _add("<title>a</title>", "<title>b</title>")),
        ("description-cased-twice", _add("<Description>b</Description>")),
        ("empty-duplicates", _add("<title/>", "<title/>")),
        ("id-other-namespace", lambda s: replace(s, id=None, extra=s.extra + ['<id xmlns="urn:x">Contoso.Lib</id>'])),
        ("project-url-space", _add("<projectUrl>https://exa mple.com</projectUrl>")),
        ("project-url-port", _add("<projectUrl>https://example.com:99999/</projectUrl>")),
        ("project-url-ftp", _add("<projectUrl>ftp://example.com/</projectUrl>")),
        ("project-url-relative", _add("<projectUrl>/relative</projectUrl>")),
        ("icon-url-words", _add("<iconUrl>not a url</iconUrl>")),
        ("license-url-ok", _add("<licenseUrl>https://example.com/license</licenseUrl>")),
        ("license-url-cased", _add("<LicenseUrl>ftp://x/</LicenseUrl>")),
        ("project-url-long", _add("<projectUrl>https://example.com/" + "p" * 4000 + "</projectUrl>")),
        ("two-url-errors", _add("<projectUrl>ftp://x/</projectUrl>", "<iconUrl>nope</iconUrl>")),
        ("many-errors", lambda s: replace(s, id="$id$", version="1.2.3-1beta", extra=s.extra + [
            "<projectUrl>ftp://x/</projectUrl>" + "<iconUrl>" + "i" * 300 + "</iconUrl>"])),
        ("prolog-none", _set(prolog="")),
        ("prolog-xml11", _set(prolog='<?xml version="1.1" encoding="utf-8"?>\n')),
        ("bom-utf8", _set(bom=codecs.BOM_UTF8)),
        ("bom-utf8-declared-utf16", _set(bom=codecs.BOM_UTF8, prolog='<?xml version="1.0" encoding="utf-16"?>\n')),
        ("utf16", _set(encoding="utf-16", prolog='<?xml version="1.0" encoding="utf-16"?>\n')),
        ("latin1-declared", _set(encoding="latin-1", prolog='<?xml version="1.0" encoding="iso-8859-1"?>\n',
                                 description="Caf\u00e9")),
        ("latin1-undeclared", _set(encoding="latin-1", description="Caf\u00e9")),
        ("doctype", _set(prolog='<?xml version="1.0"?>\n<!DOCTYPE package>\n')),
        ("entity-undeclared", _set(description="a&nbsp;b")),
        ("not-xml", lambda s: replace(s, prolog="<<<")),
        ("metadata-other-namespace", _set(prolog="", metadata_attrs=' xmlns="urn:other"')),
        ("nuspec-missing", _set(nuspec_name="sub/Contoso.Lib.nuspec")),
        ("nuspec-cased", _set(nuspec_name="Contoso.Lib.NUSPEC")),
        ("nuspec-two", _files(pkg.Entry("Other.nuspec", b"<package/>"), keep=True)),
        ("nuspec-stored", _set(nuspec_compression=zipfile.ZIP_STORED)),
        ("nuspec-bzip2", _set(nuspec_compression=12)),
        ("nuspec-lzma", _set(nuspec_compression=14)),
        ("nuspec-deflate64", _set(nuspec_compression=9)),
        ("nuspec-implode", _set(nuspec_compression=6)),
        ("pdb-bzip2", _files(pkg.Entry("x.pdb", PDB, compress_type=12))),
        ("entry-future", _files(_pdb("x.pdb", (2099, 1, 1, 0, 0, 0)))),
        ("entry-1980", _files(_pdb("x.pdb", (1980, 1, 1, 0, 0, 0)))),
        ("entry-future-and-backslashes", _files(_pdb("a\\\\x.pdb"), _pdb("y.pdb", (2099, 1, 1, 0, 0, 0)))),
        ("double-slash-collision", _files(_pdb("a//x.pdb"), _pdb("a/x.pdb"))),
        ("double-slash-collision-case", _files(_pdb("a//x.pdb"), _pdb("A/X.pdb"))),
        ("double-slash-alone", _files(_pdb("a//x.pdb"))),
        ("duplicate-case", _files(_pdb("lib/x.pdb"), _pdb("lib/X.pdb"))),
        ("duplicate-dot-slash", _files(_pdb("./lib/x.pdb"), _pdb("lib/x.pdb"))),
        ("duplicate-backslash", _files(_pdb("lib\\x.pdb"), _pdb("lib/x.pdb"))),
        ("duplicate-escaped", _files(_pdb("lib/x%2Epdb"), _pdb("lib/x.pdb"))),
        ("duplicate-leading-slash", _files(_pdb("/x.pdb"), _pdb("x.pdb"))),
        ("no-pdb", _files(pkg.Entry("x.xml", b"<x/>"))),
        ("no-files", _files()),
        ("long-name", _files(_pdb("d/" * 150 + "x.pdb"))),
        ("eocd-count-high", _set(zip_patch="eocd-count-high")),
        ("eocd-count-low", _set(zip_patch="eocd-count-low")),
        ("eocd-disk-count", _set(zip_patch="eocd-disk-count")),
        ("truncated", _set(zip_patch="truncated")),
        ("not-a-zip", _set(zip_patch="garbage")),
    ]
    out += [(f"entry={n!r}", _files(_pdb(n))) for n in ENTRY_NAMES]
    out += [(f"entry+pdb={n!r}", _files(_pdb("lib/net8.0/Contoso.Lib.pdb"), pkg.Entry(n, b"x"))) for n in ENTRY_NAMES]
    return out


def _fixture_mutations() -> list[tuple[str, object]]:
    """(name, nuspec text -> text, extra entries) for a real package: its own nuspec and entries, changed a little."""
    def sub(tag, value):
        return lambda text: re.sub(f"<{tag}>.*?</{tag}>", lambda _m: f"<{tag}>{value}</{tag}>", text, count=1,
                                   flags=re.S)

    def insert(element):
        return lambda text: re.sub("</metadata>", lambda _m: element + "</metadata>", text, count=1)

    def deps(groups):
        return lambda text: re.sub("<dependencies>.*?</dependencies>|<dependencies */>", lambda _m: groups, text,
                                   count=1, flags=re.S) if "<dependencies" in text else insert(groups)(text)

    out: list[tuple[str, object]] = []
    out += [(f"id={i!r}", (sub("id", i), [])) for i in IDS]
    out += [(f"version={v!r}", (sub("version", v), [])) for v in VERSIONS]
    out += [(f"description={d!r}", (sub("description", d), [])) for d in DESCRIPTIONS if d is not None]
    out += [(f"people={p!r}", (insert(p), [])) for p in OWNERS_AUTHORS]
    out += [(f"range={r!r}", (deps("<dependencies>" + _group("net8.0", _dep("Dep", r)) + "</dependencies>"), []))
            for r in RANGES]
    out += [(f"group-framework={f!r}", (deps("<dependencies>" + _group(f, _dep("Dep")) + "</dependencies>"), []))
            for f in FRAMEWORKS]
    out += [(f"entry+pdb={n!r}", (lambda text: text, [pkg.Entry(n, b"x")])) for n in ENTRY_NAMES]
    return out


@dataclass
class Case:
    name: str
    data: bytes
    parents: list[bytes]


def parent_nupkg(spec_id: str = "Contoso.Lib", version: str = "1.2.3") -> bytes:
    return pkg.package({"lib/net8.0/Contoso.Lib.dll": b"MZ"}, id=spec_id, version=version, symbols=False)


def cases(corpus: Path, seed: int = 8, pairs: int = 2600, fixture_mutants: int = 30) -> list[Case]:
    """Every package of the fixtures (with the .nupkg of its id and version, or itself, as the parent), the factory's
    package with each single mutation, and `pairs` seeded combinations of two."""
    out: list[Case] = []
    packages = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in (".nupkg", ".snupkg"))
    for path in packages:
        stem = path.name[: -len(".symbols.nupkg")] if path.name.endswith(".symbols.nupkg") else path.stem
        parent = path.with_name(stem + ".nupkg")
        out.append(Case(f"fixture:{path.relative_to(corpus)}", path.read_bytes(),
                        [parent.read_bytes() if parent.is_file() else path.read_bytes()]))
    rng = random.Random(seed)
    changes = _fixture_mutations()
    for path in packages:  # each real package, changed a little: its nuspec text, or one more entry
        if path.stat().st_size > 4 << 20:
            continue
        entries = _entries(path.read_bytes())
        if entries is None:
            continue
        parent = out[packages.index(path)].parents
        for name, (change, extra) in rng.sample(changes, min(fixture_mutants, len(changes))):
            rebuilt = [replace(e, data=change(e.data.decode("utf-8-sig")).encode()) if _is_nuspec(e.name) else e
                       for e in entries] + extra
            out.append(Case(f"fixture:{path.name} {name}", _zip(rebuilt), parent))
    parent = parent_nupkg()
    singles = mutations()
    base = Spec()
    out.append(Case("factory", base.build(), [parent]))
    for name, mutate in singles:
        out.append(Case(name, mutate(base).build(), [parent]))
    for _ in range(pairs):
        (n1, m1), (n2, m2) = rng.sample(singles, 2)
        out.append(Case(f"{n1} + {n2}", m2(m1(base)).build(), [parent]))
    return out


def _is_nuspec(name: str) -> bool:
    return "/" not in name and name.lower().endswith(".nuspec")


def _entries(data: bytes) -> list[pkg.Entry] | None:
    """A real package's entries as the factory writes them (names, data, dates, methods), or None if it is not one
    with a UTF-8 nuspec."""
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = [pkg.Entry(i.filename, zf.read(i), i.date_time, i.compress_type) for i in zf.infolist()]
    nuspecs = [e for e in entries if _is_nuspec(e.name)]
    try:
        return entries if len(nuspecs) == 1 and nuspecs[0].data.decode("utf-8-sig") else None
    except UnicodeDecodeError:
        return None


# -- snupkg-lint's side ---------------------------------------------------------------------------------------------

def ours(snupkg: str, parent: str, now: dt.datetime) -> dict:
    report = check_package(snupkg, parent, now=now)
    if report.verdict == "push-rejected":
        status, message = report.predicted.outcome.status, report.predicted.outcome.server_message
    else:
        status, message = 201, None
    with Artifacts(snupkg, parent, now=now) as a:
        fields = our_fields(a)
    rule = report.predicted.rule if report.verdict == "push-rejected" else None
    return {"status": status, "message": message, "fields": fields, "rule": rule}


def our_fields(a: Artifacts) -> dict:
    p = a.snupkg
    if p.error is not None:
        return {"zip": "throws"}
    files = [name for _e, name in p.files]
    fields: dict = {"entries": files,
                    "unsafe": [n for n in files if not netpath.extraction_check_fails(n) and netpath.escapes_root(n)]}
    nuspec = p.nuspec
    if nuspec is None:
        fields["nuspec"] = "throws"
        return fields
    identity = p.identity
    fields["id"] = identity.id
    fields["version"] = identity.version.normalized if identity.version is not None else \
        (None if identity.version_text is None else "throws")
    fields["package_types"] = _package_types(nuspec)
    fields["dependency_groups"] = _dependency_groups(nuspec)
    fields["framework_assemblies"] = _framework_assemblies(nuspec)
    return fields


def _package_types(nuspec) -> list | str:
    out = []
    for element in nuspec.package_types():
        name = element.attributes.get("name")
        if name is None or not name.strip():
            return "throws"
        version = element.attributes.get("version")
        parsed = (0, 0) if version is None else parse_system_version(version)
        if parsed is None:
            return "throws"
        out.append([name.strip(), ".".join(str(n) for n in parsed)])
    return out


def _key(framework) -> list:
    """As the harness's framework_key: the profile, or for net5.0+ the platform and its version (System.Version's
    text, two to four parts)."""
    padded = list(framework.version) + [0] * (4 - len(framework.version))
    profile = framework.profile.lower()
    if not profile and framework.platform:
        v = framework.platform_version
        shown = "" if not any(v) else ".".join(str(n) for n in (v if v[3] else v[:3] if v[2] else v[:2]))
        profile = framework.platform.lower() + shown
    return [framework.identifier.lower(), padded[:4], profile]


ALL = [None, False, None, False, False]  # VersionRange.All: what a dependency without a (valid) range gets


def _range(text: str | None):
    r = parse_version_range(text) if text else None
    if r is None:
        return ALL
    return [r.min_version.normalized if r.min_version is not None else None, r.is_min_inclusive,
            r.max_version.normalized if r.max_version is not None else None, r.is_max_inclusive, r.is_floating]


def _dependency_groups(nuspec) -> list | str:
    out = []
    for group in nuspec.dependency_groups():
        seen, deps = set(), []
        for dep in group.dependencies:
            if not dep.id:
                return "throws"  # the PackageDependency constructor: ArgumentException for a null or empty id
            key = (netpath.upper_invariant(dep.id), json.dumps(_range(dep.version)))
            if key not in seen:
                seen.add(key)
                deps.append([dep.id, _range(dep.version)])
        try:
            framework = parse_framework(group.target_framework)
        except FrameworkParseError:
            return "throws"
        out.append([_key(framework), deps])
    return out


def _framework_assemblies(nuspec) -> list | str:
    keys = []
    try:
        for element in nuspec.framework_assemblies():
            text = element.attributes.get("targetFramework")
            frameworks = [parse_framework(None)] if not text else \
                [parse_framework(piece.strip()) for piece in text.split(",") if piece]
            for framework in frameworks:
                if _key(framework) not in keys:
                    keys.append(_key(framework))
    except FrameworkParseError:
        return "throws"
    return sorted(keys)


# -- comparing ------------------------------------------------------------------------------------------------------

def classify(case: str, what: str, ours_: dict, theirs: dict) -> str:
    """The kind of one disagreement (`what`: 'answer' or 'field <name>'): a name in KNOWN when the case is of a known
    kind (none now), else a description of it that fails the test."""
    key = what.split()[-1]
    mine, net = str(ours_["fields"].get(key)), str(theirs["fields"].get(key))
    return f"{what}: {case[:70]} | ours {ours_.get('status')} {str(ours_.get('message'))[:90]!r} rule " \
           f"{ours_.get('rule')} {mine[:80]} | .NET {theirs.get('status')} {str(theirs.get('message'))[:90]!r} {net[:80]}"


def compare(corpus: Path, limit: int | None = None) -> dict:
    all_cases = cases(corpus)[:limit]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    kinds: Counter[str] = Counter()
    examples: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="snupkg-lint-pushdiff-") as tmp:
        folder = Path(tmp)
        manifest, parents = [], {}
        for n, case in enumerate(all_cases):
            path = folder / f"c{n}.snupkg"
            path.write_bytes(case.data)
            names = []
            for data in case.parents:
                if data not in parents:
                    parents[data] = folder / f"parent{len(parents)}.nupkg"
                    parents[data].write_bytes(data)
                names.append(str(parents[data]))
            manifest.append({"name": case.name, "snupkg": str(path), "parents": names})
        (folder / "cases.json").write_text(json.dumps(manifest))
        theirs = run_harness(folder / "cases.json")
        if "unavailable" in theirs:
            return theirs
        same_answer = same_status = agree = 0
        status_only: list[str] = []
        for entry, result in zip(manifest, theirs["results"]):
            mine = ours(entry["snupkg"], entry["parents"][0], now)
            if "harness_error" in result:
                kinds[f"harness error: {result['harness_error'][:120]}"] += 1
                continue
            found = []
            if wording_unknown(mine, result):
                status_only.append(entry["name"])
            elif (mine["status"], mine["message"]) != (result["status"], result["message"]):
                found.append(classify(entry["name"], "answer", mine, result))
            else:
                same_answer += 1
            if mine["status"] == result["status"]:
                same_status += 1
            for key in sorted(set(mine["fields"]) | set(result["fields"])):
                if mine["fields"].get(key) != result["fields"].get(key):
                    found.append(classify(entry["name"], f"field {key}", mine, result))
            agree += not found
            for kind in set(found):
                kinds[kind] += 1
                examples.setdefault(kind, entry["name"])
    return {"compared": len(manifest), "agree": agree, "same_status": same_status, "same_answer": same_answer,
            "status_only": len(status_only), "status_only_cases": status_only, "kinds": dict(kinds),
            "examples": examples}


def run_harness(manifest: Path) -> dict:
    """The .NET side in a process of its own (Mono and .NET Core cannot share one; a process with a runtime must not
    fork), in UTC as nuget.org's servers are."""
    import os

    env = dict(os.environ, TZ="UTC")
    result = subprocess.run([sys.executable, "-m", "tests.push_harness", str(manifest)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    if lines and "unavailable" in lines[0]:
        return lines[0]
    return {"results": lines}


def test_push_answers_agree_with_nuget(corpus):
    from tests.nuget_client import client

    runs = client()  # checked before building the cases; the harness's own load() says why it cannot load .NET
    require(not isinstance(runs, str), str(runs))
    data = compare(corpus)
    require("unavailable" not in data, data.get("unavailable", ""))
    unknown = {k: n for k, n in data["kinds"].items() if k not in KNOWN}
    assert data["compared"] > 2000 and not unknown, json.dumps(data, indent=1)[:20000]
    narrow = [n for n in data["status_only_cases"] if "nuspec-bzip2" not in n and "nuspec-lzma" not in n]
    assert not narrow, narrow  # the status-only class holds the BZip2 and LZMA nuspec mutants and nothing else


def test_windows_paths_as_dotnet_framework_reads_them():
    """The harness's Windows path rules on the cases issue #8 names (.NET Framework 4.7.2 on Windows)."""
    import pytest

    from tests import windows_paths as w

    assert w.get_full_path("C:\\a\\b\\..\\c.pdb") == "C:\\a\\c.pdb"
    assert w.get_full_path("C:\\a/b//c.pdb") == "C:\\a\\b\\c.pdb"
    assert w.FileInfo("x.pdb ").extension == ".pdb" and w.get_extension("x.pdb ") == ".pdb "  # B12
    assert w.FileInfo("x.dll.").extension == ".dll" and w.get_extension("x.dll.") == ""
    assert w.FileInfo("x.pdb\u00a0").extension == ".pdb" and w.get_full_path("C:\\x.pdb\u0085") == "C:\\x.pdb"
    assert w.FileInfo("_rels/.rels").extension == ".rels" and w.FileInfo("dir/").name == ""
    assert w.combine("C:\\d\\", "/x.pdb") == "/x.pdb" and w.combine("C:\\d", "x.pdb") == "C:\\d\\x.pdb"
    for bad, kind in (("x*.pdb", "ArgumentException"), ("x?.pdb", "ArgumentException"), ("x<.pdb", "ArgumentException"),
                      ("\\\\x.pdb", "ArgumentException"), ("C:\\d\\a:b.pdb", "NotSupportedException")):
        with pytest.raises(w.DotNetError) as raised:
            w.FileInfo(bad)
        assert raised.value.kind == kind, bad


if __name__ == "__main__":
    print(json.dumps(compare(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None), indent=1))
