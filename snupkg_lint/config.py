"""Configuration: `[tool.snupkg-lint]` in pyproject.toml, or a `.snupkg-lint.toml`, and the same keys as flags.

Found from the current directory upward; in each directory `.snupkg-lint.toml` is read before `pyproject.toml`
(which counts only when it has a `[tool.snupkg-lint]` table), and the first file found is the configuration, as
with ruff. `--config FILE` names one; `--isolated` reads none. Flags override the file key by key.

Rules are selected as in ruff: by id (`P223`), prefix (`P2`, `V1`, `X`), name (`disallowed-file-extension`) or
`ALL`; `select` replaces the default (every rule), `extend-select` adds to it, `ignore` removes, and a rule both
selected and ignored is ignored. Selection and severity overrides change what is reported and the exit code,
never what nuget.org is predicted to answer.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from snupkg_lint.model import Rule, Severity

FILE_NAMES = (".snupkg-lint.toml", "pyproject.toml")
FORMATS = ("text", "json", "sarif", "github", "junit")
KEYS = ("select", "ignore", "extend-select", "severity", "fail-on", "exclude", "format")


class ConfigError(ValueError):
    """A configuration that cannot be used: the message names the file, the key and what is allowed."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()  # (selector, level) in the order given
    fail_on: Severity = Severity.ERROR
    exclude: tuple[str, ...] = ()
    format: str | None = None
    source: str | None = None  # the file the settings came from, if any

    def enabled(self, rule: Rule) -> bool:
        chosen = any(matches(s, rule) for s in self.select + self.extend_select)
        return chosen and not any(matches(s, rule) for s in self.ignore)

    def severity_of(self, rule: Rule, level: Severity) -> Severity:
        """The severity a finding of `rule` is reported with: `level` unless the configuration sets one."""
        for selector, override in self.severity:  # the last matching entry wins
            if matches(selector, rule):
                level = override
        return level

    def fails(self, severity: Severity) -> bool:
        """Whether a reported finding of this severity makes the run fail (exit 1)."""
        return severity.rank <= self.fail_on.rank


def matches(selector: str, rule: Rule) -> bool:
    s = selector.strip()
    return s.upper() == "ALL" or rule.id.startswith(s.upper()) or rule.name == s.lower()


def check_selectors(selectors: Iterable[str], rules: list[Rule], where: str) -> None:
    for selector in selectors:
        if not any(matches(selector, r) for r in rules):
            raise ConfigError(f"{where}: unknown rule or prefix '{selector}' (see `snupkg-lint rules`; a selector is "
                              "an id like P223, a prefix like P2, a name like disallowed-file-extension, or ALL)")


# -- reading ---------------------------------------------------------------------------------------------------------


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The first .snupkg-lint.toml, or pyproject.toml with a [tool.snupkg-lint] table, from `start` upward."""
    folder = Path(start).resolve()
    for directory in (folder, *folder.parents):
        for name in FILE_NAMES:
            candidate = directory / name
            if candidate.is_file() and (name != "pyproject.toml" or _table(candidate) is not None):
                return candidate
    return None


def _table(path: Path) -> dict[str, Any] | None:
    data = _read(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("snupkg-lint") if isinstance(tool, dict) else None
        if table is not None and not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.snupkg-lint] must be a table")
        return table
    return data


def _read(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):  # imported here: a run without a configuration file does not pay for it
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def load(path: Path, rules: list[Rule]) -> Settings:
    """The settings of one configuration file; ConfigError for any key or value it does not allow."""
    table = _table(path)
    if table is None:
        raise ConfigError(f"{path}: has no [tool.snupkg-lint] table")
    where = f"{path}" + (" [tool.snupkg-lint]" if path.name == "pyproject.toml" else "")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(KEYS)})")
    settings = Settings(source=str(path))
    for key in ("select", "extend-select", "ignore", "exclude"):
        if key in table:
            values = _strings(table[key], f"{where}: {key}")
            if key != "exclude":
                check_selectors(values, rules, f"{where}: {key}")
            settings = replace(settings, **{key.replace("-", "_"): values})
    if "severity" in table:
        settings = replace(settings, severity=_severities(table["severity"], rules, f"{where}: severity"))
    if "fail-on" in table:
        settings = replace(settings, fail_on=level(table["fail-on"], f"{where}: fail-on"))
    if "format" in table:
        settings = replace(settings, format=output_format(table["format"], f"{where}: format"))
    return settings


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(v.strip() for v in value)


def level(value: Any, where: str) -> Severity:
    allowed = [s.value for s in Severity]
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ConfigError(f"{where}: '{value}' is not a severity (allowed: {', '.join(allowed)})")
    return Severity(value.lower())


def output_format(value: Any, where: str) -> str:
    if not isinstance(value, str) or value not in FORMATS:
        raise ConfigError(f"{where}: '{value}' is not an output format (allowed: {', '.join(FORMATS)})")
    return value


def _severities(value: Any, rules: list[Rule], where: str) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table of rule = level, e.g. severity = {{V202 = \"error\"}}")
    out = []
    for selector, given in value.items():
        check_selectors([selector], rules, where)
        out.append((selector, level(given, f"{where}.{selector}")))
    return tuple(out)


@dataclass(frozen=True)
class Overrides:
    """What the command line says, None where it says nothing (the file's or the default value stands)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity | None = None
    exclude: tuple[str, ...] = ()
    format: str | None = None


def merged(settings: Settings, flags: Overrides) -> Settings:
    """Flags override the file: --select replaces it, the others add to (or, for single values, replace) it."""
    return replace(
        settings,
        select=flags.select if flags.select is not None else settings.select,
        extend_select=settings.extend_select + flags.extend_select,
        ignore=settings.ignore + flags.ignore,
        severity=settings.severity + flags.severity,
        fail_on=flags.fail_on or settings.fail_on,
        exclude=settings.exclude + flags.exclude,
        format=flags.format or settings.format,
    )
