"""The Items hierarchy as the rollup sees it: tree order, depth, and each item's path from the top.

Excel's SUMIFS/COUNTIFS match IDs as text, ignoring case but not spaces, so the rollup's keys do
the same (`id_key`): an ID the engine joins is exactly an ID the workbook's formulas join.
A parent that is not in Items, or a parent cycle, detaches items: they are listed as tops of
their own, so no total ever depends on itself and every item still appears once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlportfolio.core.book import SheetTable
from xlportfolio.core.codes import define, finding
from xlportfolio.core.findings import Finding, Severity
from xlportfolio.core.values import CellError, Uncalculated, is_blank, show

NO_ID = define(
    "rollup-no-id", Severity.WARNING,
    "This item has no {header}, so the rollup cannot list it or find its financials; give it an ID.")
DUPLICATE_ID = define(
    "rollup-duplicate-id", Severity.ERROR,
    "{header} '{value}' is used before (row {first}; Excel compares IDs ignoring case), so the rollup "
    "lists only the first and counts all their financials there; give this item its own ID.")
PATTERN_ID = define(
    "rollup-id-pattern", Severity.WARNING,
    "{header} '{value}' contains {what}, which Excel's SUMIFS reads as a pattern, not as text: the rollup's "
    "live formulas may count other items' rows; use an ID of letters, digits and dashes.")
PARENT_CYCLE = define(
    "rollup-parent-cycle", Severity.ERROR,
    "The parent IDs run in a circle ({cycle}): the rollup lists each of these items on its own, "
    "without anything below it. Correct one {header} so the chain ends at the organization.")
DETACHED = define(
    "rollup-detached", Severity.WARNING,
    "{header} '{value}' {why}, so the rollup lists this item (with everything below it) as a top item; "
    "correct the {header}.")

CODES = (NO_ID, DUPLICATE_ID, PATTERN_ID, PARENT_CYCLE, DETACHED)


def id_key(value: Any) -> str | None:
    """An ID as Excel's criteria compare it: the text, case-folded, spaces kept; None when blank.

    A whole number reads as its digits (1001.0 -> '1001'), as Excel matches 1001 with '1001'.
    """
    if is_blank(value) or isinstance(value, (CellError, Uncalculated)):
        return None
    if isinstance(value, bool):
        return str(value).upper().casefold()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).casefold()


def text_key(value: Any) -> str | None:
    """A choice or text cell as a criterion compares it (case-insensitive, spaces kept)."""
    return id_key(value)


def _pattern(value: Any) -> str | None:
    """What makes an ID a SUMIFS pattern or comparison rather than plain text, if anything."""
    text = str(value)
    if any(c in text for c in "*?~"):
        return "a wildcard (* ? or ~)"
    if text[:1] in "=<>":
        return f"a leading '{text[0]}'"
    return None


@dataclass
class Tree:
    """Items in tree order (each item followed by everything below it)."""

    rows: list[int]  # Excel row on the Items sheet
    ids: list[Any]  # the ID cell as it stands
    keys: list[str]
    parent_ids: list[Any]  # the Parent ID cell as it stands
    parent: np.ndarray  # tree position of the parent, -1 for a top item
    depth: np.ndarray  # 0 for a top item
    paths: np.ndarray  # (items, depths): tree position of the ancestor at each depth (the item itself at its own), -1 below
    size: np.ndarray  # the item and everything below it: rows position .. position + size - 1
    findings: list[Finding] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def levels(self) -> int:
        return self.paths.shape[1]


def build_tree(items: SheetTable) -> Tree:
    frame = items.frame
    ids = frame["item_id"] if "item_id" in frame else pd.Series(None, index=frame.index, dtype=object)
    parents = frame["parent_id"] if "parent_id" in frame else pd.Series(None, index=frame.index, dtype=object)
    findings: list[Finding] = []
    rows, raw, keys, parent_raw, first = [], [], [], [], {}
    for row, value, parent in zip(frame.index, ids, parents):
        row = int(row)
        key = id_key(value)
        if key is None:
            findings.append(finding(NO_ID, items, row, "item_id", value if not is_blank(value) else None))
            continue
        if key in first:
            findings.append(finding(DUPLICATE_ID, items, row, "item_id", value, first=first[key]))
            continue
        if what := _pattern(value):
            findings.append(finding(PATTERN_ID, items, row, "item_id", value, what=what))
        first[key] = row
        rows.append(row)
        raw.append(value)
        keys.append(key)
        parent_raw.append(parent)
    n = len(rows)
    position = {k: i for i, k in enumerate(keys)}
    up = np.full(n, -1, dtype=np.int64)
    unknown = []
    for i, parent in enumerate(parent_raw):
        key = id_key(parent)
        if key is None:
            continue
        if key in position:
            up[i] = position[key]
        else:
            unknown.append(i)
    cycles = _cycles(up)
    on_cycle = np.zeros(n, dtype=bool)
    for cycle in cycles:
        on_cycle[cycle] = True
        names = " > ".join(show(raw[i]) for i in cycle + cycle[:1])
        for i in cycle:
            findings.append(finding(PARENT_CYCLE, items, rows[i], "parent_id", parent_raw[i], cycle=names))
    for i in unknown:
        findings.append(finding(DETACHED, items, rows[i], "parent_id", parent_raw[i], why="is not an item in Items"))
    below_cycle = (up >= 0) & ~on_cycle
    below_cycle[below_cycle] = on_cycle[up[below_cycle]]
    for i in np.flatnonzero(below_cycle):
        findings.append(finding(DETACHED, items, rows[i], "parent_id", parent_raw[i],
                                why="is on a parent cycle"))
    up[on_cycle | below_cycle] = -1
    order = _preorder(up)
    where = np.empty(n, dtype=np.int64)
    where[order] = np.arange(n)
    parent = np.where(up[order] >= 0, where[np.maximum(up[order], 0)], -1)
    depth, paths, size = _shape(parent)
    return Tree([rows[i] for i in order], [raw[i] for i in order], [keys[i] for i in order],
                [parent_raw[i] for i in order], parent, depth, paths, size, findings)


def _cycles(up: np.ndarray) -> list[list[int]]:
    """Every cycle of the parent pointers, each as the items on it (in Items order from its first)."""
    state = np.zeros(len(up), dtype=np.int8)  # 0 unseen, 1 on the current walk, 2 done
    cycles = []
    for start in range(len(up)):
        walk = []
        i = start
        while i >= 0 and state[i] == 0:
            state[i] = 1
            walk.append(i)
            i = int(up[i])
        if i >= 0 and state[i] == 1:
            cycle = walk[walk.index(i):]
            turn = cycle.index(min(cycle))
            cycles.append(cycle[turn:] + cycle[:turn])
        state[walk] = 2
    return cycles


def _preorder(up: np.ndarray) -> list[int]:
    """Tops in Items order, each followed by its children (in Items order), depth first."""
    children: list[list[int]] = [[] for _ in range(len(up))]
    tops = []
    for i, p in enumerate(up.tolist()):
        (children[p] if p >= 0 else tops).append(i)
    order: list[int] = []
    stack = tops[::-1]
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(children[i][::-1])
    return order


def _shape(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth, ancestor paths and subtree sizes of a tree given in pre-order (parents first)."""
    n = len(parent)
    depth = np.zeros(n, dtype=np.int64)
    for i in range(n):  # a parent always comes before its children
        if parent[i] >= 0:
            depth[i] = depth[parent[i]] + 1
    levels = int(depth.max()) + 1 if n else 1
    paths = np.full((n, levels), -1, dtype=np.int64)
    paths[np.arange(n), depth] = np.arange(n)
    for d in range(1, levels):  # shallow to deep: a parent's path is complete before its children's
        at = np.flatnonzero(depth == d)
        paths[at, :d] = paths[parent[at], :d]
    size = np.ones(n, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        if parent[i] >= 0:
            size[parent[i]] += size[i]
    return depth, paths, size
