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
from xlportfolio.commands.score import criterion_for
from xlportfolio.core.amounts import parse_budget
from xlportfolio.core.book import Book
from xlportfolio.core.findings import Severity
from xlportfolio.core.formats import money_format
from xlportfolio.core.intake.validate import validate_intake
from xlportfolio.core.plan import ChartSpec, EditPlan
from xlportfolio.core.prioritise.capacity import available, demand
from xlportfolio.core.prioritise.scenario import Shown, scenario_sheet
from xlportfolio.core.prioritise.score import read_criteria, score
from xlportfolio.core.prioritise.select import Candidate, Selection, frontier, select
from xlportfolio.core.settings import read_settings
from xlportfolio.core.values import as_id, is_blank, is_number, split_ids
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
    STAGES,
)

OPEN_STAGES = STAGES[:3]  # items not yet decided (DI1-DI3) still compete for money and people
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
    dependencies = _dependencies(book)
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


def gather(book: Book, objective: str,
           as_of: dt.date) -> tuple[list[Candidate], dict[str, int], list[str], dict[str, Shown]]:
    """Valid open requests and undecided active items, valued by score (or by their money value),
    with the name, score and money value the Scenario sheet shows of each."""
    criteria, _ = read_criteria(book.table(SCORING.table.name))
    report, _ = validate_intake(book, as_of) if book.table(INTAKE.name) else (None, None)
    errors = report.per_row(INTAKE.sheet, Severity.ERROR) if report else {}
    candidates, left_out, values, shown = [], [], {}, {}
    for schema, key in ((INTAKE, "request_id"), (ITEMS, "item_id")):
        table = book.table(schema.name)
        if table is None or table.frame.empty:
            continue
        result = score(table.frame, [criterion_for(c, table.frame) for c in criteria], as_of=as_of,
                       lists=book.lists, key=key)
        for row, rec in zip(table.frame.index, table.frame.to_dict("records")):
            row, cid = int(row), as_id(rec.get(key))
            why = _not_open(schema, rec, errors.get(row, 0))
            if not cid or why is None and not is_number(rec.get("cost_estimate")):
                why = why or "no cost estimate"
            if why:
                if why != "closed":
                    left_out.append(f"{schema.sheet}!row {row} {cid or ''}: {why}")
                continue
            money, points = _money(rec), result.scores[row]
            value = money if objective == "value" else points
            values[cid] = value
            shown[cid] = Shown(_name(rec), float(points) if is_number(points) else None, money)
            candidates.append(Candidate(cid, float(value) if is_number(value) else 0.0, float(rec["cost_estimate"]),
                                        demand(rec, as_of), _choice(rec) == "mandatory",
                                        _choice(rec) == "excluded", row))
    ranked = sorted(values, key=lambda i: (-values[i], i))
    return candidates, {cid: n for n, cid in enumerate(ranked, start=1)}, left_out, shown


def _name(rec: dict) -> str:
    """An item's name, a request's title."""
    for column in ("name", "title"):
        if not is_blank(rec.get(column)):
            return str(rec[column]).strip()
    return ""


def _not_open(schema, rec: dict, errors: int) -> str | None:
    """Why a row does not compete: 'closed' rows are simply not candidates, others are reported."""
    if schema is INTAKE:
        if not is_blank(rec.get("item_id")):
            return "closed"  # accepted: it competes as its item
        return f"{errors} validation errors" if errors else None
    if rec.get("stage") not in OPEN_STAGES or str(rec.get("state") or "Active") != "Active":
        return "closed"
    return None


def _choice(rec: dict) -> str:
    return str(rec.get("selection") or "").strip().casefold()


def _money(rec: dict) -> float:
    return sum(v for v in (rec.get("expected_revenue"), rec.get("retention_effect"), rec.get("estimated_value"))
               if is_number(v))


def _dependencies(book: Book) -> list[tuple[str, str]]:
    pairs = []
    deps = book.table(DEPENDENCIES.name)
    if deps is not None:
        pairs += [(as_id(p), as_id(s)) for p, s in zip(deps.frame.get("predecessor_id", []),
                                                       deps.frame.get("successor_id", [])) if as_id(p) and as_id(s)]
    intake = book.table(INTAKE.name)
    if intake is not None and "dependencies" in intake.frame:
        for rid, needs in zip(intake.frame.get("request_id", []), intake.frame["dependencies"]):
            pairs += [(d, as_id(rid)) for d in split_ids(needs) if as_id(rid)]
    return pairs


