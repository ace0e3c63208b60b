"""The Dashboard's figures: every number it and the report pack show, computed once by `dashboard_data`.

Each cell is a Formula (see formulas) where a plain COUNTIFS/SUMIFS gives it, with the engine's
result riding along; numbers no such formula gives (demand spread over months) are plain values.
The sheet and the report pack both draw on `dashboard_data`, so they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import pandas as pd

from xlportfolio.core.book import Book
from xlportfolio.core.formats import DEFAULT_CURRENCY
from xlportfolio.core.gates.statuses import stage_at
from xlportfolio.core.plan import Formula
from xlportfolio.core.prioritise.capacity import available, demand_by_month, month_key
from xlportfolio.core.rollup.dashboard.formulas import Cell, Equals, InMonths, LedgerBlock, Source, number
from xlportfolio.core.settings import read_settings
from xlportfolio.core.values import is_number
from xlportfolio.schema import CAPACITY, FINANCIALS, ITEMS, LISTS_BY_NAME

MEASURES = ("plan", "forecast", "actual")
HORIZON = 12  # months of capacity against demand, from the as-of month on
MAX_MONTHS = 60  # the money-by-month block never runs longer than five years


def month_start(key: str) -> dt.date:
    return dt.date(int(key[:4]), int(key[5:7]), 1)


def add_months(key: str, n: int) -> str:
    y, m = divmod(int(key[:4]) * 12 + int(key[5:7]) - 1 + n, 12)
    return f"{y}-{m + 1:02d}"


def _source(book: Book, name: str, *columns: str) -> Source | None:
    table = book.table(name)
    if table is None:
        return None
    source = Source(table)
    return source if all(source.has(c) for c in columns) else None


# --- the figures --------------------------------------------------------------------------------------------

@dataclass
class StageRow:
    stage: str
    items: Cell
    value: Cell
    weight: float | None = None

    @property
    def weighted(self) -> float | None:
        return None if self.weight is None else number(self.value) * self.weight


@dataclass
class CapacityRow:
    function: str
    available: Cell
    demand: float

    @property
    def gap(self) -> float:
        return number(self.available) - self.demand


@dataclass
class DashboardData:
    """Every figure of the dashboard; cells are Formulas where a plain COUNTIFS/SUMIFS gives them."""

    as_of: dt.date
    flows: tuple[str, str]  # the Cost and Benefit labels of the FlowKind list
    measures: dict[str, str]  # plan/forecast/actual -> header text
    key_figures: list[tuple[str, Cell]] = field(default_factory=list)
    money: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (measure, flow label) -> cell
    levels: list[tuple[str, Cell]] = field(default_factory=list)
    value_level: str | None = None  # the level whose estimated values are added up
    stages: list[StageRow] = field(default_factory=list)
    weighted: bool = False
    categories: list[tuple[str, Cell, Cell]] = field(default_factory=list)  # category, items, value
    months: list[tuple[dt.date, dict[tuple[str, str], Cell]]] = field(default_factory=list)
    capacity: list[CapacityRow] = field(default_factory=list)
    capacity_months: tuple[str, str] = ("", "")
    statuses: tuple[str, ...] = ()
    matrix: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (implementation, potential) -> count
    notes: list[str] = field(default_factory=list)  # what could not be shown, and why
    ledger: LedgerBlock | None = None  # items counted at their ledger stage and state, not as typed
    currency: str = DEFAULT_CURRENCY  # the workbook's, from its Settings table

    def net(self, measure: str) -> float:
        cost, benefit = self.flows
        return number(self.money.get((measure, benefit))) - number(self.money.get((measure, cost)))

    @property
    def total_value(self) -> float:
        return sum(number(s.value) for s in self.stages)

    @property
    def weighted_value(self) -> float | None:
        return sum(s.weighted or 0.0 for s in self.stages) if self.weighted else None


def _list(book: Book, name: str, minimum: int = 1) -> tuple[str, ...]:
    """A value list of the workbook; the schema's default where it has fewer than `minimum` values."""
    values = tuple(book.lists.get(name) or ())
    return values if len(values) >= minimum else LISTS_BY_NAME[name].values


def read_weights(weights: dict[str, float] | None, stages: tuple[str, ...]) -> dict[int, float] | None:
    """Stage weights by position in the Stage list; a stage may be named by its code ('DI3')."""
    if weights is None:
        return None
    out = {}
    for name, weight in weights.items():
        at = stage_at(name, stages)
        if at is None:
            raise ValueError(f"stage weight for '{name}': not a stage of the Stage list ({', '.join(stages)})")
        if not is_number(weight) or weight < 0:
            raise ValueError(f"stage weight for '{name}' must be a number of at least 0, not {weight!r}")
        out[at] = float(weight)
    return out


def dashboard_data(book: Book, as_of: dt.date, *, stage_weights: dict[str, float] | None = None,
                   recorded: pd.DataFrame | None = None) -> DashboardData:
    """Every figure the Dashboard sheet and the report show, computed once.

    `recorded` is the Items frame with Stage and State as the ledger recorded them: an item whose
    cell was typed over is then counted where the ledger says it stands (as the Rollup sheet does).
    """
    ledger = None
    table = book.table(ITEMS.name)
    if recorded is not None and table is not None:
        ledger = LedgerBlock.of(table.frame, recorded)
        if ledger is not None:
            book = replace(book, tables=book.tables | {ITEMS.name: replace(table, frame=recorded)})
    stages = _list(book, "Stage")
    weights = read_weights(stage_weights, stages)
    flow_list = _list(book, "FlowKind", 2)
    fin = book.table(FINANCIALS.name)
    data = DashboardData(as_of, (flow_list[0], flow_list[1]),
                         {m: (fin.header(m) if fin else FINANCIALS.column(m).label) for m in MEASURES})
    data.ledger = ledger
    data.currency = read_settings(book).currency
    items = _source(book, ITEMS.name)
    if items is None:
        data.notes.append("There is no Items table: no item figures.")
    else:
        items.ledger = ledger
        _item_figures(data, book, items, stages, weights)
    _money(data, _source(book, FINANCIALS.name, "flow"), as_of)
    _capacity(data, book, as_of)
    return data


def _item_figures(data: DashboardData, book: Book, items: Source, stages: tuple[str, ...],
                  weights: dict[int, float] | None) -> None:
    states, statuses = _list(book, "State", 3), _list(book, "Status")
    if items.has("item_id"):
        ids = items.table.frame["item_id"]
        count = int(ids.map(lambda v: v is not None and not (isinstance(v, float) and math.isnan(v))).sum())
        data.key_figures.append(("Items (all levels)", Formula(f"=COUNTA({items.ref('item_id')})", count)))
    for label, column, wanted in (("Active items", "state", states[0]), ("Items on hold", "state", states[1]),
                                  ("Items cancelled", "state", states[2]),
                                  (f"Implementation status {statuses[-1]}", "implementation_status", statuses[-1]),
                                  (f"Potential status {statuses[-1]}", "potential_status", statuses[-1])):
        if items.has(column):
            where = [Equals(column, wanted)]
            data.key_figures.append((label, items.count(where, items.tally((column,)).get((wanted.casefold(),)))))
    if items.has("level"):
        counts = items.tally(("level",))
        data.levels = [(lvl, items.count([Equals("level", lvl)], counts.get((lvl.casefold(),))))
                       for lvl in _list(book, "Level")]
    if items.has("implementation_status") and items.has("potential_status"):
        data.statuses = statuses
        counts = items.tally(("implementation_status", "potential_status"))
        for i in statuses:
            for p in statuses:
                where = [Equals("implementation_status", i), Equals("potential_status", p)]
                data.matrix[(i, p)] = items.count(where, counts.get((i.casefold(), p.casefold())))
    if not items.has("estimated_value"):
        data.notes.append("Items has no Estimated value column: no value by stage or category.")
        return
    level = _value_level(items, _list(book, "Level"))
    data.value_level = level
    base = [Equals("level", level)] if level else []
    data.weighted = weights is not None
    if items.has("stage"):
        counts, sums = items.tally(("stage",), base), items.tally(("stage",), base, "estimated_value")
        for n, stage in enumerate(stages):
            where, key = [Equals("stage", stage), *base], (stage.casefold(),)
            data.stages.append(StageRow(stage, items.count(where, counts.get(key)),
                                        items.total("estimated_value", where, sums.get(key)),
                                        (weights or {}).get(n, 0.0) if weights is not None else None))
    if items.has("category"):
        counts, sums = items.tally(("category",), base), items.tally(("category",), base, "estimated_value")
        for category in _list(book, "Category"):
            where, key = [Equals("category", category), *base], (category.casefold(),)
            data.categories.append((category, items.count(where, counts.get(key)),
                                    items.total("estimated_value", where, sums.get(key))))


def _value_level(items: Source, levels: tuple[str, ...]) -> str | None:
    """The lowest level holding an estimated value: adding up every level would count value twice."""
    if not items.has("level"):
        return None
    valued = items.table.frame["estimated_value"].map(is_number).to_numpy(dtype=bool)
    present = set(items.key("level")[valued].dropna())
    return next((lvl for lvl in reversed(levels) if lvl.casefold() in present), None)


def _money(data: DashboardData, fin: Source | None, as_of: dt.date) -> None:
    if fin is None:
        data.notes.append("There is no Financials table (with a Flow column): no cost and benefit figures.")
        return
    measures = [m for m in MEASURES if fin.has(m)]
    for m in measures:
        sums = fin.tally(("flow",), (), m)
        for flow in data.flows:
            data.money[(m, flow)] = fin.total(m, [Equals("flow", flow)], sums.get((flow.casefold(),)))
    if not fin.has("period"):
        data.notes.append("Financials has no Period column: no figures by month.")
        return
    keys = sorted(set(fin.key("period").dropna()))
    if not keys:
        return
    now = month_key(as_of)
    first, last = keys[0], keys[-1]
    if (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) >= MAX_MONTHS:
        first = max(first, add_months(now, -MAX_MONTHS // 2))
        last = min(last, add_months(first, MAX_MONTHS - 1))
    tallies = {m: fin.tally(("flow", "period"), [InMonths("period", first, last)], m) for m in measures}
    month = first
    while month <= last:
        cells: dict[tuple[str, str], Cell] = {}
        for m in measures:
            for flow in data.flows:
                stats = tallies[m].get((flow.casefold(), month))
                if m == "actual" and month >= now and not (stats and stats[2]):
                    cells[(m, flow)] = None  # no actuals yet: a gap in the line, not a fall to zero
                    continue
                where = [Equals("flow", flow), InMonths("period", month, month)]
                cells[(m, flow)] = fin.total(m, where, stats)
        data.months.append((month_start(month), cells))
        month = add_months(month, 1)


def _capacity(data: DashboardData, book: Book, as_of: dt.date) -> None:
    first = month_key(as_of)
    last = add_months(first, HORIZON - 1)
    data.capacity_months = (first, last)
    items, cap_table = book.table(ITEMS.name), book.table(CAPACITY.name)
    demand: dict[str, float] = {}
    for (function, month), days in demand_by_month(items, as_of).items():
        if first <= month <= last:
            demand[function] = demand.get(function, 0.0) + days
    supply: dict[str, float] = {}
    for (function, month), days in available(cap_table).items():
        if first <= month <= last:
            supply[function] = supply.get(function, 0.0) + days
    cap = _source(book, CAPACITY.name, "function", "period", "available_days")
    sums = cap.tally(("function",), [InMonths("period", first, last)], "available_days") if cap else {}
    listed = _list(book, "Function")
    names = [f for f in listed if f in demand or f in supply]
    names += sorted((set(demand) | set(supply)) - set(listed))
    for function in names:
        days = supply.get(function, 0.0)
        cell: Cell = days
        stats = sums.get((function.casefold(),))
        # The formula only where SUMIFS gives the very number (no duplicate or odd rows in Capacity).
        if cap is not None and math.isclose(stats[0] if stats else 0.0, days, abs_tol=1e-9):
            formula = cap.total("available_days", [Equals("function", function), InMonths("period", first, last)],
                                (days, stats[1] if stats else False, 0))
            cell = formula if isinstance(formula, Formula) else days
        data.capacity.append(CapacityRow(function, cell, demand.get(function, 0.0)))

