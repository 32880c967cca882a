"""nuget.org's push of a .snupkg re-enacted with NuGet's own readers: NuGet.exe 5.8.0's NuGet.Packaging /
NuGet.Versioning / NuGet.Frameworks (PackageArchiveReader, NuspecReader, NuGetVersion, VersionRange,
NuGetFramework, PackageType, PackageIdValidator) and .NET's ZipArchive, XDocument, Uri, Regex, bool.TryParse,
on Mono, through pythonnet.

What is not in NuGet.exe is the gallery: ApiController.CreateSymbolPackagePutAsync, ZipArchiveHelpers,
SymbolPackageUploadService.ValidateUploadedSymbolsPackage, CorePackageService.FindPackageByIdAndVersionStrict,
PackageValidationHelper, SymbolPackageService.EnsureValidAsync, PackageMetadata.FromNuspecReader, PackageHelper.
ValidateNuGetPackageMetadata, ManifestValidator and HttpStatusCodeWithBodyResult. They are transcribed below from
NuGet/NuGetGallery's C# (each function names its source), calling the .NET primitives for every judgement.

nuget.org runs NuGet.Client 6.13, not 5.8. Where the two differ on this path, the harness follows 6.13's source:
- NuGetVersion.TryParse: 6.13 reads the numbers itself and allows any char.IsWhiteSpace around them (5.8 used
  System.Version, which allows only ASCII white space): `parse_version`;
- VersionRange.TryParse: 6.13 accepts one-character ranges (`1`) and refuses `(1.0]`, `[1.0)`, a minimum above the
  maximum and an empty range with one open end: `parse_range`, transcribed from VersionRangeFactory.cs;
- NuGetFramework: 6.13 knows `netnano` (.NETnanoFramework): `parse_framework`.
Windows path rules (nuget.org runs .NET Framework on Windows; Mono here runs on Linux) come from
tests/windows_paths.py; where Mono's System.IO.Compression and stream are not .NET Framework's on System.Web's request
stream (a file under 18 bytes, Deflate64), `open_request_archive` and `get_nuspec` model .NET Framework.

Run it in a process of its own (a process with a .NET runtime must not fork): `python -m tests.push_harness
<cases.json>` prints one JSON line per case. tests/test_differential_push.py drives it."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass

from tests import windows_paths as winpath
from tests.windows_paths import DotNetError

# NuGetGallery Strings.resx / CoreStrings.resx / ServicesStrings.resx (English)
INVALID_PACKAGE = "The NuGet package is invalid. The error encountered was:'{0}'. Correct the error and try again."
ENTRY_FROM_FUTURE = ("The package is invalid and cannot be published. One or more files, such as '{0}' have a date "
                     "in the future.")
DOUBLE_FORWARD_SLASH = ("The package is invalid and cannot be published. The package entry for '{0}' has a  double "
                        "forward slashes in path, which is causing a file name collision during extraction.")
DOUBLE_BACK_SLASH = ("The package is invalid and cannot be published. The package entry for '{0}' has a  double back "
                     "slashes in path.")
NOT_FOUND = ("A package with ID '{0}' and version '{1}' does not exist. Please upload the package before uploading "
             "its symbols.")
DUPLICATED_ENTRIES = "The package contains one or more duplicated files in the same folder."
FAILED_TO_READ = "Failed to read the symbols package. Ensure it is a valid symbols package (.snupkg)."
NOT_SYMBOL_PACKAGE = ("The uploaded package is not a valid symbols package. The required 'SymbolsPackage' package "
                      "type is missing.")
INVALID_NUSPEC = ("The NuGet package contains an invalid .nuspec file. The error encountered was: '{0}'. Correct the "
                  "error and try again.")
INVALID_NUSPEC_MULTIPLE = ("The NuGet package contains an invalid .nuspec file. The errors encountered were: '{0}'. "
                           "Correct the errors and try again.")
INVALID_DATA_IN_NUSPEC = "Invalid metadata items specified in nuspec. Please remove '{0}' from the nuspec."
INVALID_FILES = "Invalid file found in the uploaded package. Symbols packages should only contain '{0}' files."
NO_SYMBOLS = "The package does not contain any symbol (.pdb) files."
DUPLICATE_METADATA = "The package manifest contains duplicate metadata elements: '{0}'"
INVALID_METADATA = "The package manifest contains invalid metadata elements: '{0}'"
INVALID_BOOLEAN = ("The package manifest contains an invalid boolean value for metadata element: '{0}'. The value "
                   "should be 'true' or 'false'.")
INVALID_PACKAGE_TYPE_NAME = "The package manifest contains an invalid package type name: '{0}'"
VERSION_STRING_INVALID = "The version string '{0}' is invalid."
MISSING_ID = "The package manifest is missing the Id field"
ID_TOO_LONG = "The package manifest contains an ID that is too long. Package IDs can be no longer than 100 characters."
INVALID_ID = ("The package manifest contains an invalid ID: '{0}', because it must start with a letter, number or "
              "underscore ( _ ), can only contain letters, numbers, underscores ( _ ), dots ( . ), or dashes ( - ), "
              "and cannot contain consecutive dots ( . ) or dashes ( - ).")
INVALID_URL = "The package manifest contains an invalid URL"
INVALID_VERSION = "The package manifest contains an invalid Version: '{0}'"
FRAMEWORK_NOT_SUPPORTED = "The target framework {0} is not supported."
DUPLICATE_DEPENDENCY = "The package manifest contains a duplicate dependency: {0} {1}"
INVALID_DEPENDENCY = "The package manifest contains an invalid Dependency: '{0} {1}'"
INVALID_RANGE = "The package manifest contains an invalid Dependency Version Range: '{0}'"
INVALID_DEPENDENCY_VERSION = "The package manifest contains an invalid Dependency Version: '{0}'"
PROPERTY_TOO_LONG = "A nuget package's {0} property may not be more than {1} characters long."
PROPERTY_MISSING = "A nuget package's {0} property is required."
ID_VERSION_TOO_LONG = "A nuget package's ID and version properties combined may not be more than {0} characters long."
DUPLICATE_GROUP = "A nuget package may not contain multiple dependency groups with the same target framework."
# NuGet.Client NuGet.Packaging Strings.resx (6.13)
INVALID_DEPENDENCY_VERSION_NUSPEC = "Invalid package version for a dependency with id '{0}' in package '{1}': '{2}'"
UNSAFE_ENTRY = "The package '{0}' contains an entry '{1}' which is unsafe for extraction."
UNABLE_CHECK_ENTRIES = "An unexpected error occurred while checking package entries."

RESTRICTED_METADATA = {"created", "dependencyGroups", "isPrerelease", "lastEdited", "listed", "packageEntries",
                       "packageHash", "packageHashAlgorithm", "packageSize", "published", "supportedFrameworks",
                       "verbatimVersion"}
BOOLEAN_METADATA = ("developmentDependency", "requireLicenseAcceptance", "serviceable")  # HashSet order in .NET
ALLOWED_EXTENSIONS = {".pdb", ".nuspec", ".xml", ".psmdcp", ".rels", ".p7s"}
NUGET_HOME = "C:\\Users\\nugetgallery\\.nuget"  # NuGetEnvironment NuGetHome of the site's account
MAX_REASON_PHRASE = 512


class Net:
    """The loaded .NET types, filled by `load()`."""


def load() -> str | None:
    """Load NuGet.exe's assembly and the .NET types the flow needs; None, or the reason it cannot be done."""
    from tests.nuget_client import load as load_nuget

    loaded = load_nuget()
    if isinstance(loaded, str):
        return loaded
    import clr

    for name in ("System.IO.Compression", "System.Xml.Linq", "System.Xml"):
        clr.AddReference(name)
    import System
    from NuGet.Packaging import NuspecReader, PackageArchiveReader
    from NuGet.Packaging import PackageIdValidator as ClientIdValidator
    from NuGet.Packaging.Core import PackageDependency, PackageType
    from NuGet.Versioning import FloatRange, NuGetVersion, VersionRange
    from NuGet.Common import PathUtility
    from System.IO.Compression import ZipArchive, ZipArchiveMode
    from System.Text.RegularExpressions import Regex, RegexOptions
    from System.Xml.Linq import XName
    from System.Collections.Generic import HashSet, List

    for key, value in dict(locals()).items():
        if key not in ("clr", "loaded", "load_nuget", "name"):
            setattr(Net, key, value)
    Net.ID_REGEX = Regex(r"^[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*$", RegexOptions.ExplicitCapture)
    Net.ID_REGEX_FOR_READ = Regex(r"^\w+([.-]\w+)*$", RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture)
    Net.LEGACY_VERSION = Regex(r"^(?<Version>\d+(\s*\.\s*\d+){0,3})(?<Release>-[a-z][0-9a-z-]*)?$",
                               RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture)
    Net.SYMBOLS_TYPE = PackageType("SymbolsPackage", PackageType.EmptyVersion)
    Net.NuGetFramework = Frameworks(loaded.assembly)
    return None


class Frameworks:
    """NuGet.Frameworks' NuGetFramework: ILMerge left it as the type `NuGet.Frameworks1198772.NuGetFramework` of
    namespace `NuGet.Frameworks`, which pythonnet cannot import; its statics are reached through reflection (its
    instances work as usual)."""

    def __init__(self, assembly):
        import System

        self._type = next(t for t in assembly.GetTypes()
                          if t.FullName == "NuGet.Frameworks.NuGet.Frameworks1198772.NuGetFramework")
        self._parse = self._type.GetMethod("Parse", [System.String])
        self.AnyFramework = self._type.GetField("AnyFramework").GetValue(None)

    def Parse(self, text: str):  # noqa: N802 - the .NET name
        import System

        try:
            return self._parse.Invoke(None, [text])
        except System.Reflection.TargetInvocationException as exc:
            raise exc.InnerException from None

    def __call__(self, identifier: str, version):
        import System

        return System.Activator.CreateInstance(self._type, [identifier, version])


# -- exceptions -----------------------------------------------------------------------------------------------------

BASES = {"ArgumentNullException": ("ArgumentException",),  # the .NET base types of the exceptions raised here
         "UnsafePackageEntryException": ("PackagingException",)}


class GalleryError(Exception):
    """An exception the gallery's own code throws (InvalidPackageException, EntityException, ...)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def kind_of(exc: BaseException) -> set[str]:
    """The .NET type names of an exception and its base types."""
    if isinstance(exc, (GalleryError, DotNetError)):
        return {exc.kind, "Exception", *BASES.get(exc.kind, ())}
    net = getattr(exc, "GetType", None)
    names = set()
    if net is not None:
        t = exc.GetType()
        while t is not None:
            names.add(t.Name)
            t = t.BaseType
    return names or {type(exc).__name__}


def harness_bug(exc: BaseException) -> bool:
    """A Python error of the harness itself (not an exception .NET or the transcribed gallery throws)."""
    return not isinstance(exc, (GalleryError, DotNetError)) and not hasattr(exc, "GetType")


def message_of(exc: BaseException) -> str:
    if isinstance(exc, (GalleryError, DotNetError)):
        return exc.message
    return str(exc.Message) if hasattr(exc, "Message") else str(exc)


def net_argument_exception(message: str | None, param: str | None, null: bool = False) -> str:
    """The Message .NET gives an ArgumentException / ArgumentNullException."""
    import System

    if null:
        return str(System.ArgumentNullException(param).Message)
    return str(System.ArgumentException(message, param).Message if param is not None
               else System.ArgumentException(message).Message)


# -- .NET primitives ------------------------------------------------------------------------------------------------

def net_trim(text: str) -> str:
    """String.Trim(): char.IsWhiteSpace at both ends."""
    import System

    start, end = 0, len(text)
    while start < end and System.Char.IsWhiteSpace(text[start]):
        start += 1
    while end > start and System.Char.IsWhiteSpace(text[end - 1]):
        end -= 1
    return text[start:end]


def net_length(text: str) -> int:
    """String.Length: UTF-16 code units."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def upper_invariant(text: str) -> str:
    import System

    return str(System.String(text).ToUpperInvariant())


def ordinal_ignore_case(a: str, b: str) -> bool:
    import System

    return bool(System.String.Equals(a, b, System.StringComparison.OrdinalIgnoreCase))


def bool_try_parse(text: str) -> bool:
    import System

    ok, _ = System.Boolean.TryParse(text, False)
    return bool(ok)


def uri_try_create(text: str):
    import System

    ok, uri = System.Uri.TryCreate(text, System.UriKind.Absolute, None)
    return uri if ok else None


def _ascii_space(c: str) -> bool:
    return c in " \t\n\v\f\r"


def parse_version(text: str | None):
    """NuGetVersion.TryParse as in 6.13 (see the module docstring); None when it fails."""
    if text is None:
        return None
    ok, version = Net.NuGetVersion.TryParse(text, None)
    if ok:
        return version
    import System

    # 6.13 allows any char.IsWhiteSpace around the numbers; 5.8's System.Version only ASCII white space. Only the
    # numbers part (before the first '-' or '+') can hold it and still parse.
    trimmed = net_trim(text)
    cut = min([i for i in (trimmed.find("-"), trimmed.find("+")) if i != -1], default=len(trimmed))
    numbers = trimmed[:cut]
    if all(_ascii_space(c) or not System.Char.IsWhiteSpace(c) for c in numbers):
        return None
    spaced = "".join(" " if System.Char.IsWhiteSpace(c) else c for c in numbers) + trimmed[cut:]
    ok, version = Net.NuGetVersion.TryParse(spaced, None)
    if not ok:
        return None
    labels = Net.List[System.String]()
    for label in version.ReleaseLabels:
        labels.Add(label)
    return Net.NuGetVersion(version.Version, labels, version.Metadata, text.replace(" ", ""))


def version_parse(text: str):
    """NuGetVersion.Parse (6.13): ArgumentException for empty or invalid text."""
    if not text:
        raise DotNetError("ArgumentException", net_argument_exception("Value cannot be null or an empty string.",
                                                                      "value"))
    version = parse_version(text)
    if version is None:
        raise DotNetError("ArgumentException", net_argument_exception(f"'{text}' is not a valid version string.",
                                                                      "value"))
    return version


def parse_range(value: str | None, allow_floating: bool = True):
    """VersionRange.TryParse(value, allowFloating) as NuGet.Versioning 6.13's VersionRangeFactory.cs; None on false."""
    if value is None:
        return None
    trimmed = net_trim(value)
    if not trimmed:
        return None
    if allow_floating and trimmed == "*":
        return Net.VersionRange(Net.NuGetVersion(0, 0, 0), True, None, True, Net.FloatRange.Parse(trimmed), value)
    float_range = None
    if trimmed[0] in "([":
        include_min = trimmed[0] == "["
        if trimmed[-1] not in "])":
            return None
        include_max = trimmed[-1] == "]"
        parts = trimmed[1:-1].split(",")
        if len(parts) > 2 or all(p == "" for p in parts):
            return None
        if len(parts) == 1 and not (include_min and include_max):
            return None
        min_text, max_text = parts[0], parts[-1]
    else:
        include_min, include_max = True, False
        min_text, max_text = trimmed, None
    min_version = max_version = None
    if min_text is not None and net_trim(min_text):
        if allow_floating and "*" in min_text:
            ok, float_range = Net.FloatRange.TryParse(min_text, None)
            if not ok or not float_range.HasMinVersion:
                return None
            min_version = float_range.MinVersion
        else:
            min_version = parse_version(min_text)
            if min_version is None:
                return None
    if max_text is not None and net_trim(max_text):
        max_version = parse_version(max_text)
        if max_version is None:
            return None
    if min_version is not None and max_version is not None:
        order = min_version.CompareTo(max_version)
        if order > 0 or (order == 0 and include_min != include_max):
            return None
    return Net.VersionRange(min_version, include_min, max_version, include_max, float_range, value)


_NETNANO = re.compile(r"^netnano([0-9.]*)$", re.IGNORECASE)


def parse_framework(text: str):
    """NuGetFramework.Parse (DefaultFrameworkNameProvider), with 6.13's `netnano` mapping."""
    framework = Net.NuGetFramework.Parse(text)
    match = _NETNANO.match(text)
    if framework.IsUnsupported and match:
        import System

        digits = match.group(1)
        if "." in digits:
            ok, version = System.Version.TryParse(digits, None)
            if not ok:
                return framework
        elif digits:
            numbers = [int(c) for c in digits[:4]] + [0, 0]
            version = System.Version(*numbers[:max(2, len(digits[:4]))])
        else:
            version = System.Version(0, 0)
        return Net.NuGetFramework(".NETnanoFramework", version)
    return framework


# -- XML as NuspecCoreReaderBase / NuspecReader read it ---------------------------------------------------------------

def xname(name: str, namespace: str = ""):
    return Net.XName.Get(name, namespace)


def metadata_node(nuspec):
    """NuspecCoreReaderBase.MetadataNode: the root's first child named 'metadata' in any namespace."""
    for element in nuspec.Xml.Root.Elements():
        if element.Name.LocalName == "metadata":
            return element
    raise GalleryError("PackagingException", "Nuspec file does not contain the 'metadata' node.")


def default_ns(element) -> str:
    return str(element.GetDefaultNamespace().NamespaceName)


def attribute(element, name: str) -> str | None:
    """NuspecReader.GetAttributeValue."""
    found = element.Attribute(xname(name))
    return None if found is None else str(found.Value)


def get_version(nuspec):
    """NuspecCoreReaderBase.GetVersion with 6.13's NuGetVersion.Parse."""
    node = metadata_node(nuspec)
    for element in node.Elements(xname("version", default_ns(node))):
        return version_parse(str(element.Value))
    return None


def get_flags(flags: str | None):
    """NuspecReader.GetFlags."""
    import System

    result = Net.List[System.String]()
    if flags is None or not net_trim(flags):
        return result
    seen: dict[str, str] = {}
    for flag in flags.split(","):
        if flag:
            seen.setdefault(upper_invariant(net_trim(flag)), net_trim(flag))
    for key in sorted(seen):
        result.Add(seen[key])
    return result


def identity_label(nuspec) -> str:
    """PackageIdentity.ToString() of NuspecReader.GetIdentity(): Id.NormalizedVersion."""
    pkg_id = nuspec.GetId()
    version = get_version(nuspec)
    return str(pkg_id) if version is None else f"{pkg_id}.{version.ToNormalizedString()}"


def get_dependency_groups(nuspec, strict: bool) -> list:
    """NuspecReader.GetDependencyGroups(useStrictVersionCheck) (6.13), as (framework, [PackageDependency])."""
    node = metadata_node(nuspec)
    ns = default_ns(node)
    groups = []
    found = False
    dependencies = list(node.Elements(xname("dependencies", ns)))
    for container in dependencies:
        for group in container.Elements(xname("group", ns)):
            found = True
            framework_text = attribute(group, "targetFramework")
            packages = _package_dependencies(nuspec, list(group.Elements(xname("dependency", ns))), strict)
            framework = Net.NuGetFramework.AnyFramework if not framework_text else parse_framework(framework_text)
            groups.append((framework, packages))
    if not found:
        flat = [d for container in dependencies for d in container.Elements(xname("dependency", ns))]
        packages = _package_dependencies(nuspec, flat, strict)
        if packages:
            groups.append((Net.NuGetFramework.AnyFramework, packages))
    return groups


def _package_dependencies(nuspec, nodes: list, strict: bool) -> list:
    """NuspecReader.GetPackageDependencies: a HashSet<PackageDependency> (duplicates collapse), in order."""
    packages = Net.HashSet[Net.PackageDependency]()
    ordered = []
    for dep in nodes:
        text = attribute(dep, "version")
        version_range = None
        if text:
            version_range = parse_range(text)
            if version_range is None and strict:
                raise GalleryError("PackagingException", INVALID_DEPENDENCY_VERSION_NUSPEC.format(
                    attribute(dep, "id"), identity_label(nuspec), text))
        elif strict:
            raise GalleryError("PackagingException", INVALID_DEPENDENCY_VERSION_NUSPEC.format(
                attribute(dep, "id"), identity_label(nuspec), text or ""))
        dependency = Net.PackageDependency(attribute(dep, "id"), version_range,
                                           get_flags(attribute(dep, "include")), get_flags(attribute(dep, "exclude")))
        if packages.Add(dependency):
            ordered.append(dependency)
    return ordered


def get_framework_assembly_groups(nuspec) -> list:
    """NuspecReader.GetFrameworkAssemblyGroups: the frameworks (comma-split, each parsed), distinct, any order."""
    ns = default_ns(nuspec.Xml.Root)
    node = metadata_node(nuspec)
    keys: list = []
    frameworks = []
    for container in node.Elements(xname("frameworkAssemblies", ns)):
        for element in container.Elements(xname("frameworkAssembly", ns)):
            text = attribute(element, "targetFramework")
            if text not in keys:
                keys.append(text)
    for text in keys:
        if not text:
            parsed = [Net.NuGetFramework.AnyFramework]
        else:
            parsed = [parse_framework(net_trim(piece)) for piece in text.split(",") if piece]
        for framework in parsed:
            if not any(framework.Equals(f) for f in frameworks):
                frameworks.append(framework)
    return frameworks


# -- the gallery ---------------------------------------------------------------------------------------------------

@dataclass
class Metadata:
    """PackageMetadata (NuGetGallery.Core/Packaging/PackageMetadata.cs)."""

    values: dict  # upper-cased key -> (key, value): Dictionary(metadata, OrdinalIgnoreCase)
    dependency_groups: list
    framework_groups: list
    package_types: list
    repository: object

    def get(self, key: str, default=None):
        found = self.values.get(upper_invariant(key))
        return found[1] if found is not None else default

    def uri(self, key: str):
        value = self.get(key)
        return uri_try_create(value) if value else None

    @property
    def id(self) -> str:
        return self.get("id", "")

    @property
    def owners(self):
        return self.get("owners")

    @property
    def authors(self) -> list[str]:
        return [net_trim(a) for a in self.get("authors", self.owners if self.owners is not None else "").split(",")]


def from_nuspec_reader(nuspec) -> Metadata:
    """PackageMetadata.FromNuspecReader(nuspecReader, strict: true) and its constructor."""
    node = metadata_node(nuspec)
    lookup: dict[str, list[str]] = {}
    for element in node.Elements():
        lookup.setdefault(str(element.Name.LocalName), []).append(str(element.Value))
    duplicates = [k for k, v in lookup.items() if len(v) > 1]
    if duplicates:
        raise GalleryError("PackagingException", DUPLICATE_METADATA.format("', '".join(duplicates)))
    tags = sorted((k for k in lookup if k != "tags" and ordinal_ignore_case(k, "tags")), key=_ordinal_key)
    if tags:
        raise GalleryError("PackagingException", INVALID_METADATA.format("', '".join(tags)))
    restricted = sorted(set(lookup) & RESTRICTED_METADATA, key=_ordinal_key)
    if restricted:
        raise GalleryError("PackagingException", INVALID_METADATA.format("', '".join(restricted)))
    for name in BOOLEAN_METADATA:
        for value in lookup.get(name, []):
            if not bool_try_parse(value):
                raise GalleryError("PackagingException", INVALID_BOOLEAN.format(name))
    package_types = list(nuspec.GetPackageTypes())
    for package_type in package_types:
        if not Net.ClientIdValidator.IsValidPackageId(package_type.Name):
            raise GalleryError("PackagingException", INVALID_PACKAGE_TYPE_NAME.format(package_type.Name))
    # new PackageMetadata(GetMetadata().ToDictionary(..), GetDependencyGroups(strict) [lazy], GetFrameworkAssemblyGroups(),
    # GetPackageTypes(), GetMinClientVersion(), GetRepositoryMetadata(), GetLicenseMetadata()): arguments in order
    raw = [(str(kv.Key), str(kv.Value)) for kv in nuspec.GetMetadata()]
    exact: set[str] = set()
    for key, _value in raw:  # ToDictionary (C1 has already refused exact repeats)
        if key in exact:
            raise DotNetError("ArgumentException", "An item with the same key has already been added.")
        exact.add(key)
    framework_groups = get_framework_assembly_groups(nuspec)
    types = list(nuspec.GetPackageTypes())
    metadata_min_client = attribute(node, "minClientVersion")
    if metadata_min_client is not None:
        version_parse(metadata_min_client)  # GetMinClientVersion: NuGetVersion.Parse
    repository = nuspec.GetRepositoryMetadata()
    nuspec.GetLicenseMetadata()
    # the constructor: new Dictionary(metadata, OrdinalIgnoreCase), then the dependency groups' ToList()
    values: dict[str, tuple[str, str]] = {}
    for key, value in raw:
        if upper_invariant(key) in values:
            raise DotNetError("ArgumentException", "An item with the same key has already been added.")
        values[upper_invariant(key)] = (key, value)
    groups = get_dependency_groups(nuspec, strict=True)
    metadata = Metadata(values, groups, framework_groups, types, repository)
    version_string = metadata.get("version", "")
    if "." not in version_string:
        raise DotNetError("FormatException", VERSION_STRING_INVALID.format(version_string))
    return metadata


def _ordinal_key(text: str):
    """OrderBy(x => x) on strings: Comparer<string>.Default, the culture's comparison (lower case before upper)."""
    import functools

    import System

    return functools.cmp_to_key(lambda a, b: System.String.Compare(a, b, System.StringComparison.InvariantCulture))(text)


def metadata_version(metadata: Metadata):
    return parse_version(metadata.get("version", ""))


def validate_nuget_package_metadata(metadata: Metadata) -> None:
    """PackageHelper.ValidateNuGetPackageMetadata (NuGetGallery.Services/PackageManagement/PackageHelper.cs)."""
    def too_long(name, limit):
        return GalleryError("EntityException", PROPERTY_TOO_LONG.format(name, limit))

    if net_length(metadata.id) > 128:
        raise too_long("ID", 128)
    authors = metadata.authors
    if authors is not None and net_length(", ".join(authors)) > 4000:
        raise too_long("Authors", "4000")
    copyright_ = metadata.get("copyright")
    if copyright_ is not None and net_length(copyright_) > 4000:
        raise too_long("Copyright", "4000")
    description = metadata.get("description")
    if description is None:
        raise GalleryError("EntityException", PROPERTY_MISSING.format("Description"))
    if net_length(description) > 4000:
        raise too_long("Description", "4000")
    for key, name in (("iconUrl", "IconUrl"), ("licenseUrl", "LicenseUrl"), ("projectUrl", "ProjectUrl")):
        uri = metadata.uri(key)
        if uri is not None and net_length(str(uri.AbsoluteUri)) > 4000:
            raise too_long(name, "4000")
    for key, name, limit in (("summary", "Summary", 4000), ("releaseNotes", "ReleaseNotes", 35000),
                             ("tags", "Tags", 4000), ("title", "Title", 256)):
        value = metadata.get(key)
        if value is not None and net_length(value) > limit:
            raise too_long(name, str(limit))
    version = metadata_version(metadata)
    full = str(version.ToFullString()) if version is not None else None
    if full is not None and net_length(full) > 64:
        raise too_long("Version", "64")
    language = metadata.get("language")
    if language is not None and net_length(language) > 20:
        raise too_long("Language", "20")
    if net_length(metadata.id) + (net_length(full) if full is not None else 0) > 160:
        raise GalleryError("EntityException", ID_VERSION_TOO_LONG.format("160"))
    for _framework, packages in metadata.dependency_groups:
        for dependency in packages:
            if dependency.Id is not None and net_length(str(dependency.Id)) > 128:
                raise too_long("Dependency.Id", 128)
            if dependency.VersionRange is not None and net_length(str(dependency.VersionRange.ToString())) > 256:
                raise too_long("Dependency.VersionSpec", "256")
    if net_length(flatten(metadata.dependency_groups)) > 32767:  # Int16.MaxValue
        raise too_long("Dependencies", 32767)
    frameworks = []
    for framework, _packages in metadata.dependency_groups:
        if not any(framework.Equals(f) for f in frameworks):
            frameworks.append(framework)
    if len(frameworks) != len(metadata.dependency_groups):
        raise GalleryError("EntityException", DUPLICATE_GROUP)
    repository = metadata.repository
    if repository is not None:
        if repository.Type is not None and net_length(str(repository.Type)) > 100:
            raise too_long("RepositoryType", "100")
        uri = uri_try_create(str(repository.Url)) if repository.Url is not None else None
        if uri is not None and net_length(str(uri.AbsoluteUri)) > 4000:
            raise too_long("RepositoryUrl", "4000")


def flatten(groups: list) -> str:
    """PackageExtensions.Flatten(IEnumerable<PackageDependencyGroup>): 'id:range:tfm|...', an empty group '::tfm'."""
    def short_name(framework):  # ToShortNameOrNull
        name = str(framework.GetShortFolderName())
        return "" if name.lower() == "any" else name

    items = []
    for framework, packages in groups:
        if not packages:
            items.append(f"::{short_name(framework)}")
        for dependency in packages:
            version_range = dependency.VersionRange
            items.append(f"{dependency.Id}:{'' if version_range is None else version_range.ToString()}:"
                         f"{short_name(framework)}")
    return "|".join(items)


def is_valid_id(pkg_id: str, regex) -> bool:
    """NuGetGallery PackageIdValidator.IsValid."""
    return not ordinal_ignore_case(pkg_id, "$id$") and bool(regex.IsMatch(pkg_id))


def legacy_version_error(version):
    """ManifestValidator.ValidateVersionForLegacyClients (a null version throws, as the C# does)."""
    if version is None:
        raise DotNetError("NullReferenceException", "Object reference not set to an instance of an object")
    if not version.IsSemVer2 and not Net.LEGACY_VERSION.Match(net_trim(str(version.ToString()))).Success:
        return INVALID_VERSION.format(version.ToString())
    return None


def manifest_errors(nuspec_reader_factory) -> list[str]:
    """ManifestValidator.Validate(...).ToArray() (NuGetGallery.Core/Packaging/ManifestValidator.cs)."""
    try:
        nuspec = nuspec_reader_factory()
        if not list(nuspec.GetMetadata()):
            return []
        metadata = from_nuspec_reader(nuspec)
    except Exception as exc:  # noqa: BLE001 - the C# catches every exception here
        if harness_bug(exc):
            raise
        return [message_of(exc)]
    errors: list[str] = []
    pkg_id = metadata.id
    if not pkg_id:
        errors.append(MISSING_ID)
    elif net_length(pkg_id) > 100:
        errors.append(ID_TOO_LONG)
    elif not is_valid_id(pkg_id, Net.ID_REGEX_FOR_READ):
        errors.append(INVALID_ID.format(pkg_id))
    # (a new id failing the strict regex is allowed: both feature flags default to true)
    for key in ("IconUrl", "ProjectUrl", "LicenseUrl"):
        url = metadata.get(key)
        uri = None
        if url and (uri := uri_try_create(url)) is None:
            errors.append(INVALID_URL)
        elif uri is not None and str(uri.Scheme) not in ("https", "http"):
            errors.append(INVALID_URL)
    version = metadata_version(metadata)
    if version is None:
        errors.append(INVALID_VERSION.format(metadata.get("version")))
    legacy = legacy_version_error(version)  # a NullReferenceException escapes here when the version is null
    if legacy:
        errors.append(legacy)
    for framework in metadata.framework_groups:
        if framework.IsUnsupported:
            errors.append(FRAMEWORK_NOT_SUPPORTED.format(framework.ToString()))
    for framework, packages in metadata.dependency_groups:
        seen: set[str] = set()
        if framework.IsUnsupported:
            errors.append(FRAMEWORK_NOT_SUPPORTED.format(framework.ToString()))
        for dependency in packages:
            dep_id = str(dependency.Id)
            key = upper_invariant(dep_id)
            if key in seen:
                errors.append(DUPLICATE_DEPENDENCY.format(framework.GetShortFolderName(), dep_id))
            seen.add(key)
            version_range = dependency.VersionRange
            if not is_valid_id(dep_id, Net.ID_REGEX_FOR_READ):
                errors.append(INVALID_DEPENDENCY.format(dep_id, version_range.OriginalString))
            if version_range.IsFloating:
                errors.append(INVALID_RANGE.format(version_range.OriginalString))
            if version_range.MinVersion is not None:
                error = _dependency_version_error(version_range.MinVersion)
                if error:
                    errors.append(error)
            if version_range.MaxVersion is not None and not _same_reference(version_range):
                error = _dependency_version_error(version_range.MaxVersion)
                if error:
                    errors.append(error)
    return errors


def _same_reference(version_range) -> bool:
    """`MaxVersion != MinVersion`: NuGetVersion overloads != with VersionComparer equality."""
    return bool(version_range.MaxVersion.Equals(version_range.MinVersion))


def _dependency_version_error(version):
    if version.HasMetadata:
        return INVALID_DEPENDENCY_VERSION.format(version.ToFullString())
    return legacy_version_error(version)


def ensure_valid(reader) -> None:
    """SymbolPackageService.EnsureValidAsync (NuGetGallery/Services/SymbolPackageService.cs)."""
    def nuspec_reader():
        return Net.NuspecReader(get_nuspec(reader))

    try:
        metadata = from_nuspec_reader(nuspec_reader())
        types = metadata.package_types
        if not (len(types) == 1 and types[0].Equals(Net.SYMBOLS_TYPE)):
            raise GalleryError("InvalidPackageException", NOT_SYMBOL_PACKAGE)
        validate_symbol_package(reader, metadata, nuspec_reader)
        validate_package_entries(reader, nuspec_reader())
    except Exception as exc:  # noqa: BLE001
        if harness_bug(exc):
            raise
        kinds = kind_of(exc)
        if "EntityException" in kinds or "PackagingException" in kinds:
            raise GalleryError("InvalidPackageException", message_of(exc)) from exc
        raise


def validate_symbol_package(reader, metadata: Metadata, nuspec_reader) -> None:
    """SymbolPackageService.ValidateSymbolPackage."""
    validate_nuget_package_metadata(metadata)
    errors = manifest_errors(nuspec_reader)
    if errors:
        template = INVALID_NUSPEC_MULTIPLE if len(errors) > 1 else INVALID_NUSPEC
        raise GalleryError("InvalidDataException", template.format("', '".join(errors)))
    invalid = []
    authors = metadata.authors
    if authors is not None and (len(authors) > 1 or (authors and net_trim(authors[0]) != "")):
        invalid.append("Authors")
    if metadata.owners is not None and len(metadata.owners) > 0:
        invalid.append("Owners")
    if invalid:
        raise GalleryError("InvalidDataException", INVALID_DATA_IN_NUSPEC.format(",".join(invalid)))
    files = [str(f) for f in reader.GetFiles()]
    for path in files:  # CheckForAllowedFiles
        info = winpath.FileInfo(path)
        if info.name and info.extension and info.extension not in ALLOWED_EXTENSIONS:
            raise GalleryError("InvalidDataException", INVALID_FILES.format(".pdb"))
    if not any(winpath.get_file_name(p) and winpath.get_extension(p) == ".pdb" for p in files):  # CheckForPDBFiles
        raise GalleryError("InvalidDataException", NO_SYMBOLS)


def validate_package_entries(reader, nuspec) -> None:
    """PackageArchiveReader.ValidatePackageEntriesAsync (NuGet.Packaging 6.13) with Windows paths."""
    import System

    try:
        files = [str(f) for f in reader.GetFiles()]
        label = identity_label(nuspec)
        destination = winpath.get_full_path(NUGET_HOME + "\\")
        for path in files:
            normalized = str(System.Uri.UnescapeDataString(path.replace("/", "\\")))
            full = winpath.get_full_path(winpath.combine(destination, normalized))
            if not full.upper().startswith(destination.upper()) or len(full) == len(destination):
                raise GalleryError("UnsafePackageEntryException", UNSAFE_ENTRY.format(label, normalized))
    except GalleryError as exc:
        if exc.kind == "UnsafePackageEntryException":
            raise
        raise GalleryError("PackagingException", UNABLE_CHECK_ENTRIES) from exc
    except Exception as exc:  # noqa: BLE001
        if harness_bug(exc):
            raise
        raise GalleryError("PackagingException", UNABLE_CHECK_ENTRIES) from exc


def unsafe_entries(reader) -> list[str] | str:
    """The entries ValidatePackageEntries refuses (all of them, not only the first), or why it cannot tell."""
    import System

    out = []
    destination = winpath.get_full_path(NUGET_HOME + "\\")
    for path in [str(f) for f in reader.GetFiles()]:
        try:
            normalized = str(System.Uri.UnescapeDataString(path.replace("/", "\\")))
            full = winpath.get_full_path(winpath.combine(destination, normalized))
        except Exception:  # noqa: BLE001
            continue
        if not full.upper().startswith(destination.upper()) or len(full) == len(destination):
            out.append(path)
    return out


# -- where Mono's System.IO.Compression is not .NET Framework 4.7.2's ------------------------------------------------
# Mono runs corefx's ZipArchive; nuget.org runs .NET Framework's, on System.Web's request stream. Modelled here:
# - the stream: ZipArchive.ReadEndOfCentralDirectory first seeks 18 bytes before the end. nuget.org's stream is
#   Request.Files[0].InputStream, System.Web's HttpInputStream (referencesource System.Web/HttpInputStream.cs), whose
#   Seek throws ArgumentOutOfRangeException("offset") for a position before 0; a MemoryStream throws an IOException,
#   which ZipArchive turns into 'Central Directory corrupt.'. (HttpInputStream also refuses a seek past the end, which
#   a MemoryStream allows; ZipArchive checks lengths before such seeks, and no mutant here reaches one.)
# - the methods: .NET Framework inflates Stored and Deflate only; Deflate64 is .NET Core's (corefx's own tests skip
#   it on .NET Framework: "Deflate64 zip support is a netcore feature not available on full framework."), so an entry
#   compressed with it, or with anything else, fails Open with SR.UnsupportedCompression. For BZip2 and LZMA, Mono
#   (as corefx since 2016) names the method instead; whether .NET Framework 4.7.2 does is not published (its
#   System.IO.Compression is not in referencesource): Mono's wording is kept, and tests/test_differential_push.py
#   compares only the status for those two (rules/P107.md).
END_RECORD_WITHOUT_SIGNATURE = 18  # ZipEndOfCentralDirectoryBlock.SizeOfBlockWithoutSignature
UNSUPPORTED_COMPRESSION = "The archive entry was compressed using an unsupported compression method."
STORED, DEFLATE, BZIP2, LZMA = 0, 8, 12, 14


def open_request_archive(stream, length: int):
    """new ZipArchive(Request.Files[0].InputStream, ZipArchiveMode.Read, leaveOpen: true) on nuget.org."""
    import System

    if length < END_RECORD_WITHOUT_SIGNATURE:  # HttpInputStream.Seek(-18, SeekOrigin.End)
        raise DotNetError("ArgumentOutOfRangeException", str(System.ArgumentOutOfRangeException("offset").Message))
    return Net.ZipArchive(stream, Net.ZipArchiveMode.Read, True)


def get_nuspec(reader):
    """PackageArchiveReader.GetNuspec() with .NET Framework's ZipArchiveEntry.Open (see above)."""
    import System

    entry = reader.GetEntry(reader.GetNuspecFile())
    flags = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance
    method = int(entry.GetType().GetProperty("CompressionMethod", flags).GetValue(entry))
    if method not in (STORED, DEFLATE, BZIP2, LZMA):
        raise DotNetError("InvalidDataException", UNSUPPORTED_COMPRESSION)
    return reader.GetNuspec()


def validate_archive_entries(archive, now) -> tuple[str, object] | None:
    """ZipArchiveHelpers.ValidateArchiveEntries (NuGetGallery/Helpers/ZipArchiveHelpers.cs)."""
    entries = list(archive.Entries)
    reference = now.AddDays(1)
    for entry in entries:
        if entry.LastWriteTime.UtcDateTime > reference:
            return "future", entry
    double_forward = next((e for e in entries if "//" in str(e.FullName)), None)
    if double_forward is not None:
        name = _collapse_slashes(str(double_forward.FullName))
        if sum(1 for e in entries if ordinal_ignore_case(_collapse_slashes(str(e.FullName)), name)) > 1:
            return "forward", double_forward
    double_back = next((e for e in entries if "\\\\" in str(e.FullName)), None)
    if double_back is not None:
        return "back", double_back
    return None


def _collapse_slashes(path: str) -> str:
    """ZipArchiveHelpers.NormalizeForwardSlashesInPath: runs of '/' collapse; the result stops at 260 chars."""
    out: list[str] = []
    last_was_slash = False
    for c in path:
        if c == "/":
            if not last_was_slash:
                out.append(c)
                last_was_slash = True
        else:
            out.append(c)
            last_was_slash = False
        if len(out) >= 260:
            break
    return "".join(out)


def find_parent(pkg_id: str | None, version, parents: list[tuple[str, str]]):
    """CorePackageService.FindPackageByIdAndVersionStrict(id, version.ToStringSafe()), against the parents the
    test registers (id, normalized version): SQL's case-insensitive collation ignores trailing spaces."""
    if pkg_id is None or all(_is_white(c) for c in pkg_id):  # string.IsNullOrWhiteSpace
        raise DotNetError("ArgumentNullException", net_argument_exception(None, "id", null=True))
    version_text = "" if version is None else str(version.ToString())
    if not version_text:
        raise DotNetError("ArgumentException", net_argument_exception("version", None))
    parsed = parse_version(version_text)
    normalized = str(parsed.ToNormalizedString()) if parsed is not None else version_text
    for parent_id, parent_version in parents:
        if ordinal_ignore_case(pkg_id.rstrip(" "), parent_id.rstrip(" ")) and \
                ordinal_ignore_case(normalized, parent_version):
            return parent_id, parent_version
    return None


def _is_white(c: str) -> bool:
    import System

    return bool(System.Char.IsWhiteSpace(c))


def validate_uploaded_symbols_package(data: bytes, parents: list[tuple[str, str]], now) -> tuple[int, str]:
    """SymbolPackageUploadService.ValidateUploadedSymbolsPackage, mapped by ApiController.GetActionOrNull, plus the
    controller's and OnException's handling. (HTTP status, message before the reason-phrase conversion)."""
    stream = memory_stream(data)
    try:
        archive = open_request_archive(stream, len(data))
        try:
            invalid = validate_archive_entries(archive, now)
        finally:
            archive.Dispose()
        if invalid is not None:
            what, entry = invalid
            template = {"future": ENTRY_FROM_FUTURE, "forward": DOUBLE_FORWARD_SLASH, "back": DOUBLE_BACK_SLASH}[what]
            return 400, template.format(str(entry.Name))
        reader = Net.PackageArchiveReader(stream, True)
        nuspec = Net.NuspecReader(get_nuspec(reader))
        pkg_id = nuspec.GetId()
        pkg_id = None if pkg_id is None else str(pkg_id)
        version = get_version(nuspec)
        normalized = "" if version is None else str(version.ToNormalizedString())
        if find_parent(pkg_id, version, parents) is None:
            return 404, NOT_FOUND.format(pkg_id, normalized)
        paths = [str(Net.PathUtility.StripLeadingDirectorySeparators(f)) for f in reader.GetFiles()]
        if len(paths) != len({upper_invariant(p) for p in paths}):
            return 400, DUPLICATED_ENTRIES
        try:
            ensure_valid(reader)
        except Exception as exc:  # noqa: BLE001 - the C# catches every exception here
            if harness_bug(exc):
                raise
            kinds = kind_of(exc)
            if kinds & {"InvalidPackageException", "InvalidDataException", "EntityException"}:
                return 400, message_of(exc)
            return 400, FAILED_TO_READ
        return 201, ""
    except Exception as exc:  # noqa: BLE001
        if harness_bug(exc):
            raise
        kinds = kind_of(exc)
        if kinds & {"InvalidPackageException", "InvalidDataException", "EntityException", "FrameworkException"}:
            return 400, INVALID_PACKAGE.format(message_of(exc))
        return 500, message_of(exc)  # the controller rethrows; ApiController.OnException answers 500


def reason_phrase(message: str) -> str:
    """HttpStatusCodeWithBodyResult.ConvertToSingleLine."""
    if "\n" in message or "\r" in message:
        lines = [net_trim(x) for x in re.split("[\r\n]", message) if x]
        message = " ".join(lines)
    if net_length(message) > MAX_REASON_PHRASE:
        units = message.encode("utf-16-le", errors="surrogatepass")
        message = units[: 2 * (MAX_REASON_PHRASE - 3)].decode("utf-16-le", errors="replace") + "..."
    return message


def memory_stream(data: bytes):
    import ctypes

    import System
    from System.Runtime.InteropServices import Marshal

    buffer = ctypes.create_string_buffer(data, len(data))
    array = System.Array.CreateInstance(System.Byte, len(data))
    if data:
        Marshal.Copy(System.IntPtr(ctypes.addressof(buffer)), array, 0, len(data))
    return System.IO.MemoryStream(array, False)


# -- what the readers give, field by field --------------------------------------------------------------------------

def framework_key(framework) -> list:
    """Identifier, version and profile (for net5+ the platform, as snupkg-lint keeps it) as NuGetFramework compares
    them: ignoring case."""
    version = framework.Version
    profile = str(framework.Profile).lower()
    if not profile and str(framework.Platform):
        platform_version = framework.PlatformVersion
        profile = str(framework.Platform).lower() + ("" if platform_version.Major == 0 and platform_version.Minor == 0
                                                     else str(platform_version))
    return [str(framework.Framework).lower(), [version.Major, version.Minor, max(version.Build, 0),
                                               max(version.Revision, 0)], profile]


def reader_fields(data: bytes) -> dict:
    """What NuGet's readers give for the fields snupkg-lint also reads; a field NuGet throws on is 'throws'."""
    fields: dict = {}
    try:
        reader = Net.PackageArchiveReader(memory_stream(data), False)
        fields["entries"] = [str(f) for f in reader.GetFiles()]
    except Exception as exc:  # noqa: BLE001
        if harness_bug(exc):
            raise
        return {"zip": "throws"}
    fields["unsafe"] = unsafe_entries(reader)  # entries whose check throws are left out (they fail otherwise)
    try:
        nuspec = Net.NuspecReader(get_nuspec(reader))
        metadata_node(nuspec)
    except Exception:  # noqa: BLE001
        fields["nuspec"] = "throws"
        return fields

    def field(name, read):
        try:
            fields[name] = read()
        except Exception as exc:  # noqa: BLE001
            if harness_bug(exc):
                raise
            fields[name] = "throws"

    field("id", lambda: (lambda v: None if v is None or not net_trim(str(v)) else str(v))(nuspec.GetId()))
    field("version", lambda: (lambda v: None if v is None else str(v.ToNormalizedString()))(get_version(nuspec)))
    field("package_types", lambda: [[str(t.Name), str(t.Version)] for t in nuspec.GetPackageTypes()])
    field("dependency_groups", lambda: [[framework_key(f), [[str(d.Id), _range_key(d.VersionRange)] for d in deps]]
                                        for f, deps in get_dependency_groups(nuspec, strict=False)])
    field("framework_assemblies", lambda: sorted(framework_key(f) for f in get_framework_assembly_groups(nuspec)))
    return fields


def _range_key(version_range):
    if version_range is None:
        return None
    low = version_range.MinVersion
    high = version_range.MaxVersion
    return [None if low is None else str(low.ToNormalizedString()), bool(version_range.IsMinInclusive),
            None if high is None else str(high.ToNormalizedString()), bool(version_range.IsMaxInclusive),
            bool(version_range.IsFloating)]


def evaluate(case: dict, parents_cache: dict) -> dict:
    import System

    data = open(case["snupkg"], "rb").read()
    parents = []
    for parent in case.get("parents", []):
        if parent not in parents_cache:
            parents_cache[parent] = parent_identity(parent)
        if parents_cache[parent] is not None:
            parents.append(parents_cache[parent])
    try:
        status, message = validate_uploaded_symbols_package(data, parents, System.DateTime.UtcNow)
        fields = reader_fields(data)
    except Exception as exc:  # noqa: BLE001 - a harness bug: report it, do not stop the batch
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        return {"name": case["name"], "harness_error": f"{type(exc).__name__}: {exc} (line {where.lineno})"}
    return {"name": case["name"], "status": status, "message": reason_phrase(message) if message else None,
            "fields": fields}


def parent_identity(path: str) -> tuple[str, str] | None:
    """The parent .nupkg as nuget.org registered it at its own push: id and normalized version."""
    try:
        reader = Net.PackageArchiveReader(memory_stream(open(path, "rb").read()), False)
        nuspec = Net.NuspecReader(get_nuspec(reader))
        return str(nuspec.GetId()), str(get_version(nuspec).ToNormalizedString())
    except Exception:  # noqa: BLE001
        return None


def main(manifest: str) -> None:
    reason = load()
    if reason is not None:
        print(json.dumps({"unavailable": reason}))
        return
    cases = json.load(open(manifest))
    cache: dict = {}
    out = sys.stdout
    for case in cases:
        out.write(json.dumps(evaluate(case, cache)) + "\n")
    out.flush()


if __name__ == "__main__":
    main(sys.argv[1])
