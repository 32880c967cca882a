"""The rule catalog: the prose of every rule, one Markdown document per rule in the repository's top-level
rules/ folder, shipped inside the package as snupkg_lint/rules/.

A rule's facts (id, name, severity, nuget.org outcome) live in its ``@rule`` declaration; its prose lives
here, once: the document's first paragraph is the one-line summary (``snupkg-lint rules``, SARIF's
shortDescription), then the sections What it checks / Why it matters / Example / How to fix / Reference; the
first paragraph of How to fix is the fix every finding of the rule carries. The heading and the facts block
of the document as shown are generated from the declaration (:func:`render`), never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

SECTIONS = ("What it checks", "Why it matters", "Example", "How to fix", "Reference")


@dataclass(frozen=True)
class RuleDoc:
    id: str
    summary: str  # the first paragraph, on one line
    fix: str  # the first paragraph of How to fix, on one line
    body: str  # the document as written: summary and sections
    sections: dict[str, str]


def rules_dir() -> Path:
    """snupkg_lint/rules in an installed wheel; the checkout's rules/ when running from source."""
    shipped = resources.files("snupkg_lint") / "rules"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent / "rules"


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n", 1)[0].split())


def parse_doc(rule_id: str, text: str) -> RuleDoc:
    if text.startswith("---") or text.lstrip().startswith("#"):
        raise ValueError(f"{rule_id}.md: starts with front matter or a heading; both are generated from the rule")
    head, _, _ = text.partition("\n## ")
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    joined = {k: "\n".join(v).strip() for k, v in sections.items()}
    return RuleDoc(rule_id, _first_paragraph(head), _first_paragraph(joined.get("How to fix", "")), text.strip(),
                   joined)


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, RuleDoc]:
    docs: dict[str, RuleDoc] = {}
    for path in sorted(rules_dir().glob("*.md")):
        if path.name.lower() != "readme.md":
            docs[path.stem] = parse_doc(path.stem, path.read_text(encoding="utf-8"))
    return docs


def render(doc: RuleDoc, name: str, facts: list[tuple[str, str]]) -> str:
    """The document as `snupkg-lint rule` shows it: the generated heading and facts, then the prose."""
    lines = [f"# {doc.id} {name}", ""] + [f"- **{key}**: {value}" for key, value in facts] + ["", doc.body]
    return "\n".join(lines) + "\n"
