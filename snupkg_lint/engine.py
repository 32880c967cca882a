"""Runs every rule over one package and collects the findings into a report; runs batches of packages
on several processes."""

from __future__ import annotations

import datetime as _dt
import os
import traceback
from typing import Callable, Sequence

from snupkg_lint.artifacts import Artifacts
from snupkg_lint.checks import all_rules
from snupkg_lint.checks.order import PUSH_ORDER, VALIDATION_STEPS
from snupkg_lint.checks.registry import declared
from snupkg_lint.model import Finding, Hit, PackageReport, Rule, Stage, msg

INTERNAL_ERROR = "X001"


def _internal_error(rule: Rule, exc: BaseException) -> Finding:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    site = f" at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else ""
    return declared(INTERNAL_ERROR).finding(
        Hit(msg("rule {id} ({name}) crashed: {error}{site}", id=rule.id, name=rule.name,
                error=f"{type(exc).__name__}: {exc}", site=site)))


_PUSH_RANK = {rule_id: n for n, rule_id in enumerate(PUSH_ORDER)}
_STEP_RANK = {rule_id: n for n, rule_id in enumerate(VALIDATION_STEPS)}


def assess(findings: tuple[Finding, ...]) -> tuple[str, Finding | None, tuple[Finding, ...]]:
    """(verdict, the finding nuget.org would answer with, the findings that leave part unchecked), from every
    finding in nuget.org's evaluation order (checks/order.py)."""
    unchecked = tuple(f for f in findings if declared(f.rule).incomplete)
    pushed = [(n, f) for n, f in enumerate(findings) if f.outcome.stage is Stage.PUSH]
    if pushed:  # the push stops at its first failing check
        return "push-rejected", min(pushed, key=lambda p: (_PUSH_RANK.get(p[1].step or p[1].rule, len(_PUSH_RANK)),
                                                           p[1].order, p[0]))[1], unchecked  # order: within a step
    failed = [f for f in findings if f.outcome.stage is Stage.VALIDATION]
    if failed:  # package-wide conditions, then assembly by assembly, each through the job's steps
        first = min(failed, key=lambda f: (f.order, _STEP_RANK.get(f.rule, len(_STEP_RANK)), f.rule))
        return "validation-failed", first, unchecked
    return ("incomplete" if unchecked else "pass"), None, unchecked


def run_rules(artifacts: Artifacts, rules: list[Rule]) -> list[Finding]:
    """Every rule's findings, in the order of `rules`. The push-stage rules (P) are run first: they read the zip
    directory and the nuspec only, so they run while a forked helper opens the PDBs and assemblies the others read
    (Artifacts.prefetch); the order of the findings is not changed by it."""
    found: list[list[Finding]] = [[] for _ in rules]
    for n in sorted(range(len(rules)), key=lambda n: rules[n].outcome.stage is not Stage.PUSH):
        rule = rules[n]
        try:
            found[n].extend(rule.finding(hit) for hit in rule.check(artifacts))
        except (KeyboardInterrupt, MemoryError):
            raise
        except Exception as exc:  # a rule bug must not hide the other rules' findings
            found[n].append(_internal_error(rule, exc))
    return [finding for findings in found for finding in findings]


def check_package(
    snupkg: str,
    nupkg: str | None = None,
    *,
    rules: list[Rule] | None = None,
    now: _dt.datetime | None = None,
    threads: int = 1,
) -> PackageReport:
    """Open the package (and its .nupkg) once, run every rule, and return the report. `threads` may hash
    large PDBs at once (the result is the same for any number)."""
    chosen = [r for r in (rules if rules is not None else all_rules()) if r.target in ("snupkg", "any")]
    with Artifacts(snupkg, nupkg, now=now, threads=threads) as artifacts:
        artifacts.prefetch(threads)
        findings = run_rules(artifacts, chosen)
    verdict, predicted, unchecked = assess(tuple(findings))
    return PackageReport(snupkg, nupkg, tuple(findings), verdict, predicted, unchecked)


def check_nupkg(nupkg: str, *, now: _dt.datetime | None = None) -> PackageReport:
    """A .nupkg given with no .snupkg beside it: where its symbols are (embedded, beside the assemblies, nowhere).
    There is no symbol package for nuget.org to take, so the verdict says so."""
    with Artifacts(None, nupkg, now=now) as artifacts:
        findings = run_rules(artifacts, [r for r in all_rules() if r.target in ("nupkg", "any")])
    return PackageReport(nupkg, nupkg, tuple(findings), "no-symbol-package", None, (), "nupkg")


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity, where the platform says), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _pool_context():
    import multiprocessing

    # fork shares the imported package with the workers at no cost; where it is not offered (Windows, or a
    # platform that deprecates it) the default start method re-imports it once per worker.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _check_one(task: tuple[str | None, str | None, _dt.datetime]) -> PackageReport:
    snupkg, nupkg, now = task
    return check_nupkg(nupkg, now=now) if snupkg is None else check_package(snupkg, nupkg, now=now)


def check_packages(
    pairs: Sequence[tuple[str | None, str | None]],
    *,
    jobs: int = 1,
    now: _dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[PackageReport]:
    """Check each (snupkg, nupkg) pair ((None, nupkg): a .nupkg alone); reports come back in the order of `pairs`
    whatever `jobs` is.

    With jobs > 1 and more than one package, packages are checked on that many worker processes; every
    package is checked against the same `now`, so the result does not depend on which worker ran it."""
    now = now or _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    tasks = [(snupkg, nupkg, now) for snupkg, nupkg in pairs]
    reports: list[PackageReport | None] = [None] * len(tasks)
    workers = min(jobs, len(tasks))
    if workers <= 1:  # one package (or --jobs 1): in this process, with `jobs` threads for hashing
        for n, (snupkg, nupkg, now) in enumerate(tasks):
            reports[n] = check_nupkg(nupkg, now=now) if snupkg is None else \
                check_package(snupkg, nupkg, now=now, threads=jobs)
            if progress:
                progress(n + 1, len(tasks))
        return reports  # type: ignore[return-value]
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only batches pay for importing it

    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        futures = {pool.submit(_check_one, task): n for n, task in enumerate(tasks)}
        for done, future in enumerate(as_completed(futures), 1):
            n = futures[future]
            try:
                reports[n] = future.result()
            except Exception:  # a worker died (killed, out of memory): check that package here instead
                reports[n] = _check_one(tasks[n])
            if progress:
                progress(done, len(tasks))
    return reports  # type: ignore[return-value]
