"""run: validate, accept, score, gates and rollup in order, on one open workbook, saved once.

One load and one save for the whole chain: on a file that is where the time goes, and on a
live workbook it means one status-bar story instead of five message boxes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.findings import Report, counted
from xlportfolio.files.workbook import open_book


@dataclass
class Step:
    command: str
    summary: str
    errors: int = 0
    warnings: int = 0
    report: Report = field(default_factory=lambda: Report(()))  # the step's findings, for the ribbon


@dataclass
class RunResult:
    steps: list[Step] = field(default_factory=list)
    written: Path | None = None

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.steps)


def _validate(wb: Workbook, as_of: dt.date) -> Step:
    from xlportfolio.commands.validate import validate_on

    r = validate_on(wb, as_of=as_of)
    return Step("validate", f"{r.rows} requests checked", r.report.errors, r.report.warnings, r.report)


def _accept(wb: Workbook, as_of: dt.date) -> Step:
    from xlportfolio.commands.accept import accept_on

    s = accept_on(wb, as_of=as_of).summary
    return Step("accept", f"{len(s.created)} items created, {len(s.refused)} refused, {s.already} accepted before")


def _score(wb: Workbook, as_of: dt.date) -> Step:
    from xlportfolio.commands.score import score_on

    r = score_on(wb, as_of=as_of)
    counts = ", ".join(f"{n} {table}" for table, n in r.scored.items()) or "nothing to score"
    return Step("score", f"scored {counts}", r.report.errors, r.report.warnings, r.report)


def _gates(wb: Workbook, as_of: dt.date) -> Step:
    from xlportfolio.commands.gates import gates_on

    o = gates_on(wb, as_of=as_of)
    return Step("gates", f"{len(o.result.applied)} moves applied, {len(o.result.refused)} refused",
                o.report.errors, o.report.warnings, o.report)


def _rollup(wb: Workbook, as_of: dt.date) -> Step:
    from xlportfolio.commands.rollup import rollup_on

    r = rollup_on(wb, as_of=as_of)
    return Step("rollup", r.headline, r.report.errors, r.report.warnings, r.report)


STEPS: tuple[tuple[str, Callable[[Workbook, dt.date], Step]], ...] = (
    ("validate", _validate), ("accept", _accept), ("score", _score), ("gates", _gates), ("rollup", _rollup),
)


def run_on(wb: Workbook, *, as_of: dt.date | None = None,
           on_step: Callable[[str], None] | None = None) -> RunResult:
    """Each step reads what the previous one wrote; an abort stops the chain before any save."""
    check_workbook(wb, "run")
    as_of = as_of or dt.date.today()
    result = RunResult()
    for name, step in STEPS:
        if on_step:
            on_step(name)
        wb.status(f"xlportfolio: {name}…")
        result.steps.append(step(wb, as_of))
    return result


def run_file(path: str | Path, *, output: str | Path | None = None, as_of: dt.date | None = None,
             on_step: Callable[[str], None] | None = None) -> RunResult:
    with open_book(path, output=output) as wb:
        result = run_on(wb, as_of=as_of, on_step=on_step)
        if on_step:
            on_step("save")
        result.written = wb.save()
    return result


def run(wb: Workbook) -> Outcome:
    """The ribbon's Run all button."""
    result = run_on(wb)
    lines = [f"{s.command}: {s.summary}" + (f" ({counted(s.errors, 'error')}, {counted(s.warnings, 'warning')})"
                                             if s.errors or s.warnings else "") for s in result.steps]
    return Outcome("Ran " + ", ".join(s.command for s in result.steps) + ". " + "; ".join(lines) + ".",
                   1 if result.errors else 0, Report.of(f for s in result.steps for f in s.report.findings), lines)
