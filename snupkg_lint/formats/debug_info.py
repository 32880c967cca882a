"""What a debugger and a reproducible rebuild need from a portable PDB, read once, with errors as values.

:func:`read_debug_info` reads the Document table (§4, §4.1), the Source Link (§5.4), the EmbeddedSource headers, the
CompilationOptions and the CompilationMetadataReferences CDIs (§5.3) through :class:`PortablePdb`; a part that
cannot be read is a :class:`PartError` naming the part (and the row, in its text), and the other parts are still
read. It also hashes the embedded sources while the PDB is open (:func:`embedded_source_digests`: each inflated,
within a size cap, and hashed with its document's algorithm), so the rule that compares them with the documents'
hashes never opens the PDB again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
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


_NONE_EMBEDDED: dict[int, EmbeddedSource] = {}  # the embedded sources of a PDB with none (read-only)


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
    embedded: dict[int, EmbeddedSource] = field(default_factory=dict)  # document row → header
    compilation_options: dict[str, str] | None = None  # None: no CompilationOptions CDI
    has_metadata_references: bool = False
    errors: tuple[PartError, ...] = ()
    source_digests: tuple[SourceDigest, ...] = ()  # the embedded sources hashed (embedded_source_digests)

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
    embedded = attempt("EmbeddedSource", pdb.embedded_sources, {}) or _NONE_EMBEDDED
    options = attempt("CompilationOptions", pdb.held_compilation_options, {}) \
        if CDI_COMPILATION_OPTIONS.int in kinds else None
    if source_link is not None:
        source_link = shared_text(source_link)
    references = CDI_COMPILATION_METADATA_REFERENCES.int in kinds and \
        attempt("CompilationMetadataReferences", pdb.check_compilation_metadata_references, True)
    digests = tuple(_digests(pdb, documents, embedded)) if embedded else ()  # while the PDB's heaps are at hand
    return DebugInfo(documents, source_link, embedded, options, bool(references), tuple(errors), digests)


def embedded_source_digests(pdb: PortablePdb, info: DebugInfo) -> Iterator[SourceDigest]:
    """For each document with an embedded source and a hash of a known algorithm: the content's hash (within
    MAX_HASHED_SOURCE_BYTES a source and MAX_HASHED_SOURCES_BYTES a PDB; larger ones are left out)."""
    return _digests(pdb, info.documents, info.embedded)


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
