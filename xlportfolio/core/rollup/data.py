"""What the rollup reads from Financials and Stage weights, exactly as Excel's SUMIFS will read it.

The live formulas and the engine must give the same numbers, so every cell is judged the way
SUMIFS judges it, and anything a person would not mean as an amount is reported:

- a number is summed (a date too: Excel stores it as a number, so SUMIFS adds it; it is reported);
- text, a yes/no value or a blank is left out, by SUMIFS as by the engine (text is reported);
- an error value (#REF!, ...) is reported and left out. SUMIFS would turn every total it touches
  into that error, so when a column holds one, the formulas over it carry one more criterion,
  `<column>,">-1E+300"` (numbers only), and Excel leaves it out too.
- IDs, flows and recurrences match as SUMIFS matches text: ignoring case, not spaces.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.codes import CODES as CODES_BY_NAME
from xlportfolio.core.codes import define, finding
from xlportfolio.core.config import Rows, StageWeight, read_rows
from xlportfolio.core.config.models import BAD_WEIGHT
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.gates.statuses import by_value
from xlportfolio.core.rollup.formulas import Source
from xlportfolio.core.rollup.tree import Tree, id_key, text_key
from xlportfolio.core.values import CellError, Uncalculated, is_blank, is_number, show
from xlportfolio.schema import FINANCIALS, LISTS_BY_NAME, STAGE_WEIGHTS

NOT_AMOUNT = define(
    "rollup-not-amount", Severity.ERROR,
    "{header} holds {problem}; {effect}. Type the amount as a number.")
UNMATCHED = define(
    "rollup-unmatched-row", Severity.WARNING,
    "{why}, so no rollup counts this row; correct the {header} or add the item to Items.")
BAD_CHOICE = define(
    "rollup-bad-choice", Severity.WARNING,
    "{header} is {shown}, not one of {allowed} (as Excel compares it: ignoring case, not spaces), so {effect}; "
    "choose a value from the list.")
BAD_PERIOD = define(
    "rollup-bad-period", Severity.WARNING,
    "{header} is {shown}, not a date on the first of a month, so Rollup by month leaves this row out "
    "(the totals on Rollup still count it); type the month as a date such as 2026-03-01.")
NO_FINANCIALS = define(
    "rollup-no-financials", Severity.WARNING,
    "{why}, so every amount on the rollup is 0; it still counts items by stage and status.")

CODES = (NOT_AMOUNT, UNMATCHED, BAD_CHOICE, BAD_PERIOD, NO_FINANCIALS, BAD_WEIGHT)

SCENARIOS = ("plan", "forecast", "actual")
NUMBERS_ONLY = '">-1E+300"'  # a SUMIFS criterion no error value, text or yes/no value meets
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def serial(value: dt.date | dt.datetime) -> float:
    """The number Excel stores for a date (1900 date system)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value - EXCEL_EPOCH) / dt.timedelta(days=1)


def _reading(value: Any) -> tuple[float, str | None]:
    """(what SUMIFS adds, what is wrong with the cell or None)."""
    if is_number(value):
        return float(value), None
    if is_blank(value):
        return 0.0, None
    if isinstance(value, CellError):
        return 0.0, f"the error {value.code}"
    if isinstance(value, Uncalculated):
        return 0.0, f"a formula with no saved result ({value.formula})"
    if isinstance(value, bool):
        return 0.0, f"the yes/no value {str(value).upper()}"
    if isinstance(value, (dt.date, dt.datetime)):
        return serial(value), f"the date {show(value)}"
    return 0.0, f"the text '{show(value)}'"


@dataclass
class Amounts:
    """One money column of Financials: what SUMIFS adds per row, and whether it holds an error value."""

    values: np.ndarray
    has_error: bool


@dataclass
class Financials:
    """Financials reduced to arrays the engine sums, one entry per table row."""

    table: SheetTable | None
    source: Source | None
    item: np.ndarray  # tree position of the row's item, -1 when unknown
    flow: np.ndarray  # 0 cost, 1 benefit, -1 neither
    recurrence: np.ndarray  # 0 one-time, 1 recurring, -1 neither
    month: np.ndarray  # index into `months`, -1 when the period is not a first-of-month date
    months: list[dt.date]
    amounts: dict[str, Amounts | None]  # scenario -> column, None when the table lacks it
    findings: list[Finding] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.source is not None

    def guard(self, scenario: str) -> str:
        """The extra criterion that keeps error values out of a SUMIFS over the scenario's column."""
        column = self.amounts.get(scenario)
        return f",{self.source.ref(scenario)},{NUMBERS_ONLY}" if column and column.has_error else ""


def read_financials(book: Book, tree: Tree, flows: tuple[str, str], recurrences: tuple[str, str]) -> Financials:
    table = book.table(FINANCIALS.name)
    missing = [] if table is None else [c for c in ("item_id", "flow", "recurrence") if c not in table.frame]
    if table is None or missing:
        why = ("The workbook has no Financials table" if table is None else
               f"The Financials table has no {', '.join(FINANCIALS.column(c).label for c in missing)} column")
        sheet = table.sheet if table else FINANCIALS.sheet
        spec = CODES_BY_NAME[NO_FINANCIALS]
        empty = np.zeros(0, dtype=np.int64)
        return Financials(table, None, empty, empty, empty, empty, [], dict.fromkeys(SCENARIOS),
                          [Finding(NO_FINANCIALS, spec.severity, spec.template.format(why=why), sheet)])
    frame, findings = table.frame, []
    rows = frame.index.to_numpy()
    position = {k: i for i, k in enumerate(tree.keys)}
    item = by_value(frame["item_id"], lambda v: position.get(id_key(v), -1)).to_numpy(dtype=np.int64)
    for i in np.flatnonzero(item < 0):
        value = frame["item_id"].iat[i]
        why = (f"Item ID '{show(value)}' is not an item in Items" if id_key(value) is not None
               else "This row names no item")
        findings.append(finding(UNMATCHED, table, int(rows[i]), "item_id", value, why=why))
    flow = _choice(table, "flow", flows, findings, "no rollup counts this row")
    recurrence = _choice(table, "recurrence", recurrences,
                         findings, "the totals on Rollup leave this row out (Rollup by month still counts it)")
    month, months = _months(table, findings, (item >= 0) & (flow >= 0))
    amounts = {s: _amounts(table, s, findings) if s in frame else None for s in SCENARIOS}
    return Financials(table, Source(table), item, flow, recurrence, month, months, amounts, findings)


def _choice(table: SheetTable, name: str, allowed: tuple[str, str], findings: list[Finding], effect: str) -> np.ndarray:
    index = {text_key(v): i for i, v in reversed(list(enumerate(allowed)))}
    cells = table.frame[name]
    codes = by_value(cells, lambda v: index.get(text_key(v), -1)).to_numpy(dtype=np.int64)
    listed = " or ".join(f"'{v}'" for v in allowed)
    for i in np.flatnonzero(codes < 0):
        value = cells.iat[i]
        shown = "blank" if is_blank(value) else f"'{show(value)}'"
        findings.append(finding(BAD_CHOICE, table, int(table.frame.index[i]), name, value if not is_blank(value) else None,
                                shown=shown, allowed=listed, effect=effect))
    return codes


def _first_of_month(value: Any) -> dt.date | None:
    """The month a Period cell matches in Excel: a date (or its serial number) on the 1st at midnight."""
    if is_number(value):
        if not float(value).is_integer() or not 1 <= value < 2_958_466:
            return None
        value = EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            return None
        value = value.date()
    if isinstance(value, dt.date) and value.day == 1:
        return value
    return None


def _months(table: SheetTable, findings: list[Finding], counted: np.ndarray) -> tuple[np.ndarray, list[dt.date]]:
    n = len(table.frame)
    if "period" not in table.frame:
        return np.full(n, -1, dtype=np.int64), []
    cells = table.frame["period"]
    firsts = by_value(cells, _first_of_month)
    months = sorted({m for m, ok in zip(firsts, counted) if m is not None and ok})
    index = {m: i for i, m in enumerate(months)}
    month = by_value(cells, lambda v: index.get(_first_of_month(v), -1)).to_numpy(dtype=np.int64)
    for i in np.flatnonzero(firsts.isna().to_numpy() & counted):
        value = cells.iat[i]
        shown = "blank" if is_blank(value) else f"'{show(value)}'"
        findings.append(finding(BAD_PERIOD, table, int(table.frame.index[i]), "period",
                                None if is_blank(value) else value, shown=shown))
    return month, months


def _amounts(table: SheetTable, scenario: str, findings: list[Finding]) -> Amounts:
    cells = table.frame[scenario]
    # One reading per distinct value: a million rows hold few distinct amounts. True == 1 in Python,
    # so yes/no cells are read apart from the numbers they would be taken for.
    codes, uniques = pd.factorize(cells)
    readings = [_reading(u) for u in uniques] + [_reading(None)]
    values = np.array([r[0] for r in readings], dtype=float)[codes]
    problems = np.array([r[1] is not None for r in readings], dtype=bool)[codes]
    flags = cells.map(type).isin([bool, np.bool_]).to_numpy()
    values[flags], problems[flags] = 0.0, True
    has_error = False
    for i in np.flatnonzero(problems):
        value = cells.iat[i]
        problem = _reading(value)[1]
        error = isinstance(value, CellError)
        has_error |= error
        if isinstance(value, (dt.date, dt.datetime)):
            effect = "Excel adds it as the number it stores for the date, and so does the rollup"
        elif error:
            effect = "the rollup leaves it out, and so do its formulas (they sum numbers only)"
        else:
            effect = "the rollup leaves it out, as Excel's SUMIFS does"
        findings.append(finding(NOT_AMOUNT, table, int(table.frame.index[i]), scenario, value,
                                problem=problem, effect=effect))
    return Amounts(values, has_error)


@dataclass
class Weights:
    """The weight per stage (as SUMIFS reads the Stage weights table), and how formulas reach it."""

    by_stage: dict[str, float]  # stage key -> weight
    table: SheetTable | None
    source: Source | None
    has_error: bool = False
    findings: list[Finding] = field(default_factory=list)

    def of(self, stage: Any) -> float:
        key = text_key(stage)
        return self.by_stage.get(key, 0.0) if key is not None else 0.0

    def formula(self, stage_cell: str) -> str | None:
        if self.source is None:
            return None
        guard = f",{self.source.ref('weight')},{NUMBERS_ONLY}" if self.has_error else ""
        return f"=SUMIFS({self.source.ref('weight')},{self.source.ref('stage')},{stage_cell}{guard})"


def read_weights(book: Book) -> Weights:
    """The Stage weights table; the schema's defaults in a workbook without one (older workbooks).

    The weight per stage is what the Rollup sheet's SUMIFS adds, whatever the cell holds; the
    findings are the configuration reader's, one per cell that is not a usable weight.
    """
    table = book.table(STAGE_WEIGHTS.table.name)
    if table is None or not {"stage", "weight"} <= set(table.frame.columns):
        return Weights({text_key(stage): float(weight) for stage, weight, _ in STAGE_WEIGHTS.rows}, None, None)
    by_stage: dict[str, float] = {}
    first: dict[str, int] = {}
    findings, has_error = list(_stage_weights(book, table).findings), False
    for row, stage, weight in zip(table.frame.index, table.frame["stage"], table.frame["weight"]):
        key, row = text_key(stage), int(row)
        has_error |= isinstance(weight, CellError)
        if key is None:
            continue
        if key in first:
            findings.append(finding(BAD_WEIGHT, table, row, "stage", stage, severity=Severity.WARNING,
                                    problem=f"Stage {show(stage)} is listed before (row {first[key]}); Excel's SUMIFS "
                                    "adds both weights. Keep one row per stage"))
        first.setdefault(key, row)
        by_stage[key] = by_stage.get(key, 0.0) + (float(weight) if is_number(weight) else 0.0)
    # A row without a stage still matches items without one in SUMIFS; the rollup never asks for those.
    return Weights(by_stage, table, Source(table), has_error, findings)


def stage_weights(book: Book) -> dict[str, float] | None:
    """The usable weight of each stage as the Dashboard weighs value; None without a Stage weights table."""
    table = book.table(STAGE_WEIGHTS.table.name)
    if table is None or table.frame.empty or not {"stage", "weight"} <= set(table.frame.columns):
        return None
    return {w.stage: w.weight for w in _stage_weights(book, table).rows}


def _stage_weights(book: Book, table: SheetTable) -> Rows[StageWeight]:
    stages = tuple(book.lists.get("Stage") or LISTS_BY_NAME["Stage"].values)
    return read_rows(table, StageWeight, {"stages": stages})
