"""nuget.org's evaluation order, as data.

nuget.org answers a push with its first failing check and e-mails the first failing validation step, so
which finding is *the* answer depends on the order nuget.org runs its checks in, not on rule ids. The order
lives here: a newly found server check is inserted at its place, and no public rule id is renumbered.

PUSH_ORDER: SymbolPackageUploadService / PackageUploadService / SymbolPackageService, as they run
(nuget-org-push-checks.md). An entry `RULE-case` places the findings of a rule that nuget.org reaches at a
second point (a Hit's `step`). VALIDATION_STEPS: SymbolsValidatorService's steps for one assembly; assemblies
themselves are taken in the job's order (a finding's `order`), package-wide conditions first.
"""

from __future__ import annotations

PUSH_ORDER: tuple[str, ...] = (
    "P100",  # request size (IIS, before the upload handler)
    "P101",  # the zip opens
    "P102", "P103", "P104",  # entry dates, '//' collisions, '\\'
    "P105", "P106", "P107", "P108",  # the nuspec: present, alone, well-formed, with <metadata>
    "P109",  # reading <version>: NuGetVersion.Parse throws on invalid text
    "P110",  # the id: FindPackageByIdAndVersionStrict checks it first (ArgumentNullException "id")
    "P109-missing",  # then the version string: no <version> element (ArgumentException "version")
    "P111",  # the parent package exists (404)
    "P112",  # duplicate entries
    # PackageMetadata.FromNuspecReader: duplicate, reserved and boolean elements, package types; then the
    # constructor's eager arguments: frameworkAssembly groups, minClientVersion; then the constructor: its
    # Dictionary(OrdinalIgnoreCase) of the metadata (case variants), the dependency groups read lazily group by
    # group (a group's versions and ids, then its targetFramework, step P207; a hit's `order` places it), the
    # version string (SetPropertiesFromMetadata)
    "P201", "P202", "P203", "P204", "P205", "P206", "P211-assemblies", "P208", "P210", "P207", "P227", "P209",
    "P212",  # IsSymbolsPackage
    # PackageHelper.ValidateNuGetPackageMetadata, in its order: ID, Authors, Copyright lengths; Description missing;
    # Description ... Title, Version, Language lengths; id + version; each dependency's id and range lengths;
    # Flatten (GetShortFolderName throws: P211) and its length; two groups for one framework; the repository
    "P214-early", "P213", "P214", "P215", "P214-dependencies", "P211", "P214-flattened", "P216", "P214-repository",
    "P217", "P218", "P219", "P220", "P221",  # ManifestValidator
    "P222",  # authors and owners
    "P223", "P224", "P225", "P226",  # what the package may contain
)

VALIDATION_STEPS: tuple[str, ...] = (
    "V101",  # no symbol files (253)
    "V102",  # a PDB without its assembly (251)
    "V103",  # not portable (252)
    "V104", "V105", "V109",  # the CodeView entry leads to the PDB with its id (251), the reader fails (0), or
    #                          an exception escapes the job (0, no e-mail)
    "V106", "V107", "V108",  # PdbChecksum present, matching, known algorithm (250, 0)
)
