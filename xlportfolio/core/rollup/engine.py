"""What the rollup's three sheets share: the run (the Items in tree order, Financials, stage weights and
the lists), and the engine's own numbers: each item's own amounts, from which every total is summed.

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

from xlportfolio.core.book import SheetTable
from xlportfolio.core.plan import Formula
from xlportfolio.core.rollup.data import SCENARIOS, Financials, Weights
from xlportfolio.core.rollup.tree import Tree
from xlportfolio.core.values import is_blank

FIRST = 3  # first data row: the note is in row 1, the header in row 2
LABEL = {"plan": "Plan", "forecast": "Forecast", "actual": "Actual"}
WEIGHTED = ("plan", "forecast")  # actual value is realised: weighting it by a stage makes no sense


@dataclass
class Run:
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
        return value_alone if self.values else Formula


def value_alone(formula: str, value: Any) -> Any:
    return value


def column_of(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)


def plain(value: Any) -> Any:
    """A cell copied from Items onto a generated sheet: blanks stay empty, odd values become text."""
    if is_blank(value):
        return None
    if isinstance(value, (str, int, float, dt.date)):
        return value
    return str(value)


# --- the engine ---------------------------------------------------------------------------------

def own_amounts(run: Run) -> np.ndarray:
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
    weight = item_weights(run)
    for w, scenario in enumerate(WEIGHTED):
        s = SCENARIOS.index(scenario)
        net = own[:, 4 * s + 2] + own[:, 4 * s + 3] - own[:, 4 * s] - own[:, 4 * s + 1]  # as the formula adds
        own[:, 12 + w] = weight * net
    return own


def item_weights(run: Run) -> np.ndarray:
    return np.array([run.weights.of(stage) for stage in column_of(run.frame, "stage")], dtype=float)

