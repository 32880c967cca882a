"""Target framework strings as NuGet.Frameworks' NuGetFramework.Parse reads them.

Only what nuget.org's push path needs: whether Parse throws (generic 400), whether the result is the
`Unsupported` framework (ManifestValidator: "The target framework {0} is not supported."), and a key
to detect two dependency groups for the same framework.
Source: NuGet/NuGet.Client src/NuGet.Core/NuGet.Frameworks/NuGetFrameworkFactory.cs (Parse,
ParseFolder, ParseFrameworkName, RawParse) and DefaultFrameworkMappings.cs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from snupkg_lint.formats.nuget_version import parse_system_version

# Short and long identifiers DefaultFrameworkMappings knows (compared case-insensitively).
_IDENTIFIERS = {
    "net": ".NETFramework", "netframework": ".NETFramework", ".netframework": ".NETFramework",
    "netcore": ".NETCore", ".netcore": ".NETCore", "win": ".NETCore", "windows": "Windows",
    "netcoreapp": ".NETCoreApp", ".netcoreapp": ".NETCoreApp",
    "netstandard": ".NETStandard", ".netstandard": ".NETStandard",
    "netstandardapp": ".NETStandardApp", ".netstandardapp": ".NETStandardApp",
    "dotnet": ".NETPlatform", "netplatform": ".NETPlatform", ".netplatform": ".NETPlatform",
    "portable": ".NETPortable", ".netportable": ".NETPortable",
    "netmf": ".NETMicroFramework", ".netmicroframework": ".NETMicroFramework",
    "sl": "Silverlight", "silverlight": "Silverlight",
    "wp": "WindowsPhone", "windowsphone": "WindowsPhone",
    "wpa": "WindowsPhoneApp", "windowsphoneapp": "WindowsPhoneApp",
    "uap": "UAP", "tizen": "Tizen", "native": "native",
    "aspnet": "ASP.NET", "asp.net": "ASP.NET", "aspnetcore": "ASP.NETCore", "asp.netcore": "ASP.NETCore",
    "dnx": "DNX", "dnxcore": "DNXCore",
    "monoandroid": "MonoAndroid", "monotouch": "MonoTouch", "monomac": "MonoMac",
    "xamarinios": "Xamarin.iOS", "xamarin.ios": "Xamarin.iOS",
    "xamarinmac": "Xamarin.Mac", "xamarin.mac": "Xamarin.Mac",
    "xamarintvos": "Xamarin.TVOS", "xamarin.tvos": "Xamarin.TVOS",
    "xamarinwatchos": "Xamarin.WatchOS", "xamarin.watchos": "Xamarin.WatchOS",
    "xamarinpsthree": "Xamarin.PlayStation3", "xamarin.playstation3": "Xamarin.PlayStation3",
    "xamarinpsfour": "Xamarin.PlayStation4", "xamarin.playstation4": "Xamarin.PlayStation4",
    "xamarinpsvita": "Xamarin.PlayStationVita", "xamarin.playstationvita": "Xamarin.PlayStationVita",
    "xamarinxboxthreesixty": "Xamarin.Xbox360", "xamarin.xbox360": "Xamarin.Xbox360",
    "xamarinxboxone": "Xamarin.XboxOne", "xamarin.xboxone": "Xamarin.XboxOne",
}
_SPECIAL = {"any": "Any", "agnostic": "Agnostic", "unsupported": "Unsupported"}
_RAW = re.compile(r"^([A-Za-z.]+)([0-9.]*)(-[A-Za-z0-9.+-]+)?$")
_DEPRECATED = re.compile(r"^[0-9.]+$")  # "45", "4.0", "35", "2": TryParseDeprecatedFramework


class FrameworkParseError(Exception):
    """NuGetFramework.Parse throws: on nuget.org the push fails with the generic 400."""


@dataclass(frozen=True)
class Framework:
    identifier: str  # the long name, or Any/Agnostic/Unsupported
    version: tuple[int, ...]
    profile: str = ""

    @property
    def is_unsupported(self) -> bool:
        return self.identifier == "Unsupported"

    @property
    def key(self) -> tuple:
        """Equality as NuGetFramework compares: identifier and profile ignoring case, version numerically."""
        padded = tuple(self.version) + (0,) * (4 - len(self.version))
        return (self.identifier.lower(), padded, self.profile.lower())


UNSUPPORTED = Framework("Unsupported", (0, 0))
ANY = Framework("Any", (0, 0))


def parse_framework(text: str | None) -> Framework:
    """NuGetFramework.Parse; None or '' (a group without targetFramework) is AnyFramework."""
    if not text:
        return ANY
    if "," in text:
        return _parse_framework_name(text)
    return _parse_folder(text)


def _parse_framework_name(text: str) -> Framework:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise FrameworkParseError("Index was outside the bounds of the array.")
    version: tuple[int, ...] = (0, 0)
    profile = ""
    for part in parts[1:]:
        key, _, value = part.partition("=")
        key = key.strip().lower()
        value = value.strip()
        if key == "version":
            parsed = parse_system_version(value[1:] if value[:1] in ("v", "V") else value)
            if parsed is None:
                raise FrameworkParseError(f"Invalid framework version '{value}'.")
            version = parsed
        elif key == "profile":
            if "-" in value:
                raise FrameworkParseError(f"Invalid profile '{value}'.")
            profile = value
    return Framework(parts[0], version, profile)


def _version(digits: str) -> tuple[int, ...] | None:
    if not digits:
        return (0, 0)
    if "." in digits:
        return parse_system_version(digits)
    return tuple(int(c) for c in digits[:4]) + ((0,) if len(digits) == 1 else ())


def _parse_folder(text: str) -> Framework:
    text = unquote(text) if "%" in text else text
    special = _SPECIAL.get(text.lower())
    if special:
        return Framework(special, (0, 0))
    match = _RAW.match(text)
    if not match:
        return Framework(".NETFramework", (0, 0)) if _DEPRECATED.match(text) else UNSUPPORTED
    ident, digits, suffix = match.group(1), match.group(2), (match.group(3) or "")[1:]
    long_name = _IDENTIFIERS.get(ident.lower())
    version = _version(digits)
    if long_name is None or version is None:
        return UNSUPPORTED
    if long_name == ".NETPortable" and suffix:
        if any("-" in f for f in suffix.split("+")):
            raise FrameworkParseError(f"Invalid portable frameworks '{suffix}'. A hyphen may not be in any of the portable framework names.")
    if long_name in (".NETFramework", ".NETCoreApp") and version >= (5,):
        return Framework(".NETCoreApp", version, suffix)
    return Framework(long_name, version, suffix)
