"""nuget.org's answers, verbatim (English resources of NuGetGallery and NuGet.Client).

Kept in one place so that rules quote the server exactly; `{0}`-style slots are filled by rules with
`.format()`. Sources are given in ../shared/reference/nuget-org-push-checks.md.
"""

# NuGetGallery Strings.resx / ServicesStrings.resx / CoreStrings.resx
INVALID_PACKAGE = "The NuGet package is invalid. The error encountered was:'{0}'. Correct the error and try again."
FILE_TOO_LARGE = "The package file exceeds the size limit. Please try again."
ENTRY_FROM_FUTURE = (
    "The package is invalid and cannot be published. One or more files, such as '{0}' have a date in the future."
)
DOUBLE_FORWARD_SLASH = (
    "The package is invalid and cannot be published. The package entry for '{0}' has a  double forward slashes "
    "in path, which is causing a file name collision during extraction."
)
DOUBLE_BACK_SLASH = (
    "The package is invalid and cannot be published. The package entry for '{0}' has a  double back slashes in path."
)
PARENT_NOT_FOUND = (
    "A package with ID '{0}' and version '{1}' does not exist. Please upload the package before uploading its symbols."
)
DUPLICATED_ENTRIES = "The package contains one or more duplicated files in the same folder."
FAILED_TO_READ = "Failed to read the symbols package. Ensure it is a valid symbols package (.snupkg)."
NOT_SYMBOLS_PACKAGE = (
    "The uploaded package is not a valid symbols package. The required 'SymbolsPackage' package type is missing."
)
DUPLICATE_METADATA = "The package manifest contains duplicate metadata elements: '{0}'"
INVALID_METADATA = "The package manifest contains invalid metadata elements: '{0}'"
INVALID_BOOLEAN = (
    "The package manifest contains an invalid boolean value for metadata element: '{0}'. "
    "The value should be 'true' or 'false'."
)
INVALID_PACKAGE_TYPE_NAME = "The package manifest contains an invalid package type name: '{0}'"
PROPERTY_TOO_LONG = "A nuget package's {0} property may not be more than {1} characters long."
PROPERTY_MISSING = "A nuget package's {0} property is required."
ID_VERSION_TOO_LONG = "A nuget package's ID and version properties combined may not be more than {0} characters long."
DUPLICATE_DEPENDENCY_GROUP = "A nuget package may not contain multiple dependency groups with the same target framework."
INVALID_NUSPEC = (
    "The NuGet package contains an invalid .nuspec file. The error encountered was: '{0}'. Correct the error and try again."
)
INVALID_NUSPEC_MULTIPLE = (
    "The NuGet package contains an invalid .nuspec file. The errors encountered were: '{0}'. Correct the errors and "
    "try again."
)
INVALID_METADATA_ITEMS = "Invalid metadata items specified in nuspec. Please remove '{0}' from the nuspec."
INVALID_FILES = "Invalid file found in the uploaded package. Symbols packages should only contain '{0}' files."
NO_SYMBOLS = "The package does not contain any symbol (.pdb) files."

# ManifestValidator errors (CoreStrings.resx), wrapped in INVALID_NUSPEC
MANIFEST_MISSING_ID = "The package manifest is missing the Id field"
MANIFEST_ID_TOO_LONG = (
    "The package manifest contains an ID that is too long. Package IDs can be no longer than 100 characters."
)
MANIFEST_INVALID_ID = (
    "The package manifest contains an invalid ID: '{0}', because it must start with a letter, number or underscore "
    "( _ ), can only contain letters, numbers, underscores ( _ ), dots ( . ), or dashes ( - ), and cannot contain "
    "consecutive dots ( . ) or dashes ( - )."
)
MANIFEST_INVALID_URL = "The package manifest contains an invalid URL"
MANIFEST_INVALID_VERSION = "The package manifest contains an invalid Version: '{0}'"
MANIFEST_FRAMEWORK_NOT_SUPPORTED = "The target framework {0} is not supported."
MANIFEST_DUPLICATE_DEPENDENCY = "The package manifest contains a duplicate dependency: {0} {1}"
MANIFEST_INVALID_DEPENDENCY = "The package manifest contains an invalid Dependency: '{0} {1}'"
MANIFEST_INVALID_RANGE = "The package manifest contains an invalid Dependency Version Range: '{0}'"
MANIFEST_INVALID_DEPENDENCY_VERSION = "The package manifest contains an invalid Dependency Version: '{0}'"

# NuGet.Client NuGet.Packaging Strings.resx / NuGet.Versioning Resources.resx
MISSING_NUSPEC = "The package is missing the required nuspec file. "
MULTIPLE_NUSPECS = "Package contains multiple nuspec files."
MISSING_METADATA_NODE = "Nuspec file does not contain the '{0}' node."
ID_NULL = "Value cannot be null. Parameter name: id"  # the reason phrase is collapsed to one line
VERSION_ARGUMENT = "version"  # CorePackageService.FindPackageByIdAndVersionStrict: new ArgumentException(nameof(version))
PARAMETER_VALUE = "\r\nParameter name: value"  # what .NET Framework appends to an ArgumentException's message
MISSING_PACKAGE_TYPE_NAME = "Nuspec file contains a package type that is missing the name attribute."
INVALID_PACKAGE_TYPE_VERSION = "Nuspec file contains a package type with an invalid package version '{0}'."
INVALID_DEPENDENCY_VERSION = "Invalid package version for a dependency with id '{0}' in package '{1}': '{2}'"
UNSAFE_ENTRY = "The package '{0}' contains an entry '{1}' which is unsafe for extraction."
UNABLE_CHECK_ENTRIES = "An unexpected error occurred while checking package entries."

# .NET Framework (mscorlib / System.Web)
SEEK_BEFORE_START = "Specified argument was out of the range of valid values. Parameter name: offset"
# ^ ArgumentOutOfRangeException("offset") from System.Web's HttpInputStream.Seek, collapsed to one line

# Asynchronous validation issues (ValidationIssueExtensions.cs)
ISSUE_UNKNOWN = "There was an unknown failure when validating your package."
ISSUE_CHECKSUM = "The checksum does not match for the dll(s) and corresponding pdb(s)."
ISSUE_NO_MATCHING_ASSEMBLY = (
    "The uploaded symbols package contains pdb(s) for a corresponding dll(s) not found in the nuget package."
)
ISSUE_NOT_PORTABLE = "The uploaded symbols package contains one or more pdbs that are not portable."
ISSUE_NO_SYMBOLS = "The uploaded symbols package does not contain any symbol files."
ISSUE_UNSAFE_ENTRIES = "The uploaded symbols package contains entries that are not safe for extraction."

# What the push endpoints answer besides the package checks (`snupkg-lint serve`; nuget-org-push-checks.md tables
# A, B, E and §14; the package endpoint's 409 is Strings.PackageExistsAndCannotBeModified)
API_KEY_REQUIRED = "An API key must be provided in the 'X-NuGet-ApiKey' header to use this service"
API_KEY_NOT_AUTHORIZED = (
    "The specified API key is invalid, has expired, or does not have permission to access the specified package."
)
SYMBOLS_CONFLICT_VALIDATING = (
    "It looks like there is another copy of this symbols package pending validation(s). Please wait for the "
    "validation(s) to finish before trying to replace the symbols package."
)
PACKAGE_EXISTS = "A package with ID '{0}' and version '{1}' already exists and cannot be modified."
SYMBOLS_NOT_ALLOWED_ON_PACKAGE_ENDPOINT = (
    "Snupkg upload failed. Please use latest NuGet clients (v 4.9.0 or above) and a V3 endpoint to push Symbol "
    "packages. For details, refer https://docs.microsoft.com/nuget/create-packages/symbol-packages-snupkg"
)
UPLOAD_CANCELLED = "The package upload failed due to the client disconnecting."
