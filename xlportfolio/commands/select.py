"""select: the best set of candidates under budget and capacity, written to a Scenario sheet."""
from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.amounts import parse_budget
from xlportfolio.core.formats import money_format
from xlportfolio.core.plan import ChartSpec, EditPlan
from xlportfolio.core.prioritise.candidates import dependency_pairs, gather
from xlportfolio.core.prioritise.capacity import available
from xlportfolio.core.prioritise.scenario import scenario_sheet
from xlportfolio.core.prioritise.select import Candidate, Selection, frontier, select
from xlportfolio.core.settings import read_settings
from xlportfolio.errors import BadBudget, TemplateError
from xlportfolio.files.workbook import open_book
from xlportfolio.schema import (
    CAPACITY,
    CHECKS_TABLE,
    DEPENDENCIES,
    INTAKE,
    INTAKE_RULES,
    ITEMS,
    PEOPLE,
    SCORING,
)

FRONTIER_SECONDS = 10  # per budget level
CHART_ANCHOR = "N2"  # right of the list, at the top, where the sheet opens


@dataclass
class SelectOutcome:
    selection: Selection
    candidates: list[Candidate]
    left_out: list[str]  # candidates that could not compete, and why
    written: Path | None
    budget: float | None = None  # as read from what was typed


BUDGET_PROPERTY = "xlportfolio.budget"  # the last budget used, so the ribbon button reuses it


def select_file(path: str | Path, *, budget: float | str | None = None, objective: str = "score",
                output: str | Path | None = None, as_of: dt.date | None = None,
                levels: int = 10) -> SelectOutcome:
    with open_book(path, output=output) as wb:
        outcome = select_on(wb, budget=budget, objective=objective, as_of=as_of, levels=levels)
        outcome.written = wb.save()
    return outcome


def run(wb: Workbook) -> Outcome:
    """The ribbon's Select button: the budget of the last `select --budget` run, if any."""
    stored = wb.get_property(BUDGET_PROPERTY)
    try:
        budget = float(stored) if stored else None
    except ValueError:
        budget = None
    outcome = select_on(wb, budget=budget)
    s = outcome.selection
    if not s.optimal:
        return Outcome(f"No selection ({s.status}): {s.explanation}", 1)
    limit = f" of a {budget:,.0f} budget" if budget is not None else " (no budget set: run select --budget once)"
    return Outcome(f"{len(s.chosen)} of {len(outcome.candidates)} candidates selected for {s.cost:,.0f}{limit}; "
                   "see the Scenario sheet.", 0, details=["limits that keep more out: " + ", ".join(s.binding[:10])])


def select_on(wb: Workbook, *, budget: float | str | None = None, objective: str = "score",
              as_of: dt.date | None = None, levels: int = 10) -> SelectOutcome:
    check_workbook(wb, "select")
    as_of = as_of or dt.date.today()
    book = wb.read([INTAKE, ITEMS, CAPACITY, DEPENDENCIES, SCORING.table, PEOPLE, INTAKE_RULES.table, CHECKS_TABLE])
    settings = read_settings(book)  # the decimal separator a typed budget is read with, the currency shown
    budget = read_budget(budget, settings.decimal_separator)
    candidates, ranks, left_out, shown = gather(book, objective, as_of)
    capacity = available(book.table(CAPACITY.name))
    dependencies = dependency_pairs(book)
    with quiet_solver():
        try:
            selection = select(candidates, budget, capacity, dependencies)
        except ValueError as exc:  # duplicate IDs, negative costs: it names the item and its row
            raise TemplateError(wb.source, f"select cannot start: {exc}") from None
        # The frontier is context, not the decision: each level gets a short limit, and only
        # levels proven optimal are drawn (core.select.frontier leaves the others out).
        points = frontier(candidates, capacity, dependencies, levels, budget=budget,
                          time_limit=FRONTIER_SECONDS) if selection.optimal else []
    scenario = scenario_sheet(candidates, selection, points, ranks, shown=shown, capacity=capacity,
                              dependencies=dependencies, objective=objective,
                              money=money_format(settings.currency))
    # Points, not a line: the best total is known at these budgets only; the chosen one is its own series.
    chart = ChartSpec("scatter", f"Efficient frontier: best total {objective} per budget", scenario.budget,
                      (scenario.value, scenario.chosen), CHART_ANCHOR, "Budget",
                      "Total value" if objective == "value" else "Total score", points=True)
    wb.apply(EditPlan(sheets=[replace(scenario.sheet, charts=(chart,) if points else ())]))
    if budget is not None:
        wb.set_property(BUDGET_PROPERTY, repr(float(budget)))
    return SelectOutcome(selection, candidates, left_out, None, budget)


def read_budget(budget: float | str | None, separator: str = ".") -> float | None:
    """The budget as a number above zero; BadBudget says what is accepted when it is not one."""
    if budget is None or (isinstance(budget, str) and not budget.strip()):
        return None
    try:
        return parse_budget(budget, separator)
    except ValueError as exc:
        raise BadBudget(None, f"--budget: {exc}") from None


@contextmanager
def quiet_solver():
    """HiGHS prints debugging lines from C++ straight to file descriptor 1; keep them off the screen."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
