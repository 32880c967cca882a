"""What nuget.org answers a push, in its order (nuget-org-push-checks.md §3), from the linter's prediction.

The package checks are the engine's: the first push finding (PackageReport.predicted) gives the status and the
server text. This module only adds what depends on the server's state: the parent package (404), a symbol
package still validating (409), a version that exists (409), and the key's scope and owner (401/403).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from snupkg_lint.artifacts import PackageFile
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.order import PUSH_ORDER
from snupkg_lint.checks.registry import declared
from snupkg_lint.engine import check_package
from snupkg_lint.model import Finding, reason_phrase
from snupkg_lint.server.keys import Key
from snupkg_lint.server.storage import PENDING, Store

_RANK = {rule_id: n for n, rule_id in enumerate(PUSH_ORDER)}
_PARENT, _DUPLICATES = _RANK["P111"], _RANK["P112"]
# the zip and nuspec checks that the package endpoint shares with the symbol endpoint
_PACKAGE_READ_RULES = ("P101", "P102", "P103", "P104", "P105", "P106", "P107", "P108", "P109", "P110")
# ManifestValidator runs on both endpoints (PackageUploadService and SymbolPackageUploadService): id, version, URLs
_MANIFEST_RULES = ("P217", "P218", "P219")
_DEFAULT_TEXT = {400: "Bad Request", 404: "Not Found", 413: "Request Entity Too Large", 500: "Internal Server Error"}


@dataclass(frozen=True)
class Answer:
    status: int
    message: str
    id: str | None = None
    version: str | None = None
    rule: str | None = None  # the finding behind a rejection
    stored: bool = False

    @property
    def reason(self) -> str:
        """The reason phrase: one line, at most 512 characters (model.reason_phrase), and Latin-1 safe: the client
        decodes it as ISO-8859-1 while aiohttp writes the status line as UTF-8, so only ASCII is sent and any other
        character becomes '?'. The body carries the full text in UTF-8."""
        return reason_phrase(self.message).encode("ascii", "replace").decode("ascii")


def _rank(f: Finding) -> int:
    return _RANK.get(f.step or f.rule, len(_RANK))


def _from_finding(f: Finding, package_id: str | None, version: str | None) -> Answer:
    status = f.outcome.status or 400
    return Answer(status, f.outcome.server_message or _DEFAULT_TEXT.get(status, "Bad Request"), package_id, version,
                  f.rule)


def _identity(path: Path) -> tuple[str | None, str | None]:
    package = PackageFile(str(path))
    try:
        ident = package.identity
    finally:
        package.close()
    if ident is None or ident.id is None or ident.version is None:
        return (ident.id if ident else None), None
    return ident.id, ident.version.normalized


def symbols(store: Store, upload: Path, key: Key) -> Answer:
    """PUT /api/v2/symbolpackage."""
    package_id, version = _identity(upload)
    parent = store.package(package_id, version) if package_id and version else None
    report = check_package(str(upload), store.path(parent) if parent else None)
    first = report.predicted if report.verdict == "push-rejected" else None
    if first is not None and _rank(first) < _PARENT:
        return _from_finding(first, package_id, version)
    if parent is None or package_id is None or version is None:
        if package_id is None or version is None:  # the engine names the unreadable nuspec; never reached
            return Answer(400, m.FAILED_TO_READ, package_id, version)
        return Answer(404, m.PARENT_NOT_FOUND.format(package_id, version), package_id, version, "P111")
    if first is not None and _rank(first) <= _DUPLICATES:
        return _from_finding(first, package_id, version)
    previous = store.symbols(package_id, version)
    if previous is not None and previous.status == PENDING:
        return Answer(409, m.SYMBOLS_CONFLICT_VALIDATING, package_id, version)
    if first is not None:
        return _from_finding(first, package_id, version)
    allowed = key.covers(package_id, "push") or key.covers(package_id, "pushversion")
    if not allowed or not key.owns(store.owner(package_id)):  # table E1: 401 on the symbol endpoint
        return Answer(401, m.API_KEY_NOT_AUTHORIZED, package_id, version)
    if not store.add_symbols(upload, package_id, version):  # E4: a concurrent push got there first
        return Answer(409, m.SYMBOLS_CONFLICT_VALIDATING, package_id, version)
    return Answer(201, "Created", package_id, version, stored=True)


def package(store: Store, upload: Path, key: Key) -> Answer:
    """PUT /api/v2/package: the zip and nuspec checks the two endpoints share, ManifestValidator's (id, version,
    URLs), then nuget.org's package-only answers (a symbol package sent here, the scope, a version that exists).
    nuget.org's full .nupkg validation is not emulated."""
    read = check_package(str(upload), None, rules=[declared(r) for r in _PACKAGE_READ_RULES])
    package_id, version = _identity(upload)
    if read.predicted is not None:
        first = read.predicted
        text = first.outcome.server_message or "Bad Request"
        if first.outcome.status != 400:  # the package path catches what the symbol path lets become a 500
            text = m.INVALID_PACKAGE.format(text)
        return Answer(400, text, package_id, version, first.rule)
    if package_id is None or version is None:
        return Answer(400, m.INVALID_PACKAGE.format("The package is missing an id or a version."), package_id, version)
    manifest = check_package(str(upload), None, rules=[declared(r) for r in _MANIFEST_RULES])
    if manifest.predicted is not None:  # e.g. an id such as '../x': 400, never a path
        return _from_finding(manifest.predicted, package_id, version)
    kind = check_package(str(upload), None, rules=[declared("P212")])  # P212 silent: it is a symbols package
    if not kind.findings:
        return Answer(400, m.SYMBOLS_NOT_ALLOWED_ON_PACKAGE_ENDPOINT, package_id, version, "P212")
    owner = store.owner(package_id)
    allowed = key.covers(package_id, "push") or (owner is not None and key.covers(package_id, "pushversion"))
    if not allowed or not key.owns(owner):  # ForPush: 403 for backwards compatibility
        return Answer(403, m.API_KEY_NOT_AUTHORIZED, package_id, version)
    if store.package(package_id, version) is not None or not store.add_package(upload, package_id, version,
                                                                                 key.account):
        return Answer(409, m.PACKAGE_EXISTS.format(package_id, version), package_id, version)
    return Answer(201, "Created", package_id, version, stored=True)
