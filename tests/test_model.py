"""model: findings built cheaply are still the dataclasses they were, and the English render cache never gives a
message another message's text."""

import copy
import dataclasses
import pickle

import pytest

from snupkg_lint import model
from snupkg_lint.model import NO_OUTCOME, Finding, Hit, Message, Rule, Severity, msg, push


def _rule(**more):
    return Rule("T001", "test-rule", Severity.WARNING, more.pop("outcome", NO_OUTCOME), "summary", "the fix",
                check=lambda a: (), **more)


def test_quick_dataclasses_keep_their_signature_defaults_and_immutability():
    a, b = Finding("R", "n", Severity.INFO, "m", None, NO_OUTCOME, "fix"), Finding(
        rule="R", name="n", severity=Severity.INFO, message="m", entry=None, outcome=NO_OUTCOME, fix="fix")
    assert a == b and a.details == {} and a.details is not b.details and a.order == -1 and a.text is None
    assert pickle.loads(pickle.dumps(a)) == a == copy.deepcopy(a) == copy.copy(a)
    assert dataclasses.replace(a, severity=Severity.ERROR).severity is Severity.ERROR
    assert repr(Hit(msg("x"))) == ("Hit(message=Message(template='x', args={}), entry=None, part=None, "
                                   "server_message=None, status=None, severity=None, details={}, order=-1, step=None)")
    assert Message("t").args == {} and Message("t").args is not Message("t").args
    for obj in (a, Hit(msg("x")), Message("t")):
        for name in ("entry", "template", "other"):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(obj, name, "x")
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(obj, name)
    with pytest.raises(TypeError):
        Finding("R")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Hit(msg("x"), nothing=1)  # type: ignore[call-arg]


def test_quick_refuses_what_it_cannot_build():
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    with pytest.raises(TypeError):
        model._quick(NoSlots)


def test_equal_messages_share_one_text_and_one_message():
    model._ENGLISH.clear()
    rule = _rule()
    first = rule.finding(Hit(msg("{count} documents (first: {first})", count=2, first="a" * 50)))
    again = rule.finding(Hit(msg("{count} documents (first: {first})", count=2, first="a" * 50)))
    assert again.message is first.message and again.text is first.text
    assert first.message == "2 documents (first: " + "a" * 50 + ")"


@pytest.mark.parametrize("value, text", [(1, "1"), (True, "True"), (1.0, "1.0"), ("1", "1"), (-0.0, "-0.0"),
                                         (0.0, "0.0"), (None, "None"), ((1,), "(1,)")])
def test_equal_arguments_that_read_differently_are_rendered_each(value, text):
    model._ENGLISH.clear()
    for other in (1, True, 1.0, "1", 0.0, -0.0):
        Message("<{v}>", {"v": other}).render()
    assert Message("<{v}>", {"v": value}).render() == f"<{text}>"


def test_argument_order_is_kept_with_the_message():
    model._ENGLISH.clear()
    rule = _rule()
    one = rule.finding(Hit(Message("{a}{b}", {"a": "x", "b": "y"})))
    two = rule.finding(Hit(Message("{a}{b}", {"b": "y", "a": "x"})))
    assert list(one.text.args) == ["a", "b"] and list(two.text.args) == ["b", "a"] and one.message == two.message


def test_the_cache_is_bounded_and_translations_bypass_it(monkeypatch):
    model._ENGLISH.clear()
    monkeypatch.setattr(model, "ENGLISH_CACHE", 10)
    for n in range(100):
        assert msg("n={n}", n=n).render() == f"n={n}"
        assert len(model._ENGLISH) <= 10
    assert msg("n={n}", n=3).render(lambda t: "N=" + t[2:]) == "N=3"
    phrase = msg("{a} and {b}", a=msg("one"), b=(msg("two"), msg("three")))
    translations = {"{a} and {b}": "{a} und {b}", "one": "eins", "two": "zwei", "three": "drei"}
    assert phrase.render() == "one and two; three" and phrase.render(translations.get) == "eins und zwei; drei"


def test_a_finding_keeps_what_its_rule_and_hit_say():
    rule = _rule(outcome=push(400, "line one\nline two"))
    details = {"k": [1, 2]}
    f = rule.finding(Hit(msg("m {x}", x=1), entry="e", part="p", severity=Severity.ERROR, details=details, order=3,
                         step="S"))
    assert (f.rule, f.name, f.severity, f.message, f.entry, f.part, f.fix, f.order, f.step) == (
        "T001", "test-rule", Severity.ERROR, "m 1", "e", "p", "the fix", 3, "S")
    assert f.outcome.server_message == "line one line two" and f.details == details and f.details is not details
    with pytest.raises(TypeError):
        rule.finding(Hit("formatted text"))  # type: ignore[arg-type]
