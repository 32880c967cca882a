"""What the paths on the command line name, as users give them.

- `X.snupkg`, or a legacy `X.symbols.nupkg`: a symbol package, paired with the `X.nupkg` beside it;
- `X.nupkg`: the `X.snupkg` beside it when there is one (said on stderr), else the `.nupkg` alone;
- a directory: every `*.snupkg` and `*.symbols.nupkg` below it, sorted, less what `exclude` matches; one with
  nothing to check is a warning, not an error (a CI job with nothing to push must not fail);
- a glob (`'artifacts/**/*.snupkg'`, for shells that pass it through): what it matches.

A path that cannot be used is a problem (one line on stderr, exit 2 at the end); the others are still checked.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

SYMBOL_SUFFIXES = (".snupkg", ".symbols.nupkg")


class PathProblem(Exception):
    """A path that cannot be checked; the message is the line shown."""


@dataclass
class Inputs:
    tasks: list[tuple[str | None, str | None]] = field(default_factory=list)  # (snupkg, nupkg); (None, nupkg)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "note: …" / "warning: …" lines for stderr, not failures


def readable_file(path: str) -> None:
    if not os.path.exists(path):
        raise PathProblem(f"{path}: no such file or directory")
    if os.path.isdir(path):
        raise PathProblem(f"{path}: is a directory, not a package file")
    if not os.path.isfile(path):
        raise PathProblem(f"{path}: is not a regular file")
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise PathProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None


def sibling_nupkg(snupkg: str) -> str | None:
    """The .nupkg `dotnet pack` writes beside X.snupkg (or X.symbols.nupkg): X.nupkg, if it exists."""
    folder, name = os.path.split(snupkg)
    lower = name.lower()
    for suffix in SYMBOL_SUFFIXES:
        if lower.endswith(suffix):
            candidate = os.path.join(folder, name[: -len(suffix)] + ".nupkg")
            return candidate if os.path.isfile(candidate) else None
    return None


def sibling_snupkg(nupkg: str) -> str | None:
    """The X.snupkg beside X.nupkg, if it exists."""
    candidate = nupkg[: -len(".nupkg")] + ".snupkg"
    return candidate if os.path.isfile(candidate) else None


def _excluded(relative: str, globs: tuple[str, ...]) -> bool:
    """A glob matches the path below the searched folder ('build/**', 'tests/*.snupkg') or one of its names."""
    return any(fnmatch.fnmatchcase(relative, g) or fnmatch.fnmatchcase(os.path.basename(relative), g) for g in globs)


def symbol_packages_below(folder: str, exclude: tuple[str, ...] = ()) -> list[str]:
    def refuse(error: OSError) -> None:
        raise PathProblem(f"{error.filename}: directory cannot be read ({error.strerror or error})")

    found = []
    for root, dirs, files in os.walk(folder, onerror=refuse):
        below = os.path.relpath(root, folder).replace(os.sep, "/")
        prefix = "" if below == "." else below + "/"
        dirs[:] = sorted(d for d in dirs if not _excluded(prefix + d, exclude))
        found.extend(os.path.join(root, f) for f in files
                     if f.lower().endswith(SYMBOL_SUFFIXES) and not _excluded(prefix + f, exclude))
    return sorted(found, key=lambda p: Path(p).parts)


def _is_glob(path: str) -> bool:
    return glob.has_magic(path) and not os.path.exists(path)


def _file_task(path: str, nupkg: str | None, inputs: Inputs) -> tuple[str | None, str | None]:
    readable_file(path)
    lower = path.lower()
    if lower.endswith(SYMBOL_SUFFIXES):
        parent = nupkg if nupkg is not None else sibling_nupkg(path)
        if parent is not None:
            readable_file(parent)
        return path, parent
    if lower.endswith(".nupkg"):
        symbols = sibling_snupkg(path)
        if symbols is None:
            return None, path
        readable_file(symbols)
        inputs.notes.append(f"note: {path}: checking {os.path.basename(symbols)}, its symbol package beside it")
        return symbols, path
    kind = os.path.splitext(path)[1] or "this file"
    raise PathProblem(f"{path}: not a package ({kind}); give a .snupkg, a .symbols.nupkg or a .nupkg, or a directory")


def resolve(paths: list[str], *, nupkg: str | None = None, exclude: tuple[str, ...] = ()) -> Inputs:
    inputs = Inputs()
    expanded: list[str] = []
    for path in paths:
        if _is_glob(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                inputs.problems.append(f"{path}: no file matches this pattern")
            expanded.extend(matches)
        else:
            expanded.append(path)
    for path in expanded:
        try:
            if os.path.isdir(path):
                found = symbol_packages_below(path, exclude)
                if not found:
                    inputs.notes.append(f"warning: {path}: nothing to check (no .snupkg or .symbols.nupkg below it)")
                for package in found:
                    inputs.tasks.append(_file_task(package, None, inputs))
            else:
                inputs.tasks.append(_file_task(path, nupkg, inputs))
        except PathProblem as exc:
            inputs.problems.append(str(exc))
    inputs.tasks = list(dict.fromkeys(inputs.tasks))  # X.nupkg and X.snupkg given together: checked once
    return inputs
