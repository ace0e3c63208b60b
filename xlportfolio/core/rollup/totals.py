"""The Rollup sheet: every item in tree order (each item followed by everything below it), a note in
row 1, a header in row 2 and data from row 3.

Its *Own* columns sum the item's own Financials rows (`SUMIFS(Financials[Plan],Financials[Item ID],$A3,
Financials[Flow],"Cost",Financials[Recurrence],"One-time")`). Its *Path* columns name the
item's ancestor at each depth (the item itself at its own depth), so a total is one SUMIFS of
an Own column over the rows whose Path column at the item's depth names it
(`SUMIFS($BX:$BX,$N:$N,$A3)`): the item and everything below it. No formula refers to its own
column, so there is no circular reference, whatever the tree. Counts by stage and status use
COUNTIFS the same way; the weighted value is the own net times the stage's weight (a SUMIFS
into the StageWeights table).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from xlportfolio.core.formats import COUNT, SHARE
from xlportfolio.core.plan import Block, GeneratedSheet
from xlportfolio.core.rollup.data import SCENARIOS
from xlportfolio.core.rollup.engine import FIRST, LABEL, WEIGHTED, Run, column_of, item_weights, plain
from xlportfolio.core.rollup.formulas import letter, local, text
from xlportfolio.core.rollup.tree import Tree, text_key
from xlportfolio.core.values import is_blank
from xlportfolio.schema import ITEMS

ROLLUP = "Rollup"
DESCRIBED = ("item_id", "parent_id", "level", "name", "function", "legal_entity", "category", "stage", "state",
             "implementation_status", "potential_status")
WIDTHS = (13, 13, 15, 34, 14, 16, 16, 16, 10, 14, 14)
# Own amounts per scenario, in this order: (flow, recurrence) with 0 = cost / one-time, 1 = benefit / recurring.
BUCKETS = ((0, 0), (0, 1), (1, 0), (1, 1))
# Total columns per scenario: cost one-time, cost recurring, cost, benefit one-time, benefit recurring,
# benefit, net; the four buckets by SUMIFS, the rest from them on the same row.

# The sheet's title line, for the controller who reads it (how the formulas work is in this module's doc).
NOTE = ("Cost and benefit of every item, each row the item together with everything below it. The Own "
        "columns at the right hold the item's own lines in Financials alone; Weighted is the net value times "
        "its stage's weight (Stage weights sheet). Names and attributes are copied from Items; every amount "
        "is a formula you can trace to Financials. Rewritten by each rollup: make changes in Items and "
        "Financials, not here.")


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


def _indicators(run: Run) -> np.ndarray:
    """Per item: 1, then 1/0 per stage of the Stage list, per implementation and per potential status."""
    n = len(run.tree)
    keys = {name: column_of(run.frame, name).map(text_key).to_numpy() for name in
            ("stage", "implementation_status", "potential_status")}
    columns = [np.ones(n)]
    columns += [keys["stage"] == text_key(s) for s in run.stages]
    columns += [keys["implementation_status"] == text_key(s) for s in run.statuses]
    columns += [keys["potential_status"] == text_key(s) for s in run.statuses]
    return np.column_stack(columns).astype(float)


class Columns:
    """Column numbers (1 = A) of the Rollup sheet."""

    def __init__(self, run: Run):
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


def _rollup_header(run: Run, lay: Columns) -> tuple[str, ...]:
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


def rollup_sheet(run: Run, own: np.ndarray) -> GeneratedSheet:
    tree, fin, lay = run.tree, run.fin, Columns(run)
    L = {c: letter(c) for c in range(1, lay.width + 1)}
    totals = subtree_sums(tree, own)
    counts = subtree_sums(tree, _indicators(run)).round().astype(int)
    weight = item_weights(run)
    frame = run.frame
    described = [column_of(frame, name).tolist() for name in DESCRIBED[2:]]
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
    stages = column_of(frame, "stage").tolist()
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
        row: list[Any] = [tree.ids[i], plain(tree.parent_ids[i])]
        row += [plain(values[i]) for values in described]
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
    block = Block(1, 1, NOTE, header, tuple(rows), formats)
    return GeneratedSheet(ROLLUP, (), (), widths=widths, blocks=(block,), freeze="E3")
