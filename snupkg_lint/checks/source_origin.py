"""Where the sources of the symbols come from: the commit Source Link points at, the paths the compiler recorded,
and whether embedded sources are the files the document hashes describe. Quality rules (nuget.org outcome none)."""

from __future__ import annotations

import re
from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks.registry import rule
from snupkg_lint.checks.debuggable import evidence, listed, names, portable, source_link_of, where
from snupkg_lint.formats.nuspec import Nuspec
from snupkg_lint.formats.sourcelink import RepositoryRef, SourceLinkMap, raw_url_source, repository_of
from snupkg_lint.model import Hit, Outcome, Severity, msg

_DETERMINISTIC = re.compile(r"^/_\d*/")
_USER_PATH = re.compile(r"^[A-Za-z]:\\(Users|Documents and Settings)\\[^\\]+\\|^/(home|Users)/[^/]+/", re.IGNORECASE)


def _nuspec(a: Artifacts) -> Nuspec | None:
    """The nuspec that describes the build: the .nupkg's, else the .snupkg's."""
    for package in (a.nupkg, a.snupkg):
        if package is not None and package.nuspec is not None:
            return package.nuspec
    return None


def _declared(a: Artifacts) -> tuple[RepositoryRef | None, str | None, str | None]:
    """(<repository url> read as host and path, its commit in lower case, the url as written)."""
    nuspec = _nuspec(a)
    element = nuspec.first("repository") if nuspec is not None else None
    if element is None:
        return None, None, None
    url, commit = element.attributes.get("url", ""), element.attributes.get("commit", "").strip().lower()
    return repository_of(url) if url else None, commit or None, url or None


@rule("D006", "source-link-commit-mismatch", Severity.WARNING, Outcome(), target="any")
def source_link_commit_mismatch(a: Artifacts) -> Iterator[Hit]:
    declared, commit, url = _declared(a)
    if declared is None and commit is None:
        return
    for symbols, info in portable(a):
        links = source_link_of(a, symbols, info)
        found = _linked(links) if isinstance(links, SourceLinkMap) else []
        if not found:
            continue
        # submodules map to other repositories: the repository's own entries are those at the declared URL, else
        # (no URL declared) the one for the shortest path, the source root
        own = [(t, r) for t, r in found if declared is None or (r.host, r.repository) == (declared.host,
                                                                                         declared.repository)]
        if declared is not None and not own:
            target, linked = found[-1]
            yield Hit(msg("its Source Link points at {host}/{repository}, not at the nuspec's <repository url> "
                          "{url}", host=linked.host, repository=linked.repository, url=url), **where(symbols),
                      details=evidence(symbols, url=target))
            continue
        stale = [(t, r) for t, r in (own if declared is not None else own[-1:]) if commit and r.commit != commit]
        if stale:
            target, linked = stale[0]
            yield Hit(msg("its Source Link points at commit {linked} but the nuspec's <repository commit> is "
                          "{commit}", linked=linked.commit, commit=commit), **where(symbols),
                      details=evidence(symbols, url=target))


def _linked(links: SourceLinkMap) -> list[tuple[str, RepositoryRef]]:
    """(URL, repository and commit) of each entry with a raw-file URL, longest path first."""
    found = [(entry.target, raw_url_source(entry.uri_prefix)) for entry in links.entries]
    return [(target, ref) for target, ref in found if ref is not None]


@rule("D007", "paths-not-deterministic", Severity.WARNING, Outcome(), target="any")
def paths_not_deterministic(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        local = [d for d in info.documents if not _DETERMINISTIC.match(d.name)]
        if local:
            yield Hit(msg("{count} of its {total} document paths are build-machine paths, not under a /_/ path map "
                          "(first: {first})", total=len(info.documents), **listed(local)), **where(symbols),
                      details=evidence(symbols, documents=names(local)))


@rule("D008", "user-path-leaked", Severity.INFO, Outcome(), target="any")
def user_path_leaked(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        leaked = [d for d in info.documents if _USER_PATH.match(d.name)]
        if leaked:
            yield Hit(msg("{count} document paths name a user's home folder (first: {first})", **listed(leaked)),
                      **where(symbols), details=evidence(symbols, documents=names(leaked)))


@rule("D010", "embedded-source-hash-mismatch", Severity.WARNING, Outcome(), target="any")
def embedded_source_hash_mismatch(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        for found in info.source_mismatches:  # hashed and compared by the reader (formats/debug_info.py)
            document = found.document
            if found.error is not None:
                yield Hit(msg("the embedded source of document {row} ({name}) cannot be read: {error}",
                              row=document.row, name=document.name, error=found.error), entry=symbols.name,
                          part="EmbeddedSource", details=evidence(symbols))
            elif found.digest != document.hash:
                yield Hit(msg("the embedded source of {name} does not hash to the document's hash: a debugger "
                              "will call it out of date", name=document.name), entry=symbols.name,
                          part="EmbeddedSource", details=evidence(symbols, document_hash=document.hash.hex(),
                                                                  content_hash=found.digest.hex()))
