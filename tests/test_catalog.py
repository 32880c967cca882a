"""The rule catalog (rules/*.md) and the implementation correspond one to one."""

from __future__ import annotations

import re

import pytest

from snupkg_lint.catalog import SECTIONS, load_catalog, parse_doc, render
from snupkg_lint.checks import all_rules
from snupkg_lint.engine import INTERNAL_ERROR

RULES = {r.id: r for r in all_rules()}
CATALOG = load_catalog()


def test_every_rule_has_a_document_and_every_document_a_rule():
    assert sorted(CATALOG) == sorted(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_prose_comes_from_the_document_and_facts_from_the_declaration(rule_id):
    rule, doc = RULES[rule_id], CATALOG[rule_id]
    assert rule.summary == doc.summary and rule.fix == doc.fix
    assert "\n" not in doc.summary and len(doc.summary) <= 160
    shown = render(doc, rule.name, [("severity", rule.severity.value)])
    assert shown.splitlines()[0] == f"# {rule.id} {rule.name}"
    assert shown.splitlines()[2] == f"- **severity**: {rule.severity.value}"
    for fact in (f"severity: {rule.severity.value}", f"name: {rule.name}", f"status: {rule.outcome.status}"):
        assert fact not in doc.body  # facts are never written into the prose


def test_a_document_with_front_matter_or_a_heading_is_refused():
    with pytest.raises(ValueError, match="generated"):
        parse_doc("P999", "---\nid: P999\n---\nText.\n")
    with pytest.raises(ValueError, match="generated"):
        parse_doc("P999", "# P999 some-rule\n\nText.\n")


@pytest.mark.parametrize("rule_id", sorted(CATALOG))
def test_document_has_every_section(rule_id):
    doc = CATALOG[rule_id]
    assert list(doc.sections)[: len(SECTIONS)] == list(SECTIONS)
    assert all(doc.sections[s] for s in SECTIONS), [s for s in SECTIONS if not doc.sections[s]]
    assert doc.summary and doc.fix


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_identity_conventions(rule_id):
    rule = RULES[rule_id]
    assert re.fullmatch(r"[PVXND]\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.summary and rule.fix


def test_names_are_unique():
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


def test_every_nuget_rule_has_its_place_in_the_evaluation_order():
    from snupkg_lint.checks.order import PUSH_ORDER, VALIDATION_STEPS

    push = {r.id for r in RULES.values() if r.outcome.stage and r.outcome.stage.value == "push"}
    steps = {r.id for r in RULES.values() if r.outcome.stage and r.outcome.stage.value == "validation"}
    rules = [step for step in PUSH_ORDER if "-" not in step]  # RULE-case entries: a rule's second point
    assert sorted(rules) == sorted(push) and len(PUSH_ORDER) == len(set(PUSH_ORDER))
    assert all(step.split("-")[0] in push for step in PUSH_ORDER)
    assert sorted(VALIDATION_STEPS) == sorted(steps) and len(VALIDATION_STEPS) == len(set(VALIDATION_STEPS))


def test_internal_error_is_a_catalog_rule_that_marks_the_report_incomplete():
    assert RULES[INTERNAL_ERROR].name == "internal-error" and RULES[INTERNAL_ERROR].incomplete
    assert {r.id for r in RULES.values() if r.incomplete} == {"V301", "X001", "X002", "X003"}


def _calls(name):
    import ast
    from pathlib import Path

    for path in sorted((Path(__file__).parent.parent / "snupkg_lint" / "checks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                yield path.name, node


def test_rules_give_message_keys_and_arguments_never_formatted_text():
    import ast

    hits = list(_calls("Hit"))
    templates = list(_calls("msg"))
    assert len(hits) > 50 and len(templates) > 50
    for where, call in hits:  # a Hit's message is a msg(...) or a variable holding one, never a string
        first = call.args[0]
        assert not isinstance(first, (ast.JoinedStr, ast.Constant, ast.BinOp)), f"{where}:{call.lineno}"
    for where, call in templates:  # a template is a fixed key: a plain string, never an f-string
        assert isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str), f"{where}:{call.lineno}"


def test_a_finding_without_a_message_key_is_refused():
    from snupkg_lint.model import Hit

    with pytest.raises(TypeError, match="msg"):
        RULES["P223"].finding(Hit("formatted text"))
