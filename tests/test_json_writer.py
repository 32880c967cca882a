"""report/json_writer.py writes what json.dumps(value, indent=2, ensure_ascii=False) writes, byte for byte, and fails
where it fails; the JSON report built on it is the json.dumps of its finding_dicts, whole or in pieces."""

import collections
import enum
import json
import random

import pytest

from snupkg_lint.model import NO_OUTCOME, Finding, Message, PackageReport, Severity, msg, push, validation
from snupkg_lint.report import json_report, json_writer

SEEDS = range(300)
CHARACTERS = ["a", "Z", "0", " ", "é", "ß", "中", "😀", "\U0010ffff", "\ud800", "\udfff", "\udbff\udc00", '"', "\\",
              "/", "\x00", "\x01", "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\n", "\r", "\t", "\b", "\f",
              "{", "}", ",", ":"]
FLOATS = [0.0, -0.0, 1.5, -2.25, 1e308, -1e308, 5e-324, 1e16, 1e-7, 123456789.125, float("inf"), float("-inf"),
          float("nan"), 0.1 + 0.2]
INTS = [0, 1, -1, 2**31, -(2**63), 2**64, 10**40, -(10**60) - 7]


class Colour(enum.IntEnum):
    RED = 3


class Level(str, enum.Enum):
    HIGH = "high\u00e9"


class Ratio(float):
    def __repr__(self):
        return "not this"


class Text(str):
    pass


class Numbers(list):
    pass


def text(rng: random.Random) -> str:
    return "".join(rng.choice(CHARACTERS) for _ in range(rng.randrange(0, 12)))


def scalar(rng: random.Random):
    kind = rng.randrange(10)
    if kind < 3:
        return text(rng)
    if kind == 3:
        return rng.choice(INTS + [rng.randrange(-10**6, 10**6)])
    if kind == 4:
        return rng.choice(FLOATS + [rng.uniform(-1e6, 1e6), Ratio(rng.random())])
    if kind == 5:
        return rng.choice([True, False, None])
    if kind == 6:
        return rng.choice([Colour.RED, Level.HIGH, Text(text(rng))])
    return text(rng)


def key(rng: random.Random):
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice(INTS + [True, False, None])
    if kind == 1:
        return rng.choice(FLOATS)
    if kind == 2:
        return rng.choice([Colour.RED, Level.HIGH])
    return text(rng)


def value(rng: random.Random, depth: int = 0):
    if depth >= 5 or rng.random() < 0.35:
        return scalar(rng)
    kind = rng.randrange(6)
    size = rng.randrange(0, 6)
    if kind == 0:
        return [value(rng, depth + 1) for _ in range(size)]
    if kind == 1:
        return tuple(value(rng, depth + 1) for _ in range(size))
    if kind == 2:
        return [text(rng) for _ in range(size)]  # the lists reports are made of: all strings
    if kind == 3:
        return Numbers(scalar(rng) for _ in range(size))
    if kind == 4:
        return collections.OrderedDict((key(rng), value(rng, depth + 1)) for _ in range(size))
    return {key(rng): value(rng, depth + 1) for _ in range(size)}


def expected(document) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_documents_are_written_as_json_dumps_writes_them(seed):
    rng = random.Random(seed)
    document = value(rng)
    assert json_writer.dumps(document) == expected(document)
    chunks: list[str] = []
    json_writer.dump([document, {"k": document}], chunks.append)
    assert "".join(chunks) == expected([document, {"k": document}])


@pytest.mark.parametrize("document", [
    "", "x", 0, -0.0, float("nan"), None, True, [], {}, (), [[]], [{}], {"": {}}, {"a": []}, [[[[[[[]]]]]]],
    {1: "a", "1": "b", 1.5: "c", True: "d", None: "e"}, {float("nan"): 1, float("inf"): 2, -0.0: 3},
    ["\ud800", "a\udfffb", "\x00\x1f\x7f"], [Colour.RED, Level.HIGH, Ratio(0.5), Text("t")], 10**100,
    {"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["end"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
])
def test_edge_cases(document):
    assert json_writer.dumps(document) == expected(document)


def _failure(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the test compares what was raised
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("document", [
    object(), {1, 2}, b"bytes", 1j, [1, object()], {"a": {"b": [b"x"]}}, {(1, 2): "tuple key"},
    {"a": {frozenset(): 1}}, [Message("a message is not JSON")],
])
def test_what_json_cannot_write_fails_as_json_dumps_fails(document):
    assert _failure(lambda: json_writer.dumps(document)) == _failure(lambda: expected(document)) is not None


def test_cycles_fail_as_json_dumps_fails():
    loop: list = ["a"]
    loop.append(loop)
    ring: dict = {"a": 1}
    ring["self"] = [ring]
    twice = ["x"]
    shared = {"one": twice, "two": twice, "three": [twice, twice]}  # the same list twice is no cycle
    for document in (loop, ring, {"k": loop}, [ring]):
        assert _failure(lambda: json_writer.dumps(document)) == (ValueError, "Circular reference detected")
        assert _failure(lambda: expected(document)) == (ValueError, "Circular reference detected")
    assert json_writer.dumps(shared) == expected(shared)


# the report


def _reference(reports, statistics=False) -> str:
    """json_report.render as it was: json.dumps of the document of finding_dicts."""
    document = {"tool": {"name": "snupkg-lint", "version": json_report.__version__},
                "packages": [json_report.package_dict(r) for r in reports]}
    if statistics:
        document["statistics"] = [{"rule": r, "name": n, "count": c}
                                  for r, n, c in json_report.rule_counts(reports)]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _argument(rng: random.Random):
    kind = rng.randrange(9)
    if kind == 0:
        return msg("a phrase {x}", x=text(rng))
    if kind == 1:
        return (msg("one"), msg("two {n}", n=rng.randrange(3)))
    if kind == 2:
        return [text(rng), 1, None, msg("in a list")]
    if kind == 3:
        return {"a dict": 1}  # written as its str()
    if kind == 4:
        return Colour.RED
    if kind == 5:
        return rng.choice(FLOATS)
    return scalar(rng)


def _findings(rng: random.Random, count: int) -> list[Finding]:
    rules = [("D002", "source-link-missing", Severity.WARNING, NO_OUTCOME, "fix it"),
             ("P2" + text(rng), "name " + text(rng), Severity.ERROR, push(400, "server " + text(rng)), text(rng)),
             ("V1", "v", Severity.INFO, validation(252, None), "")]
    shared = msg("the same {count} (first: {first})", count=4, first=text(rng))
    out = []
    for n in range(count):
        rule, name, severity, outcome, fix = rng.choice(rules)
        fix = fix if rng.random() < 0.8 else text(rng)  # the same rule, another fix: nothing of it is reused
        kind = rng.randrange(5)
        if kind == 0:
            text_ = shared
        elif kind == 1:
            text_ = None  # a finding built without its message key: its message is the template
        else:
            text_ = Message("{a} and {b}" if kind == 2 else text(rng).replace("{", "").replace("}", "") + " {a}",
                            {"a": _argument(rng), "b": _argument(rng)} if kind == 2 else {"a": _argument(rng)})
        message = text_.render() if text_ is not None else rng.choice(["plain", "braces {{kept}}", text(rng)
                                                                        .replace("{", "").replace("}", "")])
        details = rng.choice([{}, {"symbols": "snupkg", "assembly": text(rng), "documents": [text(rng)] * 3},
                              value(rng, 3) if rng.random() < 0.5 else {"n": rng.choice(INTS)}])
        if not isinstance(details, dict):
            details = {"value": details}
        out.append(Finding(rule, name, rng.choice([severity, Severity.INFO]), message,
                           rng.choice([None, text(rng), "lib/net8.0/A.pdb"]), rng.choice([outcome, NO_OUTCOME]), fix,
                           details, n, text_, rng.choice([None, "embedded PDB", text(rng)])))
    return out


@pytest.mark.parametrize("seed", range(60))
def test_random_reports_are_the_json_dumps_of_their_finding_dicts(seed):
    rng = random.Random(seed)
    reports = []
    for n in range(rng.randrange(0, 4)):
        findings = tuple(_findings(rng, rng.randrange(0, 25)))
        predicted = rng.choice((None,) + findings) if findings else None
        reports.append(PackageReport(f"/p/{text(rng)}{n}.snupkg", rng.choice([None, "/p/x.nupkg"]), findings,
                                     rng.choice(["pass", "push-rejected"]), predicted, (),
                                     rng.choice(["snupkg", "nupkg"])))
    for statistics in (False, True):
        assert json_report.render(reports, statistics=statistics) == _reference(reports, statistics)


def test_a_large_report_goes_out_in_pieces_that_make_the_whole():
    rng = random.Random(7)
    report = PackageReport("/p/a.snupkg", "/p/a.nupkg", tuple(_findings(rng, 3000)))
    chunks: list[str] = []
    json_report.write([report], chunks.append, statistics=True)
    whole = _reference([report], statistics=True)
    assert "".join(chunks) == whole == json_report.render([report], statistics=True)
    assert len(chunks) > 5 and max(map(len, chunks)) < len(whole) / 4
