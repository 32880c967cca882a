"""`snupkg-lint push`: lint, then push as the real NuGet client does (NuGet.exe 5.8.0, client reference §3–§6),
and explain the answer with the rule behind it.

Standard library only: http.client with the system's certificates. The request is the client's: the service
index GET (no key), then for each file a chunked PUT with one multipart part `package` (file name
`package.nupkg`, whatever the file is called), the key only in X-NuGet-ApiKey; a status >= 500 or a dropped
connection is tried three times, 200 ms apart, the whole file re-sent each time.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import ssl
import time
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from snupkg_lint import __version__
from snupkg_lint.artifacts import PackageFile
from snupkg_lint.checks import messages as m
from snupkg_lint.engine import check_package
from snupkg_lint.inputs import sibling_nupkg, sibling_snupkg
from snupkg_lint.model import PackageReport

PACKAGE_TYPE, SYMBOLS_TYPE = "PackagePublish/2.0.0", "SymbolPackagePublish/4.9.0"
FILE_CHUNK = 131_072  # the client's largest chunk (§5.2)
TRIES, PAUSE = 3, 0.2
USER_AGENT = f"snupkg-lint/{__version__} (NuGet Command Line/5.8.0 protocol)"
CLIENT_VERSION = "5.8.0"


class PushProblem(Exception):
    """A usage or connection problem (exit 2); the message is the line shown."""


@dataclass
class Item:
    path: str
    symbols: bool  # to SymbolPackagePublish (.snupkg) or PackagePublish (.nupkg)
    after: str | None = None  # a .snupkg sent only when this .nupkg was accepted
    report: PackageReport | None = None


@dataclass
class Outcome:
    item: Item
    status: int | None
    reason: str
    lines: list[str] = field(default_factory=list)
    ok: bool = False


def plan(path: str) -> list[Item]:
    """What goes where, in the client's order: a .nupkg and then its sibling .snupkg; a folder's .nupkg files
    first, then its .snupkg files."""
    if os.path.isdir(path):
        names = sorted(os.listdir(path))
        nupkgs = [os.path.join(path, n) for n in names
                  if n.lower().endswith(".nupkg") and not n.lower().endswith(".symbols.nupkg")]
        snupkgs = [os.path.join(path, n) for n in names if n.lower().endswith(".snupkg")]
        items = [Item(p, False) for p in nupkgs] + [Item(p, True, after=_parent_in(p, nupkgs)) for p in snupkgs]
        if not items:
            raise PushProblem(f"{path}: no .nupkg or .snupkg in this folder")
        return items
    if not os.path.isfile(path):
        raise PushProblem(f"{path}: no such file")
    lower = path.lower()
    if lower.endswith(".snupkg"):
        return [Item(path, True)]
    if lower.endswith(".symbols.nupkg"):
        raise PushProblem(f"{path}: a legacy .symbols.nupkg; nuget.org takes symbols only as .snupkg "
                          "(dotnet pack -p:SymbolPackageFormat=snupkg)")
    if lower.endswith(".nupkg"):
        symbols = sibling_snupkg(path)
        return [Item(path, False)] + ([Item(symbols, True, after=path)] if symbols else [])
    raise PushProblem(f"{path}: not a package; give a .nupkg, a .snupkg or a folder")


def _parent_in(snupkg: str, nupkgs: list[str]) -> str | None:
    parent = sibling_nupkg(snupkg)
    return parent if parent in nupkgs else None


def lint(items: list[Item]) -> None:
    for item in items:
        if item.symbols:
            item.report = check_package(item.path, sibling_nupkg(item.path))


def refused(items: list[Item]) -> list[Item]:
    return [i for i in items if i.report is not None and i.report.verdict == "push-rejected"]


# the service index
def _connection(url: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                           context=ssl.create_default_context())
    if parts.scheme == "http":
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    raise PushProblem(f"{url}: the source must be an http:// or https:// URL")


def _host(url: str) -> str:
    return urlsplit(url).netloc.rsplit("@", 1)[-1]


def _target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


# the push request
def body_chunks(path: str, boundary: str):
    """The multipart body in the client's chunks (§5.2): delimiter, part headers, the file, closing delimiter."""
    yield f"--{boundary}\r\n".encode()
    yield (b"Content-Type: application/octet-stream\r\nContent-Disposition: form-data; name=package; "
           b"filename=package.nupkg; filename*=utf-8''package.nupkg\r\n\r\n")
    with open(path, "rb") as handle:
        while True:
            piece = handle.read(FILE_CHUNK)
            if not piece:
                break
            yield piece
    yield f"\r\n--{boundary}--\r\n".encode()


class Pusher:
    def __init__(self, api_key: str | None, timeout: float = 300.0, pause: float = PAUSE):
        self.api_key, self.timeout, self.pause = api_key, timeout, pause
        self._connections: dict[tuple[str, str | None, int | None], http.client.HTTPConnection] = {}

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()

    def _connection(self, url: str) -> http.client.HTTPConnection:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port)
        if key not in self._connections:
            self._connections[key] = _connection(url, self.timeout)
        return self._connections[key]

    def _drop(self, url: str) -> None:
        parts = urlsplit(url)
        connection = self._connections.pop((parts.scheme, parts.hostname, parts.port), None)
        if connection is not None:
            connection.close()

    def endpoints(self, source: str) -> tuple[str | None, str | None]:
        """(package endpoint, symbol endpoint): from the service index when the source is a `.json` URL (as the
        client decides), else the source itself for both. The index GET carries no key and shares the
        connection with the PUTs that follow."""
        if not urlsplit(source).path.lower().endswith(".json"):
            return source, source
        try:
            connection = self._connection(source)
            connection.putrequest("GET", _target(source), skip_host=True, skip_accept_encoding=True)
            for name, value in (("X-NuGet-Session-Id", str(uuid.uuid4())), ("User-Agent", USER_AGENT),
                                ("X-NuGet-Client-Version", CLIENT_VERSION), ("Accept-Encoding", "gzip, deflate"),
                                ("Host", _host(source))):
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            body = _decoded(response.read(), response.getheader("Content-Encoding"))
        except (OSError, http.client.HTTPException, zlib.error) as exc:
            self._drop(source)
            raise PushProblem(f"cannot load the service index {source}: {exc}") from None
        if response.status != 200:
            raise PushProblem(f"cannot load the service index {source}: {response.status} ({response.reason})")
        try:
            document = json.loads(body)
            found = {r["@type"]: r["@id"] for r in document["resources"]
                     if isinstance(r, dict) and "@type" in r and "@id" in r}
        except (ValueError, KeyError, TypeError):
            raise PushProblem(f"{source}: not a NuGet V3 service index") from None
        if not str(document.get("version", "")).startswith("3."):
            raise PushProblem(f"{source}: the service index version is not 3.x")
        return found.get(PACKAGE_TYPE), found.get(SYMBOLS_TYPE)

    def put_once(self, url: str, path: str, session: str) -> tuple[int, str]:
        connection = self._connection(url)
        boundary = str(uuid.uuid4())
        connection.putrequest("PUT", _target(url), skip_host=True, skip_accept_encoding=True)
        headers = [("Transfer-Encoding", "chunked")]
        if self.api_key:
            headers.append(("X-NuGet-ApiKey", self.api_key))
        headers += [("X-NuGet-Session-Id", session), ("User-Agent", USER_AGENT),
                    ("X-NuGet-Client-Version", CLIENT_VERSION), ("Accept-Encoding", "gzip, deflate"),
                    ("Content-Type", f'multipart/form-data; boundary="{boundary}"'), ("Host", _host(url))]
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        try:
            for chunk in body_chunks(path, boundary):
                connection.send(b"%X\r\n%s\r\n" % (len(chunk), chunk))
            connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early (413) and closed: its answer may still be there to read
        response = connection.getresponse()
        response.read()
        if response.getheader("Connection", "").lower() == "close":
            self._drop(url)
        return response.status, response.reason

    def put(self, url: str, path: str, log: Callable[[str], None]) -> tuple[int | None, str]:
        """PUT with the client's retries; (status, reason), or (None, the connection error)."""
        url = url if url.endswith("/") else url + "/"
        session = str(uuid.uuid4())  # the retries of one PUT share it
        answer: tuple[int | None, str] = (None, "")
        for attempt in range(1, TRIES + 1):
            log(f"  PUT {url}")
            try:
                answer = self.put_once(url, path, session)
            except (OSError, http.client.HTTPException) as exc:
                self._drop(url)
                answer = (None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            if answer[0] is not None and answer[0] < 500:
                return answer
            if attempt < TRIES:
                log(f"  {answer[0] or 'connection failed'} ({answer[1]}); trying again")
                time.sleep(self.pause)
        return answer


# explanations
def _rule_for(report: PackageReport | None, reason: str) -> str | None:
    if report is None:
        return None
    for f in report.findings:
        if f.outcome.server_message and f.outcome.server_message[:60] == reason[:60]:
            return f"{f.rule} {f.name}: {f.message}. How to fix: {f.fix}"
    return None


def _validation_forecast(report: PackageReport | None) -> str:
    if report is None:
        return "snupkg-lint did not check it (--force)"
    if report.verdict == "validation-failed" and report.predicted is not None:
        p = report.predicted
        return (f"snupkg-lint predicts it fails with issue {p.outcome.code} ({p.outcome.server_message}) because of "
                f"{p.rule} {p.name}: {p.message}")
    if report.verdict == "incomplete":
        return "snupkg-lint predicts no failure, but could not check everything (see `snupkg-lint check`)"
    return "snupkg-lint predicts it succeeds"


def _package_id(path: str) -> str | None:
    package = PackageFile(path)
    try:
        identity = package.identity
    finally:
        package.close()
    return identity.id.strip() if identity is not None and identity.id else None


def explain(item: Item, status: int | None, reason: str, skip_duplicate: bool) -> tuple[bool, list[str]]:
    what = "symbol package" if item.symbols else "package"
    name = os.path.basename(item.path)
    if status is None:
        return False, [f"{name}: no answer from the server after {TRIES} tries: {reason}"]
    head = f"{name}: {status} ({reason})"
    if 200 <= status < 300:
        lines = [f"{name}: pushed ({status} {reason})."]
        if item.symbols:
            lines.append("  nuget.org now validates the symbols (each PDB against its assembly in the .nupkg: "
                         "portable, id and PdbChecksum matching; issues 250-254 by e-mail): "
                         + _validation_forecast(item.report) + ".")
        return True, lines
    if status == 409 and skip_duplicate:
        return True, [f"{head}", f"  already there; skipped (--skip-duplicate)."]
    lines = [head]
    rule = _rule_for(item.report, reason)
    if status in (400, 500):
        lines.append(f"  nuget.org rejects this {what} at push time." + (f" Rule {rule}" if rule else ""))
    elif status == 401 and reason == m.API_KEY_REQUIRED:
        lines.append("  no API key was sent: give --api-key KEY or set NUGET_API_KEY.")
    elif status in (401, 403):
        package_id = _package_id(item.path) or "Contoso.Lib"
        glob = package_id.split(".")[0] + ".*" if "." in package_id else package_id
        lines.append(f"  the key is unknown, expired, or its scope does not cover this {what}: on nuget.org, "
                     "Account > API Keys > Create, with the Push scope (or Push only new package versions, for an "
                     f"id that exists) and a glob pattern matching '{package_id}' (e.g. '{glob}' or the id itself), "
                     "with an owner of the package as its package owner.")
    elif status == 404:
        lines.append("  the server has no package of this id and version: push the .nupkg first, or wait until "
                     "nuget.org has indexed it (a few minutes after its push).")
    elif status == 409 and item.symbols:
        lines.append("  a previous symbol package of this version is still being validated: wait until its "
                     "validation ends, then push again (or --skip-duplicate).")
    elif status == 409:
        lines.append("  this version exists already and versions cannot be replaced: push a new version "
                     "(or --skip-duplicate to go on).")
    elif status == 413:
        lines.append("  the request is larger than the server accepts (nuget.org: 262,144,000 bytes, multipart "
                     "framing included).")
    elif status >= 500:
        lines.append(f"  a server error, after {TRIES} tries.")
    return False, lines


def run(items: list[Item], package_url: str | None, symbols_url: str | None, pusher: Pusher, *,
        skip_duplicate: bool, log: Callable[[str], None]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    accepted: set[str] = set()
    failed_parents: set[str] = set()
    for item in items:
        if item.after is not None and item.after in failed_parents:
            continue  # the client stops before the symbols of a .nupkg that failed
        url = symbols_url if item.symbols else package_url
        if url is None:
            raise PushProblem(f"the source lists no {SYMBOLS_TYPE if item.symbols else PACKAGE_TYPE} resource")
        log(f"Pushing {os.path.basename(item.path)} to '{url.rstrip('/')}'...")
        status, reason = pusher.put(url, item.path, log)
        ok, lines = explain(item, status, reason, skip_duplicate)
        for line in lines:
            log(line)
        outcomes.append(Outcome(item, status, reason, lines, ok))
        (accepted if ok else failed_parents).add(item.path)
        if status is None:
            break
    return outcomes
