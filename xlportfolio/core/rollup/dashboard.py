"""The Dashboard sheet: key figures, value by stage and category, money by month, capacity against
demand and the status matrix, for a steering committee.

Every number that a plain COUNTIFS or SUMIFS over a source table gives is a live formula with
structured references (`Financials[Plan]`), so a controller can trace it; the engine's own result
rides along and equals what Excel computes: criteria match text exactly but for case, as Excel's
do, and text or error cells in an amount column are never counted (where a matched row holds an
error, the formula gets a criterion that leaves it out, or SUMIFS would return the error).
Numbers no such formula gives (demand spread over months) are plain values.

`dashboard_data` computes the figures once; the sheet and the report pack both draw on it, so
they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.formats import COUNT, DEFAULT_CURRENCY, NUMBER, SHARE, heat_fill, money_format, status_meaning
from xlportfolio.core.gates.statuses import by_value, stage_at
from xlportfolio.core.plan import Block, CellIs, ChartSpec, ColorScale, Formula, GeneratedSheet, Look, Span
from xlportfolio.core.prioritise.capacity import available, demand_by_month, month_key
from xlportfolio.core.settings import read_settings
from xlportfolio.core.values import CellError, Uncalculated, date_in_text, is_number, number_in_text
from xlportfolio.schema import CAPACITY, FINANCIALS, ITEMS, LISTS_BY_NAME

DASHBOARD_SHEET = "Dashboard"
MEASURES = ("plan", "forecast", "actual")
HORIZON = 12  # months of capacity against demand, from the as-of month on
MAX_MONTHS = 60  # the money-by-month block never runs longer than five years
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 of the 1900 date system, as a number in a date column reads
GUARD = '"<1E+307"'  # a criterion that numbers meet and text or error cells never do
STATUS_FILLS = ("C6EFCE", "FFEB9C", "FFC7CE")  # Excel's Good, Neutral and Bad fills: Green, Amber, Red

Cell = Any  # a Formula, a number, text or None


def value_of(cell: Cell) -> Any:
    """The number a cell shows: a formula's engine result, or the plain value."""
    return cell.value if isinstance(cell, Formula) else cell


def number(cell: Cell) -> float:
    """A cell's value as a float for arithmetic; blanks and anything not a number count 0."""
    value = value_of(cell)
    return float(value) if is_number(value) else 0.0


# --- criteria, as Excel's COUNTIFS and SUMIFS read them ---------------------------------------------------

@dataclass(frozen=True)
class Equals:
    """Column equals `label` (text; case ignored, as Excel's criteria do)."""

    column: str
    label: str


@dataclass(frozen=True)
class InMonths:
    """A date column falls in the months first..last ("YYYY-MM", both included)."""

    column: str
    first: str
    last: str


Criterion = Equals | InMonths


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(row: int, col: int) -> str:
    return f"{_letter(col)}{row}"


def _column_spec(header: str) -> str:
    """A column specifier of a structured reference: [Plan], [Estimated value], [[Probability (1-5)]]."""
    escaped = re.sub(r"(['\[\]#])", r"'\1", header)
    special = re.search(r"[\t\n\r,:.\[\]#'\"{}$^&*+=\-<>/]", header) or header != header.strip()
    return f"[[{escaped}]]" if special else f"[{escaped}]"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _criterion_text(label: str) -> str | None:
    """The criterion string that matches exactly `label`, or None where Excel would read it otherwise.

    Wildcards are escaped with ~ and a leading comparison sign is taken literally by an explicit
    "="; a label that reads as a number, a date or a logical would also match such cells.
    """
    if not label or number_in_text(label) or date_in_text(label) or label.strip().upper() in ("TRUE", "FALSE"):
        return None
    escaped = re.sub(r"([~*?])", r"~\1", label)
    return _quoted("=" + escaped if escaped[0] in "=<>" else escaped)


def _next_month(key: str) -> tuple[int, int]:
    y, m = int(key[:4]), int(key[5:7])
    return (y + 1, 1) if m == 12 else (y, m + 1)


def month_start(key: str) -> dt.date:
    return dt.date(int(key[:4]), int(key[5:7]), 1)


def add_months(key: str, n: int) -> str:
    y, m = divmod(int(key[:4]) * 12 + int(key[5:7]) - 1 + n, 12)
    return f"{y}-{m + 1:02d}"


def _month_of(value: Any) -> str | None:
    """The month a date cell falls in; a number counts as the date serial Excel's criteria compare."""
    if isinstance(value, dt.datetime):
        return month_key(value.date())
    if isinstance(value, dt.date):
        return month_key(value)
    if is_number(value) and 0 <= value < 2958466:
        return month_key(EXCEL_EPOCH + dt.timedelta(days=math.floor(value)))
    return None


class Source:
    """One governed table as COUNTIFS and SUMIFS see it: column references, and its cells read as they do."""

    def __init__(self, table: SheetTable, ledger: LedgerBlock | None = None):
        self.table = table
        self.ledger = ledger  # items counted at their ledger stage or state, whose cells say otherwise
        self._keys: dict[str, pd.Series] = {}
        self._masks: dict[tuple[Criterion, ...], np.ndarray] = {}

    def has(self, name: str) -> bool:
        return name in self.table.frame.columns and name in self.table.letters

    def ref(self, name: str) -> str:
        """`Financials[Plan]` for an Excel Table; `'Financials'!$E$2:$E$99` for a plain range."""
        t = self.table
        if t.table_name:
            return f"{t.table_name}{_column_spec(t.header(name))}"
        letter = t.letters[name]
        last = t.last_row or (int(t.frame.index.max()) if len(t.frame) else t.header_row + 1)
        sheet = "'" + t.sheet.replace("'", "''") + "'"
        return f"{sheet}!${letter}${t.header_row + 1}:${letter}${max(last, t.header_row + 1)}"

    def key(self, name: str) -> pd.Series:
        """Cells as criteria compare them: text case-folded, dates as their month, anything else None."""
        if name not in self._keys:
            cells = self.table.frame[name]
            if self.table.schema.column(name).type.is_date:
                self._keys[name] = by_value(cells, _month_of)
            else:
                self._keys[name] = by_value(cells, lambda v: v.casefold() if isinstance(v, str) else None)
        return self._keys[name]

    def mask(self, where: Iterable[Criterion]) -> np.ndarray:
        where = tuple(where)
        if where not in self._masks:  # the figures ask for the same rows again and again
            self._masks[where] = self._mask(where)
        return self._masks[where]

    def _mask(self, where: tuple[Criterion, ...]) -> np.ndarray:
        mask = np.ones(len(self.table.frame), dtype=bool)
        for c in where:
            keys = self.key(c.column)
            if isinstance(c, Equals):
                mask &= (keys == c.label.casefold()).to_numpy(dtype=bool)
            else:
                months = keys.fillna("")
                mask &= ((months >= c.first) & (months <= c.last) & (months != "")).to_numpy(dtype=bool)
        return mask

    def tally(self, by: tuple[str, ...], where: Iterable[Criterion] = (), amount: str | None = None
              ) -> dict[tuple, tuple[float, bool, int]]:
        """Per combination of the `by` columns' keys: the count (or the sum of `amount`'s numbers),
        whether a matched row holds an error or unknown value in `amount`, and how many numbers it has."""
        mask = self.mask(where)
        frame = pd.DataFrame({f"k{i}": self.key(name)[mask].to_numpy() for i, name in enumerate(by)})
        if amount is None:
            frame["v"], frame["e"] = 1.0, False
        else:
            frame["v"], frame["e"] = _amounts(self.table.frame[amount][mask])
        keys = [f"k{i}" for i in range(len(by))]
        frame = frame.dropna(subset=keys)
        if frame.empty:
            return {}
        grouped = frame.groupby(keys, sort=False)
        sums, errors, numbers = grouped["v"].sum(min_count=0), grouped["e"].any(), grouped["v"].count()
        return {(k if isinstance(k, tuple) else (k,)): (float(sums[k]), bool(errors[k]), int(numbers[k]))
                for k in sums.index}

    def criteria(self, where: Iterable[Criterion]) -> list[str] | None:
        """The criteria arguments of a COUNTIFS/SUMIFS, or None where no exact formula exists."""
        parts = []
        for c in where:
            ref = self.ref(c.column)
            if isinstance(c, Equals):
                text = _criterion_text(c.label)
                if text is None:
                    return None
                parts += [ref, text]
            else:
                (y1, m1), (y2, m2) = (int(c.first[:4]), int(c.first[5:7])), _next_month(c.last)
                parts += [ref, f'">="&DATE({y1},{m1},1)', ref, f'"<"&DATE({y2},{m2},1)']
        return parts

    def count(self, where: list[Criterion], stats: tuple | None) -> Cell:
        value = int(stats[0]) if stats else 0
        parts = self.criteria(where)
        if parts is None:
            return value
        moved = self.ledger.correction(where, None) if self.ledger else ""
        return Formula(f"=COUNTIFS({','.join(parts)}){moved}", value)

    def total(self, amount: str, where: list[Criterion], stats: tuple | None) -> Cell:
        value, error = stats[:2] if stats else (0.0, False)
        parts = self.criteria(where)
        if parts is None:
            return value
        moved = self.ledger.correction(where, amount) if self.ledger else ""
        # SUMIFS returns the error of any matched row; a criterion on the amounts leaves them out. The
        # cells' own stage may match a row holding an error that the ledger's stage does not: guard then too.
        if error or moved:
            parts += [self.ref(amount), GUARD]
        return Formula(f"=SUMIFS({','.join([self.ref(amount), *parts])}){moved}", value)


LEDGER_ROW, LEDGER_COLUMN = 3, 17  # the block of items counted at their ledger stage: Q3, right of the charts
CORRECTED = ("stage", "state")  # the Items columns the ledger records
LEDGER_HEADER = ("Item ID", "Name", "Level", "Estimated value", "Stage on Items", "Ledger stage",
                 "State on Items", "Ledger state")


@dataclass
class LedgerBlock:
    """Items whose Stage or State cell differs from the ledger, which the figures count at the ledger's.

    A figure filtering on stage (or state) stays a COUNTIFS/SUMIFS over Items, less these items as
    their cells stand, plus them as the ledger has them: `-COUNTIFS(<cells' stage>,"DI5 ...")
    +COUNTIFS(<ledger's stage>,"DI5 ...")` over this block, which the Dashboard writes at Q3.
    """

    rows: list[tuple[Any, ...]]  # one per Items row, in LEDGER_HEADER order

    @staticmethod
    def of(cells: pd.DataFrame, recorded: pd.DataFrame) -> LedgerBlock | None:
        differs = np.zeros(len(cells), dtype=bool)
        for name in CORRECTED:
            if name in cells and name in recorded:
                differs |= (_text_key(cells[name]) != _text_key(recorded[name])).to_numpy(dtype=bool)
        if not differs.any():
            return None
        rows = []
        for row in cells.index[differs]:
            cell, ledger = (lambda name, f=frame, r=row: f.at[r, name] if name in f else None
                            for frame in (cells, recorded))
            # As the criteria read them: text matches text, a number adds up; anything else neither.
            value = cell("estimated_value")
            rows.append((_plain(cell("item_id")), _plain(cell("name")), _text_or_none(cell("level")),
                         float(value) if is_number(value) else None,
                         _text_or_none(cell("stage")), _text_or_none(ledger("stage")),
                         _text_or_none(cell("state")), _text_or_none(ledger("state"))))
        return LedgerBlock(rows)

    def ref(self, header: str) -> str:
        """An absolute range of one column of the block on the Dashboard, e.g. $V$5:$V$6."""
        col = LEDGER_COLUMN + LEDGER_HEADER.index(header)
        first = LEDGER_ROW + 2
        return f"${_letter(col)}${first}:${_letter(col)}${first + len(self.rows) - 1}"

    def correction(self, where: list[Criterion], amount: str | None) -> str:
        """What turns a figure over the Items cells into one over the ledger's stage and state ("" if none)."""
        moved = [c for c in where if isinstance(c, Equals) and c.column in CORRECTED]
        if not moved or any(not isinstance(c, Equals) or c.column not in ("level", *CORRECTED) for c in where):
            return ""
        out = ""
        for sign, whose in (("-", "on Items"), ("+", "ledger")):
            parts = []
            for c in where:
                header = "Level" if c.column == "level" else (
                    f"{c.column.capitalize()} on Items" if whose == "on Items" else f"Ledger {c.column}")
                parts += [self.ref(header), _criterion_text(c.label)]
            if amount is None:
                out += f"{sign}COUNTIFS({','.join(parts)})"
            else:
                out += f"{sign}SUMIFS({','.join([self.ref('Estimated value'), *parts])})"
        return out

    def line(self) -> str:
        """One line for the top of the Dashboard, naming each item and both values."""
        said = []
        for item, name, _, _, stage, ledger_stage, state, ledger_state in self.rows:
            what = [f"{label} {_shown(cell)}, ledger {_shown(ledger)}"
                    for label, cell, ledger in (("Stage", stage, ledger_stage), ("State", state, ledger_state))
                    if _key(cell) != _key(ledger)]
            said.append(f"{item} {name}".strip() + f" (Items says {'; '.join(what)})")
        n = len(self.rows)
        return (f"{n} item{'s' if n != 1 else ''} counted at {'their' if n != 1 else 'its'} ledger stage and state, "
                f"not as typed on Items: {'; '.join(said)}. The figures by stage and state count "
                f"{'them' if n != 1 else 'it'} as the block at {_cell(LEDGER_ROW, LEDGER_COLUMN)} lists.")


def _key(value: Any) -> str | None:
    """A cell as a text criterion matches it: text, case-folded; anything else (or blank) matches none."""
    return value.casefold() if isinstance(value, str) and value else None


def _text_key(cells: pd.Series) -> pd.Series:
    return by_value(cells, _key).fillna("")


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _plain(value: Any) -> Any:
    """An Item ID or name copied into the block: blanks stay empty, anything but text or a number shows as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value if isinstance(value, (str, int, float)) else str(value)


def _shown(value: str | None) -> str:
    return value if value else "blank"


def _amounts(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's number (NaN for anything else), and whether it holds an error or unknown value.

    Both are read once per distinct value (as `by_value` reads), from one factorization of the column.
    """
    codes, uniques = pd.factorize(cells)
    values = [*uniques, None]  # code -1, a blank, reads as None
    numbers = np.array([float(v) if is_number(v) else np.nan for v in values], dtype=float)
    errors = np.array([isinstance(v, (CellError, Uncalculated)) for v in values], dtype=bool)
    return numbers[codes], errors[codes]


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


# --- the sheet ------------------------------------------------------------------------------------------------

CHART_ROWS = 20  # rows a chart of the default height covers, with a little air
CHART_COLUMN = 9  # charts sit from column I, right of the data blocks (A to G)
WIDTHS = (34, 15, 15, 15, 15, 15, 15, 3, 30, 11, 11, 11, 11)


@dataclass
class _Layout:
    blocks: list[Block] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    conditional: list[ColorScale | CellIs] = field(default_factory=list)
    looks: list[Look] = field(default_factory=list)


def dashboard_sheet(book: Book, as_of: dt.date, *, values: bool = False,
                    stage_weights: dict[str, float] | None = None,
                    recorded: pd.DataFrame | None = None) -> GeneratedSheet:
    """The Dashboard sheet: key figures on top, then each table with its native chart to its right.

    With `values` every formula is replaced by its result (a frozen snapshot). With `recorded`
    (see dashboard_data) items typed over are counted at their ledger stage and state, and the
    sheet says so.
    """
    return layout(dashboard_data(book, as_of, stage_weights=stage_weights, recorded=recorded), values=values)


def layout(data: DashboardData, *, values: bool = False) -> GeneratedSheet:
    out = _Layout()
    money = _money_block(data, 3, 4)
    levels = _levels_block(data, (money.last_row if money else 2) + 2, 4)
    matrix = _matrix_block(data, 3, CHART_COLUMN, out)
    top_blocks = [b for b in (money, levels, matrix) if b]
    # The key figures come first on the sheet, but point at cells of the sections below.
    figures_rows = len(data.key_figures) + len(_derived_figures(data, {}))
    below = max([b.last_row for b in top_blocks] + [4 + figures_rows]) + 1
    meaning = _meaning_block(data, below)
    top = (meaning.last_row if meaning else below) + 3
    refs: dict[str, str] = {}
    if money:  # the Benefit line's Plan cell
        refs["benefit"] = _cell(money.header_row + 2, money.column + 1)
    sections = []
    row = top
    spans = [(1, top - 1)]  # rows of the top part and of each section, for the page breaks
    for make in (_stage_section, _category_section, _capacity_section, _month_section):
        made = make(data, row, refs)
        if made is None:
            continue
        block, charts = made
        sections.append(block)
        for n, chart in enumerate(charts):
            out.charts.append(replace(chart, anchor=_cell(block.row + n * CHART_ROWS, CHART_COLUMN)))
        row = max(block.last_row + 1, block.row + CHART_ROWS * max(len(charts), 1)) + 2
        spans.append((block.row, row - 1))
    figures = _figures_block(data, refs)
    out.looks += _figure_looks(data, figures)
    out.blocks = [*([figures] if figures.rows else []), *top_blocks, *([meaning] if meaning else []), *sections]
    if data.notes:
        out.blocks.append(Block(row, 1, "Not shown", ("Why",), tuple((n,) for n in data.notes)))
    if data.ledger:  # row 2 is free: the warning sits right under the title
        out.blocks += [Block(2, 1, "", (data.ledger.line(),), ()),
                       Block(LEDGER_ROW, LEDGER_COLUMN, "Counted at their ledger stage and state", LEDGER_HEADER,
                             tuple(data.ledger.rows), (None, None, None, money_format(data.currency)))]
    sheet = GeneratedSheet(
        DASHBOARD_SHEET, (f"Portfolio dashboard as of {data.as_of.isoformat()}",), (), WIDTHS,
        charts=tuple(out.charts), blocks=tuple(out.blocks), conditional=tuple(out.conditional), freeze=None,
        looks=tuple(out.looks), print_titles=(1, 1), page_breaks=page_breaks(spans))
    return frozen(sheet) if values else sheet


# Rows one landscape page holds at the Dashboard's fit-to-width scale: its columns and charts span
# about 1,200 points, scaled to A4's 734 printable points across (Letter holds a few rows more).
PAGE_ROWS = 46


def page_breaks(spans: list[tuple[int, int]]) -> tuple[int, ...]:
    """Rows that start a printed page, so that no section (a table with its chart) is cut in two:
    a section that would run past the page it starts on begins the next one."""
    breaks, page = [], 1
    for first, last in spans:
        if first > page and last - page + 1 > PAGE_ROWS:
            breaks.append(first)
            page = first
    return tuple(breaks)


def frozen(sheet: GeneratedSheet) -> GeneratedSheet:
    """The sheet with every formula replaced by its engine result."""
    blocks = tuple(replace(b, rows=tuple(tuple(value_of(c) for c in r) for r in b.rows)) for b in sheet.blocks)
    rows = tuple(tuple(value_of(c) for c in r) for r in sheet.rows)
    return replace(sheet, blocks=blocks, rows=rows)


def _derived_figures(data: DashboardData, refs: dict[str, str]) -> list[tuple[str, Cell]]:
    """Key figures that are cells of the sections below: the estimated and the stage-weighted value."""
    out = []
    if data.stages:
        label = f"Estimated value per year ({data.value_level} level)" if data.value_level else "Estimated value per year"
        out.append((label, _pointer(refs.get("value"), data.total_value)))
    if data.weighted:
        out.append(("Stage-weighted value per year", _pointer(refs.get("weighted"), data.weighted_value)))
    if data.stages and (PLAN, data.flows[1]) in data.money:  # beside the estimate, the money booked for it
        out.append((PLANNED_BENEFIT, _pointer(refs.get("benefit"), number(data.money[(PLAN, data.flows[1])]))))
    return out


PLAN = MEASURES[0]
PLANNED_BENEFIT = "Planned benefit, all months (Financials)"
# Estimated value and planned benefit differ in what they are, and a steering committee sees both
# side by side: say which is which in words, right under the figures.
MEANING = (
    "Estimated value: what the items' owners estimate they are worth (Items, Estimated value column); "
    "an estimate to rank requests by, not booked money.",
    "Planned benefit: the benefit booked in Financials under Plan, all months together; the Cost and benefit "
    "table sets it against the planned cost.",
)


def _meaning_block(data: DashboardData, row: int) -> Block | None:
    """Two plain lines under the key figures (an untitled block without a header: text, no table)."""
    if not data.stages or (PLAN, data.flows[1]) not in data.money:
        return None
    return Block(row, 1, "", (), tuple((line,) for line in MEANING))


def _pointer(ref: str | None, value: Any) -> Cell:
    return Formula(f"={ref}", value) if ref else value


def _figures_block(data: DashboardData, refs: dict[str, str]) -> Block:
    rows = [(label, cell) for label, cell in [*data.key_figures, *_derived_figures(data, refs)]]
    return Block(3, 1, "Key figures", ("Figure", "Value"), tuple(rows), (None, NUMBER))


def _figure_looks(data: DashboardData, figures: Block) -> list[Look]:
    """The key figures are counts, but for the values below them: those are money."""
    first = figures.header_row + 1 + len(data.key_figures)
    if not figures.rows or first > figures.last_row:
        return []
    return [Look(f"{_cell(first, 2)}:{_cell(figures.last_row, 2)}", number_format=money_format(data.currency))]


def _money_block(data: DashboardData, row: int, col: int) -> Block | None:
    if not data.money:
        return None
    header_row = row + 1
    cost, benefit = data.flows
    lines = []
    for flow in (cost, benefit):
        lines.append((flow, *(data.money.get((m, flow)) for m in MEASURES)))
    net = []
    for i, m in enumerate(MEASURES):
        if (m, cost) in data.money:
            letter = _letter(col + 1 + i)
            net.append(Formula(f"={letter}{header_row + 2}-{letter}{header_row + 1}", data.net(m)))
        else:
            net.append(None)
    lines.append(("Net value", *net))
    header = ("All months", *(data.measures[m] for m in MEASURES))
    money = money_format(data.currency)
    return Block(row, col, "Cost and benefit", header, tuple(lines), (None, money, money, money))


def _levels_block(data: DashboardData, row: int, col: int) -> Block | None:
    if not data.levels:
        return None
    first, last = row + 2, row + 1 + len(data.levels)
    total = Formula(f"=SUM({_cell(first, col + 1)}:{_cell(last, col + 1)})", sum(number(c) for _, c in data.levels))
    return Block(row, col, "Items by level", ("Level", "Items"), (*data.levels, ("Total", total)), (None, COUNT))


def _matrix_block(data: DashboardData, row: int, col: int, out: _Layout) -> Block | None:
    if not data.matrix:
        return None
    statuses = data.statuses
    header_row, n = row + 1, len(statuses)
    lines = []
    for r, i in enumerate(statuses):
        cells = [data.matrix[(i, p)] for p in statuses]
        here = header_row + 1 + r
        lines.append((i, *cells, Formula(f"=SUM({_cell(here, col + 1)}:{_cell(here, col + n)})",
                                         sum(number(c) for c in cells))))
    totals = []
    for c in range(n + 1):
        letter = _letter(col + 1 + c)
        column = [number(line[1 + c]) for line in lines]
        totals.append(Formula(f"=SUM({letter}{header_row + 1}:{letter}{header_row + n})", sum(column)))
    lines.append(("Total", *totals))
    # Each cell in the colour of what it means (the worse status decides), fuller the more items it holds.
    most = max((number(data.matrix[(i, p)]) for i in statuses for p in statuses), default=0.0)
    out.looks += [Look(_cell(header_row + 1 + r, col + 1 + c), fill=heat_fill(status_meaning(statuses, i, p),
                                                                           number(data.matrix[(i, p)]), most))
                  for r, i in enumerate(statuses) for c, p in enumerate(statuses)]
    labels = f"{_cell(header_row + 1, col)}:{_cell(header_row + n, col)}"
    out.conditional += [CellIs(labels, s, fill) for s, fill in zip(statuses, STATUS_FILLS)]
    header = ("Implementation \\ Potential", *statuses, "Total")
    return Block(row, col, "Items by implementation status (rows) and potential status (columns)", header,
                 tuple(lines), (None,) + (COUNT,) * (n + 1))


def _value_title(data: DashboardData, what: str) -> str:
    level = f", {data.value_level} level" if data.value_level else ""
    return f"Estimated value per year by {what}{level}"


def _stage_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.stages:
        return None
    header_row = row + 1
    first, last = header_row + 1, header_row + len(data.stages)
    header = ["Stage", "Items", "Estimated value"]
    lines = []
    for n, s in enumerate(data.stages):
        line = [s.stage, s.items, s.value]
        if data.weighted:
            here = first + n
            line += [s.weight, Formula(f"=C{here}*D{here}", s.weighted)]
        lines.append(tuple(line))
    total = ["Total", Formula(f"=SUM(B{first}:B{last})", sum(number(s.items) for s in data.stages)),
             Formula(f"=SUM(C{first}:C{last})", data.total_value)]
    refs["value"] = f"C{last + 1}"
    money = money_format(data.currency)
    formats = [None, COUNT, money]
    series = [Span(3, header_row, last)]
    if data.weighted:
        header += ["Weight", "Weighted value"]
        total += [None, Formula(f"=SUM(E{first}:E{last})", data.weighted_value)]
        refs["weighted"] = f"E{last + 1}"
        formats += [SHARE, money]
        series.append(Span(5, header_row, last))
    lines.append(tuple(total))
    block = Block(row, 1, _value_title(data, "DI stage"), tuple(header), tuple(lines), tuple(formats))
    chart = ChartSpec("column", _value_title(data, "DI stage"), Span(1, header_row, last), tuple(series), "I1",
                      "DI stage", "Value per year", NUMBER)
    return block, [chart]


def _category_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.categories:
        return None
    header_row = row + 1
    first, last = header_row + 1, header_row + len(data.categories)
    lines = [*data.categories,
             ("Total", Formula(f"=SUM(B{first}:B{last})", sum(number(c[1]) for c in data.categories)),
              Formula(f"=SUM(C{first}:C{last})", sum(number(c[2]) for c in data.categories)))]
    block = Block(row, 1, _value_title(data, "category"), ("Category", "Items", "Estimated value"), tuple(lines),
                  (None, COUNT, money_format(data.currency)))
    chart = ChartSpec("bar", _value_title(data, "category"), Span(1, header_row, last), (Span(3, header_row, last),),
                      "I1", "Category", "Value per year", NUMBER)
    return block, [chart]


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_label(day: dt.date) -> str:
    """'Jan 2026', whatever the machine's locale."""
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def _month_label(key: str) -> str:
    return month_label(month_start(key))


def _capacity_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.capacity:
        return None
    header_row = row + 1
    first, last = header_row + 1, header_row + len(data.capacity)
    lines = []
    for n, c in enumerate(data.capacity):
        here = first + n
        lines.append((c.function, c.available, c.demand, Formula(f"=B{here}-C{here}", c.gap)))
    lines.append(("Total", Formula(f"=SUM(B{first}:B{last})", sum(number(c.available) for c in data.capacity)),
                  Formula(f"=SUM(C{first}:C{last})", sum(c.demand for c in data.capacity)),
                  Formula(f"=SUM(D{first}:D{last})", sum(c.gap for c in data.capacity))))
    a, b = data.capacity_months
    title = f"Capacity vs demand by function, {_month_label(a)} to {_month_label(b)} (days)"
    block = Block(row, 1, title, ("Function", "Available (days)", "Demand (days)", "Headroom (days)"),
                  tuple(lines), (None, NUMBER, NUMBER, NUMBER))  # days, not money
    chart = ChartSpec("column", title, Span(1, header_row, last), (Span(2, header_row, last), Span(3, header_row, last)),
                      "I1", "Function", "Person-days", NUMBER)
    return block, [chart]


def _month_section(data: DashboardData, row: int, refs: dict[str, str]):
    if not data.months:
        return None
    header_row = row + 1
    last = header_row + len(data.months)
    cost, benefit = data.flows
    pairs = [(m, f) for f in (cost, benefit) for m in MEASURES]
    header = ("Month", *(f"{data.measures[m]} {f.casefold()}" for m, f in pairs))
    # Months as text ("Jan 2026"): a chart's axis and every spreadsheet show them alike.
    lines = tuple((month_label(day), *(cells.get(p) for p in pairs)) for day, cells in data.months)
    block = Block(row, 1, "Cost and benefit by month: plan, forecast and actual", header, lines,
                  (None,) + (money_format(data.currency),) * len(pairs))
    charts = []
    for n, flow in enumerate((cost, benefit)):
        series = tuple(Span(2 + n * 3 + i, header_row, last) for i in range(3))
        charts.append(ChartSpec("line", f"{flow} by month: plan, forecast and actual", Span(1, header_row, last),
                                series, "I1", "Month", flow, NUMBER))
    return block, charts
