"""Symbol validation per assembly: portable PDB, PDB id ↔ CodeView, corrupt files, PdbChecksum
(SymbolsValidatorService.ValidateSymbolMatching / IsPortable / IsChecksumMatch)."""

from __future__ import annotations

from typing import Iterator

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import messages as m
from snupkg_lint.checks.registry import rule
from snupkg_lint.checks.symbol_flow import Validated, extracted_pairs, validated
from snupkg_lint.formats import netpath
from snupkg_lint.formats.pdb import format_pdb_id
from snupkg_lint.formats.pdb_checksum import is_known_algorithm
from snupkg_lint.model import Hit, Message, Severity, msg, validation

ERROR = Severity.ERROR


_KINDS = {"windows": msg("a Windows PDB (MSF 7.00)"), "msf2": msg("an old Windows PDB (MSF 2.00)"),
          "unknown": msg("not a PDB at all"), "unreadable": msg("unreadable")}


def _kind(kind: str) -> Message | str:
    return _KINDS.get(kind, kind)


@rule("V103", "pdb-not-portable", ERROR, validation(252, m.ISSUE_NOT_PORTABLE))
def pdb_not_portable(a: Artifacts) -> Iterator[Hit]:
    order: dict[int, int] = {}  # a PDB's place in the job's order (its first pair), worked out at the first hit
    for pdb in a.snupkg.pdb_entries:
        if netpath.extension(pdb.name) != ".pdb":
            continue  # never extracted by the job (and refused at push: P223)
        partners = a.assemblies_for(pdb)
        if partners and all(netpath.extension(p.name) not in (".dll", ".exe") for p in partners):
            continue  # never validated (V201)
        symbol = a.symbol(pdb)
        if symbol.kind not in ("portable", "unreadable"):
            order = order or {p.index: n for n, (_, p) in reversed(list(enumerate(extracted_pairs(a))))}
            yield Hit(msg('the file is {kind}, not a portable PDB', kind=_kind(symbol.kind)), entry=pdb.name,
                      details={"format": symbol.kind}, order=order.get(pdb.index, 1 << 30))


def _folder(name: str) -> Message | str:
    return netpath.directory(name).replace("\\", "/") or msg("the root")


def _mismatch(v: Validated) -> Message | None:
    cv, pe = v.codeview, v.assembly.entry.name
    if v.outcome == "no-codeview":
        if any(c.entry.minor == 0 for c in v.assembly.image.codeview_entries()):
            return msg("{assembly} has no portable CodeView debug entry (only a Windows one: it was built with "
                       "DebugType full or pdbonly)", assembly=pe)
        return msg("{assembly} has no portable CodeView debug entry", assembly=pe)
    if v.outcome == "pdb-not-found":
        return msg("{assembly}'s CodeView entry names '{file_name}', and the .snupkg has no portable PDB of that name "
                   "in {folder}", assembly=pe, file_name=cv.file_name, folder=_folder(pe))
    if v.outcome == "id-mismatch":
        return msg("PDB id {found_id} of {found} differs from the id {expected_id} that {assembly} expects: the DLL "
                   "and PDB come from different builds", found_id=format_pdb_id(v.found.pdb.id),
                   found=v.found.entry.name, expected_id=format_pdb_id(cv.pdb_id), assembly=pe)
    if v.outcome == "embedded-only":
        return msg("{assembly} carries an embedded PDB; nuget.org only accepts a PDB file that matches its CodeView "
                   "entry", assembly=pe)
    return None


@rule("V104", "pdb-id-mismatch", ERROR, validation(251, m.ISSUE_NO_MATCHING_ASSEMBLY))
def pdb_id_mismatch(a: Artifacts) -> Iterator[Hit]:
    for n, v in enumerate(validated(a)):
        reason = _mismatch(v)
        if reason:
            yield Hit(reason, entry=v.pdb.entry.name, details=_evidence(v), order=n)


def _evidence(v: Validated) -> dict:
    out: dict = {"assembly": v.assembly.entry.name}
    if v.codeview is not None:
        out["expected_id"] = v.codeview.pdb_id.hex()
        out["codeview_path"] = v.codeview.path
    if v.found is not None and v.found.pdb is not None:
        out["found_id"] = v.found.pdb.id.hex()
    return out


@rule("V105", "symbols-corrupt", ERROR, validation(0, m.ISSUE_UNKNOWN))
def symbols_corrupt(a: Artifacts) -> Iterator[Hit]:
    reported = {f.entry.index for v in validated(a) if v.outcome == "crash" for f in (v.pdb, v.found) if f}  # V109
    for n, v in enumerate(validated(a)):
        if v.outcome == "corrupt":
            reported.add(v.pdb.entry.index)
            yield Hit(msg("nuget.org's reader fails on {assembly} and its PDB: {reason}",
                          assembly=v.assembly.entry.name, reason=v.reason),
                      entry=v.pdb.entry.name, order=n)
        elif v.outcome == "matched":
            verdict, _ = _verdict(a, v)
            if verdict.startswith("unreadable:"):
                yield Hit(msg("{found} cannot be read to hash it: {error}",
                              found=v.found.entry.name, error=verdict[11:]), entry=v.found.entry.name,
                          order=n)
            for problem in _checksum_errors(v, limited=False):
                yield Hit(msg("{assembly}: {message}", assembly=v.assembly.entry.name, message=problem.message),
                          entry=v.pdb.entry.name, order=n)
    for pdb in a.snupkg.pdb_entries:
        symbol = a.symbol(pdb)
        if pdb.index in reported or netpath.extension(pdb.name) != ".pdb":
            continue
        if symbol.kind == "unreadable" or (symbol.kind == "portable" and symbol.pdb is None):
            yield Hit(msg('the PDB cannot be read: {error}', error=symbol.error), entry=pdb.name, order=1 << 30)


@rule("V109", "validation-job-crashes", ERROR, validation(0, m.ISSUE_UNKNOWN))
def validation_job_crashes(a: Artifacts) -> Iterator[Hit]:
    for n, v in enumerate(validated(a)):
        if v.outcome == "crash":
            yield Hit(msg("nuget.org's job stops on {assembly} with an exception it does not catch: {reason}; no "
                          "issue code is recorded and no e-mail is sent",
                          assembly=v.assembly.entry.name, reason=v.reason),
                      entry=v.pdb.entry.name, order=n, details=_evidence(v))


def _checksum_errors(v: Validated, *, limited: bool) -> list:
    """PdbChecksum entries the reader could not decode (limited: only snupkg-lint's bound was exceeded)."""
    return [e for e in v.assembly.image.data_errors if e.entry.type == 19 and e.exceeded_limit == limited]


def _checksum_records(v: Validated):
    if v.outcome != "matched" or any(e.entry.type == 19 for e in v.assembly.image.data_errors):
        return None
    return v.assembly.image.pdb_checksums()


@rule("V106", "pdb-checksum-missing", ERROR, validation(250, m.ISSUE_CHECKSUM))
def pdb_checksum_missing(a: Artifacts) -> Iterator[Hit]:
    for n, v in enumerate(validated(a)):
        if _checksum_records(v) == []:
            yield Hit(msg("{assembly} has no PdbChecksum entry (its PDB id matches)", assembly=v.assembly.entry.name),
                      entry=v.pdb.entry.name,
                      order=n)


def _verdict(a: Artifacts, v: Validated) -> tuple[str, list[dict]]:
    """'pass', 'mismatch' or 'unknown:<name>' in the order the job evaluates the records, and the evidence
    (worked out once per assembly: four rules read it)."""
    verdicts = a.memo.setdefault("checksum_verdicts", {})
    key = v.assembly.entry.index
    if key not in verdicts:
        verdicts[key] = _checksum_verdict(a, v)
    return verdicts[key]


def _checksum_verdict(a: Artifacts, v: Validated) -> tuple[str, list[dict]]:
    evidence: list[dict] = []
    for record in _checksum_records(v) or []:
        if not is_known_algorithm(record.algorithm):
            return f"unknown:{record.algorithm}", evidence
        digest = a.pdb_digest(v.found, record.algorithm)
        if digest.limited:
            return "unchecked:" + digest.error, evidence
        if digest.value is None:
            return "unreadable:" + digest.error, evidence
        if digest.value == record.checksum:
            return "pass", evidence
        evidence.append({"algorithm": record.algorithm, "expected": record.checksum.hex(), "actual": digest.value.hex()})
    return ("mismatch" if evidence else "pass"), evidence


@rule("V107", "pdb-checksum-mismatch", ERROR, validation(250, m.ISSUE_CHECKSUM))
def pdb_checksum_mismatch(a: Artifacts) -> Iterator[Hit]:
    for n, v in enumerate(validated(a)):
        verdict, evidence = _verdict(a, v)
        if verdict == "mismatch":
            shown = tuple(msg("{algorithm} expected {expected}, PDB hashes to {actual}", **e) for e in evidence)
            yield Hit(msg("{found} does not match the PdbChecksum of {assembly}: {shown}",
                          found=v.found.entry.name, assembly=v.assembly.entry.name, shown=shown),
                      entry=v.found.entry.name, order=n,
                      details={"assembly": v.assembly.entry.name, "checksums": evidence})


@rule("V108", "checksum-algorithm-unknown", ERROR, validation(0, m.ISSUE_UNKNOWN))
def checksum_algorithm_unknown(a: Artifacts) -> Iterator[Hit]:
    for n, v in enumerate(validated(a)):
        verdict, _ = _verdict(a, v)
        if verdict.startswith("unknown:"):
            yield Hit(msg("{assembly} has a PdbChecksum with algorithm '{algorithm}': nuget.org's job fails on it "
                          "and reports no specific issue", assembly=v.assembly.entry.name, algorithm=verdict[8:]),
                      entry=v.pdb.entry.name, order=n)

