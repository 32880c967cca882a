"""What a debugger and a reproducible rebuild need from a portable PDB, read once, with errors as values.

:func:`read_debug_info` reads the Document table (§4, §4.1), the Source Link (§5.4), the EmbeddedSource headers, the
CompilationOptions and the CompilationMetadataReferences CDIs (§5.3) through :class:`PortablePdb`; a part that
cannot be read is a :class:`PartError` naming the part (and the row, in its text), and the other parts are still
read. It also hashes the embedded sources while the PDB is open (:func:`embedded_source_digests`: each inflated,
within a size cap, and hashed with its document's algorithm) and keeps the ones that do not match their documents'
hashes, so the rule that reports them never opens the PDB again.
"""

from __future__ import annotations

import hashlib
import dataclasses
from dataclasses import dataclass
from typing import Iterator

from .pdb import (
    CDI_COMPILATION_METADATA_REFERENCES,
    CDI_COMPILATION_OPTIONS,
    CDI_SOURCE_LINK,
    HASH_MD5,
    HASH_SHA1,
    HASH_SHA256,
    LANGUAGE_CSHARP,
    LANGUAGE_VB,
    Document,
    EmbeddedSource,
    PortablePdb,
    shared_text,
)
from .shared import Shared
from .source import FormatError

HASH_NAMES = {HASH_SHA1: "sha1", HASH_SHA256: "sha256", HASH_MD5: "md5"}
ROSLYN_LANGUAGES = frozenset({LANGUAGE_CSHARP, LANGUAGE_VB})
MAX_HASHED_SOURCE_BYTES = 16 * 1024 * 1024  # one embedded source inflated to hash it; larger ones are not hashed
MAX_HASHED_SOURCES_BYTES = 256 * 1024 * 1024  # all embedded sources of one PDB


# A DebugInfo is read-only: equal documents and compilation options (PortablePdb.held_compilation_options) are one
# object across the PDBs of a package (formats/shared.py), so thousands of PDBs of one source tree hold them once.
_DOCUMENTS: Shared[tuple, Document] = Shared()


def _document_key(d: Document) -> tuple:
    """What makes documents equal, with their GUIDs as numbers (cheaper to hash than UUIDs)."""
    return (d.row, d.name, d.hash, d.hash_algorithm.int if d.hash_algorithm else None,
            d.language.int if d.language else None)


# The rows of the documents whose sources a PDB embeds: equal sets (the PDBs of one project) are held once.
_EMBEDDED_ROWS: Shared[frozenset, frozenset] = Shared()
# The rows of a PDB that embeds no source. Each frozenset() is a new object (216 bytes), so one is shared: 50,000
# PDBs would otherwise hold 11 MB of empty sets.
_NO_ROWS: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PartError:
    part: str  # "Document table", "Source Link", "EmbeddedSource", "CompilationOptions", ...
    error: str


@dataclass(frozen=True, slots=True)
class SourceDigest:
    document: Document
    digest: bytes | None  # the embedded content hashed with the document's algorithm
    error: str | None = None  # why it could not be inflated (corrupt, or over the cap)


@dataclass(frozen=True, slots=True)
class DebugInfo:
    documents: tuple[Document, ...] = ()
    source_link: str | None = None  # the JSON text attached to the Module
    embedded: frozenset[int] = _NO_ROWS  # the rows of the documents whose source is embedded
    compilation_options: dict[str, str] | None = None  # None: no CompilationOptions CDI
    has_metadata_references: bool = False
    errors: tuple[PartError, ...] = ()
    # the embedded sources that do not hash to their document's hash, or cannot be read to hash them
    # (embedded_source_digests); the ones that match are not kept
    source_mismatches: tuple[SourceDigest, ...] = ()

    def error(self, part: str) -> PartError | None:
        return next((e for e in self.errors if e.part == part), None)

    @property
    def roslyn(self) -> bool:
        """A C# or VB compilation (a document says so, or the compilation options do): the producer that writes
        compilation options and metadata references. F#, C++/CLI and others do not."""
        if self.compilation_options:
            return True
        return any(d.language in ROSLYN_LANGUAGES for d in self.documents)


def read_debug_info(pdb: PortablePdb) -> DebugInfo:
    errors: list[PartError] = []

    def attempt(part: str, read, default):
        try:
            return read()
        except FormatError as exc:
            errors.append(PartError(part, str(exc)))
            return default

    documents = tuple(_DOCUMENTS.get(_document_key(d), lambda _, d=d: d)
                      for d in attempt("Document table", pdb.documents, []))
    kinds = attempt("CustomDebugInformation table", pdb.module_cdi_kind_numbers, frozenset())
    source_link = attempt("Source Link", pdb.source_link, None) if CDI_SOURCE_LINK.int in kinds else None
    headers = attempt("EmbeddedSource", pdb.embedded_sources, {})
    embedded = _EMBEDDED_ROWS.same(frozenset(headers)) if headers else _NO_ROWS
    options = attempt("CompilationOptions", pdb.held_compilation_options, {}) \
        if CDI_COMPILATION_OPTIONS.int in kinds else None
    if source_link is not None:
        source_link = shared_text(source_link)
    references = CDI_COMPILATION_METADATA_REFERENCES.int in kinds and \
        attempt("CompilationMetadataReferences", pdb.check_compilation_metadata_references, True)
    mismatches = tuple(found for found in _digests(pdb, documents, headers)  # while the PDB's heaps are at hand
                       if found.error is not None or found.digest != found.document.hash) if headers else ()
    return DebugInfo(documents, source_link, embedded, options, bool(references), tuple(errors), mismatches)


def held(info: DebugInfo) -> DebugInfo:
    """`info` as read in another process (unpickled), with its documents, Source Link text and embedded rows the
    objects this process holds for equal ones, as if it had read the PDB itself."""
    documents = tuple(_DOCUMENTS.get(_document_key(d), lambda _, d=d: d) for d in info.documents)
    return dataclasses.replace(
        info, documents=documents, source_link=shared_text(info.source_link) if info.source_link is not None else None,
        embedded=_EMBEDDED_ROWS.same(info.embedded) if info.embedded else _NO_ROWS)


def embedded_source_digests(pdb: PortablePdb, info: DebugInfo) -> Iterator[SourceDigest]:
    """For each document with an embedded source and a hash of a known algorithm: the content's hash (within
    MAX_HASHED_SOURCE_BYTES a source and MAX_HASHED_SOURCES_BYTES a PDB; larger ones are left out)."""
    try:
        headers = pdb.embedded_sources()
    except FormatError:  # an EmbeddedSource error of read_debug_info's: nothing is hashed
        return iter(())
    return _digests(pdb, info.documents, headers)


def _digests(pdb: PortablePdb, documents: tuple[Document, ...],
             embedded: dict[int, EmbeddedSource]) -> Iterator[SourceDigest]:
    by_row = {d.row: d for d in documents}
    budget = MAX_HASHED_SOURCES_BYTES
    for row, header in sorted(embedded.items()):
        document = by_row.get(row)
        name = HASH_NAMES.get(document.hash_algorithm) if document is not None else None
        if document is None or name is None or not document.hash:
            continue
        if header.size > min(MAX_HASHED_SOURCE_BYTES, budget):
            continue  # not hashed: snupkg-lint's bound, not a verdict
        budget -= header.size
        try:
            text = pdb.embedded_source_text(row, MAX_HASHED_SOURCE_BYTES)
        except FormatError as exc:
            yield SourceDigest(document, None, str(exc))
            continue
        yield SourceDigest(document, hashlib.new(name, text).digest())
