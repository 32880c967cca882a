"""Target framework strings as NuGet.Frameworks 6.x reads and prints them.

What nuget.org's push path needs: whether `NuGetFramework.Parse` throws (generic 400), whether the result is the
`Unsupported` framework (ManifestValidator: "The target framework {0} is not supported.", {0} = `ToString()`), the
short folder name (`GetShortFolderName`, which the duplicate-dependency message prints and `PackageHelper`'s
flattening of the dependencies calls — it throws for a portable profile NuGet does not know), and equality
(`NuGetFrameworkFullComparer`) to find two dependency groups for one framework.
Behaviour follows NuGet/NuGet.Client src/NuGet.Core/NuGet.Frameworks (NuGetFrameworkFactory.cs, NuGetFramework.cs,
FrameworkNameProvider.cs, DefaultFrameworkMappings.cs, DefaultPortableFrameworkMappings.cs); the tables below
restate their data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from snupkg_lint.formats.nuget_version import dotnet_trim, parse_system_version

NET, NETCOREAPP, PORTABLE = ".NETFramework", ".NETCoreApp", ".NETPortable"
ANY_ID, AGNOSTIC_ID, UNSUPPORTED_ID = "Any", "Agnostic", "Unsupported"

# Long identifier -> short name (DefaultFrameworkMappings.IdentifierShortNames), in NuGet's order.
_SHORT_NAMES = {
    NETCOREAPP: "netcoreapp", ".NETStandardApp": "netstandardapp", ".NETStandard": "netstandard",
    ".NETPlatform": "dotnet", NET: "net", ".NETMicroFramework": "netmf", "Silverlight": "sl", PORTABLE: "portable",
    "WindowsPhone": "wp", "WindowsPhoneApp": "wpa", "Windows": "win", "ASP.NET": "aspnet", "ASP.NETCore": "aspnetcore",
    "native": "native", "MonoAndroid": "monoandroid", "MonoTouch": "monotouch", "MonoMac": "monomac",
    "Xamarin.iOS": "xamarinios", "Xamarin.Mac": "xamarinmac", "Xamarin.PlayStation3": "xamarinpsthree",
    "Xamarin.PlayStation4": "xamarinpsfour", "Xamarin.PlayStationVita": "xamarinpsvita",
    "Xamarin.WatchOS": "xamarinwatchos", "Xamarin.TVOS": "xamarintvos", "Xamarin.Xbox360": "xamarinxboxthreesixty",
    "Xamarin.XboxOne": "xamarinxboxone", "DNX": "dnx", "DNXCore": "dnxcore", ".NETCore": "netcore", "WinRT": "winrt",
    "UAP": "uap", "Tizen": "tizen", ".NETnanoFramework": "netnano",
}
# Other names for an identifier (IdentifierSynonyms); short names are synonyms of their long name too.
_SYNONYMS = {
    "netframework": NET, ".net": NET, "netcore": ".NETCore", "netportable": PORTABLE, "asp.net": "ASP.NET",
    "asp.netcore": "ASP.NETCore", "xamarin.playstationthree": "Xamarin.PlayStation3",
    "xamarinplaystationthree": "Xamarin.PlayStation3", "xamarin.playstationfour": "Xamarin.PlayStation4",
    "xamarinplaystationfour": "Xamarin.PlayStation4", "xamarinplaystationvita": "Xamarin.PlayStationVita",
}
for _long, _short in _SHORT_NAMES.items():
    _SYNONYMS.setdefault(_short, _long)
_LONG_NAMES = {name.lower(): name for name in _SHORT_NAMES}
# Profile short name -> profile (ProfileShortNames; NuGet ignores which framework a mapping is for)
_PROFILES = {"client": "Client", "cf": "CompactFramework", "full": "", "wp": "WindowsPhone", "wp71": "WindowsPhone71"}
_PROFILE_LONG = {"client": "Client", "compactframework": "CompactFramework", "": "", "windowsphone": "WindowsPhone",
                 "windowsphone71": "WindowsPhone71"}
_PROFILE_SHORT = {"client": "Client", "compactframework": "CF", "": "Full", "windowsphone": "WP",
                  "windowsphone71": "WP71"}
_SINGLE_DIGIT = {"windows", "windowsphone", "silverlight"}  # may print a one-part version (win8)
_DECIMAL_POINT = {".netcoreapp", ".netstandard", ".netnanoframework"}  # always print dots (netstandard2.0)
_DEPRECATED = {"45": (4, 5), "4.5": (4, 5), "40": (4, 0), "4.0": (4, 0), "4": (4, 0), "35": (3, 5), "3.5": (3, 5),
               "20": (2, 0), "2": (2, 0), "2.0": (2, 0)}  # TryParseDeprecatedFramework: exact strings, all .NETFramework
_IDENT_CHARS = re.compile(r"[A-Za-z.]*")
_VERSION_CHARS = re.compile(r"[0-9.]*")
_PROFILE_CHARS = re.compile(r"[0-9A-Za-z.+-]+")


class FrameworkParseError(Exception):
    """NuGetFramework.Parse (or GetShortFolderName) throws: on nuget.org the push fails with the generic 400."""


@dataclass(frozen=True)
class Framework:
    identifier: str  # the long name, or Any/Agnostic/Unsupported
    version: tuple[int, int, int, int] = (0, 0, 0, 0)  # System.Version, unset parts as 0 (NormalizeVersion)
    profile: str = ""
    platform: str = ""  # net5.0 and later only (windows, android, ...)
    platform_version: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def is_unsupported(self) -> bool:
        return self.key == UNSUPPORTED.key

    @property
    def is_specific(self) -> bool:
        return self.key not in (UNSUPPORTED.key, ANY.key, AGNOSTIC.key)

    @property
    def is_net5_era(self) -> bool:
        return self.version[0] >= 5 and self.identifier.lower() == NETCOREAPP.lower()

    @property
    def key(self) -> tuple:
        """NuGetFrameworkFullComparer: identifier, profile and platform ignoring case, versions numerically."""
        return (self.identifier.lower(), self.version, self.profile.lower(), self.platform.lower(),
                self.platform_version)

    def __str__(self) -> str:
        """NuGetFramework.ToString(): the short folder name for net5.0+, else the FrameworkName string."""
        return short_folder_name(self) if self.is_net5_era else self.dotnet_name

    @property
    def dotnet_name(self) -> str:
        """DotNetFrameworkName: '.NETFramework,Version=v4.5', 'Unsupported,Version=v0.0'."""
        if not self.is_specific:
            return f"{self.identifier},Version=v0.0"
        ident = self.identifier
        if self.key == Framework(".NETPlatform").key:  # the full-name rewrite dotnet -> dotnet5.0
            return ".NETPlatform,Version=v5.0"
        name = f"{ident},Version=v{_display_version(self.version)}"
        return f"{name},Profile={self.profile}" if self.profile else name


def _framework(identifier: str, version: tuple[int, ...] = (0, 0), profile: str = "", platform: str = "",
               platform_version: tuple[int, ...] = (0, 0)) -> Framework:
    """The NuGetFramework constructor: versions padded to four parts; a platform only for net5.0 and later."""
    pad = lambda v: tuple(v) + (0,) * (4 - len(v))  # noqa: E731
    fw = Framework(identifier, pad(version), profile)
    if fw.is_net5_era:
        return Framework(identifier, fw.version, profile, platform, pad(platform_version))
    return fw


UNSUPPORTED = Framework(UNSUPPORTED_ID)
ANY = Framework(ANY_ID)
AGNOSTIC = Framework(AGNOSTIC_ID)


def _display_version(v: tuple[int, int, int, int]) -> str:
    text = f"{v[0]}.{v[1]}"
    if v[2] > 0 or v[3] > 0:
        text += f".{v[2]}" + (f".{v[3]}" if v[3] > 0 else "")
    return text


def _identifier(name: str) -> str | None:
    """FrameworkNameProvider.TryGetIdentifier (case-insensitive; a long name comes back in NuGet's casing)."""
    return _SYNONYMS.get(name.lower()) or _LONG_NAMES.get(name.lower())


def _special(text: str) -> Framework | None:
    return {"any": ANY, "agnostic": AGNOSTIC, "unsupported": UNSUPPORTED}.get(text.lower())


def parse_framework(text: str | None) -> Framework:
    """NuGetFramework.Parse; None or '' (a group without targetFramework) is AnyFramework."""
    if not text:
        return ANY
    return _parse_framework_name(text) if "," in text else _parse_folder(text)


def _single(parts: list[str], prefix: str) -> str | None:
    found = [p for p in parts if p.lower().startswith(prefix.lower())]
    return found[0] if len(found) == 1 else None  # SingleOrDefaultSafe: none or several -> null


def _parse_framework_name(text: str) -> Framework:
    """ParseFrameworkName: '.NETFramework,Version=v4.5,Profile=Client'."""
    parts = [dotnet_trim(p) for p in text.split(",") if p]
    if not parts:
        raise FrameworkParseError("Index was outside the bounds of the array.")
    special = _special(parts[0])
    if special is not None:
        return special
    identifier = _identifier(parts[0]) or parts[0]
    version: tuple[int, ...] = (0, 0)
    version_part, profile_part = _single(parts, "Version="), _single(parts, "Profile=")
    if version_part:
        digits = version_part.split("=")[1].lstrip("v")
        digits = digits if "." in digits else digits + ".0"
        parsed = parse_system_version(digits)
        if parsed is None:
            raise FrameworkParseError(f"Invalid framework version '{digits}'.")
        version = parsed
    profile = profile_part.split("=")[1] if profile_part else ""
    if identifier.lower() == PORTABLE.lower() and "-" in profile:
        raise FrameworkParseError(f"Invalid portable frameworks '{profile}'. A hyphen may not be in any of the "
                                  "portable framework names.")
    if version[0] >= 5 and identifier.lower() == NETCOREAPP.lower():
        return _framework(identifier, version)
    return _framework(identifier, version, profile)


def _folder_version(digits: str) -> tuple[int, ...] | None:
    """FrameworkNameProvider.TryGetVersion: '4.5' as written; '451' -> 4.5.1; '1' -> 1.0; at most 4 digits."""
    if "." in digits:
        return parse_system_version(digits)
    digits = digits if len(digits) >= 2 else digits + "0"
    return parse_system_version(".".join(digits[:4]))


def _parse_folder(text: str) -> Framework:
    """ParseFolder: 'net45', 'netstandard2.0', 'net8.0-windows10.0.19041', 'portable-net45+win8', 'sl4-wp'."""
    if "%" in text:
        text = unquote(text, errors="surrogateescape")
    special = _special(text)
    if special is not None:
        return special
    if text.lower() in ("dotnet", "dotnet50", "dotnet5.0"):  # TryParseCommonFramework: dotnet is dotnet5.0
        return _framework(".NETPlatform", (5, 0))
    ident = _IDENT_CHARS.match(text).group()
    if not ident:
        return _framework(NET, _DEPRECATED[text]) if text in _DEPRECATED else UNSUPPORTED
    digits = _VERSION_CHARS.match(text, len(ident)).group()
    rest = text[len(ident) + len(digits):]
    if rest and not (rest[0] == "-" and _PROFILE_CHARS.fullmatch(rest[1:])):
        return _framework(NET, _DEPRECATED[text]) if text in _DEPRECATED else UNSUPPORTED
    profile_short = rest[1:]
    identifier = _identifier(ident)
    version = _folder_version(digits) if digits else (0, 0)
    if identifier is None or version is None:
        return UNSUPPORTED
    if version[0] >= 5 and identifier.lower() in (NET.lower(), NETCOREAPP.lower()):
        if not profile_short:
            return _framework(NETCOREAPP, version)
        letters = _IDENT_CHARS.match(profile_short).group()
        platform, platform_digits = (letters, profile_short[len(letters):]) if letters else (profile_short, "")
        platform_version: tuple[int, ...] | None = (0, 0)
        if platform_digits:
            platform_version = parse_system_version(platform_digits if "." in platform_digits else platform_digits + ".0")
        if platform_version is None:
            return UNSUPPORTED
        return _framework(NETCOREAPP, version, platform=platform, platform_version=platform_version)
    if identifier == PORTABLE:
        members = _portable_members(profile_short)
        if not members:
            return UNSUPPORTED
        number = _portable_profile(members)
        return _framework(identifier, version, f"Profile{number}" if number is not None else profile_short)
    key = profile_short.lower()  # TryGetProfile: a short profile name, or a long one in NuGet's casing
    profile = _PROFILES[key] if key in _PROFILES else _PROFILE_LONG.get(key, profile_short)
    return _framework(identifier, version, profile)


# -- portable profiles (DefaultPortableFrameworkMappings) ---------------------------------------------------------

def _fw(short: str) -> Framework:
    return _parse_folder(short)


_PROFILE_TABLE: dict[int, tuple[str, ...]] = {  # in NuGet's order: the first profile that matches wins
    31: ("win81", "wp81"), 32: ("win81", "wpa81"), 44: ("net451", "win81"), 84: ("wp81", "wpa81"),
    151: ("net451", "win81", "wpa81"), 157: ("win81", "wp81", "wpa81"),
    7: ("net45", "win8"), 49: ("net45", "wp8"), 78: ("net45", "win8", "wp8"), 111: ("net45", "win8", "wpa81"),
    259: ("net45", "win8", "wpa81", "wp8"),
    2: ("net4", "win8", "sl4", "wp7"), 3: ("net4", "sl4"), 4: ("net45", "sl4", "win8", "wp7"), 5: ("net4", "win8"),
    6: ("net403", "win8"), 14: ("net4", "sl5"), 18: ("net403", "sl4"), 19: ("net403", "sl5"), 23: ("net45", "sl4"),
    24: ("net45", "sl5"), 36: ("net4", "sl4", "win8", "wp8"), 37: ("net4", "sl5", "win8"),
    41: ("net403", "sl4", "win8"), 42: ("net403", "sl5", "win8"), 46: ("net45", "sl4", "win8"),
    47: ("net45", "sl5", "win8"), 88: ("net4", "sl4", "win8", "wp75"), 92: ("net4", "win8", "wpa81"),
    95: ("net403", "sl4", "win8", "wp7"), 96: ("net403", "sl4", "win8", "wp75"), 102: ("net403", "win8", "wpa81"),
    104: ("net45", "sl4", "win8", "wp75"), 136: ("net4", "sl5", "win8", "wp8"), 143: ("net403", "sl4", "win8", "wp8"),
    147: ("net403", "sl5", "win8", "wp8"), 154: ("net45", "sl4", "win8", "wp8"), 158: ("net45", "sl5", "win8", "wp8"),
    225: ("net4", "sl5", "win8", "wpa81"), 240: ("net403", "sl5", "win8", "wpa81"),
    255: ("net45", "sl5", "win8", "wpa81"), 328: ("net4", "sl5", "win8", "wpa81", "wp8"),
    336: ("net403", "sl5", "win8", "wpa81", "wp8"), 344: ("net45", "sl5", "win8", "wpa81", "wp8"),
}
# Profiles that also support the Xamarin frameworks (any version): those may be listed and are then ignored.
_WITH_OPTIONAL = {5, 6, 7, 14, 19, 24, 37, 42, 44, 47, 49, 78, 92, 102, 111, 136, 147, 151, 158, 225, 255, 259,
                  328, 336, 344}
_OPTIONAL = {"monoandroid", "monotouch", "xamarin.ios", "xamarin.mac", "xamarin.watchos", "xamarin.tvos"}
# Equivalent frameworks (DefaultFrameworkMappings.EquivalentFrameworks, closed transitively), as classes.
_EQUIVALENT_CLASSES = (("win", "win8", "netcore45", "winrt45", "netcore", "winrt"), ("win81", "netcore451"),
                       ("wp", "wp7"), ("wp8",), ("wp81",), ("wpa", "wpa81"), ("uap", "uap10.0"), ("tizen", "tizen3"),
                       ("dnx", "dnx45", "aspnet50"), ("dnxcore", "dnxcore50", "aspnetcore50"),
                       ("aspnet",), ("aspnetcore",))
_CLASS: dict[tuple, int] = {}


def _class_of(fw: Framework) -> object:
    if not _CLASS:
        for n, members in enumerate(_EQUIVALENT_CLASSES):
            for short in members:
                _CLASS[_fw(short).key] = n
    return _CLASS.get(fw.key, fw.key)


def _portable_members(profile: str) -> list[Framework]:
    """TryGetPortableFrameworks(string): the '+'-separated frameworks, none of which may have a profile."""
    members = []
    for name in (n for n in profile.split("+") if n):
        fw = parse_framework(name)
        if fw.profile:
            raise FrameworkParseError(f"Invalid portable frameworks '{profile}'. A hyphen may not be in any of the "
                                      "portable framework names.")
        members.append(fw)
    return members


def _portable_profile(members: list[Framework]) -> int | None:
    """TryGetPortableProfile: the profile whose required frameworks these are, up to equivalence (win8 = netcore45)
    and ignoring the Xamarin frameworks a profile lists as optional."""
    unique = _dedupe(members)  # RemoveDuplicateFramework
    for number, required in _PROFILE_TABLE.items():
        if len(required) > len(unique):
            continue
        optional = number in _WITH_OPTIONAL
        kept = {_class_of(fw) for fw in unique
                if not (optional and fw.identifier.lower() in _OPTIONAL and not fw.profile)}
        if kept == {_class_of(_fw(r)) for r in required}:
            return number
    return None


def _dedupe(members: list[Framework]) -> list[Framework]:
    seen: list[object] = []
    out = []
    for fw in members:
        if _class_of(fw) not in seen:
            seen.append(_class_of(fw))
            out.append(fw)
    return out


def _profile_frameworks(profile: str) -> list[Framework] | None:
    """TryGetPortableFrameworks(profile, includeOptional: false): 'Profile7' by number, else the listed names."""
    if profile.lower().startswith("profile"):
        digits = profile[7:]
        number = int(digits) if re.fullmatch(r"\s*[+-]?[0-9]+\s*", digits) else None
        if number is not None and -2**31 <= number < 2**31:  # int.TryParse
            return [_fw(s) for s in _PROFILE_TABLE[number]] if number in _PROFILE_TABLE else None
    members = _portable_members(profile)
    return members or None


# -- printing ---------------------------------------------------------------------------------------------------

def _version_string(identifier: str, v: tuple[int, int, int, int]) -> str:
    """FrameworkNameProvider.GetVersionString: '45', '4.5.1' when a part is over 9, '2.0' for netstandard."""
    if all(p <= 0 for p in v):
        return ""
    major, minor, build, revision = (max(p, 0) for p in v)
    count = 4 if revision else 3 if build else 2 if minor else 1
    if count == 1 and identifier.lower() not in _SINGLE_DIGIT:
        count = 2
    parts = [major, minor, build, revision][:count]
    if identifier.lower() in _DECIMAL_POINT or any(p > 9 for p in (major, minor, build, revision)):
        return ".".join(str(p) for p in ([major, 0] if count == 1 else parts))
    return "".join(str(p) for p in parts)


def short_folder_name(fw: Framework) -> str:
    """NuGetFramework.GetShortFolderName(): 'net45', 'net8.0-windows10.0', 'portable-net45+win8', 'unsupported'.

    Raises FrameworkParseError where NuGet throws a FrameworkException: a portable framework whose profile names
    no frameworks NuGet knows (Profile99999, or none), or an identifier with no letter or digit."""
    if not fw.is_specific:
        return fw.identifier.lower()
    if fw.key == _framework(".NETPlatform", (5, 0)).key:  # the short-name rewrite dotnet5.0 -> dotnet
        fw = _framework(".NETPlatform")
    identifier = NET if fw.is_net5_era else fw.identifier
    short = _SHORT_NAMES.get(_LONG_NAMES.get(identifier.lower(), ""))  # TryGetShortIdentifier
    if short is None:  # an identifier NuGet does not know: its letters and digits
        short = "".join(c for c in identifier if c.isalnum())
    if not short:
        raise FrameworkParseError(f"Invalid framework identifier '{short}'.")
    text = short + _version_string(fw.identifier, fw.version)
    if fw.identifier.lower() == PORTABLE.lower() and fw.version[0] < 5:
        members = _profile_frameworks(fw.profile) if fw.profile else None
        if not members:
            raise FrameworkParseError(f"Invalid portable frameworks for '{fw.dotnet_name}'. A portable framework "
                                      "must have at least one framework in the profile.")
        names = sorted((short_folder_name(m) for m in _dedupe_full(members)), key=str.upper)
        text += "-" + "+".join(names)
    elif fw.is_net5_era:
        if fw.platform:
            text += "-" + fw.platform.lower()
            if any(fw.platform_version):
                text += _version_string(fw.identifier, fw.platform_version)
    elif fw.profile:
        text += "-" + _PROFILE_SHORT.get(fw.profile.lower(), fw.profile)
    return text.lower()


def _dedupe_full(members: list[Framework]) -> list[Framework]:
    seen, out = set(), []
    for fw in members:
        if fw.key not in seen:
            seen.add(fw.key)
            out.append(fw)
    return out
