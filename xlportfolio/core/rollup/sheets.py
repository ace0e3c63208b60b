"""The rollup command's core: totals for every level of the hierarchy, live and traceable.

Three generated sheets, each a note in row 1, a header in row 2 and data from row 3:

- **Rollup**: every item in tree order (each item followed by everything below it). Its *Own*
  columns sum the item's own Financials rows (`SUMIFS(Financials[Plan],Financials[Item ID],$A3,
  Financials[Flow],"Cost",Financials[Recurrence],"One-time")`). Its *Path* columns name the
  item's ancestor at each depth (the item itself at its own depth), so a total is one SUMIFS of
  an Own column over the rows whose Path column at the item's depth names it
  (`SUMIFS($BX:$BX,$N:$N,$A3)`): the item and everything below it. No formula refers to its own
  column, so there is no circular reference, whatever the tree. Counts by stage and status use
  COUNTIFS the same way; the weighted value is the own net times the stage's weight (a SUMIFS
  into the StageWeights table).
- **Rollup by month**: plan, forecast and actual per month, cost, benefit and net, for the upper
  levels (the first four of the Level list: Organization, Portfolio, Program, Project). Beside
  the table, every item in tree order, so an item and everything below it are the positions
  First..Last; and per Financials row the position of its item (`MATCH('Financials'!$A5,...)`).
  A cell is then one SUMIFS: `SUMIFS(Financials[Plan],<positions>,">="&$G3,<positions>,"<="&$H3,
  Financials[Period],J$2,Financials[Flow],$F3)`. Measure packages and measures get no rows of
  their own: at 50,000 measures that would be millions of cells.
- **Breakdown**: own amounts of all items grouped by function, legal entity and category,
  SUMIFS over the Rollup sheet's Own columns; each block ends with a total.

The engine computes every number itself and hands each cell over as `Formula(text, value)`;
with `values=True` it hands over the numbers alone (a frozen snapshot). How cells are read so
that the engine's numbers are the formulas' numbers: see `rollup_data`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlportfolio.core.book import Book, SheetTable
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Report, Severity, lead
from xlportfolio.core.findings_sheet import findings_sheet, marks_for
from xlportfolio.core.formats import COUNT, SHARE, money_format
from xlportfolio.core.plan import Block, EditPlan, Formula, GeneratedSheet
from xlportfolio.core.rollup.data import CODES as DATA_CODES
from xlportfolio.core.rollup.data import SCENARIOS, Financials, Weights, read_financials, read_weights
from xlportfolio.core.rollup.formulas import letter, local, sheet_ref, span, text
from xlportfolio.core.rollup.tree import CODES as TREE_CODES
from xlportfolio.core.rollup.tree import Tree, build_tree, text_key
from xlportfolio.core.settings import read_settings
from xlportfolio.core.values import CellError, is_blank
from xlportfolio.schema import ITEMS, LISTS_BY_NAME

NO_WEIGHT = define(
    "rollup-no-weight", Severity.WARNING,
    "{why}, so the weighted value of this item's own financials is 0; {fix}.")
CODES = (*TREE_CODES, *DATA_CODES, NO_WEIGHT)  # every finding code rollup may report

ROLLUP, BY_MONTH, BREAKDOWN = "Rollup", "Rollup by month", "Breakdown"
FIRST = 3  # first data row: the note is in row 1, the header in row 2
LABEL = {"plan": "Plan", "forecast": "Forecast", "actual": "Actual"}
WEIGHTED = ("plan", "forecast")  # actual value is realised: weighting it by a stage makes no sense
NOT_FOUND = CellError("#N/A")  # MATCH of an ID that is not in the tree list
UPPER_LEVELS = 4  # Organization, Portfolio, Program, Project get a row per month
DESCRIBED = ("item_id", "parent_id", "level", "name", "function", "legal_entity", "category", "stage", "state",
             "implementation_status", "potential_status")
WIDTHS = (13, 13, 15, 34, 14, 16, 16, 16, 10, 14, 14)
DIMENSIONS = (("function", "Function"), ("legal_entity", "LegalEntity"), ("category", "Category"))
# Own amounts per scenario, in this order: (flow, recurrence) with 0 = cost / one-time, 1 = benefit / recurring.
BUCKETS = ((0, 0), (0, 1), (1, 0), (1, 1))
# Total columns per scenario: cost one-time, cost recurring, cost, benefit one-time, benefit recurring,
# benefit, net; the four buckets by SUMIFS, the rest from them on the same row.

# Each sheet's title line, for the controller who reads it (how the formulas work is in this module's doc).
NOTES = {
    ROLLUP: ("Cost and benefit of every item, each row the item together with everything below it. The Own "
             "columns at the right hold the item's own lines in Financials alone; Weighted is the net value times "
             "its stage's weight (Stage weights sheet). Names and attributes are copied from Items; every amount "
             "is a formula you can trace to Financials. Rewritten by each rollup: make changes in Items and "
             "Financials, not here."),
    BY_MONTH: ("Plan, forecast and actual by month for the organization, portfolios, programs and projects, each "
               "row the item together with everything below it. Measure packages and measures have no rows of "
               "their own here: their amounts are in their project's row, and per item on the Rollup sheet. The "
               "two tables at the right are working columns for the monthly formulas (every item in tree order, "
               "and the item each Financials line belongs to)."),
    BREAKDOWN: ("Each item's own cost and benefit, added up by function, legal entity and category. Every table "
                "totals all items, so its total equals the top items' totals on the Rollup sheet."),
}


@dataclass
class RollupOutcome:
    report: Report
    plan: EditPlan
    items: int  # rows on the Rollup sheet
    upper: int  # items with rows on Rollup by month
    months: list[dt.date]


@dataclass
class _Run:
    """What the three sheets share."""

    items: SheetTable
    frame: pd.DataFrame  # Items rows in tree order
    tree: Tree
    fin: Financials
    weights: Weights
    flows: tuple[str, str]
    recurrences: tuple[str, str]
    stages: tuple[str, ...]
    statuses: tuple[str, ...]
    lists: dict[str, tuple[str, ...]]
    values: bool
    money: str  # the number format of money cells, in the workbook's currency

    @property
    def cell(self) -> Callable[[str, Any], Any]:
        """Makes a cell: a Formula, or in a frozen snapshot the value alone.

        Handed out as Formula itself, not wrapped: the sheets make a million cells at scale.
        """
        return _value_alone if self.values else Formula


def _value_alone(formula: str, value: Any) -> Any:
    return value


def rollup(book: Book, *, values: bool = False) -> RollupOutcome:
    """Build the Rollup, Rollup by month and Breakdown sheets from Items and Financials.

    `values=True` writes plain numbers (a snapshot) instead of formulas. The caller makes sure
    there is an Items table.
    """
    items = book.tables[ITEMS.name]
    tree = build_tree(items)
    lists = book.lists
    flows = _pair(lists, "FlowKind")
    recurrences = _pair(lists, "Recurrence")
    fin = read_financials(book, tree, flows, recurrences)
    weights = read_weights(book)
    frame = items.frame.reindex(tree.rows)
    run = _Run(items, frame, tree, fin, weights, flows, recurrences,
               tuple(lists.get("Stage") or LISTS_BY_NAME["Stage"].values),
               tuple(lists.get("Status") or LISTS_BY_NAME["Status"].values), lists, values,
               money_format(read_settings(book).currency))
    own = _own(run)
    findings = [*tree.findings, *fin.findings, *weights.findings, *_weightless(run)]
    levels = tuple(lists.get("Level") or LISTS_BY_NAME["Level"].values)
    wanted = {text_key(v) for v in levels[:UPPER_LEVELS]}
    upper = [i for i, level in enumerate(_column(frame, "level")) if text_key(level) in wanted]
    report = lead(Report.of(findings), book)
    sheets = [_rollup_sheet(run, own), _month_sheet(run, upper), _breakdown_sheet(run, own),
              findings_sheet(report, "rollup", "every number the rollup reads is usable")]
    plan = EditPlan(marks=marks_for(report), sheets=sheets, scope="rollup")
    return RollupOutcome(report, plan, len(tree), len(upper), fin.months)


def _pair(lists: dict[str, tuple[str, ...]], name: str) -> tuple[str, str]:
    values = tuple(lists.get(name) or ()) + LISTS_BY_NAME[name].values
    return values[0], values[1]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)


def _plain(value: Any) -> Any:
    """A cell copied from Items onto a generated sheet: blanks stay empty, odd values become text."""
    if is_blank(value):
        return None
    if isinstance(value, (str, int, float, dt.date)):
        return value
    return str(value)


# --- the engine ---------------------------------------------------------------------------------

def _own(run: _Run) -> np.ndarray:
    """Per item: the 12 own amounts (scenario x bucket) and the 2 weighted own net values."""
    n, fin = len(run.tree), run.fin
    own = np.zeros((n, 14))
    if fin.usable:
        sel = (fin.item >= 0) & (fin.flow >= 0) & (fin.recurrence >= 0)
        index = fin.item[sel] * 4 + fin.flow[sel] * 2 + fin.recurrence[sel]
        for s, scenario in enumerate(SCENARIOS):
            if fin.amounts[scenario] is not None:
                sums = np.bincount(index, weights=fin.amounts[scenario].values[sel], minlength=n * 4)
                own[:, 4 * s:4 * s + 4] = sums.reshape(n, 4)
    weight = _weights(run)
    for w, scenario in enumerate(WEIGHTED):
        s = SCENARIOS.index(scenario)
        net = own[:, 4 * s + 2] + own[:, 4 * s + 3] - own[:, 4 * s] - own[:, 4 * s + 1]  # as the formula adds
        own[:, 12 + w] = weight * net
    return own


def _weights(run: _Run) -> np.ndarray:
    return np.array([run.weights.of(stage) for stage in _column(run.frame, "stage")], dtype=float)


def _weightless(run: _Run) -> list:
    """Items with own financials whose stage has no weight."""
    fin = run.fin
    if not fin.usable or "stage" not in run.frame:
        return []
    has_rows = np.zeros(len(run.tree), dtype=bool)
    has_rows[fin.item[(fin.item >= 0) & (fin.flow >= 0) & (fin.recurrence >= 0)]] = True
    out = []
    for i, stage in enumerate(_column(run.frame, "stage")):
        key = text_key(stage)
        if not has_rows[i] or (key is not None and key in run.weights.by_stage):
            continue
        if key is None:
            why, fix = "The item has no Stage", "choose its stage"
        else:
            why, fix = (f"Stage '{stage}' has no row on the Stage weights sheet",
                        "add the stage there or correct the item's Stage")
        out.append(finding(NO_WEIGHT, run.items, run.tree.rows[i], "stage", stage, why=why, fix=fix))
    return out


def subtree_sums(tree: Tree, matrix: np.ndarray) -> np.ndarray:
    """Per item and column: the sum over the item and everything below it (rows that name it in their path)."""
    n = len(tree)
    out = np.zeros(matrix.shape)
    for d in range(tree.levels):
        ancestor = tree.paths[:, d]
        below = ancestor >= 0
        at = np.flatnonzero(tree.depth == d)
        for c in range(matrix.shape[1]):
            out[at, c] = np.bincount(ancestor[below], weights=matrix[below, c], minlength=n)[at]
    return out


def _indicators(run: _Run) -> np.ndarray:
    """Per item: 1, then 1/0 per stage of the Stage list, per implementation and per potential status."""
    n = len(run.tree)
    keys = {name: _column(run.frame, name).map(text_key).to_numpy() for name in
            ("stage", "implementation_status", "potential_status")}
    columns = [np.ones(n)]
    columns += [keys["stage"] == text_key(s) for s in run.stages]
    columns += [keys["implementation_status"] == text_key(s) for s in run.statuses]
    columns += [keys["potential_status"] == text_key(s) for s in run.statuses]
    return np.column_stack(columns).astype(float)


# --- the Rollup sheet ---------------------------------------------------------------------------

class _Layout:
    """Column numbers (1 = A) of the Rollup sheet."""

    def __init__(self, run: _Run):
        self.depth = len(DESCRIBED) + 1
        self.path = self.depth + 1  # Path 1 (the top); Path d + 1 holds the ancestor at depth d
        self.weight = self.path + run.tree.levels
        self.total = self.weight + 1  # 7 per scenario, then the weighted ones
        self.count = self.total + 7 * len(SCENARIOS) + len(WEIGHTED)
        self.counts = 1 + len(run.stages) + 2 * len(run.statuses)
        self.own = self.count + self.counts  # 4 per scenario, then the weighted ones
        self.width = self.own + 4 * len(SCENARIOS) + len(WEIGHTED) - 1

    def of(self, name: str) -> int:
        return DESCRIBED.index(name) + 1

    def total_at(self, s: int, k: int) -> int:
        return self.total + 7 * s + k

    def own_at(self, s: int, b: int) -> int:
        return self.own + 4 * s + b


def _rollup_header(run: _Run, lay: _Layout) -> tuple[str, ...]:
    cost, benefit = (f.lower() for f in run.flows)
    once, recurring = (r.lower() for r in run.recurrences)
    header = [ITEMS.column(name).label for name in DESCRIBED] + ["Depth"]
    header += [f"Path {d + 1}" for d in range(run.tree.levels)] + ["Stage weight"]
    for scenario in SCENARIOS:
        p = LABEL[scenario]
        header += [f"{p} {cost} {once}", f"{p} {cost} {recurring}", f"{p} {cost}",
                   f"{p} {benefit} {once}", f"{p} {benefit} {recurring}", f"{p} {benefit}", f"{p} net"]
    header += [f"Weighted {s} net" for s in WEIGHTED]
    header += ["Items"] + list(run.stages)
    header += [f"Implementation {s}" for s in run.statuses] + [f"Potential {s}" for s in run.statuses]
    for scenario in SCENARIOS:
        p = LABEL[scenario].lower()
        header += [f"Own {p} {cost} {once}", f"Own {p} {cost} {recurring}",
                   f"Own {p} {benefit} {once}", f"Own {p} {benefit} {recurring}"]
    header += [f"Own weighted {s} net" for s in WEIGHTED]
    assert len(header) == lay.width
    return tuple(header)


def _rollup_sheet(run: _Run, own: np.ndarray) -> GeneratedSheet:
    tree, fin, lay = run.tree, run.fin, _Layout(run)
    L = {c: letter(c) for c in range(1, lay.width + 1)}
    totals = subtree_sums(tree, own)
    counts = subtree_sums(tree, _indicators(run)).round().astype(int)
    weight = _weights(run)
    frame = run.frame
    described = [_column(frame, name).tolist() for name in DESCRIBED[2:]]
    stage_col, impl_col, pot_col = (L[lay.of(n)] for n in ("stage", "implementation_status", "potential_status"))
    # Formula pieces that do not change from row to row.
    own_cols = [L[lay.own_at(s, b)] for s in range(len(SCENARIOS)) for b in range(4)]
    own_cols += [L[lay.own + 12 + w] for w in range(len(WEIGHTED))]
    base: dict[tuple[int, int], tuple[str, str]] = {}  # (scenario, bucket) -> SUMIFS before and after $A<row>
    if fin.usable:
        ref_id, ref_flow, ref_rec = (fin.source.ref(c) for c in ("item_id", "flow", "recurrence"))
        for s, scenario in enumerate(SCENARIOS):
            if fin.amounts[scenario] is not None:
                for b, (f, c) in enumerate(BUCKETS):
                    base[s, b] = (f"=SUMIFS({fin.source.ref(scenario)},{ref_id},",
                                  f",{ref_flow},{text(run.flows[f])},{ref_rec},{text(run.recurrences[c])}"
                                  f"{fin.guard(scenario)})")
    criteria = ([""] + [f",${stage_col}:${stage_col},{text(s)}" for s in run.stages]
                + [f",${impl_col}:${impl_col},{text(s)}" for s in run.statuses]
                + [f",${pot_col}:${pot_col},{text(s)}" for s in run.statuses])
    total_cols = [[L[lay.total_at(s, k)] for k in range(7)] for s in range(len(SCENARIOS))]
    w_col = L[lay.weight]
    stages = _column(frame, "stage").tolist()
    weight_formula = [run.weights.formula(f"${stage_col}{FIRST + i}") if not is_blank(stage) else None
                      for i, stage in enumerate(stages)]
    paths = [local(lay.path + d) for d in range(tree.levels)]  # the Path column at each depth
    cell = run.cell
    rows = []
    # Plain Python numbers row by row: reading numpy arrays one element at a time is slow.
    arrays = zip(tree.depth.tolist(), tree.paths.tolist(), weight.tolist(), totals.tolist(), counts.tolist(), own.tolist())
    for i, (depth, ancestors, item_weight, item_totals, item_counts, item_own) in enumerate(arrays):
        r = FIRST + i
        path = paths[depth]
        row: list[Any] = [tree.ids[i], _plain(tree.parent_ids[i])]
        row += [_plain(values[i]) for values in described]
        row.append(depth)
        row += [tree.ids[p] if p >= 0 else None for p in ancestors]
        formula = weight_formula[i]
        row.append(cell(formula, item_weight) if formula else item_weight)
        for s in range(len(SCENARIOS)):
            t, v = total_cols[s], item_totals[4 * s:4 * s + 4]
            cost, benefit = v[0] + v[1], v[2] + v[3]
            for b in range(4):
                o = own_cols[4 * s + b]
                row.append(cell(f"=SUMIFS(${o}:${o},{path},$A{r})", v[b]))
                if b == 1:
                    row.append(cell(f"={t[0]}{r}+{t[1]}{r}", cost))
                elif b == 3:
                    row.append(cell(f"={t[3]}{r}+{t[4]}{r}", benefit))
                    row.append(cell(f"={t[5]}{r}-{t[2]}{r}", benefit - cost))
        for w in range(len(WEIGHTED)):
            o = own_cols[12 + w]
            row.append(cell(f"=SUMIFS(${o}:${o},{path},$A{r})", item_totals[12 + w]))
        for criterion, count in zip(criteria, item_counts):
            row.append(cell(f"=COUNTIFS({path},$A{r}{criterion})", count))
        for s in range(len(SCENARIOS)):
            for b in range(4):
                value = item_own[4 * s + b]
                if (s, b) in base:
                    before, after = base[s, b]
                    row.append(cell(f"{before}$A{r}{after}", value))
                else:
                    row.append(value)
        for w, scenario in enumerate(WEIGHTED):
            o = own_cols[4 * SCENARIOS.index(scenario):4 * SCENARIOS.index(scenario) + 4]
            row.append(cell(f"=${w_col}{r}*({o[2]}{r}+{o[3]}{r}-{o[0]}{r}-{o[1]}{r})", item_own[12 + w]))
        rows.append(tuple(row))
    header = _rollup_header(run, lay)
    formats = ((None,) * len(DESCRIBED) + (COUNT,) + (None,) * tree.levels + (SHARE,)
               + (run.money,) * (lay.count - lay.total) + (COUNT,) * lay.counts + (run.money,) * (lay.width - lay.own + 1))
    widths = WIDTHS + (7,) + (12,) * tree.levels + (9,) + (14,) * (lay.width - lay.weight)
    block = Block(1, 1, NOTES[ROLLUP], header, tuple(rows), formats)
    return GeneratedSheet(ROLLUP, (), (), widths=widths, blocks=(block,), freeze="E3")


# --- Rollup by month ----------------------------------------------------------------------------

def monthly_sums(run: _Run, upper: list[int]) -> np.ndarray:
    """(upper item, scenario, flow, month): the item and everything below it, any recurrence."""
    fin, tree = run.fin, run.tree
    months = len(fin.months)
    out = np.zeros((len(upper), len(SCENARIOS), 2, months))
    if not fin.usable or not months or not upper:
        return out
    slot = np.full(len(tree), -1, dtype=np.int64)
    slot[upper] = np.arange(len(upper))
    sel = (fin.item >= 0) & (fin.flow >= 0) & (fin.month >= 0)
    item, flow, month = fin.item[sel], fin.flow[sel], fin.month[sel]
    for d in range(tree.levels):
        ancestor = tree.paths[item, d]
        at = np.where(ancestor >= 0, slot[np.maximum(ancestor, 0)], -1)
        keep = at >= 0
        index = (at[keep] * 2 + flow[keep]) * months + month[keep]
        for s, scenario in enumerate(SCENARIOS):
            if fin.amounts[scenario] is not None:
                sums = np.bincount(index, weights=fin.amounts[scenario].values[sel][keep],
                                   minlength=len(upper) * 2 * months)
                out[:, s] += sums.reshape(len(upper), 2, months)
    return out


def _month_sheet(run: _Run, upper: list[int]) -> GeneratedSheet:
    """Rows per upper item, scenario and flow; a month's cell sums the Financials rows of the item's subtree.

    Beside the table: every item in tree order (an item's subtree is the run First..Last), and per
    Financials row the tree position of its item (MATCH), so each cell is one SUMIFS over Financials.
    """
    tree, fin = run.tree, run.fin
    months = fin.months
    sums = monthly_sums(run, upper)
    first_month = 10
    listed = first_month + len(months) + 1  # the tree list: position, Item ID
    mapped = listed + 3  # the Financials map: row, tree position
    M = [letter(first_month + m) for m in range(len(months))]
    header = ("Item ID", "Parent ID", "Level", "Name", "Scenario", "Flow", "First", "Last", "Total", *months)
    flows = (*run.flows, "Net")
    live = fin.usable and bool(months) and not run.values
    if live:
        table = fin.table
        fin_rows = range(table.header_row + 1, max(table.last_row or 0, int(table.frame.index.max())) + 1)
        positions = span(None, mapped + 1, FIRST, FIRST + len(fin_rows) - 1)
        ref_period, ref_flow = fin.source.ref("period"), fin.source.ref("flow")
        summed = {s: (fin.source.ref(s), fin.guard(s)) for s in SCENARIOS if fin.amounts[s] is not None}
    levels, names = _column(run.frame, "level").to_numpy(), _column(run.frame, "name").to_numpy()
    cell = run.cell
    rows = []
    r = FIRST
    for u, i in enumerate(upper):
        first, last = i + 1, i + int(tree.size[i])
        described = (tree.ids[i], _plain(tree.parent_ids[i]), _plain(levels[i]), _plain(names[i]))
        for s, scenario in enumerate(SCENARIOS):
            amounts = fin.amounts.get(scenario)
            for f, flow in enumerate(flows):
                values = (sums[u, s, 1] - sums[u, s, 0] if f == 2 else sums[u, s, f]).tolist()
                if f == 2:
                    cells = [cell(f"={col}{r - 1}-{col}{r - 2}", v) for col, v in zip(M, values)]
                elif live and amounts is not None:
                    ref, guard = summed[scenario]
                    # The formula is the same along the row but for the month's column.
                    head = f"=SUMIFS({ref},{positions},\">=\"&$G{r},{positions},\"<=\"&$H{r},{ref_period},"
                    tail = f"$2,{ref_flow},$F{r}{guard})"
                    cells = [cell(f"{head}{col}{tail}", v) for col, v in zip(M, values)]
                else:
                    cells = values
                total = float(sum(values))
                total_cell = cell(f"=SUM({M[0]}{r}:{M[-1]}{r})", total) if M else 0.0
                rows.append((*described, LABEL[scenario], flow, first, last, total_cell, *cells))
                r += 1
    formats = (None,) * 6 + (COUNT, COUNT) + (run.money,) * (1 + len(months))
    widths = (13, 13, 15, 34, 10, 10, 7, 7, 14) + (12,) * len(months) + (3, 9, 13, 3, 11, 9)
    blocks = [Block(1, 1, NOTES[BY_MONTH], header, tuple(rows), formats)]
    if upper:
        blocks.append(Block(1, listed, "Items in tree order", ("Position", "Item ID"),
                            tuple((p + 1, v) for p, v in enumerate(tree.ids))))
    if live and upper:
        items = span(None, listed + 1, FIRST, FIRST + len(tree) - 1)
        id_ref = f"{sheet_ref(table.sheet)}!${table.letters['item_id']}"
        excel_rows = table.frame.index.astype(int).tolist()
        where = dict(zip(excel_rows, fin.item.tolist()))
        cell_of = dict(zip(excel_rows, table.frame["item_id"]))
        cell = run.cell
        mapping = []
        for row in fin_rows:
            value = cell_of.get(row)
            position = where.get(row, -1)
            result = position + 1 if position >= 0 else (value if isinstance(value, CellError) else NOT_FOUND)
            mapping.append((row, cell(f"=MATCH({id_ref}{row},{items},0)", result)))
        blocks.append(Block(1, mapped, "Tree position of each Financials row", ("Financials row", "Position"),
                            tuple(mapping)))
    return GeneratedSheet(BY_MONTH, (), (), widths=widths, blocks=tuple(blocks), freeze="E3")


# --- Breakdown ----------------------------------------------------------------------------------

def _groups(run: _Run, name: str, list_name: str) -> tuple[list[Any], np.ndarray]:
    """The groups of one dimension (list values first, then others as typed, then blank) and each item's group."""
    labels: list[Any] = []
    index: dict[str | None, int] = {}
    for value in run.lists.get(list_name) or LISTS_BY_NAME[list_name].values:
        key = text_key(value)
        if key is not None and key not in index:
            index[key] = len(labels)
            labels.append(value)
    cells = _column(run.frame, name)
    group = np.empty(len(cells), dtype=np.int64)
    blank = False
    for i, value in enumerate(cells):
        key = text_key(value)
        if key is None:
            blank = True
            group[i] = -1
            continue
        if key not in index:
            index[key] = len(labels)
            labels.append(_plain(value))
        group[i] = index[key]
    if blank:
        group[group < 0] = len(labels)
        labels.append(None)
    return labels, group


def _breakdown_sheet(run: _Run, own: np.ndarray) -> GeneratedSheet:
    lay, n = _Layout(run), len(run.tree)
    last = FIRST + n - 1

    def ref(column: int) -> str:
        return span(ROLLUP, column, FIRST, last)

    header_tail = [f"{LABEL[s]} {k}" for s in SCENARIOS for k in ("cost", "benefit", "net")]
    header_tail += [f"Weighted {s} net" for s in WEIGHTED]
    blocks = [Block(1, 1, NOTES[BREAKDOWN], (), ())]
    top = 3
    for name, list_name in DIMENSIONS:
        labels, group = _groups(run, name, list_name)
        g = len(labels)
        sums = np.zeros((g, own.shape[1]))
        counts = np.bincount(group, minlength=g) if n else np.zeros(g, dtype=int)
        for c in range(own.shape[1]):
            sums[:, c] = np.bincount(group, weights=own[:, c], minlength=g) if n else 0.0
        dim = ref(lay.of(name))
        title = ITEMS.column(name).label
        first = top + 2
        rows = []
        for k, label in enumerate(labels):
            r = first + k
            crit = '""' if label is None else f"$A{r}"
            row: list[Any] = ["(blank)" if label is None else label,
                              run.cell(f"=COUNTIFS({dim},{crit})", int(counts[k]))]
            for s in range(len(SCENARIOS)):
                col = 3 + 3 * s
                c1, c2, b1, b2 = (ref(lay.own_at(s, b)) for b in range(4))
                cost = sums[k, 4 * s] + sums[k, 4 * s + 1]
                benefit = sums[k, 4 * s + 2] + sums[k, 4 * s + 3]
                row.append(run.cell(f"=SUMIFS({c1},{dim},{crit})+SUMIFS({c2},{dim},{crit})",
                                    float(cost)))
                row.append(run.cell(f"=SUMIFS({b1},{dim},{crit})+SUMIFS({b2},{dim},{crit})",
                                    float(benefit)))
                row.append(run.cell(f"={letter(col + 1)}{r}-{letter(col)}{r}", float(benefit - cost)))
            for w in range(len(WEIGHTED)):
                wref = ref(lay.own + 12 + w)
                row.append(run.cell(f"=SUMIFS({wref},{dim},{crit})", float(sums[k, 12 + w])))
            rows.append(tuple(row))
        total: list[Any] = ["Total"]
        for c in range(2, 3 + len(header_tail)):
            column = [row[c - 1] for row in rows]
            value = sum(v.value if isinstance(v, Formula) else v for v in column)
            value = int(value) if c == 2 else float(value)
            col = letter(c)
            total.append(run.cell(f"=SUM({col}{first}:{col}{max(first + g - 1, first)})", value))
        rows.append(tuple(total))
        formats = (None, COUNT) + (run.money,) * len(header_tail)
        blocks.append(Block(top, 1, f"By {title.lower()}", (title, "Items", *header_tail), tuple(rows), formats))
        top = first + len(rows) + 1
    widths = (22, 8) + (14,) * len(header_tail)
    return GeneratedSheet(BREAKDOWN, (), (), widths=widths, blocks=tuple(blocks), freeze=None)
