"""run: validate, accept, score, gates and rollup in order, on one open workbook, saved once.

One load and one save for the whole chain: on a file that is where the time goes, and on a
live workbook it means one status-bar story instead of five message boxes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from xlportfolio import registry
from xlportfolio.commands.base import STATUS_PREFIX, Outcome, Workbook
from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.findings import Report, counted


class Options(BaseOptions):
    model_config = ConfigDict(title="RunOptions")


class Step(BaseModel):
    command: str
    summary: str
    errors: int = 0
    warnings: int = 0


class Figures(BaseFigures):
    model_config = ConfigDict(title="RunFigures")

    steps: list[Step] = Field(description="Each command run, in order, with its own counts.")


def _validate(o: Outcome) -> Step:
    return Step(command="validate", summary=f"{o.figures.rows} requests checked", errors=o.errors, warnings=o.warnings)


def _accept(o: Outcome) -> Step:
    # Its findings are validate's, again: counted once, at validate.
    f = o.figures
    return Step(command="accept", summary=f"{len(f.created)} items created, {len(f.refused)} refused, "
                f"{f.already} accepted before")


def _score(o: Outcome) -> Step:
    counts = ", ".join(f"{n} {table}" for table, n in o.figures.scored.items()) or "nothing to score"
    return Step(command="score", summary=f"scored {counts}", errors=o.errors, warnings=o.warnings)


def _gates(o: Outcome) -> Step:
    return Step(command="gates", summary=f"{len(o.figures.applied)} moves applied, {len(o.figures.refused)} refused",
                errors=o.errors, warnings=o.warnings)


def _rollup(o: Outcome) -> Step:
    return Step(command="rollup", summary=f"{o.figures.headline}; {counted(o.errors, 'error')}, "
                f"{counted(o.warnings, 'warning')}", errors=o.errors, warnings=o.warnings)


# The chain, in order: each step's module (its run and Options) and how its outcome reads as one step.
STEPS: tuple[tuple[str, Callable[[Outcome], Step]], ...] = (
    ("validate", _validate), ("accept", _accept), ("score", _score), ("gates", _gates), ("rollup", _rollup),
)


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Each step reads what the previous one wrote; an abort stops the chain before any save."""
    check_workbook(wb, "run")
    as_of = options.as_of or dt.date.today()
    steps, findings = [], []
    for name, step in STEPS:
        wb.status(f"{STATUS_PREFIX}{name}…")
        module = registry.BY_ID[name].module()
        outcome = module.run(wb, module.Options(as_of=as_of))
        steps.append(step(outcome))
        if name != "accept":
            findings += outcome.report.findings
    lines = [f"{s.command}: {s.summary}" + (f" ({counted(s.errors, 'error')}, {counted(s.warnings, 'warning')})"
                                             if s.errors or s.warnings else "") for s in steps]
    errors = sum(s.errors for s in steps)
    return Outcome.of("run", "Ran " + ", ".join(s.command for s in steps) + ". " + "; ".join(lines) + ".",
                      1 if errors else 0, Report.of(findings), lines, Figures(steps=steps))
