"""The Rollup by month sheet: plan, forecast and actual per month, cost, benefit and net, for the upper
levels (the first four of the Level list: Organization, Portfolio, Program, Project).

Beside the table, every item in tree order, so an item and everything below it are the positions
First..Last; and per Financials row the position of its item (`MATCH('Financials'!$A5,...)`).
A cell is then one SUMIFS: `SUMIFS(Financials[Plan],<positions>,">="&$G3,<positions>,"<="&$H3,
Financials[Period],J$2,Financials[Flow],$F3)`. Measure packages and measures get no rows of
their own: at 50,000 measures that would be millions of cells.
"""
from __future__ import annotations

import numpy as np

from xlportfolio.core.formats import COUNT
from xlportfolio.core.plan import Block, GeneratedSheet
from xlportfolio.core.rollup.data import SCENARIOS
from xlportfolio.core.rollup.engine import FIRST, LABEL, Run, column_of, plain
from xlportfolio.core.rollup.formulas import letter, sheet_ref, span
from xlportfolio.core.values import CellError

BY_MONTH = "Rollup by month"
NOT_FOUND = CellError("#N/A")  # MATCH of an ID that is not in the tree list
# The sheet's title line, for the controller who reads it (how the formulas work is in this module's doc).
NOTE = ("Plan, forecast and actual by month for the organization, portfolios, programs and projects, each "
        "row the item together with everything below it. Measure packages and measures have no rows of "
        "their own here: their amounts are in their project's row, and per item on the Rollup sheet. The "
        "two tables at the right are working columns for the monthly formulas (every item in tree order, "
        "and the item each Financials line belongs to).")


def monthly_sums(run: Run, upper: list[int]) -> np.ndarray:
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


def month_sheet(run: Run, upper: list[int]) -> GeneratedSheet:
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
    levels, names = column_of(run.frame, "level").to_numpy(), column_of(run.frame, "name").to_numpy()
    cell = run.cell
    rows = []
    r = FIRST
    for u, i in enumerate(upper):
        first, last = i + 1, i + int(tree.size[i])
        described = (tree.ids[i], plain(tree.parent_ids[i]), plain(levels[i]), plain(names[i]))
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
    blocks = [Block(1, 1, NOTE, header, tuple(rows), formats)]
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
