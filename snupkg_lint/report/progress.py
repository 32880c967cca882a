"""A progress bar on stderr while a batch of packages is checked: for people at a terminal only.

The CLI shows it when stderr is a terminal, there is more than one package and the report is text;
never in machine output (JSON, SARIF) or when stderr is a file or a pipe. rich draws it, imported only
then, and without its refresh thread, so worker processes can still be forked safely.
"""

from __future__ import annotations

from typing import Any


class ProgressBar:
    def __init__(self, total: int, label: str = "checking"):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(stderr=True), transient=True, auto_refresh=False)
        self._task = self._progress.add_task(label, total=total)

    def __enter__(self) -> "ProgressBar":
        self._progress.start()
        self._progress.refresh()
        return self

    def update(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)
        self._progress.refresh()

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()
