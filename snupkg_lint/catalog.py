"""The rule catalog: one Markdown document per rule in the repository's top-level rules/ folder,
shipped inside the package as snupkg_lint/rules/.

Each document starts with a front-matter block of `key: value` lines between `---` lines (id, name,
severity, stage, status, code), then the sections What it checks / Why it matters / Example /
How to fix / Reference.
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
    name: str
    severity: str
    stage: str | None
    status: int | None
    code: int | None
    text: str  # the whole document
    sections: dict[str, str]


def rules_dir() -> Path:
    """snupkg_lint/rules in an installed wheel; the checkout's rules/ when running from source."""
    shipped = resources.files("snupkg_lint") / "rules"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent / "rules"


def _value(raw: str) -> str | int | None:
    raw = raw.strip()
    if raw in ("null", "none", ""):
        return None
    return int(raw) if raw.isdigit() else raw


def parse_doc(text: str) -> RuleDoc:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (l.strip() for l in lines[1:]):
        raise ValueError("the document does not start with a --- front-matter block")
    end = next(i for i, l in enumerate(lines[1:], 1) if l.strip() == "---")
    meta = {}
    for line in lines[1:end]:
        key, _, value = line.partition(":")
        meta[key.strip()] = _value(value)
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines[end + 1 :]:
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return RuleDoc(
        id=str(meta.get("id")), name=str(meta.get("name")), severity=str(meta.get("severity")),
        stage=meta.get("stage"), status=meta.get("status"), code=meta.get("code"),
        text=text, sections={k: "\n".join(v).strip() for k, v in sections.items()},
    )


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, RuleDoc]:
    docs: dict[str, RuleDoc] = {}
    folder = rules_dir()
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        doc = parse_doc(path.read_text(encoding="utf-8"))
        docs[doc.id] = doc
    return docs
