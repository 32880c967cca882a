"""The symbol validation nuget.org runs after a 201 (its SymbolsValidator job): the engine's V rules on the stored
pair, on a worker thread, one package at a time. Until it ends the symbol package is `validating` and a new push
of that version answers 409; a restart takes up what was left pending."""

from __future__ import annotations

import os
import queue
import threading

from snupkg_lint.engine import check_package
from snupkg_lint.model import PackageReport, Stage
from snupkg_lint.report.json_report import finding_dict
from snupkg_lint.server.storage import FAILED, SUCCEEDED, Store


def result(report: PackageReport) -> tuple[str, dict]:
    """(status, the JSON document) of a finished validation: nuget.org's issue code and e-mail text, and the
    per-file findings behind it."""
    failed = report.verdict == "validation-failed" and report.predicted is not None
    first = report.predicted if failed else None
    findings = [finding_dict(f) for f in report.findings if f.outcome.stage is Stage.VALIDATION or
                (f.outcome.stage is None and f.severity.value == "error")]
    return (FAILED if failed else SUCCEEDED), {
        "status": FAILED if failed else SUCCEEDED,
        "issue": {"code": first.outcome.code, "message": first.outcome.server_message, "rule": first.rule}
        if first else None,
        "incomplete": report.verdict == "incomplete",
        "findings": findings,
    }


class Validator:
    def __init__(self, store: Store, delay: float = 0.0):
        self.store, self.delay = store, delay
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="symbol-validation", daemon=True)

    def start(self) -> None:
        self._thread.start()
        for pending in self.store.pending():  # left pending by a stop
            self.submit(pending.id, pending.version)

    def submit(self, package_id: str, version: str) -> None:
        self._queue.put((package_id, version))

    def stop(self) -> None:
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self.delay and self._stopping.wait(self.delay):
                return  # stopping: the package stays pending and is validated after the next start
            try:
                self.validate(*item)
            except Exception as exc:  # a failure here must not stop the worker; the package stays readable
                self.store.finish_symbols(*item, FAILED, {"status": FAILED, "issue": {
                    "code": 0, "message": "There was an unknown failure when validating your package.",
                    "rule": None}, "error": f"{type(exc).__name__}: {exc}", "findings": []})

    def validate(self, package_id: str, version: str) -> None:
        symbols = self.store.symbols(package_id, version)
        parent = self.store.package(package_id, version)
        if symbols is None:
            return
        snupkg = self.store.path(symbols)
        report = check_package(snupkg, self.store.path(parent) if parent else None)
        status, document = result(report)
        document["snupkg"] = os.path.basename(snupkg)
        self.store.finish_symbols(package_id, version, status, document)
