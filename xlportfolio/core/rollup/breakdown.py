"""The Breakdown sheet: own amounts of all items grouped by function, legal entity and category,
SUMIFS over the Rollup sheet's Own columns; each block ends with a total.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from xlportfolio.core.formats import COUNT
from xlportfolio.core.plan import Block, Formula, GeneratedSheet
from xlportfolio.core.rollup.data import SCENARIOS
from xlportfolio.core.rollup.engine import FIRST, LABEL, WEIGHTED, Run, column_of, plain
from xlportfolio.core.rollup.formulas import letter, span
from xlportfolio.core.rollup.totals import ROLLUP, Columns
from xlportfolio.core.rollup.tree import text_key
from xlportfolio.schema import ITEMS, LISTS_BY_NAME

BREAKDOWN = "Breakdown"
DIMENSIONS = (("function", "Function"), ("legal_entity", "LegalEntity"), ("category", "Category"))
# The sheet's title line, for the controller who reads it (how the formulas work is in this module's doc).
NOTE = ("Each item's own cost and benefit, added up by function, legal entity and category. Every table "
        "totals all items, so its total equals the top items' totals on the Rollup sheet.")


def _groups(run: Run, name: str, list_name: str) -> tuple[list[Any], np.ndarray]:
    """The groups of one dimension (list values first, then others as typed, then blank) and each item's group."""
    labels: list[Any] = []
    index: dict[str | None, int] = {}
    for value in run.lists.get(list_name) or LISTS_BY_NAME[list_name].values:
        key = text_key(value)
        if key is not None and key not in index:
            index[key] = len(labels)
            labels.append(value)
    cells = column_of(run.frame, name)
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
            labels.append(plain(value))
        group[i] = index[key]
    if blank:
        group[group < 0] = len(labels)
        labels.append(None)
    return labels, group


def breakdown_sheet(run: Run, own: np.ndarray) -> GeneratedSheet:
    lay, n = Columns(run), len(run.tree)
    last = FIRST + n - 1

    def ref(column: int) -> str:
        return span(ROLLUP, column, FIRST, last)

    header_tail = [f"{LABEL[s]} {k}" for s in SCENARIOS for k in ("cost", "benefit", "net")]
    header_tail += [f"Weighted {s} net" for s in WEIGHTED]
    blocks = [Block(1, 1, NOTE, (), ())]
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
