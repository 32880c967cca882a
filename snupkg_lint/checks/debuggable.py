"""Will it be debuggable? The PDBs a user's debugger gets, wherever they are (embedded, beside the assembly in the
.nupkg, or in the .snupkg), and their Source Link. Quality rules: nuget.org accepts all of this silently.

Helpers here (not rules): `portable` walks the readable portable symbols; `source_link_of` parses a PDB's Source
Link once; `covered` says whether a debugger can get a document's text (embedded, or mapped to a URL)."""

from __future__ import annotations

import functools
import re
from typing import Iterator

from snupkg_lint.artifacts import MAX_DEBUG_INFO_BYTES, Artifacts, DebugSymbols
from snupkg_lint.checks.registry import rule
from snupkg_lint.formats.debug_info import DebugInfo
from snupkg_lint.formats.pdb import Document
from snupkg_lint.formats.shared import Shared
from snupkg_lint.formats.source import FormatError
from snupkg_lint.formats.sourcelink import SourceLinkMap, parse_source_link, url_problem
from snupkg_lint.model import Hit, Outcome, Severity, msg

SHOWN = 3  # documents named in a message; the details list up to 20
_UNTRACKED = re.compile(r"(^|[\\/])(obj|temp|tmp)[\\/]|\.g\.(i\.)?(cs|vb)$|\.AssemblyAttributes\.(cs|vb)$",
                        re.IGNORECASE)


def portable(a: Artifacts) -> Iterator[tuple[DebugSymbols, DebugInfo]]:
    """The symbols whose debug information reads, with it (found once, kept as two columns: a dozen rules walk
    them)."""
    found = a.memo.get("portable")
    if found is None:
        readable, infos = [], []
        for symbols in a.debug_symbols:
            info = a.debug_info(symbols)
            if info is not None:
                readable.append(symbols)
                infos.append(info)
        found = a.memo["portable"] = (readable, infos)
    return zip(*found)  # type: ignore[call-overload]


def evidence(symbols: DebugSymbols, **more: object) -> dict:
    """Where the symbols came from, in every finding's details."""
    found = {"symbols": symbols.source, "assembly": symbols.assembly.name if symbols.assembly else None}
    if more:
        found.update(more)
    return found


def where(symbols: DebugSymbols) -> dict:
    """The Hit fields that place a finding: the PDB entry, or the assembly and its embedded PDB."""
    return {"entry": symbols.name, "part": "embedded PDB" if symbols.source == "embedded" else None}


def source_link_of(a: Artifacts, symbols: DebugSymbols, info: DebugInfo) -> SourceLinkMap | str | None:
    """The parsed Source Link map, the reason it does not parse, or None when the PDB has none. (Not kept per PDB:
    the reader parses an equal text once, and the PDBs of one repository share theirs.)"""
    if info.source_link is None:
        return None
    try:
        return parse_source_link(info.source_link)
    except FormatError as exc:
        return str(exc)


def untracked(document: Document) -> bool:
    """A file git does not track: under obj/, a temp folder, or generated (*.g.cs, *.AssemblyAttributes.cs)."""
    return _untracked_name(document.name)


@functools.lru_cache(maxsize=4096)  # the PDBs of one source tree name the same documents
def _untracked_name(name: str) -> bool:
    return bool(_UNTRACKED.search(name))


def covered(info: DebugInfo, links: SourceLinkMap | None, document: Document) -> bool:
    return document.row in info.embedded or (links is not None and links.maps(document.name))


# A package whose every PDB draws these findings names the same documents thousands of times: the messages' lists
# of the first few are kept once, not once per finding (the names themselves are shared by the PDB reader).
_FIRST: Shared[tuple[str, ...], str] = Shared(1024)


def listed(documents: list[Document]) -> dict:
    """The message arguments naming some of `documents`: how many, and the first few."""
    return {"count": len(documents), "first": _FIRST.get(tuple([d.name for d in documents[:SHOWN]]), ", ".join)}


def names(documents: list[Document]) -> list[str]:
    """The details' list of documents: the first 20 names."""
    return [d.name for d in documents[:20]]


@rule("D001", "debug-info-unreadable", Severity.WARNING, Outcome(), target="any")
def debug_info_unreadable(a: Artifacts) -> Iterator[Hit]:
    for symbols in a.debug_symbols:
        info = a.debug_info(symbols)
        if symbols.error is not None and symbols.source in ("embedded", "nupkg"):  # the .snupkg's: V103-V105
            yield Hit(msg("the PDB cannot be opened, so a debugger gets nothing from it: {error}",
                          error=symbols.error), **where(symbols), details=evidence(symbols))
        elif symbols.kind == "portable" and symbols.error is None and info is None:
            size = a.debug_size(symbols)
            if size > MAX_DEBUG_INFO_BYTES:
                yield Hit(msg("not checked for debuggability: the PDB is {size:,} bytes and snupkg-lint reads the "
                              "debug information of PDBs up to {limit:,}", size=size, limit=MAX_DEBUG_INFO_BYTES),
                          **where(symbols), severity=Severity.INFO, details=evidence(symbols))
            else:
                yield Hit(msg("the portable PDB does not open again to read its documents"), **where(symbols),
                          details=evidence(symbols))
        flags = a.debuggable(symbols.assembly) if symbols.assembly is not None else None
        if isinstance(flags, str):
            yield Hit(msg("its assembly metadata cannot be read, so whether it is a Debug build is unknown: {error}",
                          error=flags), entry=symbols.assembly.name, part="assembly metadata",
                      details=evidence(symbols))
        for error in info.errors if info is not None else ():
            yield Hit(msg("its {part} cannot be read, so a debugger gets nothing from it: {error}", part=error.part,
                          error=error.error), entry=symbols.name, part=error.part, details=evidence(symbols))


@rule("D002", "source-link-missing", Severity.WARNING, Outcome(), target="any")
def source_link_missing(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        if info.source_link is not None or info.error("Source Link"):
            continue
        missing = [d for d in info.documents if d.row not in info.embedded]
        if missing:
            yield Hit(msg("has no Source Link and {count} of its {total} documents are not embedded, so a debugger "
                          "cannot show their sources (first: {first})", total=len(info.documents), **listed(missing)),
                      **where(symbols), details=evidence(symbols, documents=names(missing)))
    for symbols in a.debug_symbols:  # a Windows PDB beside its assembly: Source Link or source-server streams
        windows = a.windows_pdb(symbols)
        if windows is not None and not any(s == "srcsrv" or s.startswith("sourcelink") for s in windows.named_streams):
            yield Hit(msg("is a Windows PDB with neither a sourcelink nor a srcsrv stream, so a debugger cannot fetch "
                          "its sources"), **where(symbols), details=evidence(symbols, kind="windows"))


@rule("D003", "source-link-invalid", Severity.WARNING, Outcome(), target="any")
def source_link_invalid(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        parsed = source_link_of(a, symbols, info)
        if isinstance(parsed, str):
            yield Hit(msg("its Source Link is not what debuggers accept: {error}", error=parsed), **where(symbols),
                      details=evidence(symbols, source_link=(info.source_link or "")[:2000]))


@rule("D004", "documents-not-linked", Severity.WARNING, Outcome(), target="any")
def documents_not_linked(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        links = source_link_of(a, symbols, info)
        if not isinstance(links, SourceLinkMap):
            continue
        missing = [d for d in info.documents if not covered(info, links, d) and not untracked(d)]
        if missing:
            yield Hit(msg("{count} of its {total} documents are neither embedded nor mapped by its Source Link "
                          "(first: {first})", total=len(info.documents), **listed(missing)), **where(symbols),
                      details=evidence(symbols, documents=names(missing)))


@rule("D005", "source-link-url", Severity.WARNING, Outcome(), target="any")
def source_link_url(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        links = source_link_of(a, symbols, info)
        for entry in links.entries if isinstance(links, SourceLinkMap) else ():
            problem = url_problem(entry.uri_prefix)
            if problem:
                yield Hit(msg("its Source Link maps {path} to {url}, which {problem}", path=entry.path + "*" *
                              entry.is_prefix, url=_redacted(entry.target), problem=problem),
                          **where(symbols), details=evidence(symbols))


def _redacted(url: str) -> str:
    """A URL with the password of its user information replaced, so findings never repeat a secret."""
    return re.sub(r"(//[^/:@]*:)[^/@]*@", r"\1***@", url)


@rule("D009", "untracked-sources", Severity.WARNING, Outcome(), target="any")
def untracked_sources(a: Artifacts) -> Iterator[Hit]:
    for symbols, info in portable(a):
        if not isinstance(source_link_of(a, symbols, info), SourceLinkMap):
            continue
        missing = [d for d in info.documents if untracked(d) and d.row not in info.embedded]
        if missing:
            yield Hit(msg("{count} generated or untracked documents are not embedded; Source Link cannot fetch "
                          "files git does not track (first: {first})", **listed(missing)), **where(symbols),
                      details=evidence(symbols, documents=names(missing)))
