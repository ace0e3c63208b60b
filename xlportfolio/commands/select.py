"""select: the best set of candidates under budget and capacity, written to a Scenario sheet."""
from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from dataclasses import replace
from typing import Literal

from pydantic import ConfigDict, Field

from xlportfolio.commands.base import Figures as BaseFigures
from xlportfolio.commands.base import Options as BaseOptions
from xlportfolio.commands.base import Outcome, Workbook
from xlportfolio.commands.needs import check_workbook
from xlportfolio.core.amounts import parse_budget
from xlportfolio.core.formats import money_format
from xlportfolio.core.plan import ChartSpec, EditPlan
from xlportfolio.core.prioritise.candidates import dependency_pairs, gather
from xlportfolio.core.prioritise.capacity import available
from xlportfolio.core.prioritise.scenario import scenario_sheet
from xlportfolio.core.prioritise.select import frontier, select
from xlportfolio.core.settings import read_settings
from xlportfolio.errors import BadBudget, TemplateError
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


BUDGET_PROPERTY = "xlportfolio.budget"  # the last budget used, so the ribbon button reuses it


class Options(BaseOptions):
    model_config = ConfigDict(title="SelectOptions")

    budget: float | str | None = Field(None, description="Money available, a number or as people write it "
                                       "(2,000,000, 2.000.000, 2m, 2.5m, 2k, €2m; the workbook's decimal separator "
                                       "decides '2.000'); none: see last_budget.")
    last_budget: bool = Field(True, description="With no budget given, use the budget of the last select run "
                              "(kept in the workbook), as the ribbon's button does; false: no budget limit.")
    objective: Literal["score", "value"] = Field("score", description="Maximise total score, or total value.")
    levels: int = Field(10, ge=1, description="Budget levels of the efficient frontier drawn on the Scenario sheet.")


class Figures(BaseFigures):
    model_config = ConfigDict(title="SelectFigures")

    optimal: bool = Field(description="An optimal selection was found.")
    status: str = Field(description="OPTIMAL, INFEASIBLE or TIME_LIMIT.")
    explanation: str = Field(description="Why there is no selection, or why it may not be the best.")
    objective: str
    chosen: list[str] = Field(description="The IDs selected.")
    candidates: int = Field(description="Requests and items that competed.")
    value: float = Field(description="Total score (or value) of the selection.")
    cost: float
    budget: float | None = Field(description="The budget as read; none: no limit.")
    binding: list[str] = Field(description="Limits that keep out at least one more item: 'budget', 'IT 2026-09'.")
    left_out: list[str] = Field(description="Rows that could not compete, and why.")


def run(wb: Workbook, options: Options) -> Outcome[Figures]:
    """Choose the best candidates under budget and capacity (an exact MILP), onto a Scenario sheet."""
    check_workbook(wb, "select")
    as_of, objective = options.as_of or dt.date.today(), options.objective
    book = wb.read([INTAKE, ITEMS, CAPACITY, DEPENDENCIES, SCORING.table, PEOPLE, INTAKE_RULES.table, CHECKS_TABLE])
    settings = read_settings(book)  # the decimal separator a typed budget is read with, the currency shown
    budget = options.budget if options.budget is not None or not options.last_budget else _last_budget(wb)
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
        points = frontier(candidates, capacity, dependencies, options.levels, budget=budget,
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
    s = selection
    figures = Figures(optimal=s.optimal, status=s.status, explanation=s.explanation, objective=objective,
                      chosen=list(s.chosen), candidates=len(candidates), value=float(s.value), cost=float(s.cost), budget=budget,
                      binding=list(s.binding), left_out=left_out)
    if not s.optimal:
        return Outcome.of("select", f"No selection ({s.status}): {s.explanation}", 1,
                          details=["The Scenario sheet shows the candidates and this explanation."], figures=figures)
    limit = f" of a {budget:,.0f} budget" if budget is not None else " (no budget limit)"
    details = ["limits that keep more out: " + (", ".join(s.binding[:10]) or "none")]
    if left_out:
        details.append(f"{len(left_out)} rows could not compete, e.g. {left_out[0]}")
    return Outcome.of("select", f"{len(s.chosen)} of {len(candidates)} candidates selected, total {objective} "
                      f"{s.value:,.1f}, cost {s.cost:,.0f}{limit}; see the Scenario sheet (selection, cut line, "
                      "efficient frontier chart).", 0, details=details, figures=figures)


def _last_budget(wb: Workbook) -> float | None:
    """The budget the last run used (stored as Python writes a float, whatever the workbook's separator)."""
    stored = wb.get_property(BUDGET_PROPERTY)
    try:
        return float(stored) if stored else None
    except ValueError:
        return None


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
