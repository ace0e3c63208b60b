"""Progress of a long command: a live bar on a terminal, one plain line per step anywhere else.

Rich draws a transient bar only on an interactive terminal; into a pipe, a CI log or a file it
draws nothing, so a three-minute demo looked hung until its last line. Off a terminal every step
is therefore one line ("demo 3/11: accept"), written and flushed when the step starts, which
`tee`, `tail -f` and a CI log show as it happens. The form follows what rich itself decides
(`Console.is_interactive`: a terminal, not TERM=dumb, TTY_INTERACTIVE honoured).
"""
from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Steps:
    """`with Steps(console, "run", 6) as steps: steps.start("validate") ...`: each start ends the step before."""

    def __init__(self, console: Console, title: str, total: int, *, elapsed: bool = False,
                 interactive: bool | None = None):
        self.console, self.title, self.total = console, title, total
        self.interactive = console.is_interactive if interactive is None else interactive
        self.started = 0
        self._bar: Progress | None = None
        if self.interactive:
            columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
            self._bar = Progress(*columns, *([TimeElapsedColumn()] if elapsed else []),
                                 console=console, transient=True)
            self._task = self._bar.add_task(title, total=total or None)

    def __enter__(self) -> Steps:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, name: str) -> None:
        """Step `name` begins now."""
        self.started += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.started - 1, description=name)
            return
        count = f" {self.started}/{self.total}" if self.total else ""
        self.console.print(f"{self.title}{count}: {name}", markup=False, emoji=False, highlight=False,
                           soft_wrap=True)
        self.console.file.flush()  # rich flushes after a print today; a pipe is block-buffered, so be sure
