"""The Scenario sheet: a selection that explains itself.

Above the cut line the chosen items, below it the others, each with its ID, name, score, value
and cost in their own columns and the constraint that decided its place; items that are out
also show the money and person-days they would need to come in. Below the list, one table per
subject, every list as rows (never many IDs or limits in one cell): the totals, the binding
limits, every limit that keeps each item near the line out, the efficient frontier (the chart's
points, the chosen budget among them, marked) and the items that come in or go out along it.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xlportfolio.core.formats import money_format
from xlportfolio.core.plan import Block, GeneratedSheet, Span
from xlportfolio.core.prioritise.reasons import BUDGET, DEPENDENCY, Reason, limit_uses, reasons
from xlportfolio.core.prioritise.select import Candidate, Key, Selection

SCENARIO_SHEET = "Scenario"
# Money cells take the workbook's money format (scenario_sheet's `money`), so its currency shows here too.
MONEY = money_format()
SCORE, DAYS, COUNT = "#,##0.0", "#,##0.0", "0"
SCENARIO_HEADER = ("Item ID", "Name", "Rank", "Score (0-100)", "Value per year", "Cost", "Selected",
                   "Cumulative cost", "Decided by", "Extra budget needed",
                   "Extra person-days needed", "Why")


def scenario_formats(money: str = MONEY) -> tuple[str | None, ...]:
    return (None, None, COUNT, SCORE, money, money, None, money, None, money, DAYS, None)


SCENARIO_WIDTHS = (14, 34, 7, 14, 16, 14, 10, 16, 46, 16, 18, 90)
SUMMARY_HEADER = ("Status", "Objective", "Items selected", "Items not selected", "Total score", "Total value per year",
                  "Total cost", "Budget", "Budget left")
LIMITS_HEADER = ("Kind", "Limit", "Unit", "Available", "Used", "Left", "Items short on it")
SHORT_HEADER = ("Item ID", "Limit", "Kind", "Left now", "It needs", "Short by", "Unit", "Name")
FRONTIER_HEADER = ("Budget", "Best total", "Chosen budget", "Items", "Cost", "Items in", "Items out")
CHANGES_HEADER = ("Budget", "Item ID", "Change", "Name")
CUT_LINE = "——— cut line ———"
ABOVE, BELOW = "Just above the line", "Just below the line"
NEAR_LINE = 5  # how many items either side of the cut line are called near it
MAX_CELL = 32_000  # Excel refuses text longer than 32,767 characters


@dataclass(frozen=True)
class Shown:
    """What the sheet shows of a candidate besides what the solver needs."""

    name: str = ""
    score: float | None = None  # the weighted score, 0-100
    value: float | None = None  # money value per year (revenue, retention, estimated value)


@dataclass(frozen=True)
class ScenarioSheet:
    """The Scenario sheet and its frontier table's columns, header cell first, ready for a ChartSpec."""

    sheet: GeneratedSheet
    budget: Span  # Budget column of the frontier table (the x values)
    value: Span  # Best total column (the frontier's points)
    chosen: Span  # Chosen budget column: blank but for the chosen budget's row (the marked point)
    reasons: dict[str, Reason]


def scenario_sheet(candidates: Iterable[Candidate], selection: Selection,
                   frontier_points: list[tuple[float, float, tuple[str, ...]]],
                   ranks: Mapping[str, int] | None = None, *, shown: Mapping[str, Shown] | None = None,
                   capacity: Mapping[Key, float] | None = None, dependencies: Iterable[tuple[str, str]] = (),
                   objective: str = "score", money: str = MONEY) -> ScenarioSheet:
    """The selection above a cut line, the rest below it, then the tables that explain it."""
    ranks = ranks or {}
    candidates = tuple(candidates)
    shown = dict(shown) if shown is not None else {
        c.id: Shown(score=c.value if objective == "score" else None, value=c.value if objective == "value" else None)
        for c in candidates}
    capacity = dict(capacity or {})
    why = reasons(candidates, selection, capacity, dependencies, objective)
    items = sorted(candidates, key=lambda c: (c.id not in ranks, ranks.get(c.id, 0), -c.value, c.id))
    chosen = set(selection.chosen)
    above = [c for c in items if c.id in chosen]
    below = [c for c in items if c.id not in chosen]
    near, explained = _near_line(items, above, below)
    rows, spent = [], 0.0
    for c in above:
        spent += c.cost
        rows.append(_row(c, shown.get(c.id, Shown()), ranks.get(c.id), "yes", spent, why.get(c.id), near.get(c.id)))
    rows.append((CUT_LINE, None, None, None, None, None, None, spent, None, None, None,
                 f"{len(above)} selected above, {len(below)} not selected below"))
    rows += [_row(c, shown.get(c.id, Shown()), ranks.get(c.id), "no", None, why.get(c.id), near.get(c.id))
             for c in below]
    blocks = _blocks(len(rows) + 3, candidates, selection, shown, why, explained, frontier_points, capacity,
                     objective, money)
    frontier_block = blocks[-2]
    first, last = frontier_block.header_row, frontier_block.last_row
    sheet = GeneratedSheet(SCENARIO_SHEET, SCENARIO_HEADER, tuple(rows), _widths(blocks),
                           formats=scenario_formats(money), blocks=tuple(blocks))
    return ScenarioSheet(sheet, Span(1, first, last), Span(2, first, last), Span(3, first, last), why)


def _row(c: Candidate, s: Shown, rank: int | None, selected: str, spent: float | None, reason: Reason | None,
         near: str | None) -> tuple:
    decided = reason.decided_by if reason else None
    text = reason.text if reason else ""
    extra_budget = reason.extra_budget if reason else None
    extra_days = reason.extra_days if reason else None
    return (c.id, s.name or None, rank, s.score, s.value, c.cost, selected, spent, decided,
            _round(extra_budget, 2), _round(extra_days, 1), f"{near}. {text}" if near else text)


def _near_line(items: list[Candidate], above: list[Candidate],
               below: list[Candidate]) -> tuple[dict[str, str], list[Candidate]]:
    """Which items are near the line, and which left-out items get every limit listed.

    Mandatory and excluded items are never near the line: no budget moves them across it.
    Every item that is out although it ranks above the worst chosen one is explained in full.
    """
    position = {c.id: i for i, c in enumerate(items)}
    free_above = [c for c in above if not c.mandatory]
    free_below = [c for c in below if not c.excluded]
    near = {c.id: ABOVE for c in free_above[-NEAR_LINE:]} | {c.id: BELOW for c in free_below[:NEAR_LINE]}
    worst_in = max((position[c.id] for c in above), default=-1)
    explained = [c for c in free_below if c.id in near or position[c.id] < worst_in]
    return near, explained


def _blocks(top: int, candidates: tuple[Candidate, ...], selection: Selection, shown: dict[str, Shown],
            why: dict[str, Reason], explained: list[Candidate], points, capacity, objective,
            money: str = MONEY) -> list[Block]:
    """The tables under the list, each two rows below the one before; the frontier is second to last."""
    chosen = set(selection.chosen)
    total_score = sum(shown[i].score or 0.0 for i in chosen if i in shown)
    total_value = sum(shown[i].value or 0.0 for i in chosen if i in shown)
    budget = "none" if selection.budget is None else selection.budget
    left = None if selection.budget is None else selection.budget - selection.cost
    specs = [("Selection", SUMMARY_HEADER, [(selection.status, objective, len(chosen), len(candidates) - len(chosen),
                                             total_score, total_value, selection.cost, budget, left)],
              (None, None, COUNT, COUNT, SCORE, money, money, money, money))]
    if selection.explanation:
        lines = [(_clip(line.removeprefix("- ")),) for line in selection.explanation.splitlines() if line.strip()]
        specs.append(("What the solver found", ("Explanation",), lines, ()))
    uses = limit_uses(candidates, selection, capacity, why)
    specs.append(("Binding limits: each keeps at least one more item out",
                  LIMITS_HEADER, [(u.kind, u.limit, "money" if u.kind == BUDGET else "person-days", u.available,
                                   u.used, u.left, u.keeps_out) for u in uses] or [("none",)],
                  (None, None, None, DAYS, DAYS, DAYS, COUNT)))
    short_rows = []
    for c in explained:
        name = shown.get(c.id, Shown()).name
        for s in why[c.id].shortfalls if c.id in why else ():
            if s.kind == DEPENDENCY:
                short_rows.append((c.id, s.limit, "needs it (not chosen)", None, None, None, None, name))
            else:
                short_rows.append((c.id, s.limit, s.kind, s.left, s.needs, s.short, s.unit, name))
    specs.append(("What keeps the items near the line (and every item out above a chosen one) out",
                  SHORT_HEADER, short_rows or [("none",)], (None, None, None, DAYS, DAYS, DAYS, None, None)))
    frontier_rows, change_rows = _frontier_rows(points, selection, candidates, shown)
    header = (FRONTIER_HEADER[0], f"Best total {objective}", *FRONTIER_HEADER[2:])
    specs.append(("Efficient frontier: best total per budget (the chosen budget marked)", header,
                  frontier_rows, (money, SCORE, SCORE, COUNT, money, COUNT, COUNT)))
    specs.append(("Along the frontier: items that come in or go out at each budget", CHANGES_HEADER,
                  change_rows, (money, None, None, None)))
    blocks = []
    for title, header, rows, formats in specs:
        block = Block(top, 1, title, header, tuple(tuple(r) for r in rows), formats)
        blocks.append(block)
        top = block.last_row + 2
    return blocks


def _frontier_rows(points, selection: Selection, candidates: tuple[Candidate, ...],
                   shown: dict[str, Shown]) -> tuple[list[tuple], list[tuple]]:
    """One row per budget (the chosen one's best total repeated in the marked column), and the changes."""
    cost = {c.id: c.cost for c in candidates}
    mark = selection.budget if selection.budget is not None else selection.cost
    rows, changes, before = [], [], ()
    for budget, value, chosen in points:
        now, was = set(chosen), set(before)
        came = [i for i in chosen if i not in was]
        went = [i for i in before if i not in now]
        marked = value if selection.chosen and math.isclose(budget, mark, rel_tol=1e-9, abs_tol=1e-6) else None
        rows.append((budget, value, marked, len(chosen), sum(cost[i] for i in chosen), len(came), len(went)))
        changes += [(budget, i, "in", shown.get(i, Shown()).name) for i in came]
        changes += [(budget, i, "out", shown.get(i, Shown()).name) for i in went]
        before = chosen
    return rows, changes


def _widths(blocks: list[Block]) -> tuple[float, ...]:
    """Wide enough for every header and title cell that sits in a column, the list's own widths at least."""
    widths = list(SCENARIO_WIDTHS)
    for b in [Block(0, 1, "", SCENARIO_HEADER, ()), *blocks]:
        for c, text in enumerate(b.header, start=b.column - 1):
            if c < len(widths) - 1:  # the last column wraps its text
                widths[c] = max(widths[c], len(text) + 3)
    return tuple(widths)


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
