"""The pack's key figures, money table and status matrix: the Dashboard's figures as plain numbers."""
from __future__ import annotations

from typing import Any

from xlportfolio.core.formats import heat_fill, status_meaning
from xlportfolio.core.rollup.dashboard import MEASURES, DashboardData, number, value_of

ALERTS = ("Items on hold", "Implementation status", "Potential status")  # key figures that flag trouble


def summary(data: DashboardData) -> dict[str, Any]:
    """The key figures, the money table and the status matrix as plain numbers for the template."""
    cost, benefit = data.flows
    money = [(flow, [value_of(data.money.get((m, flow))) for m in MEASURES]) for flow in (cost, benefit)]
    if data.money:
        money.append(("Net value", [data.net(m) if (m, cost) in data.money else None for m in MEASURES]))
    # (label, value, whether a number above 0 asks for attention)
    figures = [(label, value_of(cell), label.startswith(ALERTS)) for label, cell in data.key_figures]
    if data.stages:
        level = f" ({data.value_level} level)" if data.value_level else ""
        figures.append((f"Estimated value per year{level}", data.total_value, False))
    if data.weighted:
        figures.append(("Stage-weighted value per year", data.weighted_value, False))
    matrix = [(i, [(p, int(number(data.matrix[(i, p)]))) for p in data.statuses]) for i in data.statuses]
    largest = max((n for _, row in matrix for _, n in row), default=0)
    return {
        "figures": figures,
        "money": money if data.money else [],
        "measures": [data.measures[m] for m in MEASURES],
        "levels": [(lvl, value_of(c)) for lvl, c in data.levels],
        # Each cell in the Dashboard's colour: what the pair means, fuller the more items it holds.
        "matrix": [(i, [(n, "#" + heat_fill(status_meaning(data.statuses, i, p), n, largest)) for p, n in row])
                   for i, row in matrix],
        "statuses": list(data.statuses),
        "currency": data.currency,
    }
