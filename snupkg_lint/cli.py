"""The command line: `snupkg-lint check`, `snupkg-lint keys`, `snupkg-lint rules`, `snupkg-lint rule ID`,
`snupkg-lint serve`, `snupkg-lint push`.

Exit codes: 0 no reported finding at or above fail-on (default: error), or --exit-zero; 1 at least one;
2 the command line or the configuration cannot be used, or a path cannot be read (one line on stderr each,
never a traceback; the other paths are still checked).
"""

from __future__ import annotations

import enum
import functools
import gc
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer

from snupkg_lint import __version__
from snupkg_lint import config as config_mod
from snupkg_lint import selection
from snupkg_lint.checks import all_rules
from snupkg_lint.engine import check_packages, default_jobs
from snupkg_lint.inputs import PathProblem, readable_file, resolve, sibling_nupkg  # noqa: F401 - sibling_nupkg: API
from snupkg_lint.model import Rule, Severity
from snupkg_lint.report import json_report, text_report
from snupkg_lint.report.progress import ProgressBar

GC_THRESHOLD = 50_000  # allocations between young-generation collections (CPython's default: 700)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Offline validator and linter for NuGet symbol packages (.snupkg).")


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"


class Colour(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


class UsageProblem(Exception):
    """Reported as one line on stderr with exit code 2."""


def _readable_file(path: str) -> None:
    try:
        readable_file(path)
    except PathProblem as exc:
        raise UsageProblem(str(exc)) from None


def _write_report(path: str, document: str | Callable[[Callable[[str], object]], None]) -> None:
    """--output: the one file the tool writes, and only because it was asked to. `document` is the text, or what
    writes it in pieces to the write function it is given."""
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(document, str):
                handle.write(document)
            else:
                document(handle.write)
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot be written ({exc.strerror or exc})") from None


def _use_colour(choice: Colour) -> bool:
    if choice is Colour.always:
        return True
    if choice is Colour.never or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


EXIT_CODES = ("Exit codes: 0 when no reported finding is at or above --fail-on (default: error), or with --exit-zero; "
              "1 when one is; 2 when the command line, the configuration or a path cannot be used (one line on stderr).")


def _listed(values: list[str] | None) -> tuple[str, ...]:
    """Repeated and comma-separated values: --ignore P222,V202 --ignore X003."""
    return tuple(v.strip() for value in values or () for v in value.split(",") if v.strip())


def _settings(config: str | None, isolated: bool, flags: config_mod.Overrides) -> config_mod.Settings:
    rules = all_rules()
    try:
        if isolated:
            settings = config_mod.Settings()
        elif config is not None:
            settings = config_mod.load(Path(config), rules)
        else:
            found = config_mod.find_config(os.getcwd())
            settings = config_mod.load(found, rules) if found is not None else config_mod.Settings()
        for selectors in (flags.select or (), flags.extend_select, flags.ignore, [s for s, _ in flags.severity]):
            config_mod.check_selectors(selectors, rules, "command line")
    except config_mod.ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    return config_mod.merged(settings, flags)


def _severity_flags(values: list[str] | None) -> tuple[tuple[str, Severity], ...]:
    out = []
    for value in _listed(values):
        selector, sep, given = value.partition("=")
        if not sep or not selector.strip():
            raise UsageProblem(f"--severity takes RULE=LEVEL (e.g. V202=error), not '{value}'")
        try:
            out.append((selector.strip(), config_mod.level(given.strip(), "--severity")))
        except config_mod.ConfigError as exc:
            raise UsageProblem(str(exc)) from None
    return tuple(out)


@app.command(epilog=EXIT_CODES)
def check(
    paths: List[str] = typer.Argument(..., metavar="PATH...", help="A .snupkg file, or a directory searched for *.snupkg."),
    nupkg: Optional[str] = typer.Option(None, "--nupkg", metavar="FILE",
                                        help="The .nupkg to pair with a single .snupkg (default: the sibling <name>.nupkg)."),
    format: Optional[Format] = typer.Option(None, "--format", help="text for people; json, sarif (code scanning), github "
                                            "(workflow annotations) or junit (test reports) for machines [default: text]."),
    output_file: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                              help="Write the report to FILE; the summary line still goes to stdout."),
    sarif_root: str = typer.Option(".", "--sarif-root", metavar="DIR",
                                   help="SARIF: package paths are written relative to DIR (the repository root)."),
    color: Colour = typer.Option(Colour.auto, "--color", help="Colour the text report (auto: only on a terminal)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N", min=1,
                                       help="Check packages on N processes (default: one per CPU; 1: in this process)."),
    select: Optional[List[str]] = typer.Option(None, "--select", metavar="RULES",
                                               help="Report only these rules: ids, prefixes (P2), names or ALL."),
    extend_select: Optional[List[str]] = typer.Option(None, "--extend-select", metavar="RULES",
                                                      help="Report these rules as well."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="RULES", help="Do not report these rules."),
    severity: Optional[List[str]] = typer.Option(None, "--severity", metavar="RULE=LEVEL",
                                                 help="Report a rule with another severity (error, warning, info)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar="LEVEL",
                                          help="Exit 1 when a reported finding is at least this severe [default: error]."),
    exclude: Optional[List[str]] = typer.Option(None, "--exclude", metavar="GLOB",
                                                help="Skip matching files and folders when searching a directory."),
    config: Optional[str] = typer.Option(None, "--config", metavar="FILE",
                                         help="Read this configuration file (default: the nearest .snupkg-lint.toml "
                                              "or pyproject.toml with [tool.snupkg-lint])."),
    isolated: bool = typer.Option(False, "--isolated", help="Read no configuration file."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings fail the run."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Text: show only findings that fail the run, and the totals."),
    statistics: bool = typer.Option(False, "--statistics", help="Add the number of findings of each rule."),
) -> None:
    """Check symbol packages the way nuget.org will, and report every problem."""
    if config is not None and isolated:
        raise UsageProblem("--config and --isolated exclude each other")
    if config is not None:
        _readable_file(config)
    try:
        level = config_mod.level(fail_on, "--fail-on") if fail_on is not None else None
    except config_mod.ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    flags = config_mod.Overrides(
        select=_listed(select) if select else None, extend_select=_listed(extend_select), ignore=_listed(ignore),
        severity=_severity_flags(severity), fail_on=level, exclude=_listed(exclude),
        format=format.value if format is not None else None)
    settings = _settings(config, isolated, flags)
    output = Format(settings.format or "text")
    annotate = settings.format is None and os.environ.get("GITHUB_ACTIONS") == "true"  # text plus annotations
    if nupkg is not None:
        if len(paths) != 1 or os.path.isdir(paths[0]):
            raise UsageProblem("--nupkg pairs exactly one .snupkg; give a single package file")
        _readable_file(nupkg)
    inputs = resolve(paths, nupkg=nupkg, exclude=settings.exclude)
    for line in inputs.notes:
        sys.stderr.write(f"snupkg-lint: {line}\n")
    for line in inputs.problems:
        _usage(line)
    pairs = inputs.tasks
    if not pairs and inputs.problems:
        raise typer.Exit(2)
    workers = jobs if jobs is not None else default_jobs()
    if len(pairs) > 1 and output is Format.text and sys.stderr.isatty():
        with ProgressBar(len(pairs)) as bar:
            reports = check_packages(pairs, jobs=workers, progress=bar.update)
    else:
        reports = check_packages(pairs, jobs=workers)
    reports = [selection.apply(r, settings) for r in reports]
    to_file = output_file is not None
    document: str | Callable[[Callable[[str], object]], None]
    if output is Format.json:  # written in pieces as it is made: a report of many findings is never held whole
        document = functools.partial(json_report.write, reports, statistics=statistics)
    elif output is Format.sarif:
        from snupkg_lint.report import sarif_report

        document = sarif_report.render(reports, all_rules(), root=sarif_root)
    elif output is Format.github:
        from snupkg_lint.report import github_report

        document = github_report.render(reports)
    elif output is Format.junit:
        from snupkg_lint.report import junit_report

        document = junit_report.render(reports)
    else:
        shown = [selection.failing_only(r, settings) for r in reports] if quiet else reports
        terminal = sys.stdout.isatty() and not to_file
        width = shutil.get_terminal_size((100, 24)).columns - 1 if terminal else 100
        document = text_report.render(shown, colour=_use_colour(color) and not to_file, statistics=statistics,
                                      quiet=quiet, width=max(60, width), terminal=terminal)
        if annotate:
            from snupkg_lint.report import github_report

            document += github_report.render(reports)
    if to_file:
        _write_report(output_file, document)
        sys.stdout.write(text_report.summary(reports) + "\n")
    elif isinstance(document, str):
        sys.stdout.write(document)
    else:
        document(sys.stdout.write)
    failed = any(selection.fails(r, settings) for r in reports)
    raise typer.Exit(2 if inputs.problems else 1 if failed and not exit_zero else 0)


def _outcome(rule: Rule) -> str:
    o = rule.outcome
    if o.status is not None:
        return f"push {o.status}"
    if o.code is not None:
        return f"validation {o.code}"
    return "-"


@app.command("keys")
def keys(
    paths: List[str] = typer.Argument(..., metavar="PATH...", help="A .snupkg, .nupkg or directory, as for check."),
    nupkg: Optional[str] = typer.Option(None, "--nupkg", metavar="FILE",
                                        help="The .nupkg to pair with a single .snupkg."),
    format: Format = typer.Option(Format.text, "--format", help="text, or json."),
) -> None:
    """Print the symbol-server key (SSQP) of every PDB and PE, and the SymbolChecksum of portable PDBs."""
    from snupkg_lint.report import symbol_keys

    if format not in (Format.text, Format.json):
        raise UsageProblem(f"keys --format takes text or json, not {format.value}")
    if nupkg is not None:
        if len(paths) != 1 or os.path.isdir(paths[0]):
            raise UsageProblem("--nupkg pairs exactly one .snupkg; give a single package file")
        _readable_file(nupkg)
    inputs = resolve(paths, nupkg=nupkg)
    for line in inputs.notes:
        sys.stderr.write(f"snupkg-lint: {line}\n")
    for line in inputs.problems:
        _usage(line)
    packages = symbol_keys.collect(inputs.tasks)
    render = symbol_keys.render_json if format is Format.json else symbol_keys.render_text
    sys.stdout.write(render(packages))
    unreadable = any("error" in row for package in packages for row in package["files"])
    raise typer.Exit(2 if inputs.problems else 1 if unreadable else 0)


@app.command("rules")
def list_rules(format: Format = typer.Option(Format.text, "--format", help="text, or json for every rule's facts.")) -> None:
    """List every rule: id, name, severity and the nuget.org outcome it predicts."""
    if format is Format.json:
        rules = [{"id": r.id, "name": r.name, "severity": r.severity.value, "summary": r.summary, "fix": r.fix,
                  "target": r.target, "incomplete": r.incomplete,
                  "nuget": {"stage": r.outcome.stage.value if r.outcome.stage else None, "status": r.outcome.status,
                            "code": r.outcome.code, "server_message": r.outcome.server_message}}
                 for r in all_rules()]
        typer.echo(json.dumps({"tool": {"name": "snupkg-lint", "version": __version__}, "rules": rules}, indent=2,
                              ensure_ascii=False))
        return
    if format is not Format.text:
        raise UsageProblem(f"rules --format takes text or json, not {format.value}")
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


def _default_data() -> str:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "snupkg-lint", "serve")


@app.command(epilog="Exit codes: 0 after SIGINT/SIGTERM; 2 when the options cannot be used or the port cannot be "
             "bound (one line on stderr).")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless you say otherwise)."),
    port: int = typer.Option(5555, "--port", min=0, max=65535, help="Port (0: any free port)."),
    data: Optional[str] = typer.Option(None, "--data", metavar="DIR",
                                       help="Where pushed packages and results are kept [default: ~/.cache/snupkg-lint/serve]."),
    api_key: Optional[List[str]] = typer.Option(None, "--api-key", metavar="KEY",
                                                help="A key that may push any package (repeatable)."),
    keys: Optional[str] = typer.Option(None, "--keys", metavar="FILE",
                                       help="Scoped keys (TOML: key -> owner, id globs, actions push/pushversion)."),
    max_size: int = typer.Option(262_144_000, "--max-size", metavar="BYTES", min=1,
                                 help="Largest request body; larger ones get 413 [default: nuget.org's 250 MiB]."),
    validation_delay: float = typer.Option(0.0, "--validation-delay", metavar="SECONDS", min=0.0,
                                           help="Keep each symbol package validating this long first (rehearse 409)."),
) -> None:
    """Serve a local nuget.org push endpoint that answers every push as nuget.org would.

    PackagePublish/2.0.0 and SymbolPackagePublish/4.9.0 at /v3/index.json; symbol packages are then validated in
    the background (GET /api/v2/symbolpackage/ID/VERSION, and the page at /)."""
    from snupkg_lint import server

    if not server.available():
        raise UsageProblem(server.INSTALL_HINT)
    from snupkg_lint.server import keys as keys_mod
    from snupkg_lint.server.app import Settings, run

    ring = [keys_mod.Key(k) for k in api_key or () if k]
    if keys is not None:
        try:
            ring.extend(keys_mod.load(keys))
        except keys_mod.KeyFileError as exc:
            raise UsageProblem(str(exc)) from None
    generated = None
    if not ring:
        generated = keys_mod.generated()
        ring.append(generated)
    folder = os.path.abspath(data or _default_data())
    try:
        os.makedirs(folder, exist_ok=True)
        settings = Settings(folder, keys_mod.Keyring(tuple(ring)), max_size, validation_delay)
    except OSError as exc:
        raise UsageProblem(f"{folder}: cannot be used as the data folder ({exc.strerror or exc})") from None

    def announce(url: str) -> None:
        lines = [f"snupkg-lint serve: {url}", f"  data folder: {folder}"]
        if host not in ("127.0.0.1", "localhost", "::1"):
            lines.append(f"  warning: listening on {host}, beyond this machine; API keys travel in clear over HTTP")
        if generated is not None:
            lines.append(f"  API key (generated): {generated.value}")
        lines.append("  stop with Ctrl+C")
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()

    try:
        run(settings, host, port, announce)
    except OSError as exc:
        raise UsageProblem(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@app.command(epilog="Exit codes: 0 when every file was accepted (or skipped as a duplicate); 1 when snupkg-lint or "
             "the server rejected one; 2 on a usage or connection problem (one line on stderr).")
def push(
    path: str = typer.Argument(..., metavar="PATH", help="A .nupkg (then its sibling .snupkg), a .snupkg, or a folder."),
    source: str = typer.Option(..., "--source", "-s", metavar="URL",
                               help="A V3 service index (…/v3/index.json) or a push endpoint URL."),
    api_key: Optional[str] = typer.Option(None, "--api-key", "-k", metavar="KEY", envvar="NUGET_API_KEY",
                                          show_envvar=True, help="The API key, sent only in X-NuGet-ApiKey."),
    force: bool = typer.Option(False, "--force", help="Send even what nuget.org would reject at push time."),
    skip_duplicate: bool = typer.Option(False, "--skip-duplicate", help="Treat 409 (already there) as success."),
    timeout: float = typer.Option(300.0, "--timeout", metavar="SECONDS", min=1.0, help="Network timeout."),
) -> None:
    """Lint, then push packages and symbol packages as the NuGet client does, and explain each answer."""
    from snupkg_lint import push as push_mod

    try:
        items = push_mod.plan(path)
    except push_mod.PushProblem as exc:
        raise UsageProblem(str(exc)) from None
    push_mod.lint(items)
    stopped = push_mod.refused(items)
    for item in stopped:
        f = item.report.predicted
        typer.echo(f"{os.path.basename(item.path)}: nuget.org would reject this push with {f.outcome.status} "
                   f"({f.outcome.server_message}).\n  Rule {f.rule} {f.name}: {f.message}.\n  How to fix: {f.fix}")
    if stopped and not force:
        typer.echo("Nothing was sent (--force sends it anyway).")
        raise typer.Exit(1)
    pusher = push_mod.Pusher(api_key, timeout=timeout)
    try:
        package_url, symbols_url = pusher.endpoints(source)
        outcomes = push_mod.run(items, package_url, symbols_url, pusher, skip_duplicate=skip_duplicate,
                                log=typer.echo)
    except push_mod.PushProblem as exc:
        raise UsageProblem(str(exc)) from None
    finally:
        pusher.close()
    if any(o.status is None for o in outcomes):
        raise typer.Exit(2)
    raise typer.Exit(0 if all(o.ok for o in outcomes) and not stopped else 1)


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
