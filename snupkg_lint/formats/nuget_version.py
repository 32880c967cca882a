"""NuGet's version, version-range and package-ID grammars, reimplemented from the C# sources.

Python's ``packaging.version`` implements PEP 440, not NuGet's grammar, so everything here is a
port of NuGet's own code.  Sources (NuGet/NuGet.Client 6.13, the version nuget.org references in
NuGetGallery ``Directory.Packages.props``; the files are identical at tag 6.13.0.40 and dev HEAD):

- ``src/NuGet.Core/NuGet.Versioning/NuGetVersionFactory.cs``   (``NuGetVersion.TryParse``)
- ``src/NuGet.Core/NuGet.Versioning/SemanticVersionFactory.cs`` (``ParseSections``, ``IsValidPart``)
- ``src/NuGet.Core/NuGet.Versioning/NuGetVersion.cs``, ``SemanticVersion.cs`` (``ToString``, ``IsSemVer2``)
- ``src/NuGet.Core/NuGet.Versioning/VersionFormatter.cs``      (``N``/``F`` formats)
- ``src/NuGet.Core/NuGet.Versioning/VersionComparer.cs``       (``Default`` equality and ordering)
- ``src/NuGet.Core/NuGet.Versioning/VersionRangeFactory.cs``, ``FloatRange.cs``,
  ``VersionRangeFormatter.cs`` (range grammar and ``VersionRange.ToString()``)
- ``src/NuGet.Core/NuGet.Packaging/PackageCreation/Utility/PackageIdValidator.cs`` (client ID regex)
- NuGet/NuGetGallery ``src/NuGetGallery.Core/NuGetVersionExtensions.cs`` (legacy-client check) and
  ``src/NuGetGallery.Core/Packaging/PackageIdValidator.cs`` (strict ID regex, ``$id$``)
- .NET ``System.Version.TryParse`` / ``Int32.TryParse(NumberStyles.Integer, InvariantCulture)``.

Pure functions and immutable values only: no I/O and no verdicts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

INT_MAX = 2**31 - 1
"""``int.MaxValue``: the bound for every version number."""

NULL_OR_EMPTY_MESSAGE = "Value cannot be null or an empty string."
"""NuGet.Versioning ``Resources.Argument_Cannot_Be_Null_Or_Empty``."""

INVALID_VERSION_MESSAGE = "'{0}' is not a valid version string."
"""NuGet.Versioning ``Resources.Invalidvalue``."""

_ASCII_DIGITS = frozenset("0123456789")
_LABEL_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")
_INT32_WHITE = "\t\n\v\f\r "
_DOTNET_WORD_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Nd", "Pc"})

# NuGetGallery NuGetVersionExtensions.SemanticVersionRegex (IgnoreCase).  Python's \d and \s on str
# are Unicode-aware like .NET's; they differ only on U+001C-U+001F, which .NET's char.IsWhiteSpace
# rejects, so such a string never parses as a version and never reaches this regex.
_LEGACY_VERSION_RE = re.compile(
    r"^(?P<Version>\d+(\s*\.\s*\d+){0,3})(?P<Release>-[a-z][0-9a-z-]*)?$", re.IGNORECASE
)
_INT32_RE = re.compile(r"[\t\n\v\f\r ]*([+-]?)([0-9]+)[\t\n\v\f\r ]*")
_INT32_LABEL_RE = re.compile(r"-?[0-9]+")
_ID_SEPARATORS_RE = re.compile(r"[.-]")


# --------------------------------------------------------------------------------------------
# .NET character helpers
# --------------------------------------------------------------------------------------------


def _is_dotnet_whitespace(c: str) -> bool:
    """.NET ``char.IsWhiteSpace``: U+0009-U+000D, U+0085 and categories Zs/Zl/Zp.

    Unlike Python's ``str.isspace`` it excludes U+001C-U+001F.
    """
    return c in "\t\n\v\f\r\x85" or unicodedata.category(c) in ("Zs", "Zl", "Zp")


def _dotnet_trim(s: str) -> str:
    """.NET ``string.Trim()`` (removes ``char.IsWhiteSpace`` characters at both ends)."""
    start, end = 0, len(s)
    while start < end and _is_dotnet_whitespace(s[start]):
        start += 1
    while end > start and _is_dotnet_whitespace(s[end - 1]):
        end -= 1
    return s[start:end]


dotnet_trim = _dotnet_trim  # for the other readers of .NET text


def _is_dotnet_word_char(c: str) -> bool:
    """.NET regex ``\\w``: categories L*, Mn, Nd, Pc (``RegexCharClass.WordClass``).

    .NET matches UTF-16 code units, so a character above U+FFFF (a surrogate pair) is never ``\\w``.
    """
    return ord(c) <= 0xFFFF and unicodedata.category(c) in _DOTNET_WORD_CATEGORIES


def _is_ascii_word_char(c: str) -> bool:
    """``[A-Za-z0-9_]``."""
    return c == "_" or (c.isascii() and c.isalnum())


def _try_parse_int32_label(s: str) -> int | None:
    """``int.TryParse(s)`` for a release label (only ASCII alphanumerics and ``-`` reach it)."""
    if _INT32_LABEL_RE.fullmatch(s) is None:
        return None
    value = int(s)
    return value if -INT_MAX - 1 <= value <= INT_MAX else None


# --------------------------------------------------------------------------------------------
# NuGetVersion
# --------------------------------------------------------------------------------------------


def _compare_label(a: str, b: str) -> int:
    """``VersionComparer.CompareRelease``: numeric labels compare as numbers and sort before alpha
    labels; other labels compare with ``StringComparer.OrdinalIgnoreCase`` (labels are ASCII)."""
    a_num, b_num = _try_parse_int32_label(a), _try_parse_int32_label(b)
    if a_num is not None and b_num is not None:
        return (a_num > b_num) - (a_num < b_num)
    if a_num is not None:
        return -1
    if b_num is not None:
        return 1
    a_up, b_up = a.upper(), b.upper()
    return (a_up > b_up) - (a_up < b_up)


def _compare_labels(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """``VersionComparer.Compare`` release-label step: a version without labels (stable) is
    greater; otherwise label by label, and a longer list wins when one is a prefix of the other."""
    if not a or not b:
        return (not a) - (not b)
    for x, y in zip(a, b):
        result = _compare_label(x, y)
        if result:
            return result
    return (len(a) > len(b)) - (len(a) < len(b))


@dataclass(frozen=True, eq=False)
class NuGetVersion:
    """A parsed ``NuGet.Versioning.NuGetVersion``.

    ``original`` is NuGet's ``OriginalVersion``: the untrimmed input with every U+0020 removed
    (other whitespace kept); ``""`` for versions not created by parsing.  ``metadata`` is ``None``
    when absent (NuGet stores ``""``).  Equality, hashing and ordering follow
    ``VersionComparer.Default``: metadata is ignored, labels compare case-insensitively.
    """

    major: int
    minor: int
    patch: int
    revision: int = 0
    release_labels: tuple[str, ...] = ()
    metadata: str | None = None
    original: str = ""

    @property
    def release(self) -> str:
        """``SemanticVersion.Release``: the labels joined with ``.``."""
        return ".".join(self.release_labels)

    @property
    def is_prerelease(self) -> bool:
        """``SemanticVersion.IsPrerelease``: any non-empty release label."""
        return any(self.release_labels)

    @property
    def has_metadata(self) -> bool:
        return bool(self.metadata)

    @property
    def is_semver2(self) -> bool:
        """``NuGetVersion.IsSemVer2``: more than one release label, or build metadata."""
        return len(self.release_labels) > 1 or self.has_metadata

    @property
    def version_part(self) -> str:
        """``VersionFormatter`` ``V``: ``Major.Minor.Patch``, plus ``.Revision`` only if > 0."""
        text = f"{self.major}.{self.minor}.{self.patch}"
        return f"{text}.{self.revision}" if self.revision > 0 else text

    @property
    def normalized(self) -> str:
        """``ToNormalizedString()`` (format ``N``): version part plus ``-labels``; no metadata."""
        return f"{self.version_part}-{self.release}" if self.is_prerelease else self.version_part

    @property
    def full(self) -> str:
        """``ToFullString()`` (format ``F``): normalized string plus ``+metadata``."""
        return f"{self.normalized}+{self.metadata}" if self.has_metadata else self.normalized

    def to_string(self) -> str:
        """``NuGetVersion.ToString()``: the original string unless it is empty or the version is
        SemVer2, in which case the normalized string.  Used in ``Manifest_InvalidVersion``."""
        if not self.original or self.is_semver2:
            return self.normalized
        return self.original

    def _numbers(self) -> tuple[int, int, int, int]:
        return (self.major, self.minor, self.patch, self.revision)

    def _key(self) -> tuple[tuple[int, int, int, int], tuple[str, ...]]:
        return self._numbers(), tuple(label.upper() for label in self.release_labels)

    def compare(self, other: NuGetVersion) -> int:
        """``VersionComparer.Default.Compare``: -1, 0 or 1."""
        a, b = self._numbers(), other._numbers()
        if a != b:
            return (a > b) - (a < b)
        labels_a = self.release_labels if self.is_prerelease else ()
        labels_b = other.release_labels if other.is_prerelease else ()
        return _compare_labels(labels_a, labels_b)

    def __eq__(self, other: object) -> bool:
        """``VersionComparer.Default.Equals``: numbers equal and labels equal ordinal-ignore-case.

        Note: NuGet's ``Equals`` and ``Compare`` disagree on labels ``-0`` vs ``0`` (numerically
        equal, textually different); this mirrors both.
        """
        if not isinstance(other, NuGetVersion):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: NuGetVersion) -> bool:
        return self.compare(other) < 0 if isinstance(other, NuGetVersion) else NotImplemented

    def __le__(self, other: NuGetVersion) -> bool:
        return self.compare(other) <= 0 if isinstance(other, NuGetVersion) else NotImplemented

    def __gt__(self, other: NuGetVersion) -> bool:
        return self.compare(other) > 0 if isinstance(other, NuGetVersion) else NotImplemented

    def __ge__(self, other: NuGetVersion) -> bool:
        return self.compare(other) >= 0 if isinstance(other, NuGetVersion) else NotImplemented


def _parse_sections(value: str) -> tuple[str | None, list[str] | None, str | None]:
    """``SemanticVersion.ParseSections``: split at the first ``-`` or ``+`` into version part,
    ``.``-split release labels and metadata (after the first ``+`` following the labels).

    Quirk kept from the C#: a ``-``/``+`` as the very last character stays in the preceding
    section (``1.0.0-`` gives version part ``1.0.0-``, ``1.0-a+`` gives label ``a+``), which then
    fails validation.
    """
    version_string: str | None = None
    labels: list[str] | None = None
    metadata: str | None = None
    dash_pos = plus_pos = -1
    last = len(value) - 1
    for i, c in enumerate(value):
        end = i == last
        stop = i + 1 if end else i  # the C# "endPos": the last character is kept in its section
        if dash_pos < 0:
            if end or c in "-+":
                version_string = value[:stop]
                dash_pos = i
                if c == "+":
                    plus_pos = i
        elif plus_pos < 0:
            if end or c == "+":
                labels = value[dash_pos + 1 : stop].split(".")
                plus_pos = i
        elif end:
            metadata = value[plus_pos + 1 :]
    return version_string, labels, metadata


def _parse_version_numbers(text: str) -> tuple[int, int, int, int] | None:
    """``NuGetVersion.TryGetNormalizedVersion``: 1-4 ``.``-separated sections of ASCII digits, each
    optionally surrounded by ``char.IsWhiteSpace`` characters, each <= ``int.MaxValue``; missing
    sections are 0.  Leading zeros are allowed; empty sections (``1..2``, ``1.``) are not."""
    sections = text.split(".")
    if len(sections) > 4:
        return None
    numbers: list[int] = []
    for section in sections:
        digits = _dotnet_trim(section)
        if not digits or not set(digits) <= _ASCII_DIGITS:
            return None
        number = int(digits)
        if number > INT_MAX:
            return None
        numbers.append(number)
    numbers += [0] * (4 - len(numbers))
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _is_valid_part(part: str, allow_leading_zeros: bool) -> bool:
    """``SemanticVersion.IsValidPart``: non-empty, only ``[0-9A-Za-z-]``, and (unless allowed) no
    leading zero on an all-digit part (``0`` and ``0a`` are fine, ``01`` is not)."""
    if not part or not set(part) <= _LABEL_CHARS:
        return False
    return allow_leading_zeros or not (len(part) > 1 and part[0] == "0" and set(part) <= _ASCII_DIGITS)


def parse_nuget_version(text: str | None) -> NuGetVersion | None:
    """``NuGetVersion.TryParse`` (the loose parser nuget.org uses); ``None`` if it returns false.

    The input is ``Trim()``-ed, split by :func:`_parse_sections`, the version part parsed by
    :func:`_parse_version_numbers`, labels checked without leading zeros, metadata parts with.
    """
    if text is None:
        return None
    version_string, labels, metadata = _parse_sections(_dotnet_trim(text))
    if not version_string:
        return None
    numbers = _parse_version_numbers(version_string)
    if numbers is None:
        return None
    if labels is not None and not all(_is_valid_part(label, False) for label in labels):
        return None
    if metadata is not None and not all(_is_valid_part(part, True) for part in metadata.split(".")):
        return None
    return NuGetVersion(*numbers, tuple(labels or ()), metadata, text.replace(" ", ""))


def version_error(text: str | None) -> str | None:
    """The message of the ``ArgumentException`` ``NuGetVersion.Parse`` throws, or ``None``.

    Only the resource text is returned; .NET appends the parameter name (``value``) to
    ``Exception.Message`` (``\\r\\nParameter name: value`` on .NET Framework).  Whitespace-only input
    is not "empty" (``string.IsNullOrEmpty``) and gets the invalid-version message.
    """
    if not text:
        return NULL_OR_EMPTY_MESSAGE
    if parse_nuget_version(text) is None:
        return INVALID_VERSION_MESSAGE.format(text)
    return None


def legacy_version_ok(v: NuGetVersion) -> bool:
    """nuget.org's check that a version is usable by NuGet 2.x clients.

    ``ManifestValidator.ValidateVersionForLegacyClients``: SemVer2 versions pass; others must
    match ``SemanticVersionRegex`` applied to ``version.ToString().Trim()`` -- i.e. the original
    string with spaces removed (``IsValidVersionForLegacyClients``).  So a single release label
    must start with a letter (``1.0.0-1beta`` fails), and whitespace other than U+0020 before
    the ``-`` fails too.
    """
    if v.is_semver2:
        return True
    return _LEGACY_VERSION_RE.match(_dotnet_trim(v.to_string())) is not None


# --------------------------------------------------------------------------------------------
# System.Version
# --------------------------------------------------------------------------------------------


def _parse_int32(text: str) -> int | None:
    """``Int32.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)``: optional
    leading/trailing white (U+0009-U+000D, U+0020 only), optional leading ``+``/``-`` directly
    before ASCII digits, result within Int32.  (.NET also accepts trailing NUL characters, which
    cannot occur in XML and are not modelled.)"""
    m = _INT32_RE.fullmatch(text)
    if m is None:
        return None
    value = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
    return value if -INT_MAX - 1 <= value <= INT_MAX else None


def parse_system_version(text: str) -> tuple[int, ...] | None:
    """.NET ``System.Version.TryParse``: 2-4 ``.``-separated components, each an ``Int32.TryParse``
    value that is >= 0.  So `` 0.0 ``, ``+1.0`` and ``-0.0`` parse; ``1`` and ``-1.0`` do not.

    The tuple keeps only the components present: ``System.Version`` equality compares unset
    components as -1, so ``(0, 0)`` (``0.0``) == ``00.0`` but != ``(0, 0, 0)`` (``0.0.0``), which
    is exactly Python tuple equality.
    """
    components = text.split(".")
    if not 2 <= len(components) <= 4:
        return None
    values: list[int] = []
    for component in components:
        value = _parse_int32(component)
        if value is None or value < 0:
            return None
        values.append(value)
    return tuple(values)


# --------------------------------------------------------------------------------------------
# FloatRange and VersionRange
# --------------------------------------------------------------------------------------------


class FloatBehavior(Enum):
    """``NuGet.Versioning.NuGetVersionFloatBehavior``."""

    NONE = "None"
    PRERELEASE = "Prerelease"
    REVISION = "Revision"
    PATCH = "Patch"
    MINOR = "Minor"
    MAJOR = "Major"
    ABSOLUTE_LATEST = "AbsoluteLatest"
    PRERELEASE_REVISION = "PrereleaseRevision"
    PRERELEASE_PATCH = "PrereleasePatch"
    PRERELEASE_MINOR = "PrereleaseMinor"
    PRERELEASE_MAJOR = "PrereleaseMajor"


_STABLE_FLOAT_BY_PARTS = {2: FloatBehavior.MINOR, 3: FloatBehavior.PATCH, 4: FloatBehavior.REVISION}
_PRERELEASE_FLOAT_BY_PARTS = {
    1: FloatBehavior.PRERELEASE_MAJOR,
    2: FloatBehavior.PRERELEASE_MINOR,
    3: FloatBehavior.PRERELEASE_PATCH,
    4: FloatBehavior.PRERELEASE_REVISION,
}


@dataclass(frozen=True)
class FloatRange:
    """``NuGet.Versioning.FloatRange``: a floating bound such as ``1.*`` or ``1.0.0-beta*``."""

    behavior: FloatBehavior
    min_version: NuGetVersion
    release_prefix: str | None = None

    @property
    def is_floating(self) -> bool:
        return self.behavior is not FloatBehavior.NONE

    def to_string(self) -> str:
        """``FloatRange.ToString()``."""
        v, prefix = self.min_version, self.release_prefix or ""
        formats = {
            FloatBehavior.NONE: v.normalized,
            FloatBehavior.PRERELEASE: f"{v.version_part}-{prefix}*",
            FloatBehavior.REVISION: f"{v.major}.{v.minor}.{v.patch}.*",
            FloatBehavior.PATCH: f"{v.major}.{v.minor}.*",
            FloatBehavior.MINOR: f"{v.major}.*",
            FloatBehavior.MAJOR: "*",
            FloatBehavior.PRERELEASE_REVISION: f"{v.major}.{v.minor}.{v.patch}.*-{prefix}*",
            FloatBehavior.PRERELEASE_PATCH: f"{v.major}.{v.minor}.*-{prefix}*",
            FloatBehavior.PRERELEASE_MINOR: f"{v.major}.*-{prefix}*",
            FloatBehavior.PRERELEASE_MAJOR: f"*-{prefix}*",
            FloatBehavior.ABSOLUTE_LATEST: "*-*",
        }
        return formats[self.behavior]


def _float_range(behavior: FloatBehavior, min_version: NuGetVersion | None, prefix: str | None) -> FloatRange | None:
    """The ``FloatRange`` constructor: without an explicit prefix a prerelease minimum supplies
    its own ``Release``."""
    if min_version is None:
        return None
    if prefix is None and min_version.is_prerelease:
        prefix = min_version.release
    return FloatRange(behavior, min_version, prefix)


def _parse_double_star_float(s: str) -> FloatRange | None:
    """``FloatRange.TryParse`` branch for two or more ``*``: only ``<stable>*-<prefix>*`` with the
    first ``*`` right before the first ``-`` and the last ``*`` at the end."""
    dash = s.find("-")
    if dash == -1 or s.rfind("*") != len(s) - 1 or s.find("*") != dash - 1:
        return None
    stable = s[: dash - 1] + "0"
    behavior = _PRERELEASE_FLOAT_BY_PARTS.get(stable.count(".") + 1, FloatBehavior.NONE)
    prefix = s[dash + 1 : -1]
    release = prefix + "0" if prefix == "" or prefix.endswith(".") else prefix
    return _float_range(behavior, parse_nuget_version(f"{stable}-{release}"), prefix)


def _parse_trailing_star_float(s: str) -> FloatRange | None:
    """``FloatRange.TryParse`` branch for one ``*`` as the last character.

    Without ``-`` the ``*`` becomes ``0`` and the dot count picks Minor/Patch/Revision; a single
    section gives behavior None (so ``1*`` means exactly ``10``, not floating).  With ``-`` it is
    Prerelease; with exactly one ``-`` the prefix is the text after it, and an empty prefix or one
    ending in ``.`` gets a ``0`` appended.  (The C# ``else if EndsWith("-")`` arm is unreachable
    with a single ``-`` and is omitted.)
    """
    actual = s[:-1]
    prefix: str | None = None
    if "-" not in s:
        actual += "0"
        behavior = _STABLE_FLOAT_BY_PARTS.get(actual.count(".") + 1, FloatBehavior.NONE)
    else:
        behavior = FloatBehavior.PRERELEASE
        if s.find("-") == s.rfind("-"):
            prefix = actual[s.rfind("-") + 1 :]
            if prefix == "" or actual.endswith("."):
                actual += "0"
    return _float_range(behavior, parse_nuget_version(actual), prefix)


def parse_float_range(s: str) -> FloatRange | None:
    """``FloatRange.TryParse`` (the input is not trimmed; ``NuGetVersion.TryParse`` trims)."""
    if not _dotnet_trim(s):
        return None
    first_star, last_star = s.find("*"), s.rfind("*")
    if s == "*":
        return FloatRange(FloatBehavior.MAJOR, NuGetVersion(0, 0, 0, original="0.0"))
    if s == "*-*":
        return FloatRange(FloatBehavior.ABSOLUTE_LATEST, parse_nuget_version("0.0.0-0"), "")
    if first_star != last_star and "+" not in s:
        return _parse_double_star_float(s)
    if last_star == len(s) - 1 and "+" not in s:
        return _parse_trailing_star_float(s)
    version = parse_nuget_version(s)
    return FloatRange(FloatBehavior.NONE, version) if version is not None else None


@dataclass(frozen=True, eq=False)
class VersionRange:
    """A parsed ``NuGet.Versioning.VersionRange``.

    ``include_min``/``include_max`` are the raw bracket flags; NuGet's ``IsMinInclusive`` /
    ``IsMaxInclusive`` (the properties below) are false when the bound is absent.
    """

    min_version: NuGetVersion | None
    include_min: bool
    max_version: NuGetVersion | None
    include_max: bool
    float_range: FloatRange | None
    original: str

    @property
    def is_min_inclusive(self) -> bool:
        return self.min_version is not None and self.include_min

    @property
    def is_max_inclusive(self) -> bool:
        return self.max_version is not None and self.include_max

    @property
    def is_floating(self) -> bool:
        """``VersionRange.IsFloating``: a float range whose behavior is not None."""
        return self.float_range is not None and self.float_range.is_floating

    def to_string(self) -> str:
        """``VersionRange.ToString()`` = ``ToNormalizedString()`` (``VersionRangeFormatter`` ``N``):
        always bracketed, ``[min, max]`` with normalized versions (no metadata), a floating lower
        bound printed by :meth:`FloatRange.to_string`.  nuget.org limits this to 256 characters."""
        lower = ""
        if self.min_version is not None:
            lower = self.float_range.to_string() if self.is_floating else self.min_version.normalized
        upper = self.max_version.normalized if self.max_version is not None else ""
        opening = "[" if self.is_min_inclusive else "("
        closing = "]" if self.is_max_inclusive else ")"
        return f"{opening}{lower}, {upper}{closing}"


def _split_bracketed(trimmed: str) -> tuple[bool, str, str, bool] | None:
    """The bracket part of ``VersionRange.TryParse``: returns (include_min, min text, max text,
    include_max); at most one ``,``; not all parts empty; a single part needs ``[...]``."""
    include_min = trimmed[0] == "["
    if trimmed[-1] not in "])":
        return None
    include_max = trimmed[-1] == "]"
    parts = trimmed[1:-1].split(",")
    if len(parts) > 2 or all(part == "" for part in parts):
        return None
    if len(parts) == 1 and not (include_min and include_max):
        return None
    return include_min, parts[0], parts[-1], include_max


def parse_version_range(text: str | None, allow_floating: bool = True) -> VersionRange | None:
    """``VersionRange.TryParse(value, allowFloating)``; ``None`` if it returns false.

    Plain ``1.0`` is ``[1.0, )``; ``*`` alone floats from 0.0.0; a ``*`` is only understood in
    the lower bound; bounds that are only whitespace count as absent (``[ , ]`` is valid);
    min > max, or min == max with mixed brackets, is invalid.
    """
    if text is None:
        return None
    trimmed = _dotnet_trim(text)
    if not trimmed:
        return None
    if allow_floating and trimmed == "*":
        return VersionRange(NuGetVersion(0, 0, 0), True, None, True, parse_float_range("*"), text)
    if trimmed[0] in "([":
        split = _split_bracketed(trimmed)
        if split is None:
            return None
        include_min, min_text, max_text, include_max = split
    else:
        include_min, min_text, max_text, include_max = True, trimmed, None, False

    float_range: FloatRange | None = None
    min_version: NuGetVersion | None = None
    if _dotnet_trim(min_text):
        if allow_floating and "*" in min_text:
            float_range = parse_float_range(min_text)
            if float_range is None:
                return None
            min_version = float_range.min_version
        else:
            min_version = parse_nuget_version(min_text)
            if min_version is None:
                return None

    max_version: NuGetVersion | None = None
    if max_text is not None and _dotnet_trim(max_text):
        max_version = parse_nuget_version(max_text)
        if max_version is None:
            return None

    if min_version is not None and max_version is not None:
        order = min_version.compare(max_version)
        if order > 0 or (order == 0 and include_min != include_max):
            return None
    return VersionRange(min_version, include_min, max_version, include_max, float_range, text)


# --------------------------------------------------------------------------------------------
# Package IDs
# --------------------------------------------------------------------------------------------


def _is_dollar_id(s: str) -> bool:
    """NuGetGallery ``PackageIdValidator.IsValid``: ``$id$`` (OrdinalIgnoreCase) is always invalid.

    Kept for fidelity; both ID regexes reject ``$`` anyway, so it never changes a result.
    """
    return s.lower() == "$id$"


def _matches_id_pattern(s: str, is_word_char: Callable[[str], bool]) -> bool:
    """``^W+([.-]W+)*$`` for a word-character predicate W.

    .NET's ``$`` (without Multiline) also matches before a final ``\\n``, so ``"abc\\n"`` passes in
    .NET; that is mirrored by dropping one trailing ``\\n``.
    """
    body = s[:-1] if s.endswith("\n") else s
    tokens = _ID_SEPARATORS_RE.split(body)
    return all(token and all(is_word_char(c) for c in token) for token in tokens)


def is_valid_package_id(s: str) -> bool:
    """Client ``NuGet.Packaging.PackageIdValidator.IsValidPackageId`` and the gallery's
    ``IsValidPackageIdForRead``: ``^\\w+([.-]\\w+)*$`` with .NET's Unicode ``\\w``.
    Length (100 on the client, 128 in the gallery) is the caller's job."""
    return not _is_dollar_id(s) and _matches_id_pattern(s, _is_dotnet_word_char)


def is_valid_new_package_id(s: str) -> bool:
    """NuGetGallery ``PackageIdValidator.IsValidPackageId`` (new IDs):
    ``^[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*$`` and not ``$id$``."""
    return not _is_dollar_id(s) and _matches_id_pattern(s, _is_ascii_word_char)
