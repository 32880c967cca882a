"""Tests for snupkg_lint.formats.nuget_version against NuGet's own expectations.

Expected values come from NuGet's unit tests where one exists (file cited per table; "NV.Test" =
NuGet/NuGet.Client test/NuGet.Core.Tests/NuGet.Versioning.Test/, "Gallery" = NuGet/NuGetGallery
tests/), otherwise from reading the C# source named in the module docstring.
"""

from __future__ import annotations

import pytest

from snupkg_lint.formats.nuget_version import (
    FloatBehavior,
    NuGetVersion,
    is_valid_new_package_id,
    is_valid_package_id,
    legacy_version_ok,
    parse_nuget_version,
    parse_system_version,
    parse_version_range,
    version_error,
)


def parse(text: str) -> NuGetVersion:
    v = parse_nuget_version(text)
    assert v is not None, text
    return v


# ---------------------------------------------------------------------------------------------
# NuGetVersion.TryParse: valid strings, numbers, labels, metadata
# ---------------------------------------------------------------------------------------------

# NV.Test/NuGetVersionTest.cs TryParseHandlesValidVersionPatterns, StringConstructorParsesValuesCorrectly,
# ParseReadsLegacyStyleVersionNumbers, ParseIgnoresLeadingAndTrailingWhitespace; VersionParsingTests.cs.
@pytest.mark.parametrize(
    "text, numbers, labels, metadata",
    [
        ("   19.   19", (19, 19, 0, 0), (), None),
        ("19   .19   .19   .19   ", (19, 19, 19, 19), (), None),
        ("   19   .   19   .   19   .   19   ", (19, 19, 19, 19), (), None),
        ("01.1.1.1", (1, 1, 1, 1), (), None),
        ("1.1.1.2147483647", (1, 1, 1, 2147483647), (), None),
        ("2147483647.1.1.1", (2147483647, 1, 1, 1), (), None),
        ("2", (2, 0, 0, 0), (), None),
        ("1.022", (1, 22, 0, 0), (), None),
        ("3.4.0.3-RC-3", (3, 4, 0, 3), ("RC-3",), None),
        ("1.0.0-beta.x.y.5.79.0+aa", (1, 0, 0, 0), ("beta", "x", "y", "5", "79", "0"), "aa"),
        ("    1.3.42.10133-PreRelease  ", (1, 3, 42, 10133), ("PreRelease",), None),
        ("1.0.0-RC.X.35.A.3455+Meta-A-B-C", (1, 0, 0, 0), ("RC", "X", "35", "A", "3455"), "Meta-A-B-C"),
        ("1.0.0+a-b", (1, 0, 0, 0), (), "a-b"),  # '+' before any '-': all of the rest is metadata
        ("1.0.0-0", (1, 0, 0, 0), ("0",), None),
        ("1.0.0-0a", (1, 0, 0, 0), ("0a",), None),  # IsValidPart: 0A is alphanumeric, not a leading zero
        ("1.0.0+01.001", (1, 0, 0, 0), (), "01.001"),  # metadata allows leading zeros
        ("1.0.0--", (1, 0, 0, 0), ("-",), None),
        ("1.\u00a00", (1, 0, 0, 0), (), None),  # char.IsWhiteSpace (NBSP) around sections
        ("1\t.0", (1, 0, 0, 0), (), None),
    ],
)
def test_parse_valid(text: str, numbers: tuple[int, ...], labels: tuple[str, ...], metadata: str | None) -> None:
    v = parse(text)
    assert (v.major, v.minor, v.patch, v.revision) == numbers
    assert v.release_labels == labels
    assert v.metadata == metadata


# NV.Test/NuGetVersionTest.cs ParseThrowsIfStringIsNotAValidSemVer (most rows), plus the cases the
# brief asks for: trailing dot, 5 parts, '01' label, empty label, '1.0.0-', '1.0.0+', non-ASCII digits.
@pytest.mark.parametrize(
    "text",
    [
        "",
        "         ",
        "1beta",
        "1.2Av^c",
        "1.2..",
        "1.2.3.4.5",
        "1.2.3.Beta",
        "So.is.this",
        "1.34.2Alpha",
        "1.4.7-",
        "1.4.7-*",
        "1.4.7+*",
        "1.4.7-AA.01^",
        "1.4.7-A^A",
        "1.2147483648",
        "1.1.1.2147483648",
        "10000000000000000000",
        "1..2",
        "....",
        "-1.1.1.1",
        "1.-1.1.1",
        "1.",
        "1.1.1.1.",
        "1     1.1.1.1",
        " .1.1.1",
        "1. .1.1",
        "1.1.1. ",  # trimmed to "1.1.1." -> trailing dot
        "1 .",
        "   19   .   19   .   19   .   1 9   ",
        "1.0.0-01",  # numeric label with leading zero
        "1.0.0-beta.01",
        "1.0.0-beta..1",  # empty label
        "1.0.0-.beta",
        "1.0.0-",
        "1.0.0+",
        "1.0.0-beta+",  # '+' at the very end stays in the label
        "1.0.0+meta.",  # empty metadata part
        "1.0.0+a+b",
        "\uff11.0",  # FULLWIDTH DIGIT ONE
        "\u0661.0",  # ARABIC-INDIC DIGIT ONE
        "1.0.0-b\u00e9ta",  # non-ASCII label character
        "1.0 - beta",  # the label becomes " beta"
        "1.0.0\x1c",  # U+001C is whitespace to Python, not to .NET's Trim()
    ],
)
def test_parse_invalid(text: str) -> None:
    assert parse_nuget_version(text) is None


def test_parse_none() -> None:
    assert parse_nuget_version(None) is None


# ---------------------------------------------------------------------------------------------
# Normalized / full / ToString / OriginalVersion
# ---------------------------------------------------------------------------------------------

# docs/concepts/Package-Versioning.md examples; Gallery NuGetGallery.Facts/SemanticVersionExtensionsFacts.cs;
# NV.Test/NuGetVersionTest.cs ToStringReturnsNormalizedForSemVer2, VersionParsingTests.cs VersionLength.
@pytest.mark.parametrize(
    "text, normalized, full",
    [
        ("1.0", "1.0.0", "1.0.0"),
        ("1.00", "1.0.0", "1.0.0"),
        ("1.01.1", "1.1.1", "1.1.1"),
        ("1.00.0.1", "1.0.0.1", "1.0.0.1"),
        ("1.0.0.0", "1.0.0", "1.0.0"),
        ("1.0.01.0", "1.0.1", "1.0.1"),
        ("1.0.7+r3456", "1.0.7", "1.0.7+r3456"),
        ("2", "2.0.0", "2.0.0"),
        ("2.0.0.0", "2.0.0", "2.0.0"),
        ("010.020.030.040", "10.20.30.40", "10.20.30.40"),
        ("010.020-alpha", "10.20.0-alpha", "10.20.0-alpha"),
        ("1.0+A", "1.0.0", "1.0.0+A"),
        ("1.0-1.1+B.B", "1.0.0-1.1", "1.0.0-1.1+B.B"),
        ("1.0.0009.01-1.1+A", "1.0.9.1-1.1", "1.0.9.1-1.1+A"),
        ("1.0.0-Beta+Meta", "1.0.0-Beta", "1.0.0-Beta+Meta"),
    ],
)
def test_normalized_and_full(text: str, normalized: str, full: str) -> None:
    v = parse(text)
    assert v.normalized == normalized
    assert v.full == full


# NV.Test/NuGetVersionTest.cs ToStringReturnsOriginalValueForNonSemVer2 / ToStringReturnsNormalizedForSemVer2 /
# NuGetVersionKeepsOriginalVersionString; NuGetVersionFactory.cs removes only U+0020 from the original.
@pytest.mark.parametrize(
    "text, original, to_string",
    [
        ("1.0", "1.0", "1.0"),
        ("1.0.0.0", "1.0.0.0", "1.0.0.0"),
        ("2.1.4.3-pre-1", "2.1.4.3-pre-1", "2.1.4.3-pre-1"),
        ("01.42.0-alpha", "01.42.0-alpha", "01.42.0-alpha"),
        ("01.42.0+metadata", "01.42.0+metadata", "1.42.0"),  # SemVer2 -> normalized
        ("1.0-1.1", "1.0-1.1", "1.0.0-1.1"),
        ("  1 . 0  ", "1.0", "1.0"),
        ("\t1.0\t", "\t1.0\t", "\t1.0\t"),  # untrimmed; only spaces removed
    ],
)
def test_original_and_to_string(text: str, original: str, to_string: str) -> None:
    v = parse(text)
    assert v.original == original
    assert v.to_string() == to_string


@pytest.mark.parametrize(
    "text, semver2, prerelease",
    [
        ("1.0.0", False, False),
        ("1.0.0-beta", False, True),
        ("1.0.0-beta.1", True, True),
        ("1.0.0+meta", True, False),
        ("1.0.0-beta+meta", True, True),
        ("1.0.0.1-rc-2", False, True),
    ],
)
def test_semver2_and_prerelease(text: str, semver2: bool, prerelease: bool) -> None:
    v = parse(text)
    assert v.is_semver2 is semver2
    assert v.is_prerelease is prerelease


# ---------------------------------------------------------------------------------------------
# Equality and ordering (VersionComparer.Default)
# ---------------------------------------------------------------------------------------------

# NV.Test/NuGetVersionTest.cs SemVerEqualsOperatorWorks.
@pytest.mark.parametrize(
    "a, b",
    [
        ("1.0", "1.0.0"),
        ("1.0", "1.0.0.0"),
        ("1.23.01", "1.23.1"),
        ("1.6.2-BeTa", "1.6.02-beta"),
        ("22.3.07     ", "22.3.07"),
        ("1.0", "1.0.0.0+beta"),
        ("1.0.0.0+beta.2", "1.0.0.0+beta.1"),
    ],
)
def test_equal(a: str, b: str) -> None:
    va, vb = parse(a), parse(b)
    assert va == vb
    assert hash(va) == hash(vb)
    assert va.compare(vb) == 0
    assert va <= vb and va >= vb


# NV.Test/NuGetVersionTest.cs SemVerLessThanAndGreaterThanOperatorsWorks; VersionComparerTests.cs.
@pytest.mark.parametrize(
    "lower, higher",
    [
        ("1.0", "1.0.1"),
        ("1.23", "1.231"),
        ("1.4.5.6", "1.45.6"),
        ("1.4.5.6", "1.4.5.60"),
        ("1.01", "1.10"),
        ("1.01-alpha", "1.10-beta"),
        ("1.01.0-RC-1", "1.10.0-rc-2"),
        ("1.01-RC-1", "1.01"),  # prerelease < stable
        ("1.01", "1.2-preview"),
        ("1.0.0", "1.0.0.1"),  # revision counts
        ("1.0.0-2", "1.0.0-10"),  # numeric labels compare numerically
        ("1.0.0-999", "1.0.0-alpha"),  # numeric labels sort before alpha labels
        ("1.0.0-alpha", "1.0.0-alpha.1"),  # shorter label list first
        ("1.0.0-ALPHA", "1.0.0-beta"),  # case-insensitive
    ],
)
def test_ordering(lower: str, higher: str) -> None:
    a, b = parse(lower), parse(higher)
    assert a < b and a <= b and b > a and b >= a
    assert a != b
    assert a.compare(b) == -1 and b.compare(a) == 1


def test_equal_versions_collapse_in_a_set() -> None:
    assert len({parse("1.0"), parse("1.0.0.0"), parse("1.0.0+x"), parse("1.0.0-A"), parse("1.0.0-a")}) == 2


# ---------------------------------------------------------------------------------------------
# version_error (NuGetVersion.Parse messages)
# ---------------------------------------------------------------------------------------------

# NV.Test/NuGetVersionTest.cs ParseThrowsIfStringIsNullOrEmpty; VersionRangeTests.cs asserts the
# "'{0}' is not a valid version string." text (Resources.resx Invalidvalue).
@pytest.mark.parametrize(
    "text, message",
    [
        (None, "Value cannot be null or an empty string."),
        ("", "Value cannot be null or an empty string."),
        ("   ", "'   ' is not a valid version string."),
        ("1.0.0.0.0", "'1.0.0.0.0' is not a valid version string."),
        ("$version$", "'$version$' is not a valid version string."),
        ("1.0.0", None),
        (" 1.0-beta ", None),
    ],
)
def test_version_error(text: str | None, message: str | None) -> None:
    assert version_error(text) == message


# ---------------------------------------------------------------------------------------------
# Legacy-client check (NuGetGallery NuGetVersionExtensions.IsValidVersionForLegacyClients)
# ---------------------------------------------------------------------------------------------

# Gallery NuGetGallery.Core.Facts/Packaging/ManifestValidatorFacts.cs
# ReturnsErrorIfNonSemVer2VersionIsNotCompliantWith2XClients ("1.0.0-10", "1.0.0--") and
# ReturnsNoErrorIfVersionIsSemVer200; the rest from the regex.
@pytest.mark.parametrize(
    "text, ok",
    [
        ("1.0.0-10", False),
        ("1.0.0--", False),
        ("1.0.0-1", False),
        ("1.0.0-1beta", False),
        ("1.0.0-1.2", True),  # SemVer2: not checked
        ("1.0.0-1+meta", True),  # SemVer2 (metadata)
        ("1.0.0-beta", True),
        ("1.0.0-BETA-2", True),  # IgnoreCase
        ("1.0.0.0-rc", True),
        ("1", True),
        (" 1.0 .0 ", True),  # original has spaces removed
        ("1.0\t.0", True),  # \s*\.\s* tolerates the tab kept in the original
        ("1.0\t-beta", False),  # no whitespace allowed before the '-'
    ],
)
def test_legacy_version_ok(text: str, ok: bool) -> None:
    assert legacy_version_ok(parse(text)) is ok


# ---------------------------------------------------------------------------------------------
# System.Version.TryParse (package-type versions, C6/C13)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.0", (0, 0)),
        ("00.0", (0, 0)),
        ("0.0.0", (0, 0, 0)),
        ("1.2.3.4", (1, 2, 3, 4)),
        ("1", None),  # needs 2-4 components
        ("1.2.3.4.5", None),
        ("1.0", (1, 0)),
        (" 0.0 ", (0, 0)),  # Int32.TryParse allows leading/trailing white per component
        ("0 . 0", (0, 0)),
        ("\t1.\n2", (1, 2)),
        ("+1.0", (1, 0)),  # NumberStyles.AllowLeadingSign
        ("-0.0", (0, 0)),  # -0 == 0 is not negative
        ("-1.0", None),
        ("+ 1.0", None),  # no white between sign and digits
        ("1.0-", None),  # no trailing sign
        ("1..0", None),
        ("1.0.", None),
        ("2147483647.0", (2147483647, 0)),
        ("2147483648.0", None),
        ("\u00a01.0", None),  # NBSP is not NumberStyles white
        ("\uff11.0", None),
        ("", None),
    ],
)
def test_parse_system_version(text: str, expected: tuple[int, ...] | None) -> None:
    assert parse_system_version(text) == expected


def test_system_version_equality() -> None:
    # System.Version ==: unset components are -1, so 0.0 != 0.0.0 (SymbolPackageService C13).
    assert parse_system_version("0.0") == parse_system_version("00.0")
    assert parse_system_version("0.0") != parse_system_version("0.0.0")


# ---------------------------------------------------------------------------------------------
# VersionRange.TryParse and ToString()
# ---------------------------------------------------------------------------------------------

# NV.Test/VersionRangeTests.cs ParseVersionRangeToString, ParseVersionParsesTokensVersionsCorrectly,
# VersionRange_ToString*Prefix, VersionRange_ToStringAbsoluteLatest/PrereleaseMajor;
# FloatingRangeTests.cs FloatingRange_ToString*; VersionRangeFormatter.cs "N" format.
@pytest.mark.parametrize(
    "text, to_string, min_v, min_inc, max_v, max_inc, floating",
    [
        ("1.2.0", "[1.2.0, )", "1.2.0", True, None, False, False),
        ("1.2.3-beta.2.4.55.X+900", "[1.2.3-beta.2.4.55.X, )", "1.2.3-beta.2.4.55.X", True, None, False, False),
        ("1.0", "[1.0.0, )", "1.0.0", True, None, False, False),
        ("[1.0]", "[1.0.0, 1.0.0]", "1.0.0", True, "1.0.0", True, False),
        ("[1.0,2.0)", "[1.0.0, 2.0.0)", "1.0.0", True, "2.0.0", False, False),
        ("(,1.0]", "(, 1.0.0]", None, False, "1.0.0", True, False),
        ("(1.0,)", "(1.0.0, )", "1.0.0", False, None, False, False),
        ("(1.2.3.4, 3.2)", "(1.2.3.4, 3.2.0)", "1.2.3.4", False, "3.2.0", False, False),
        ("(1.6, ]", "(1.6.0, )", "1.6.0", False, None, False, False),
        ("[1,3)", "[1.0.0, 3.0.0)", "1.0.0", True, "3.0.0", False, False),
        ("  1  .   2  ", "[1.2.0, )", "1.2.0", True, None, False, False),
        ("[1.0.0+meta, 2.0.0+meta]", "[1.0.0, 2.0.0]", "1.0.0", True, "2.0.0", True, False),
        ("[ , ]", "(, )", None, False, None, False, False),  # whitespace-only bounds are absent
        ("*", "[*, )", "0.0.0", True, None, False, True),
        ("1.*", "[1.*, )", "1.0.0", True, None, False, True),
        ("1.0.*", "[1.0.*, )", "1.0.0", True, None, False, True),
        ("1.0.0.*", "[1.0.0.*, )", "1.0.0", True, None, False, True),
        ("1.0.0-*", "[1.0.0-*, )", "1.0.0-0", True, None, False, True),
        ("1.0.0-beta*", "[1.0.0-beta*, )", "1.0.0-beta", True, None, False, True),
        ("1.0.0-beta.*", "[1.0.0-beta.*, )", "1.0.0-beta.0", True, None, False, True),
        ("1.0.0-beta-*", "[1.0.0-beta-*, )", "1.0.0-beta-", True, None, False, True),
        ("1.1.1.*-*", "[1.1.1.*-*, )", "1.1.1-0", True, None, False, True),
        ("1.1.*-*", "[1.1.*-*, )", "1.1.0-0", True, None, False, True),
        ("1.*-*", "[1.*-*, )", "1.0.0-0", True, None, False, True),
        ("*-*", "[*-*, )", "0.0.0-0", True, None, False, True),
        ("*-rc.*", "[*-rc.*, )", "0.0.0-rc.0", True, None, False, True),
        ("[1.0.*, 2.0.0)", "[1.0.*, 2.0.0)", "1.0.0", True, "2.0.0", False, True),
        ("1*", "[10.0.0, )", "10.0.0", True, None, False, False),  # FloatRange quirk: behavior None, "10"
    ],
)
def test_parse_version_range(
    text: str,
    to_string: str,
    min_v: str | None,
    min_inc: bool,
    max_v: str | None,
    max_inc: bool,
    floating: bool,
) -> None:
    r = parse_version_range(text)
    assert r is not None
    assert r.to_string() == to_string
    assert (r.min_version.normalized if r.min_version else None) == min_v
    assert (r.max_version.normalized if r.max_version else None) == max_v
    assert (r.is_min_inclusive, r.is_max_inclusive) == (min_inc, max_inc)
    assert r.is_floating is floating
    assert r.original == text


# NV.Test/VersionRangeFloatParsingTests.cs VersionRangeFloatParsing_VerifyReleaseLabels and the
# FloatRange behaviours from FloatRange.cs.
@pytest.mark.parametrize(
    "text, behavior, prefix",
    [
        ("*", FloatBehavior.MAJOR, None),
        ("1.*", FloatBehavior.MINOR, None),
        ("1.0.*", FloatBehavior.PATCH, None),
        ("1.0.0.*", FloatBehavior.REVISION, None),
        ("1.0.0-*", FloatBehavior.PRERELEASE, ""),
        ("1.0.0-a.*", FloatBehavior.PRERELEASE, "a."),
        ("1.0.0-a-*", FloatBehavior.PRERELEASE, "a-"),
        ("1.0.*-a*", FloatBehavior.PRERELEASE_PATCH, "a"),
        ("1.*-0*", FloatBehavior.PRERELEASE_MINOR, "0"),
        ("*-a.*", FloatBehavior.PRERELEASE_MAJOR, "a."),
        ("*-*", FloatBehavior.ABSOLUTE_LATEST, ""),
    ],
)
def test_float_behavior(text: str, behavior: FloatBehavior, prefix: str | None) -> None:
    r = parse_version_range(text)
    assert r is not None and r.float_range is not None
    assert r.float_range.behavior is behavior
    assert r.float_range.release_prefix == prefix


# NV.Test/VersionRangeTests.cs ParseVersionRangeWithBadVersionThrows, Parse_Illogical_VersionRange_Throws,
# ParseVersionThrowsIf*; VersionRangeFloatParsingTests.cs VersionRangeFloatParsing_Invalid;
# Gallery ManifestValidatorFacts.cs ReturnsErrorIfDependencyVersionRangeInvalid.
@pytest.mark.parametrize(
    "text",
    [
        "",
        "      ",
        "-1",
        "+1",
        "1.",
        ".1",
        "1,",
        ",1",
        ",",
        "-",
        "+",
        "a",
        "(,)",
        "[,]",
        "[,)",
        "(,]",
        "()",
        "[]",
        "[1.0",
        "(,1.3..2]",
        "(1.2.3.4.5,1.2]",
        "[1.0,2.0,3.0]",
        "1.0, 2.0",
        "[1.1.4, 1.1.2)",
        "[1.0.0, 1.0.0)",
        "(1.0, 1.0.0]",
        "[1.0.0-beta, 1.0.0-beta+900)",
        "(1.0)",
        "[2.0.0)",
        "   [-1, 2]  ",
        "[*]",
        "(*, *]",
        "[1.0.0, 1.1.*)",  # the maximum cannot float
        "1.*.0",
        "1.0.0+*",
        "1.0.**",
        "1.0.*-*bla",
        "**",
        "1.0.0-preview.*+blabla",
        "1.0.*-",
        "1.0.*-alpha*+",
        "[1.0.* , 2.0)",  # FloatRange input is not trimmed: '*' is no longer last
        "$version$",
        "[15.106.0.preview]",
        "0.0.0-~4",
        "(2.0.0, 1.0.0(",
    ],
)
def test_parse_version_range_invalid(text: str) -> None:
    assert parse_version_range(text) is None


@pytest.mark.parametrize("text", ["*", "1.*", "1.0.0-beta*", "[1.0.*, 2.0)"])
def test_parse_version_range_floating_not_allowed(text: str) -> None:
    assert parse_version_range(text, allow_floating=False) is None


def test_parse_version_range_none() -> None:
    assert parse_version_range(None) is None


def test_version_range_to_string_length_counts_normalized_form() -> None:
    # PackageHelper.ValidateNuGetPackageMetadata measures VersionRange.ToString(), not the raw text.
    r = parse_version_range("1.0.0+" + "m" * 300)
    assert r is not None
    assert r.to_string() == "[1.0.0, )"


# ---------------------------------------------------------------------------------------------
# Package IDs
# ---------------------------------------------------------------------------------------------

# Gallery NuGetGallery.Core.Facts/Packaging/PackageIdValidatorTest.cs (both validators), plus .NET
# regex details: Unicode \w = L*, Mn, Nd, Pc; no astral characters; '$' matches before a final "\n".
@pytest.mark.parametrize(
    "package_id, valid_read, valid_new",
    [
        ("42This1Is4You", True, True),
        ("I.Like.Writing.Unit.Tests", True, True),
        ("1.2.3.4.Uno.Dos.Tres.Cuatro", True, True),
        ("Nu_Get.Core-IsCool", True, True),
        ("_", True, True),
        ("p\u00e1ckage", True, False),
        ("packag\u00e9", True, False),
        ("\u043f\u0430\u043a\u0435\u0442", True, False),
        ("\u30d1\u30c3\u30b1\u30fc\u30b8", True, False),
        ("pac\u212aage", True, False),  # KELVIN SIGN: Lu for \w, not [A-Za-z] without IgnoreCase
        ("e\u0301", True, False),  # combining acute (Mn)
        ("a\u203fb", True, False),  # UNDERTIE (Pc)
        ("\u0661\u0662", True, False),  # Arabic-Indic digits (Nd)
        ("a\u0903", False, False),  # DEVANAGARI SIGN VISARGA (Mc) is not .NET \w
        ("\u00b2", False, False),  # SUPERSCRIPT TWO (No): Python's str.isalnum() says True
        ("\u2160", False, False),  # ROMAN NUMERAL ONE (Nl)
        ("\U0001d400", False, False),  # MATHEMATICAL BOLD CAPITAL A: a surrogate pair in .NET
        ("abc\n", True, True),  # .NET '$' matches before a final newline
        ("abc\n\n", False, False),
        ("\nabc", False, False),
        ("", False, False),
        ("ILike*Asterisks", False, False),
        ("I_.Like.-Separators", False, False),
        ("-StartWithSeparator", False, False),
        ("EndWithSeparator.", False, False),
        ("EndsWithHyphen-", False, False),
        ("Continuous..Separators", False, False),
        ("Continuous--Separators", False, False),
        ("$id$", False, False),
        ("$ID$", False, False),
        ("Contains#Invalid$Characters!@#$%^&*EndsOnValidCharacter", False, False),
        ("  Invalid  . Woo   .", False, False),
        ("a b", False, False),
    ],
)
def test_package_id(package_id: str, valid_read: bool, valid_new: bool) -> None:
    assert is_valid_package_id(package_id) is valid_read
    assert is_valid_new_package_id(package_id) is valid_new


def test_package_id_length_is_not_checked_here() -> None:
    assert is_valid_package_id("a" * 300) is True
    assert is_valid_new_package_id("a" * 300) is True
