"""What issue #6's memory and speed work shares or reorders answers as before: values held once across PDBs are
equal to what each PDB says and never leak a caller's changes; the in-memory entry source reads and fails as the
zip entry source; the Source Link cache gives what a fresh parse gives; push-stage rules run first with the findings
in the rules' order. Speed and memory themselves are measured by tools/benchmark.py."""

from __future__ import annotations

import hashlib
import random
import uuid

import pytest

from snupkg_lint import engine
from snupkg_lint.artifacts import Artifacts
from snupkg_lint.formats import sourcelink
from snupkg_lint.formats.archive import ZipArchive, held_source
from snupkg_lint.formats.debug_info import read_debug_info
from snupkg_lint.formats.pdb import PortablePdb
from snupkg_lint.formats.shared import Shared
from snupkg_lint.formats.source import BytesSource, FormatError
from snupkg_lint.model import Hit, Outcome, Rule, Severity, msg, push
from tests.factory import package as pkg
from tests.factory.pair import portable_pdb

CSHARP = uuid.UUID("3f5162f8-07c6-11d3-9053-00c04fa302a1")
SHA256 = uuid.UUID("8829d00f-11b8-4213-878b-770e8597ac16")


def documents(*names: str) -> list:
    return [(name, SHA256, hashlib.sha256(name.encode()).digest(), CSHARP) for name in names]


def pdb_of(*names: str, **kwargs) -> PortablePdb:
    return PortablePdb.open(BytesSource(portable_pdb(documents=documents(*names), **kwargs)))


# -- formats/shared.Shared ------------------------------------------------------------------------------------------


def test_shared_gives_back_the_object_held_for_an_equal_value_and_starts_again_when_full():
    table: Shared[str, str] = Shared(kept=3)
    first = "".join(["do", "cument"])
    assert table.same(first) is first
    assert table.same("".join(["doc", "ument"])) is first  # equal, another object: the held one comes back
    made = []
    assert table.get("key", lambda k: made.append(k) or k.upper()) == "KEY"
    assert table.get("key", lambda k: made.append(k) or "other") == "KEY" and made == ["key"]
    table.same("a"), table.same("b")  # full (3 held): the next new value empties the table first
    later = "".join(["do", "cument"])
    assert table.same(later) is later


def test_a_failing_maker_leaves_nothing_held():
    table: Shared[bytes, int] = Shared()

    def refuse(_: bytes) -> int:
        raise FormatError("corrupt")

    with pytest.raises(FormatError):
        table.get(b"x", refuse)
    assert table.get(b"x", len) == 1


# -- what the PDB readers share -------------------------------------------------------------------------------------


def test_pdbs_of_one_source_tree_share_their_documents_names_and_options():
    names = ("/_/src/Lib/A.cs", "/_/src/Lib/Sub/B.cs", "/_/src/Lib/obj/Release/net8.0/Lib.AssemblyInfo.cs")
    one, other = pdb_of(*names), pdb_of(*names, padding=8)  # another PDB (another id) of the same sources
    assert one.id != other.id
    first, second = read_debug_info(one), read_debug_info(other)
    assert [d.name for d in first.documents] == list(names) == [d.name for d in second.documents]
    assert all(a is b for a, b in zip(first.documents, second.documents))
    assert first.compilation_options is second.compilation_options
    assert first.compilation_options == one.compilation_options()
    assert first.source_link is second.source_link


def test_pdbs_that_embed_the_same_documents_share_the_rows_and_keep_only_the_sources_that_do_not_match():
    names = ("/_/src/Lib/A.cs", "/_/src/Lib/B.cs", "/_/src/Lib/C.cs")
    matching = {row: name.encode() for row, name in enumerate(names, start=1)}  # documents() hashes the names
    one, other = pdb_of(*names, embedded_sources=matching), pdb_of(*names, embedded_sources=matching, padding=8)
    first, second = read_debug_info(one), read_debug_info(other)
    assert first.embedded == {1, 2, 3} and first.embedded is second.embedded
    assert first.source_mismatches == second.source_mismatches == ()
    stale = read_debug_info(pdb_of(*names, embedded_sources={**matching, 2: b"changed since"}))
    assert [(found.document.row, found.error) for found in stale.source_mismatches] == [(2, None)]
    assert stale.embedded == first.embedded


def test_debug_information_from_the_helper_is_held_through_what_this_process_holds():
    """What the forked helper sends (pickled) is held as if read here: the documents, Source Link text and embedded
    rows are this process's objects for equal ones, and a PDB that embeds nothing holds the one empty set (a new
    frozenset() is a new 216-byte object: 50,000 small PDBs held 11 MB of them)."""
    import pickle

    from snupkg_lint.formats.debug_info import held

    names = ("/_/src/Lib/A.cs", "/_/src/Lib/B.cs")
    embedding = read_debug_info(pdb_of(*names, embedded_sources={1: names[0].encode()}))
    plain, other_plain = read_debug_info(pdb_of(*names)), read_debug_info(pdb_of(*names, padding=8))
    assert plain.embedded == frozenset() and plain.embedded is other_plain.embedded
    for info in (embedding, plain):
        sent = held(pickle.loads(pickle.dumps(info, protocol=pickle.HIGHEST_PROTOCOL)))
        assert sent == info
        assert all(a is b for a, b in zip(sent.documents, info.documents))
        assert sent.embedded is info.embedded and sent.source_link is info.source_link


def test_documents_that_differ_in_anything_are_not_shared():
    base = read_debug_info(pdb_of("/_/src/A.cs")).documents[0]
    for changed in (documents("/_/src/B.cs"), [("/_/src/A.cs", SHA256, bytes(32), CSHARP)],
                    [("/_/src/A.cs", SHA256, hashlib.sha256(b"/_/src/A.cs").digest(), None)]):
        other = read_debug_info(PortablePdb.open(BytesSource(portable_pdb(documents=changed)))).documents[0]
        assert other is not base and other != base


def test_compilation_options_is_a_fresh_dict_the_caller_may_change():
    pdb = pdb_of("/_/src/A.cs")
    options = pdb.compilation_options()
    options["optimization"] = "debug"
    options["injected"] = "yes"
    assert "injected" not in pdb.compilation_options() and "injected" not in pdb.held_compilation_options()
    assert pdb_of("/_/src/Z.cs").compilation_options()["optimization"] == "release"


def test_cdi_kind_numbers_are_the_kinds_guids(corpus):
    pdbs = [p for p in corpus.rglob("*.pdb") if p.read_bytes()[:4] == b"BSJB"]
    assert pdbs
    for path in pdbs:
        reader = PortablePdb.open(BytesSource(path.read_bytes()))
        try:
            kinds = reader.module_cdi_kinds()
        except FormatError:
            continue
        assert reader.module_cdi_kind_numbers() == {kind.int for kind in kinds}, path


# -- the in-memory entry source -------------------------------------------------------------------------------------


def test_a_held_entry_reads_and_fails_as_the_zip_entry_source(tmp_path):
    data = portable_pdb(documents=documents("/_/src/A.cs"))
    path = pkg.write(tmp_path, "x.snupkg", pkg.package({"lib/net8.0/A.pdb": data}))
    with ZipArchive.open(path) as archive:
        [entry] = [e for e in archive.entries if e.name.endswith(".pdb")]
        source = archive.source(entry)
        assert source.held() is source  # nothing inflated yet
        source.head(64)
        held = source.held()
        assert held is not source and held.size == source.size == len(data)
        whole = held_source(entry, archive.small(entry))  # the small entry read at once, as the artifacts open it
        rng = random.Random(6)
        for _ in range(300):
            offset, length = rng.randrange(-2, len(data) + 3), rng.randrange(-2, 80)
            answers = []
            for reader in (source, held, whole):
                try:
                    answers.append(reader.read(offset, length))
                except FormatError as exc:
                    answers.append(str(exc))
            assert answers[0] == answers[1] == answers[2], (offset, length)
        assert held.head(10) == whole.head(10) == source.head(10) == data[:10]


# -- the Source Link cache ------------------------------------------------------------------------------------------


def test_a_source_link_text_is_parsed_once_and_answers_as_a_fresh_parse():
    text = '{"documents": {"/_/*": "https://raw.githubusercontent.com/o/r/0123abcd/*", "C:\\\\src\\\\*": "x"}}'
    first, again = sourcelink.parse_source_link(text), sourcelink.parse_source_link("".join([text]))
    assert first is again and first == sourcelink._parse(text)
    for path in ("/_/src/A.cs", "/_/src/A.cs", "/_/Src/b c.cs", "C:\\src\\d\\e.cs", "/elsewhere.cs", "/_/*"):
        assert first.url_for(path) == first._url_for(path) == sourcelink._parse(text).url_for(path)
    for bad in ("[1]", '{"documents": {"a*b": "x"}}', "{", '{"documents": {"a": 1},}'):
        messages = []
        for _ in range(2):
            with pytest.raises(FormatError) as caught:
                sourcelink.parse_source_link(bad)
            messages.append(str(caught.value))
        assert messages[0] == messages[1]


def test_trailing_commas_are_still_accepted_and_commas_in_strings_kept():
    parsed = sourcelink.parse_source_link('{"documents": {"/_/*": "https://h/a,}/*",},}')
    assert parsed.url_for("/_/x.cs") == "https://h/a,}/x.cs"


# -- rule evaluation order ------------------------------------------------------------------------------------------


def test_push_stage_rules_run_first_but_findings_keep_the_rules_order(tmp_path):
    """The push-stage rules are those whose outcome is a push answer."""
    ran = []

    def recording(rule_id):
        def check(_a):
            ran.append(rule_id)
            yield Hit(msg("found by {rule}", rule=rule_id))
        return check

    def crashing(_a):
        ran.append("V102")
        yield Hit(msg("before the crash"))
        raise RuntimeError("boom")

    rules = [Rule(i, f"rule-{i.lower()}", Severity.WARNING, push(400) if i[0] == "P" else Outcome(), "s", "f",
                  recording(i)) for i in ("D001", "N001", "P100", "V101", "P200")]
    rules.insert(4, Rule("V102", "rule-v102", Severity.WARNING, Outcome(), "s", "f", crashing))
    path = pkg.write(tmp_path, "x.snupkg", pkg.package({"lib/net8.0/A.pdb": portable_pdb()}))
    with Artifacts(path, None) as artifacts:
        found = engine.run_rules(artifacts, rules)
    assert ran == ["P100", "P200", "D001", "N001", "V101", "V102"]
    assert [f.rule for f in found] == ["D001", "N001", "P100", "V101", "V102", "X001", "P200"]
