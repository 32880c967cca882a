"""The command line: `snupkg-lint check`, `snupkg-lint rules`, `snupkg-lint rule ID`.

Exit codes: 0 no error-severity finding; 1 at least one; 2 the command line cannot be used or a
path cannot be read (one line on stderr, never a traceback).
"""

from __future__ import annotations

import enum
import gc
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from snupkg_lint import __version__
from snupkg_lint.checks import all_rules
from snupkg_lint.engine import check_packages, default_jobs
from snupkg_lint.model import Rule
from snupkg_lint.report import json_report, text_report
from snupkg_lint.report.progress import ProgressBar

GC_THRESHOLD = 50_000  # allocations between young-generation collections (CPython's default: 700)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Offline validator and linter for NuGet symbol packages (.snupkg).")


class Format(str, enum.Enum):
    text = "text"
    json = "json"


class Colour(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


class UsageProblem(Exception):
    """Reported as one line on stderr with exit code 2."""


def _readable_file(path: str) -> None:
    if not os.path.exists(path):
        raise UsageProblem(f"{path}: no such file or directory")
    if os.path.isdir(path):
        raise UsageProblem(f"{path}: is a directory, not a package file")
    if not os.path.isfile(path):
        raise UsageProblem(f"{path}: is not a regular file")
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot be read ({exc.strerror or exc})") from None


def collect_packages(paths: list[str]) -> list[str]:
    """Expand directories into every *.snupkg below them, sorted; check every file is readable."""
    out: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found = _snupkgs_below(path)
            if not found:
                raise UsageProblem(f"{path}: no .snupkg files in this directory")
            for package in found:
                _readable_file(package)
            out.extend(found)
        else:
            _readable_file(path)
            out.append(path)
    return out


def _snupkgs_below(folder: str) -> list[str]:
    def refuse(error: OSError) -> None:
        raise UsageProblem(f"{error.filename}: directory cannot be read ({error.strerror or error})")

    found = []
    for root, dirs, files in os.walk(folder, onerror=refuse):
        dirs.sort()
        found.extend(os.path.join(root, f) for f in files if f.endswith(".snupkg"))
    return sorted(found, key=lambda p: Path(p).parts)


def sibling_nupkg(snupkg: str) -> str | None:
    """The .nupkg `dotnet pack` writes beside X.snupkg (or X.symbols.nupkg): X.nupkg, if it exists."""
    folder, name = os.path.split(snupkg)
    lower = name.lower()
    for suffix in (".snupkg", ".symbols.nupkg"):
        if lower.endswith(suffix):
            candidate = os.path.join(folder, name[: -len(suffix)] + ".nupkg")
            return candidate if os.path.isfile(candidate) else None
    return None


def _use_colour(choice: Colour) -> bool:
    if choice is Colour.always:
        return True
    if choice is Colour.never or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@app.command()
def check(
    paths: List[str] = typer.Argument(..., metavar="PATH...", help="A .snupkg file, or a directory searched for *.snupkg."),
    nupkg: Optional[str] = typer.Option(None, "--nupkg", metavar="FILE",
                                        help="The .nupkg to pair with a single .snupkg (default: the sibling <name>.nupkg)."),
    format: Format = typer.Option(Format.text, "--format", help="text for people, json for machines."),
    color: Colour = typer.Option(Colour.auto, "--color", help="Colour the text report (auto: only on a terminal)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N", min=1,
                                       help="Check packages on N processes (default: one per CPU; 1: in this process)."),
) -> None:
    """Check symbol packages the way nuget.org will, and report every problem."""
    packages = collect_packages(paths)
    if nupkg is not None:
        if len(packages) != 1:
            raise UsageProblem("--nupkg pairs exactly one .snupkg; give a single package file")
        _readable_file(nupkg)
    pairs = [(p, nupkg if nupkg is not None else sibling_nupkg(p)) for p in packages]
    for _, parent in pairs:
        if parent is not None:
            _readable_file(parent)
    workers = jobs if jobs is not None else default_jobs()
    if len(pairs) > 1 and format is Format.text and sys.stderr.isatty():
        with ProgressBar(len(pairs)) as bar:
            reports = check_packages(pairs, jobs=workers, progress=bar.update)
    else:
        reports = check_packages(pairs, jobs=workers)
    if format is Format.json:
        sys.stdout.write(json_report.render(reports))
    else:
        sys.stdout.write(text_report.render(reports, colour=_use_colour(color)))
    raise typer.Exit(1 if any(r.has_errors for r in reports) else 0)


def _outcome(rule: Rule) -> str:
    o = rule.outcome
    if o.status is not None:
        return f"push {o.status}"
    if o.code is not None:
        return f"validation {o.code}"
    return "-"


@app.command("rules")
def list_rules() -> None:
    """List every rule: id, name, severity and the nuget.org outcome it predicts."""
    for r in all_rules():
        typer.echo(f"{r.id}  {r.name:<34} {r.severity.value:<8} {_outcome(r):<15} {r.summary}")


@app.command("rule")
def show_rule(rule_id: str = typer.Argument(..., metavar="ID", help="A rule id (P223) or name (disallowed-file-extension).")) -> None:
    """Show a rule's documentation."""
    from snupkg_lint.catalog import load_catalog, render

    wanted = rule_id.strip()
    rules = {r.id: r for r in all_rules()}
    found = rules.get(wanted.upper()) or next((r for r in rules.values() if r.name == wanted.lower()), None)
    if found is None:
        raise UsageProblem(f"unknown rule '{rule_id}' (see `snupkg-lint rules`)")
    facts = [("severity", found.severity.value), ("nuget.org", _outcome_text(found))]
    typer.echo(render(load_catalog()[found.id], found.name, facts).rstrip())


def _outcome_text(rule: Rule) -> str:
    o = rule.outcome
    if o.status is not None:
        return f"push rejected with HTTP {o.status}" + (f': "{o.server_message}"' if o.server_message else "")
    if o.code is not None:
        return f"push accepted, then symbol validation fails with issue {o.code}" + \
            (f': "{o.server_message}"' if o.server_message else "")
    return "none (nuget.org does not reject this)"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"snupkg-lint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                        help="Show the version and exit.")) -> None:
    """Offline validator and linter for NuGet symbol packages (.snupkg)."""


def main(argv: list[str] | None = None) -> None:
    # A check allocates many small, acyclic objects (zip entries, headers, findings): collecting cycles every 700
    # allocations costs a tenth of a large package's time and finds nothing. Collect far less often, and leave
    # what the imports built out of every collection.
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="snupkg-lint", standalone_mode=False)
    except UsageProblem as exc:
        code = _usage(str(exc))
    except BrokenPipeError:
        code = 1
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("snupkg-lint: interrupted\n")
        code = 130
    except Exception as exc:
        # Typer's click (vendored or not) signals usage errors with exit_code 2 and format_message(),
        # and Exit with exit_code; recognise them by shape so either flavour works.
        code = getattr(exc, "exit_code", None)
        if not isinstance(code, int):
            raise
        if code == 2 and hasattr(exc, "format_message") and exc.format_message().strip():
            code = _usage(exc.format_message())
    sys.exit(code if isinstance(code, int) else 0)


def _usage(message: str) -> int:
    line = " ".join(message.split())
    sys.stderr.write(f"snupkg-lint: error: {line}\n")
    return 2
